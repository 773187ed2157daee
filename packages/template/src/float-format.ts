/**
 * Go's strconv.FormatFloat for float64, verbs 'e', 'E', 'f', 'F', 'g', 'G' (decimal), 'x', 'X'
 * (hexadecimal mantissa) and 'b' (binary exponent), with a precision or the shortest
 * representation (precision -1).
 *
 * Rounding follows Go, not JavaScript: digits come from the exact decimal value of the double and
 * an exact tie rounds half to even (Go formats 0.125 with %.2f as "0.12"; JavaScript's toFixed
 * says "0.13"). The shortest digits are JavaScript's (Number#toExponential without argument),
 * which, like Go's, are the fewest digits that read back to the same double.
 */

/** A decimal `0.d1d2d3… × 10^dp` with no trailing zeros; `digits` is empty for zero. */
interface Decimal {
  digits: string;
  dp: number;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Exact decimal expansion of a finite, non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  f64[0] = x;
  // Little-endian layout: u32[1] holds sign, exponent and the high mantissa bits.
  const hi = u32[1]!;
  const lo = u32[0]!;
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074; // subnormal
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    // mant / 2^k = mant × 5^k / 10^k
    const k = -exp;
    digits = (mant * 5n ** BigInt(k)).toString();
    dp = digits.length - k;
  }
  return trim({ digits, dp });
}

function trim(d: Decimal): Decimal {
  let end = d.digits.length;
  while (end > 0 && d.digits.charCodeAt(end - 1) === 0x30) end--;
  return end === d.digits.length ? d : { digits: d.digits.slice(0, end), dp: end === 0 ? 0 : d.dp };
}

/** Shortest digits that read back as `x` (finite, non-negative). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const s = x.toExponential(); // "d.ddde±x"
  const e = s.indexOf('e');
  const digits = s.slice(0, e).replace('.', '');
  return trim({ digits, dp: Number(s.slice(e + 1)) + 1 });
}

/** Rounds `d` to `nd` significant digits, half to even on an exact tie (Go's decimal.Round). */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= d.digits.length) return d;
  const c = d.digits.charCodeAt(nd);
  let up: boolean;
  if (c === 0x35 && nd + 1 === d.digits.length) {
    up = nd > 0 && (d.digits.charCodeAt(nd - 1) - 0x30) % 2 === 1;
  } else {
    up = c >= 0x35;
  }
  if (!up) return trim({ digits: d.digits.slice(0, nd), dp: d.dp });
  let i = nd - 1;
  while (i >= 0 && d.digits.charCodeAt(i) === 0x39) i--;
  if (i < 0) return { digits: '1', dp: d.dp + 1 }; // all nines (or nd == 0): carry out
  const digits = d.digits.slice(0, i) + String.fromCharCode(d.digits.charCodeAt(i) + 1);
  return { digits, dp: d.dp };
}

function fmtE(d: Decimal, prec: number, verb: 'e' | 'E'): string {
  let out = d.digits.length === 0 ? '0' : d.digits[0]!;
  if (prec > 0) {
    out += '.';
    const frac = d.digits.slice(1, 1 + prec);
    out += frac + '0'.repeat(prec - frac.length);
  }
  const exp = d.digits.length === 0 ? 0 : d.dp - 1;
  const abs = Math.abs(exp);
  return out + verb + (exp < 0 ? '-' : '+') + (abs < 10 ? '0' : '') + abs;
}

function fmtF(d: Decimal, prec: number): string {
  let out: string;
  if (d.dp > 0) {
    const intDigits = d.digits.slice(0, d.dp);
    out = intDigits + '0'.repeat(d.dp - intDigits.length);
  } else {
    out = '0';
  }
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      out += j >= 0 && j < d.digits.length ? d.digits[j] : '0';
    }
  }
  return out;
}

/** The float verbs this module formats. */
export type FloatVerb = 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'x' | 'X' | 'b';

/** Mantissa and binary exponent as Go's FormatFloat derives them (value = mant × 2^(exp-52)). */
function decompose(x: number): { mant: bigint; exp: number } {
  f64[0] = x;
  const hi = u32[1]!;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(u32[0]!);
  let exp = (hi >>> 20) & 0x7ff;
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  return { mant, exp: exp - 1023 };
}

/** Go's %b of a float64: decimal mantissa, 'p', binary exponent ("4503599627370496p-52"). */
function fmtB(x: number): string {
  const { mant, exp } = decompose(x);
  const e = exp - 52;
  return mant.toString() + 'p' + (e >= 0 ? '+' : '') + e;
}

/** Go's %x/%X of a float64: hexadecimal mantissa, binary exponent ("0x1.8p+00"). */
function fmtX(x: number, prec: number, verb: 'x' | 'X'): string {
  let { mant, exp } = decompose(x);
  if (mant === 0n) exp = 0;
  const ONE60 = 1n << 60n;
  mant <<= 8n; // leading 1 (if any) at bit 60
  while (mant !== 0n && (mant & ONE60) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (ONE60 - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) { mant >>= 1n; exp++; }
  }
  const hex = (d: bigint): string => (verb === 'X' ? d.toString(16).toUpperCase() : d.toString(16));
  let out = '0' + verb + ((mant >> 60n) & 1n).toString();
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) { out += hex((mant >> 60n) & 15n); mant = (mant << 4n) & ((1n << 64n) - 1n); }
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) { out += hex((mant >> 60n) & 15n); mant = (mant << 4n) & ((1n << 64n) - 1n); }
  }
  const ae = Math.abs(exp);
  return out + (verb === 'X' ? 'P' : 'p') + (exp < 0 ? '-' : '+') + (ae < 10 ? '0' : '') + ae;
}

/**
 * Formats `x` as Go's strconv.FormatFloat(x, verb, prec, 64) does: NaN as "NaN", infinities as
 * "+Inf"/"-Inf", negative numbers (and -0) with a leading "-". `prec` -1 means shortest.
 */
export function formatFloat(x: number, verb: FloatVerb, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const body = verb === 'b' ? fmtB(Math.abs(x)) : verb === 'x' || verb === 'X' ? fmtX(Math.abs(x), prec, verb) : formatAbs(Math.abs(x), verb, prec);
  return neg ? '-' + body : body;
}

function formatAbs(x: number, verb: Exclude<FloatVerb, 'x' | 'X' | 'b'>, prec: number): string {
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(x);
  } else {
    d = exactDecimal(x);
    switch (verb) {
      case 'e': case 'E': d = roundDecimal(d, prec + 1); break;
      case 'f': case 'F': d = roundDecimal(d, d.dp + prec); break;
      case 'g': case 'G': d = roundDecimal(d, prec === 0 ? 1 : prec); break;
    }
    if (d.digits.length === 0) d = { digits: '', dp: 0 };
  }
  switch (verb) {
    case 'e':
    case 'E':
      return fmtE(d, shortest ? Math.max(d.digits.length - 1, 0) : prec, verb);
    case 'f':
    case 'F':
      return fmtF(d, shortest ? Math.max(d.digits.length - d.dp, 0) : prec);
    case 'g':
    case 'G': {
      let p = shortest ? d.digits.length : prec === 0 ? 1 : prec;
      let eprec = p;
      if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (d.digits.length !== 0 && (exp < -4 || exp >= eprec)) {
        if (p > d.digits.length) p = d.digits.length;
        return fmtE(d, p - 1, verb === 'g' ? 'e' : 'E');
      }
      if (p > d.dp) p = d.digits.length;
      return fmtF(d, Math.max(p - d.dp, 0));
    }
  }
}
