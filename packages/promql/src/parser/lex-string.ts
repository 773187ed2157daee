/**
 * Lexing of PromQL string literals and the character formatting of lexer errors, with
 * Prometheus's rules: `"…"` and `'…'` with Go escapes (validated here, decoded by
 * literals.ts), raw `` `…` `` strings, and Go's `%q` / `%#U` renderings of characters.
 */
import { quoteGo } from '@tessera/model';

/** Lexer error: message and the offset Prometheus reports it at. */
export class LexError {
  readonly message: string;
  readonly start: number;
  constructor(message: string, start: number) {
    this.message = message;
    this.start = start;
  }
}

/** The character (code point) at `i`, or '' at the end. */
export function charAt(s: string, i: number): string {
  if (i >= s.length) return '';
  return String.fromCodePoint(s.codePointAt(i)!);
}

/** Go's `%q` of one character (a rune literal): `'a'`, `'\n'`, `'\''`. */
export function quoteRune(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '"') return `'"'`;
  return `'${quoteGo(ch).slice(1, -1)}'`;
}

/** Go's `%#U` of one character: `U+0063 'c'` (the character only when printable). */
export function formatCodePoint(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  const printable = ch === '"' || ch === '\\' || quoteGo(ch) === `"${ch}"`;
  return printable ? `${hex} '${ch}'` : hex;
}

/**
 * Scans the quoted string whose opening quote is at `start`, validating its escapes as
 * Prometheus's lexer does, and returns the offset after the closing quote.
 */
export function scanQuoted(s: string, start: number, quote: string): number {
  let pos = start + 1;
  for (;;) {
    const ch = charAt(s, pos);
    pos += ch.length;
    if (ch === '' || ch === '\n') throw new LexError('unterminated quoted string', start);
    if (ch === quote) return pos;
    if (ch === '\\') pos = scanEscape(s, pos, start, quote);
    else if (isInvalidRune(ch)) throw new LexError('invalid UTF-8 rune', start);
  }
}

/** Validates the escape after a backslash at `pos - 1`; returns the offset after it. */
function scanEscape(s: string, pos: number, start: number, quote: string): number {
  let ch = charAt(s, pos);
  pos += ch.length;
  let n: number;
  let base: number;
  let max: number;
  if ((ch !== '' && 'abfnrtv\\'.includes(ch)) || ch === quote) return pos;
  if (ch >= '0' && ch <= '7') {
    [n, base, max] = [3, 8, 255];
  } else if (ch === 'x' || ch === 'u' || ch === 'U') {
    [n, base, max] = ch === 'x' ? [2, 16, 255] : ch === 'u' ? [4, 16, 0x10ffff] : [8, 16, 0x10ffff];
    ch = charAt(s, pos);
    pos += ch.length;
  } else if (ch === '') {
    throw new LexError('escape sequence not terminated', start);
  } else {
    throw new LexError(`unknown escape sequence ${formatCodePoint(ch)}`, start);
  }
  let x = 0;
  for (;;) {
    const d = ch === '' ? 16 : digitValue(ch);
    if (d >= base) {
      if (ch === '') throw new LexError('escape sequence not terminated', start);
      throw new LexError(`illegal character ${formatCodePoint(ch)} in escape sequence`, start);
    }
    x = x * base + d;
    if (--n === 0) break;
    ch = charAt(s, pos);
    pos += ch.length;
  }
  if (x > max || (x >= 0xd800 && x < 0xe000)) {
    throw new LexError('escape sequence is an invalid Unicode code point', start);
  }
  return pos;
}

/** Scans the raw string whose backtick is at `start`; returns the offset after the closing one. */
export function scanRaw(s: string, start: number): number {
  let pos = start + 1;
  for (;;) {
    const ch = charAt(s, pos);
    pos += ch.length;
    if (ch === '') throw new LexError('unterminated raw string', start);
    if (ch === '`') return pos;
    if (isInvalidRune(ch)) throw new LexError('invalid UTF-8 rune', start);
  }
}

/** Go decodes U+FFFD and undecodable input alike as utf8.RuneError, which strings reject. */
function isInvalidRune(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c === 0xfffd || (ch.length === 1 && c >= 0xd800 && c <= 0xdfff);
}

function digitValue(ch: string): number {
  const c = ch.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return 16;
}
