/**
 * PromQL string literals: `"…"` and `'…'` with Go's escape rules, and raw `` `…` `` strings.
 *
 * Escapes (quoted forms only): \a \b \f \n \r \t \v \\, the opening quote itself (\" in "…",
 * \' in '…'), octal \ooo (≤ 0377) and \xhh, both of which yield one byte, and \uhhhh and
 * \Uhhhhhhhh, which yield a code point (never a surrogate, at most U+10FFFF). Bytes from \x and
 * octal escapes join the surrounding text as UTF-8, as in Go (`"\xc3\xa9"` is "é"); malformed
 * UTF-8 becomes U+FFFD. A quoted string may not contain a raw newline; a raw string may (unlike
 * Go, Prometheus keeps newlines in backtick strings) and processes no escapes.
 */
import { ModelError } from './errors.ts';

/** A scanned literal: its decoded value and the offset just after its closing quote. */
export interface StringLiteral {
  readonly value: string;
  readonly end: number;
}

const decoder = new TextDecoder('utf-8');

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\',
};

/** Offset-carrying failure; callers turn it into a positioned parse error. */
function fail(message: string, position: number): ModelError {
  return new ModelError('parse-error', message, { position });
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * Scans the string literal that starts at `input[start]` (which must be `"`, `'` or `` ` ``).
 *
 * @throws ModelError `parse-error` (message without position prefix; `position` set) for an
 *   unterminated string, a raw newline in a quoted string, or a bad escape sequence.
 */
export function scanStringLiteral(input: string, start: number): StringLiteral {
  const quote = input[start];
  if (quote === '`') {
    const close = input.indexOf('`', start + 1);
    if (close < 0) throw fail('unterminated raw string', start);
    return { value: input.slice(start + 1, close), end: close + 1 };
  }
  if (quote !== '"' && quote !== "'") throw fail('expected a string literal', start);
  let out = '';
  let bytes: number[] | null = null; // pending bytes from \x and octal escapes
  const flush = (): void => {
    if (bytes !== null) {
      out += decoder.decode(Uint8Array.from(bytes));
      bytes = null;
    }
  };
  let i = start + 1;
  let runStart = i; // start of the current run of plain characters
  for (;;) {
    if (i >= input.length) throw fail('unterminated quoted string', start);
    const c = input[i]!;
    if (c === quote) {
      if (i > runStart) {
        flush();
        out += input.slice(runStart, i);
      }
      flush();
      return { value: out, end: i + 1 };
    }
    if (c === '\n') throw fail('unterminated quoted string', start);
    if (c !== '\\') {
      i++;
      continue;
    }
    if (i > runStart) {
      flush();
      out += input.slice(runStart, i);
    }
    const escAt = i;
    const e = input[i + 1];
    if (e === undefined) throw fail('escape sequence not terminated', escAt);
    i += 2;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined || e === quote) {
      flush();
      out += simple ?? e;
    } else if (e >= '0' && e <= '7') {
      let v = 0;
      for (let k = escAt + 1; k < escAt + 4; k++) {
        const d = input.charCodeAt(k) - 0x30; // NaN past the end
        if (!(d >= 0 && d <= 7)) throw fail('invalid octal escape sequence: expected 3 octal digits', escAt);
        v = v * 8 + d;
      }
      i = escAt + 4;
      if (v > 255) throw fail('octal escape sequence out of range', escAt);
      (bytes ??= []).push(v);
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const digits = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      let v = 0;
      for (let d = 0; d < digits; d++, i++) {
        const h = hexValue(input.charCodeAt(i));
        if (h < 0) throw fail(`invalid \\${e} escape sequence: expected ${digits} hex digits`, escAt);
        v = v * 16 + h;
      }
      if (e === 'x') {
        (bytes ??= []).push(v);
      } else {
        if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) {
          throw fail('escape sequence is an invalid Unicode code point', escAt);
        }
        flush();
        out += String.fromCodePoint(v);
      }
    } else {
      const cp = input.codePointAt(escAt + 1)!;
      const name = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
      throw fail(`unknown escape sequence ${name} '${String.fromCodePoint(cp)}'`, escAt);
    }
    runStart = i;
  }
}
