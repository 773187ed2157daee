/**
 * UTF-8 helpers for JavaScript strings: byte length, encoding into a caller's buffer, decoding a
 * byte range, and comparison in UTF-8 byte order (Go's string order, which Prometheus sorts by).
 *
 * Lone surrogates, which cannot be encoded, count and encode as U+FFFD (EF BF BD), exactly as
 * TextEncoder does, so lengths and bytes always agree with each other and with TextEncoder.
 */

const decoder = new TextDecoder('utf-8');

/** Returns the number of bytes `s` occupies in UTF-8. */
export function utf8Length(s: string): number {
  const n = s.length;
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      len += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      len += 2; // a surrogate pair: 2 code units, 4 bytes
      i++;
    } else {
      len += 2; // 3 bytes: BMP char or a lone surrogate written as U+FFFD
    }
  }
  return len;
}

/**
 * Writes `s` as UTF-8 into `buf` at `offset` and returns the offset after it. The caller
 * guarantees room for {@link utf8Length}(s) bytes.
 */
export function writeUtf8(s: string, buf: Uint8Array, offset: number): number {
  const n = s.length;
  let p = offset;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[p++] = c;
      continue;
    }
    if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && (next & 0xfc00) === 0xdc00) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        buf[p++] = 0xf0 | (cp >> 18);
        buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[p++] = 0x80 | (cp & 0x3f);
        continue;
      }
      c = 0xfffd;
    }
    buf[p++] = 0xe0 | (c >> 12);
    buf[p++] = 0x80 | ((c >> 6) & 0x3f);
    buf[p++] = 0x80 | (c & 0x3f);
  }
  return p;
}

/**
 * Decodes `buf[start, end)` as UTF-8 (malformed sequences become U+FFFD). ASCII ranges, the
 * common case for label names and values, skip TextDecoder's call overhead. The result is always
 * a flat string: concatenation is used only below V8's 13-character threshold for cons strings,
 * which would otherwise cost memory in long-lived label sets.
 */
export function readUtf8(buf: Uint8Array, start: number, end: number): string {
  // apply() passes every byte as an argument: keep long ranges (rare) away from engine limits.
  if (end - start > 1024) return decoder.decode(buf.subarray(start, end));
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) return decoder.decode(buf.subarray(start, end));
  }
  if (end - start < 13) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
    return s;
  }
  // fromCharCode accepts array-likes through apply; typed arrays qualify.
  return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
}

/**
 * Compares two strings by their UTF-8 bytes (negative, zero or positive), which is Go's string
 * order. It differs from JavaScript's UTF-16 `<` only when the first differing code units are a
 * surrogate and a char in U+E000–U+FFFF: UTF-8 puts supplementary chars after the whole BMP.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800 && cb >= 0xd800) {
      // Move surrogates above U+E000–U+FFFF so that code unit order equals code point order.
      ca = ca >= 0xe000 ? ca - 0x800 : ca + 0x2000;
      cb = cb >= 0xe000 ? cb - 0x800 : cb + 0x2000;
    }
    return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}
