/**
 * Go's `%q` / strconv.Quote for JavaScript strings: how Prometheus prints label values, and
 * label names that are not legacy identifiers.
 *
 * Rules (Go's): `"` and `\` are backslash-escaped; \a \b \f \n \r \t \v use their short forms;
 * other C0 controls and DEL become `\xHH`; any other rune that is not printable in Go's sense
 * (letters, marks, numbers, punctuation, symbols and the ASCII space) becomes `\uHHHH` or
 * `\UHHHHHHHH`; everything else is written as is. A lone surrogate, which has no UTF-8 form,
 * is written as U+FFFD, as in the label encoding.
 */

// Go's unicode.IsPrint for a code point above ASCII: categories L, M, N, P, S (no other spaces).
// The pattern is a single character class: linear, no backtracking concerns.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

const SHORT_ESCAPES: Record<number, string> = {
  0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v',
  0x22: '\\"', 0x5c: '\\\\',
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Returns `s` quoted with double quotes and escaped as Go's strconv.Quote would. */
export function quoteGo(s: string): string {
  const n = s.length;
  let i = 0;
  // Fast path: printable ASCII with nothing to escape.
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) break;
  }
  if (i === n) return '"' + s + '"';
  let out = '"' + s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) {
      out += s[i];
      continue;
    }
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) {
      out += short;
      continue;
    }
    if (c < 0x80) {
      out += '\\x' + hex(c, 2);
      continue;
    }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && (next & 0xfc00) === 0xdc00) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    }
    const ch = String.fromCodePoint(cp);
    if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x10000) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + '"';
}
