/**
 * Values of literal tokens, with Go's and Prometheus's rules and error texts: numbers
 * (strconv.ParseInt base 0, then ParseFloat), durations (Prometheus's model.ParseDuration) and
 * string literals (Go escapes).
 *
 * String values are JS strings. Escapes `\xhh` and octal `\ooo` yield bytes, which join the
 * surrounding text as UTF-8 as in Go; a byte that does not form valid UTF-8 is kept as the lone
 * surrogate U+DC80 + byte (the "surrogateescape" convention), so invalid strings such as
 * `"a\xc5z"` stay distinguishable from valid ones: {@link hasInvalidUtf8} detects them and
 * {@link quoteGoString} prints them back as Go would (`"a\xc5z"`).
 */
import { quoteGo } from '@tessera/model';

/** Result of parsing a literal: the value, or a Prometheus error message. */
export type LiteralResult<T> = { ok: true; value: T } | { ok: false; message: string };

const MAX_INT64 = 2n ** 63n - 1n;

/**
 * Parses a NUMBER token as Prometheus does: Go's ParseInt with base 0 (decimal, `0x` hex,
 * leading-0 octal, `_` separators), else ParseFloat (decimals, exponents, Inf, NaN).
 */
export function parseNumber(text: string): LiteralResult<number> {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return { ok: true, value: Infinity };
  if (lower === '-inf') return { ok: true, value: -Infinity };
  if (lower === 'nan') return { ok: true, value: NaN };
  const plain = text.replaceAll('_', '');
  let big: bigint | null = null;
  if (/^0[xX][0-9a-fA-F]+$/.test(plain)) big = BigInt(plain);
  else if (/^0[0-7]*$/.test(plain)) big = BigInt('0o' + (plain.slice(1) || '0'));
  else if (/^[1-9][0-9]*$/.test(plain)) big = BigInt(plain);
  if (big !== null && big <= MAX_INT64) return { ok: true, value: Number(big) };
  if (/^0[xX]/.test(plain)) {
    // ParseFloat accepts hex only with a p exponent, which the lexer never lets through.
    return { ok: false, message: `error parsing number: strconv.ParseFloat: parsing ${quoteGo(text)}: invalid syntax` };
  }
  if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(plain)) {
    return { ok: false, message: `error parsing number: strconv.ParseFloat: parsing ${quoteGo(text)}: invalid syntax` };
  }
  const v = Number(plain);
  if (!Number.isFinite(v)) {
    return { ok: false, message: `error parsing number: strconv.ParseFloat: parsing ${quoteGo(text)}: value out of range` };
  }
  return { ok: true, value: v };
}

const DURATION_UNITS: ReadonlyMap<string, { ms: number; pos: number }> = new Map([
  ['y', { ms: 365 * 24 * 3600_000, pos: 1 }],
  ['w', { ms: 7 * 24 * 3600_000, pos: 2 }],
  ['d', { ms: 24 * 3600_000, pos: 3 }],
  ['h', { ms: 3600_000, pos: 4 }],
  ['m', { ms: 60_000, pos: 5 }],
  ['s', { ms: 1000, pos: 6 }],
  ['ms', { ms: 1, pos: 7 }],
]);

/** Largest duration in ms that Go's int64-nanosecond time.Duration holds. */
const MAX_DURATION_MS = 9_223_372_036_854;

/**
 * Parses a DURATION token (`1h30m`) to ms with Prometheus's messages: `not a valid duration
 * string: "…"`, `unknown unit "…" in duration "…"`, `duration out of range`, and, for a zero
 * duration, `duration must be greater than 0`.
 */
