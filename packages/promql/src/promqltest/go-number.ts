/**
 * Number parsing as the `.test` format does it: first as a Go integer literal with base prefix
 * (`strconv.ParseInt(s, 0, 64)`: `0x1f`, `0o17`, `017` octal, `0b101`, decimal), and when that
 * fails as a Go float (`strconv.ParseFloat`: decimal or hex floats, `Inf`/`Infinity`/`NaN` in any
 * case). A float out of range is an error in Go, so it is here.
 */

const INT_BASE_PREFIX = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const DECIMAL_FLOAT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?[0-9]+)$/;
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;
const INT64_MAX = 2n ** 63n - 1n;

/** Parses `s` as the test format's number, or returns null when it is not one. */
export function parseGoNumber(s: string): number | null {
  const asInt = parseGoInt(s);
  if (asInt !== null) return asInt;
  return parseGoFloat(s);
}

/** Go's `strconv.ParseInt(s, 0, 64)` converted to float64, or null. */
function parseGoInt(s: string): number | null {
  const m = INT_BASE_PREFIX.exec(s);
  if (m === null) return null;
  const sign = m[1] === '-' ? -1n : 1n;
  const body = m[2]!;
  let n: bigint;
  if (/^0[xXbBoO]/.test(body)) {
    n = BigInt(body.toLowerCase());
  } else if (body.length > 1 && body[0] === '0') {
    n = BigInt('0o' + body.slice(1)); // a leading 0 means octal
  } else {
    n = BigInt(body);
  }
  n *= sign;
  if (n > INT64_MAX || n < -INT64_MAX - 1n) return null;
  return Number(n);
}

/** Go's `strconv.ParseFloat(s, 64)`, or null (also when the value overflows). */
function parseGoFloat(s: string): number | null {
  const special = SPECIAL.exec(s);
  if (special !== null) {
    if (special[2]!.toLowerCase() === 'nan') return special[1] === '' ? NaN : null;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (DECIMAL_FLOAT.test(s)) {
    const v = Number(s);
    return Number.isFinite(v) ? v : null;
  }
  const hex = HEX_FLOAT.exec(s);
  if (hex !== null && (hex[2] !== '' || hex[3] !== '')) {
    const digits = hex[2]! + hex[3]!;
    let mantissa = 0;
    for (const d of digits) mantissa = mantissa * 16 + parseInt(d, 16);
    const v = mantissa * 2 ** (Number(hex[4]) - 4 * hex[3]!.length);
    if (!Number.isFinite(v)) return null;
    return hex[1] === '-' ? -v : v;
  }
  return null;
}
