/**
 * Counter and gauge change kernels: `rate`, `increase`, `delta` (extrapolated to the window
 * edges), `irate`, `idelta` (last two samples), `resets`, `changes`. Calling convention:
 * range-types.ts.
 */
import type { RangeCtx } from './range-types.ts';

/**
 * Prometheus's extrapolated change over the window, shared by rate/increase/delta.
 *
 * 1. The raw change is last − first; for counters every decrease between consecutive samples is
 *    taken as a reset to zero, so the value before it is added back.
 * 2. The sampled interval (first to last sample) is extended towards each window edge: all the
 *    way when the gap to the edge is below 1.1 × the average sample spacing, else by half an
 *    average spacing (the series probably starts/ends inside the window).
 * 3. For counters with a positive change and a non-negative first value, the extension towards
 *    the start never goes past the point where a straight line through the samples hits zero.
 * 4. The change is scaled by extended / sampled interval; `rate` also divides by the range in s.
 *
 * Needs at least two samples, else undefined.
 */
function extrapolatedChange(
  ts: ArrayLike<number>,
  vs: ArrayLike<number>,
  lo: number,
  hi: number,
  ctx: RangeCtx,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  const n = hi - lo;
  if (n < 2) return undefined;
  const firstT = ts[lo]!;
  const lastT = ts[hi - 1]!;
  const firstV = vs[lo]!;
  let change = vs[hi - 1]! - firstV;
  const resetsUpTo = ctx.resetsUpTo;
  if (isCounter && (resetsUpTo === undefined || resetsUpTo[hi - 1] !== resetsUpTo[lo])) {
    let prev = firstV;
    for (let i = lo + 1; i < hi; i++) {
      const cur = vs[i]!;
      if (cur < prev) change += prev;
      prev = cur;
    }
  }
  let durationToStart = (firstT - ctx.rangeStartMs) / 1000;
  let durationToEnd = (ctx.rangeEndMs - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageSpacing = sampledInterval / (n - 1);
  const threshold = averageSpacing * 1.1;
  if (durationToStart >= threshold) durationToStart = averageSpacing / 2;
  if (isCounter && change > 0 && firstV >= 0) {
    const durationToZero = sampledInterval * (firstV / change);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = averageSpacing / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= ctx.rangeMs / 1000;
  return change * factor;
}

/** `rate(v[r])`: per-second average increase of a counter, extrapolated; ≥ 2 samples. */
export function rate(ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, ctx: RangeCtx): number | undefined {
  return extrapolatedChange(ts, vs, lo, hi, ctx, true, true);
}

/** `increase(v[r])`: increase of a counter over the range, extrapolated; ≥ 2 samples. */
export function increase(ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, ctx: RangeCtx): number | undefined {
  return extrapolatedChange(ts, vs, lo, hi, ctx, true, false);
}

/** `delta(v[r])`: last − first of a gauge, extrapolated, no reset handling; ≥ 2 samples. */
export function delta(ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, ctx: RangeCtx): number | undefined {
  return extrapolatedChange(ts, vs, lo, hi, ctx, false, false);
}

/**
 * Change between the last two samples: for `irate` a decrease is a counter reset and the result
 * is the last value itself; NaNs propagate (a NaN never counts as a decrease). Per second for
 * `irate`.
 */
function instantChange(ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, isRate: boolean): number | undefined {
  if (hi - lo < 2) return undefined;
  const prev = vs[hi - 2]!;
  const last = vs[hi - 1]!;
  const interval = ts[hi - 1]! - ts[hi - 2]!;
  if (interval === 0) return undefined;
  let result = last;
  if (!isRate || !(last < prev)) result = last - prev;
  if (isRate) result /= interval / 1000;
  return result;
}

/** `irate(v[r])`: per-second rate from the last two samples, counter-reset aware. */
export function irate(ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  return instantChange(ts, vs, lo, hi, true);
}

/** `idelta(v[r])`: difference of the last two samples. */
export function idelta(ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  return instantChange(ts, vs, lo, hi, false);
}

/** `resets(v[r])`: number of decreases between consecutive samples; 0 for one sample. */
export function resets(_ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  let count = 0;
  let prev = vs[lo]!;
  for (let i = lo + 1; i < hi; i++) {
    const cur = vs[i]!;
    if (cur < prev) count++;
    prev = cur;
  }
  return count;
}

/**
 * `changes(v[r])`: number of times the value differs from the previous sample; two consecutive
 * NaNs are equal here (NaN → number and number → NaN are changes).
 */
export function changes(_ts: ArrayLike<number>, vs: ArrayLike<number>, lo: number, hi: number, _ctx: RangeCtx): number | undefined {
  if (hi <= lo) return undefined;
  let count = 0;
  let prev = vs[lo]!;
  for (let i = lo + 1; i < hi; i++) {
    const cur = vs[i]!;
    if (cur !== prev && !(cur !== cur && prev !== prev)) count++;
    prev = cur;
  }
  return count;
}
