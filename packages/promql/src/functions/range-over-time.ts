/**
 * `<aggregation>_over_time` kernels: each aggregates the float samples `lo..hi-1` of one series
 * (calling convention: range-types.ts). All return undefined for an empty window.
 */
import { invalidQuantileWarning } from './annotations.ts';
import { MeanAccumulator, VarianceAccumulator } from './aggregation-kernels.ts';
import { kahanSumRange } from './kahan.ts';
import { medianAbsoluteDeviation, quantile } from './quantile.ts';
import type { RangeCtx } from './range-types.ts';

const mean = new MeanAccumulator();
const variance = new VarianceAccumulator();

/** `avg_over_time`: the mean, computed as `avg` does (see {@link MeanAccumulator}). */
export function avgOverTime(_ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  mean.reset();
  for (let i = lo; i < hi; i++) mean.add(vs[i]!);
  return mean.value();
}

/** `sum_over_time`: the compensated sum. */
export function sumOverTime(_ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  return kahanSumRange(vs, lo, hi);
}

/** `count_over_time`: the number of samples. */
export function countOverTime(_ts: ArrayLike<number>, _vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  return hi - lo;
}

/**
 * Index of the extreme sample: starting from the first, a sample replaces the current pick when
 * it is strictly smaller (min) / larger (max), when the pick is NaN, or — with `lastOnTie` — when
 * it equals the pick (then the latest of equal extremes wins).
 */
function extremeIndex(vs: ArrayLike<number>, lo: number, hi: number, max: boolean, lastOnTie: boolean): number {
  let best = lo;
  let bv = vs[lo]!;
  for (let i = lo + 1; i < hi; i++) {
    const v = vs[i]!;
    if ((max ? v > bv : v < bv) || bv !== bv || (lastOnTie && v === bv)) {
      best = i;
      bv = v;
    }
  }
  return best;
}

/** `min_over_time`: the smallest value; NaNs are ignored unless all values are NaN. */
export function minOverTime(_ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  return vs[extremeIndex(vs, lo, hi, false, false)]!;
}

/** `max_over_time`: the largest value; NaNs are ignored unless all values are NaN. */
export function maxOverTime(_ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  return vs[extremeIndex(vs, lo, hi, true, false)]!;
}

/** `ts_of_min_over_time` (experimental): timestamp in seconds of the last sample holding the minimum. */
export function tsOfMinOverTime(ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  return ts[extremeIndex(vs, lo, hi, false, true)]! / 1000;
}

/** `ts_of_max_over_time` (experimental): timestamp in seconds of the last sample holding the maximum. */
export function tsOfMaxOverTime(ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  return ts[extremeIndex(vs, lo, hi, true, true)]! / 1000;
}

/** `stddev_over_time`: population standard deviation (see {@link VarianceAccumulator}). */
export function stddevOverTime(_ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  variance.reset();
  for (let i = lo; i < hi; i++) variance.add(vs[i]!);
  return variance.stddev();
}

/** `stdvar_over_time`: population variance (see {@link VarianceAccumulator}). */
export function stdvarOverTime(_ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  variance.reset();
  for (let i = lo; i < hi; i++) variance.add(vs[i]!);
  return variance.variance();
}

/** `last_over_time`: the most recent value. */
export function lastOverTime(_ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  return vs[hi - 1]!;
}

/** `ts_of_last_over_time` (experimental): timestamp in seconds of the most recent sample. */
export function tsOfLastOverTime(ts: ArrayLike<number>, _vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  return ts[hi - 1]! / 1000;
}

/** `present_over_time`: 1 for any series with a sample in the window. */
export function presentOverTime(_ts: ArrayLike<number>, _vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  return hi > lo ? 1 : undefined;
}

/**
 * `quantile_over_time(q, v)` with `ctx.args = [q]`: the φ-quantile (see quantile.ts). A q
 * outside [0, 1] or NaN adds {@link invalidQuantileWarning} and yields −Inf / +Inf / NaN.
 */
export function quantileOverTime(_ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  const q = ctx.args[0]!;
  if (!(q >= 0 && q <= 1)) ctx.annotations?.warn(invalidQuantileWarning(q));
  return quantile(q, vs, lo, hi);
}

/** `mad_over_time` (experimental): the median absolute deviation. */
export function madOverTime(_ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  return medianAbsoluteDeviation(vs, lo, hi);
}
