/**
 * The parts of Go's strconv that template syntax and the Prometheus functions rely on:
 * Unquote (string and character literals), ParseInt with base 0, ParseFloat. Failures are
 * reported with Go's messages.
 */

/** A Go strconv failure; `message` is Go's error text. */
export class StrconvError extends Error {}

const INVALID = 'invalid syntax';

function hexVal(c: string | undefined): number {
  if (c === undefined) return -1;
  const v = parseInt(c, 16);
  return Number.isNaN(v) ? -1 : v;
}

/**
 * Go's strconv.Unquote for "…", `…` and '…' literals. Returns the string value (for a character
 * literal, the one character). Byte escapes (\xHH, \ooo) are assembled as UTF-8 bytes.
 */
export function unquote(s: string): string {
  const n = s.length;
  if (n < 2) throw new StrconvError(INVALID);
  const quote = s[0]!;
  if (quote !== s[n - 1]) throw new StrconvError(INVALID);
  const body = s.slice(1, n - 1);
  if (quote === '`') {
    if (body.includes('`')) throw new StrconvError(INVALID);
    return body.replace(/\r/g, '');
  }
  if (quote !== '"' && quote !== "'") throw new StrconvError(INVALID);
  if (body.includes('\n')) throw new StrconvError(INVALID);
  const bytes: number[] = [];
  let runes = 0;
  let i = 0;
  const pushStr = (str: string): void => { for (const b of Buffer.from(str, 'utf8')) bytes.push(b); };
  while (i < body.length) {
    const c = String.fromCodePoint(body.codePointAt(i)!);
    runes++;
    if (c === quote) throw new StrconvError(INVALID);
    if (c !== '\\') { pushStr(c); i += c.length; continue; }
    const e = body[i + 1];
    i += 2;
    switch (e) {
      case 'a': bytes.push(7); break;
      case 'b': bytes.push(8); break;
      case 'f': bytes.push(12); break;
      case 'n': bytes.push(10); break;
      case 'r': bytes.push(13); break;
      case 't': bytes.push(9); break;
      case 'v': bytes.push(11); break;
      case '\\': bytes.push(0x5c); break;
      case "'": case '"':
        if (e !== quote) throw new StrconvError(INVALID);
        bytes.push(e.charCodeAt(0));
        break;
      case 'x': case 'u': case 'U': {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        let v = 0;
        for (let k = 0; k < len; k++) {
          const h = hexVal(body[i + k]);
          if (h < 0) throw new StrconvError(INVALID);
          v = v * 16 + h;
        }
        i += len;
        if (e === 'x') { bytes.push(v); break; }
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new StrconvError(INVALID);
        pushStr(String.fromCodePoint(v));
        break;
      }
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        let v = 0;
        for (let k = -1; k < 2; k++) {
          const d = body[i + k];
          if (d === undefined || d < '0' || d > '7') throw new StrconvError(INVALID);
          v = v * 8 + (d.charCodeAt(0) - 0x30);
        }
        i += 2;
        if (v > 255) throw new StrconvError(INVALID);
        bytes.push(v);
        break;
      }
      default:
        throw new StrconvError(INVALID);
    }
  }
  if (quote === "'" && runes !== 1) throw new StrconvError(INVALID);
  return Buffer.from(bytes).toString('utf8');
}

function underscoreOK(s: string): boolean {
  // Underscores must sit between digits (a base prefix counts as a digit).
  const body = s.replace(/^[+-]/, '').replace(/^0[xXbBoO]/, '0');
  return !/(^_|_$|__)/.test(body) && !/[._]_|_[.eEpP]/.test(body);
}

const MAX_INT64 = (1n << 63n) - 1n;

/** Go's strconv.ParseInt(s, 0, 64); null when it fails (syntax or range). */
export function parseIntBase0(s: string): bigint | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (m === null || (s.includes('_') && !underscoreOK(s))) return null;
  let digits = m[2]!.replace(/_/g, '');
  let v: bigint;
  if (/^0[oO]/.test(digits)) v = BigInt('0o' + digits.slice(2));
  else if (/^0[0-7]+$/.test(digits)) v = BigInt('0o' + digits.slice(1));
  else {
    if (/^0[xXbB]$/.test(digits)) return null;
    digits = digits.replace(/^0X/, '0x').replace(/^0B/, '0b');
    v = BigInt(digits);
  }
  if (m[1] === '-') v = -v;
  if (v > MAX_INT64 || v < -MAX_INT64 - 1n) return null;
  return v;
}

/**
 * Go's strconv.ParseFloat(s, 64): decimal and hexadecimal (with `p` exponent) forms, "Inf",
 * "Infinity" and "NaN" in any case with an optional sign.
 *
 * @throws StrconvError `strconv.ParseFloat: parsing "x": invalid syntax` (or `value out of
 *   range` for values beyond float64).
 */
export function parseGoFloat(s: string): number {
  const fail = (why: string): never => {
    throw new StrconvError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: ${why}`);
  };
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special !== null) {
    if (special[2]!.toLowerCase() === 'nan') return special[1] === '' ? NaN : fail(INVALID);
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (s.includes('_') && !underscoreOK(s)) fail(INVALID);
  const t = s.replace(/_/g, '');
  let v: number;
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(t);
  if (hex !== null) {
    const intPart = hex[2]!;
    const frac = hex[3] ?? '';
    if (intPart.length + frac.length === 0) fail(INVALID);
    const mant = BigInt('0x' + (intPart + frac || '0'));
    const exp = Number(hex[4]) - 4 * frac.length;
    v = Number(mant) * 2 ** exp;
    if (hex[1] === '-') v = -v;
  } else if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(t)) {
    v = Number(t);
  } else {
    return fail(INVALID);
  }
  if (!Number.isFinite(v)) fail('value out of range');
  return v;
}
