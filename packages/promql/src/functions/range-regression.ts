/**
 * Trend kernels: `deriv` and `predict_linear` (least-squares linear regression) and
 * `double_exponential_smoothing` (Holt's linear method, formerly `holt_winters`). Calling
 * convention: range-types.ts.
 */
import { FunctionError } from './errors.ts';
import { formatGoFloatFixed } from './go-float.ts';
import { KahanSum } from './kahan.ts';
import type { RangeCtx } from './range-types.ts';

// Scratch accumulators of linearRegression; reset on every call (kernels are not re-entrant).
const sumX = new KahanSum();
const sumY = new KahanSum();
const sumXY = new KahanSum();
const sumX2 = new KahanSum();
// linearRegression's outputs (module fields instead of a result object: no allocation).
let regSlope = 0;
let regIntercept = 0;

/**
 * Least-squares fit of `vs[lo..hi-1]` against time, x measured in seconds from
 * `interceptTimeMs`, with compensated sums. Sets `regSlope` (per second) and `regIntercept` (the
 * fitted value at `interceptTimeMs`). A constant series has slope 0 and its value as intercept,
 * except a constant ±Inf, which gives NaN for both; any other ±Inf makes the fit NaN.
 */
function linearRegression(ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, interceptTimeMs: number): void {
  sumX.reset();
  sumY.reset();
  sumXY.reset();
  sumX2.reset();
  const initY = vs[lo]!;
  let constY = true;
  for (let i = lo; i < hi; i++) {
    const y = vs[i]!;
    // NaN != initY is true, so a NaN (even a NaN initY) ends the constant case.
    if (constY && i > lo && y !== initY) constY = false;
    const x = (ts[i]! - interceptTimeMs) / 1000;
    sumX.add(x);
    sumY.add(y);
    sumXY.add(x * y);
    sumX2.add(x * x);
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) {
      regSlope = NaN;
      regIntercept = NaN;
    } else {
      regSlope = 0;
      regIntercept = initY;
    }
    return;
  }
  const n = hi - lo;
  const sx = sumX.sum + sumX.c;
  const sy = sumY.sum + sumY.c;
  const sxy = sumXY.sum + sumXY.c;
  const sx2 = sumX2.sum + sumX2.c;
  const covXY = sxy - (sx * sy) / n;
  const varX = sx2 - (sx * sx) / n;
  regSlope = covXY / varX;
  regIntercept = sy / n - (regSlope * sx) / n;
}

/** `deriv(v[r])`: per-second slope of the least-squares line; ≥ 2 samples. */
export function deriv(ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi - lo < 2) return undefined;
  linearRegression(ts, vs, lo, hi, ts[lo]!);
  return regSlope;
}

/**
 * `predict_linear(v[r], t)`: the least-squares line's value `t = ctx.args[0]` seconds after the
 * step's evaluation time (`ctx.evalTimeMs`, not the window end, which differs with `@`/offset);
 * ≥ 2 samples.
 */
export function predictLinear(ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, ctx: RangeCtx): number | undefined {
  if (hi - lo < 2) return undefined;
  linearRegression(ts, vs, lo, hi, ctx.evalTimeMs);
  return regSlope * ctx.args[0]! + regIntercept;
}

/**
 * `double_exponential_smoothing(v[r], sf, tf)` with `ctx.args = [sf, tf]`: Holt's linear
 * smoothing, level initialised to the first value and trend to the first difference; returns the
 * last smoothed level; ≥ 2 samples.
 *
 * @throws FunctionError `invalid-smoothing-factor` / `invalid-trend-factor` unless 0 < sf < 1 and
 *   0 < tf < 1 (NaN passes the check, as in Prometheus, and yields NaN). Like Prometheus, only
 *   raised when a series has samples in the window.
 */
export function doubleExponentialSmoothing(
  _ts: ArrayLike<number>,
  vs: ArrayLike<number>,
  lo: number,
  hi: number,
  ctx: RangeCtx,
): number | undefined {
  const sf = ctx.args[0]!;
  const tf = ctx.args[1]!;
  if (sf <= 0 || sf >= 1) {
    throw new FunctionError('invalid-smoothing-factor', `invalid smoothing factor. Expected: 0 < sf < 1, got: ${formatGoFloatFixed(sf)}`);
  }
  if (tf <= 0 || tf >= 1) {
    throw new FunctionError('invalid-trend-factor', `invalid trend factor. Expected: 0 < tf < 1, got: ${formatGoFloatFixed(tf)}`);
  }
  if (hi - lo < 2) return undefined;
  let s0 = 0;
  let s1 = vs[lo]!;
  let b = vs[lo + 1]! - s1;
  for (let i = lo + 1; i < hi; i++) {
    const x = sf * vs[i]!;
    // The trend is only updated from the second smoothing step on.
    if (i > lo + 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}
