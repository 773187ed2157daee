/**
 * Go's float ↔ text conversions where PromQL exposes them: `strconv.FormatFloat(v, 'f', -1, 64)`
 * for `count_values` label values, `%g` / `%v` (`strconv.FormatFloat(v, 'g', -1, 64)`) and `%f`
 * in annotation and error texts, and `strconv.ParseFloat(s, 64)` for the `le` label of classic
 * histogram buckets.
 *
 * JavaScript's own conversions differ: `String(1e21)` is "1e+21" where Go's 'f' format writes all
 * 22 digits, `String(1e6)` is "1000000" where Go's %g writes "1e+06", and `Number()` accepts
 * whitespace, "" and "Infinity" but not "inf" or "+Inf" with other casings. Both sides agree on
 * the shortest round-trip digits (closest to the value when several qualify), so the digit string
 * is taken from `Number.prototype.toString()` and laid out the way Go lays it out.
 */

/** The shortest decimal digits of a finite non-zero |v| and its decimal point position. */
interface Digits {
  /** The digits, no leading or trailing zeros ("15" for 0.015). */
  d: string;
  /** Decimal point position: the value is 0.d × 10^dp. */
  dp: number;
}

function shortestDigits(abs: number): Digits {
  // Number.prototype.toString yields the shortest round-trip digits, choosing the closest when
  // several qualify (as Go does; toExponential() does not promise that tie-break).
  const s = String(abs);
  const e = s.indexOf('e');
  const mant = e < 0 ? s : s.slice(0, e);
  const exp = e < 0 ? 0 : Number(s.slice(e + 1));
  const point = mant.indexOf('.');
  const intDigits = point < 0 ? mant.length : point;
  let d = point < 0 ? mant : mant.slice(0, point) + mant.slice(point + 1);
  // Strip leading zeros ("0.0015" → "15") and trailing zeros ("1500" → "15").
  let lead = 0;
  while (lead < d.length - 1 && d[lead] === '0') lead++;
  d = d.slice(lead);
  let end = d.length;
  while (end > 1 && d[end - 1] === '0') end--;
  return { d: d.slice(0, end), dp: intDigits - lead + exp };
}

function special(v: number): string | undefined {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  return undefined;
}

/**
 * Formats `v` as Go's `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest digits that round-trip,
 * in plain decimal notation without an exponent ("1000000000000000000000", "0.0000001");
 * "NaN", "+Inf", "-Inf", "-0" for the special values.
 */
export function formatGoFloatF(v: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  const sign = v < 0 ? '-' : '';
  const { d, dp } = shortestDigits(Math.abs(v));
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${d}`;
  if (dp >= d.length) return sign + d + '0'.repeat(dp - d.length);
  return `${sign}${d.slice(0, dp)}.${d.slice(dp)}`;
}

/**
 * Formats `v` as Go's `%g` / `%v` verb (`strconv.FormatFloat(v, 'g', -1, 64)`): the shortest
 * digits, in exponent form ("1e+06", "1.5e-05") when the decimal exponent is < −4 or ≥ 6 (the
 * threshold Go uses for the shortest precision), else plain ("123456", "0.0001").
 */
export function formatGoFloatG(v: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  const sign = v < 0 ? '-' : '';
  const { d, dp } = shortestDigits(Math.abs(v));
  const exp = dp - 1;
  if (exp < -4 || exp >= 6) {
    const mant = d.length > 1 ? `${d[0]}.${d.slice(1)}` : d;
    const ae = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${d}`;
  if (dp >= d.length) return sign + d + '0'.repeat(dp - d.length);
  return `${sign}${d.slice(0, dp)}.${d.slice(dp)}`;
}

/**
 * Formats `v` as Go's `%.<prec>f` (default `%f`, 6 decimals): exact decimal rounding, ties to
 * even (where JavaScript's `toFixed` rounds ties up); "NaN", "+Inf", "-Inf".
 */
export function formatGoFloatFixed(v: number, prec = 6): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const abs = Math.abs(v);
  let out: string;
  if (abs >= 1e21) {
    // Integral: BigInt gives the exact decimal expansion.
    out = BigInt(abs).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
  } else {
    out = abs.toFixed(prec);
    // A tie can only occur when the exact expansion is short (a value m/2^k has exactly k
    // fraction digits, and a tie at digit prec+1 needs k ≤ prec+1), so toFixed(100) is exact here.
    const full = abs.toFixed(100);
    const point = full.indexOf('.');
    const tail = full.slice(point + 1 + prec);
    if (tail[0] === '5' && /^50*$/.test(tail)) {
      const kept = full.slice(0, point + 1 + prec).replace(/\.$/, '');
      const lastDigit = kept.charCodeAt(kept.length - 1) - 48;
      // toFixed rounded the tie up; Go rounds it to the even neighbour.
      if (lastDigit % 2 === 0) out = kept;
    }
  }
  return neg ? '-' + out : out;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]((?:[0-9a-fA-F_]*)(?:\.[0-9a-fA-F_]*)?)[pP]([+-]?\d+)$/;

/**
 * Parses `s` as Go's `strconv.ParseFloat(s, 64)` does, returning undefined where Go returns an
 * error: decimal and hexadecimal (`0x1.8p1`) forms, "inf"/"infinity" in any case with an optional
 * sign, "nan" in any case without a sign. No surrounding whitespace; underscores only between the
 * digits of a hexadecimal form; a finite form that overflows to ±Inf is an error (ErrRange).
 */
export function parseGoFloat(s: string): number | undefined {
  if (s.length === 0) return undefined;
  if (DECIMAL.test(s)) {
    const v = Number(s);
    return v === Infinity || v === -Infinity ? undefined : v;
  }
  const lower = s.toLowerCase();
  switch (lower) {
    case 'inf': case '+inf': case 'infinity': case '+infinity':
      return Infinity;
    case '-inf': case '-infinity':
      return -Infinity;
    case 'nan':
      return NaN;
  }
  const m = HEX.exec(s);
  if (m === null) return undefined;
  return parseHexFloat(m[1] === '-', m[2]!, Number(m[3]));
}

function parseHexFloat(neg: boolean, mant: string, exp: number): number | undefined {
  // Underscores must separate digits (or follow the 0x prefix): no "__", none next to '.', none last.
  if (mant.includes('_') && (/__|_\.|\._|_$/.test(mant))) return undefined;
  const digits = mant.replace(/_/g, '');
  const point = digits.indexOf('.');
  const intPart = point < 0 ? digits : digits.slice(0, point);
  const fracPart = point < 0 ? '' : digits.slice(point + 1);
  if (intPart.length + fracPart.length === 0) return undefined;
  const m = BigInt('0x' + (intPart + fracPart || '0'));
  let v = Number(m);
  let e = exp - 4 * fracPart.length;
  // Scale by powers of two in steps that cannot overflow an intermediate.
  while (e > 0 && v !== Infinity) {
    const step = Math.min(e, 1000);
    v *= 2 ** step;
    e -= step;
  }
  while (e < 0 && v !== 0) {
    const step = Math.max(e, -1000);
    v *= 2 ** step;
    e -= step;
  }
  if (v === Infinity) return undefined;
  return neg ? -v : v;
}