export function parseDurationToken(text: string): LiteralResult<number> {
  const invalid = { ok: false, message: `not a valid duration string: ${quoteGo(text)}` } as const;
  let total = 0;
  let lastPos = 0;
  let i = 0;
  while (i < text.length) {
    const d0 = i;
    while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
    if (i === d0) return invalid;
    const v = Number(text.slice(d0, i));
    const u0 = i;
    while (i < text.length && !(text[i]! >= '0' && text[i]! <= '9')) i++;
    if (i === u0) return invalid;
    const unitText = text.slice(u0, i);
    const unit = DURATION_UNITS.get(unitText);
    if (unit === undefined) {
      return { ok: false, message: `unknown unit ${quoteGo(unitText)} in duration ${quoteGo(text)}` };
    }
    if (unit.pos <= lastPos) return invalid;
    lastPos = unit.pos;
    total += v * unit.ms;
    if (total > MAX_DURATION_MS) return { ok: false, message: 'duration out of range' };
  }
  if (total === 0) return { ok: false, message: 'duration must be greater than 0' };
  return { ok: true, value: total };
}

/**
 * Converts a number of seconds written where a duration is expected (`foo[300]`, `offset 5`)
 * to ms, rounding to the millisecond; fails with `duration out of range` beyond Go's range.
 */
export function secondsToDurationMs(seconds: number): LiteralResult<number> {
  if (!(Math.abs(seconds) <= MAX_DURATION_MS / 1000)) return { ok: false, message: 'duration out of range' };
  const ms = Math.round(Math.abs(seconds) * 1000);
  return { ok: true, value: seconds < 0 ? -ms : ms };
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 0x5c, "'": 0x27, '"': 0x22,
};

/** Appends the UTF-8 bytes of a code point. */
function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/** Decodes UTF-8 bytes, mapping each byte of an invalid sequence to U+DC80 + byte. */
function decodeUtf8Escaped(b: readonly number[]): string {
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    let cp = 0;
    let min = 0;
    if (c < 0x80) { out += String.fromCharCode(c); i++; continue; }
    if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1f; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0f; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; min = 0x10000; }
    let ok = n > 0 && i + n < b.length + 1;
    for (let k = 1; ok && k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (cc & 0x3f);
    }
    if (ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp < 0xe000)) {
      out += String.fromCodePoint(cp);
      i += n + 1;
    } else {
      out += String.fromCharCode(0xdc00 + c);
      i++;
    }
  }
  return out;
}

/**
 * Returns the value of a STRING token (quotes included). The lexer has validated it, so every
 * escape here is well-formed.
 */
export function unquoteString(token: string): string {
  const quote = token[0];
  const body = token.slice(1, -1);
  if (quote === '`' || !body.includes('\\')) return body;
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    const cp = body.codePointAt(i)!;
    if (cp !== 0x5c) {
      pushUtf8(bytes, cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = body[i + 1]!;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      bytes.push(simple);
      i += 2;
    } else if (e >= '0' && e <= '7') {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 4;
    } else {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const v = parseInt(body.slice(i + 2, i + 2 + n), 16);
      if (e === 'x') bytes.push(v);
      else pushUtf8(bytes, v);
      i += 2 + n;
    }
  }
  return decodeUtf8Escaped(bytes);
}

/** Reports whether a string holds bytes that are not valid UTF-8 (escaped as U+DC80–U+DCFF). */
export function hasInvalidUtf8(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      i++;
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/**
 * Go's strconv.Quote of a string from this module: like quoteGo, but an escaped invalid byte
 * (U+DC80 + b) prints as `\xhh`, as Go prints the raw byte.
 */
export function quoteGoString(s: string): string {
  if (!hasInvalidUtf8(s)) return quoteGo(s);
  let out = '"';
  let run = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      run += s[i]! + s[i + 1]!;
      i++;
    } else if (c >= 0xdc80 && c <= 0xdcff) {
      out += quoteGo(run).slice(1, -1) + '\\x' + (c - 0xdc00).toString(16).padStart(2, '0');
      run = '';
    } else {
      run += s[i]!;
    }
  }
  return out + quoteGo(run).slice(1, -1) + '"';
}
