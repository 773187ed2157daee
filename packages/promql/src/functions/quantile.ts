/**
 * The φ-quantile PromQL uses in `quantile`, `quantile_over_time` and `mad_over_time`: sort the
 * values, take rank = φ·(n−1) and interpolate linearly between the neighbouring ranks.
 *
 * Ordering: NaN sorts before every number (Prometheus's value order), so NaNs occupy the lowest
 * ranks. The interpolation is `lower·(1−w) + upper·w` exactly as written, so an infinite
 * neighbour with weight 0 still yields NaN (Inf·0), as in Prometheus.
 *
 * Sorting uses a module-level scratch buffer (grown on demand, never shrunk): no allocation per
 * call once warm; not re-entrant.
 */

let scratch = new Float64Array(64);

/**
 * Copies the non-NaN values of `vs[lo..hi-1]` (optionally mapped to |v − centre|) into the
 * scratch buffer, sorts them ascending and returns the NaN count; the sorted numbers are
 * `scratch[0 .. (hi−lo−nanCount)−1]`.
 */
function fillSorted(vs: ArrayLike<number>, lo: number, hi: number, centre: number | undefined): number {
  const n = hi - lo;
  if (scratch.length < n) {
    let size = scratch.length;
    while (size < n) size *= 2;
    scratch = new Float64Array(size);
  }
  let m = 0;
  let nans = 0;
  for (let i = lo; i < hi; i++) {
    const v = centre === undefined ? vs[i]! : Math.abs(vs[i]! - centre);
    if (v !== v) nans++;
    else scratch[m++] = v;
  }
  // TypedArray sort without comparator is numeric (and puts −0 before +0).
  scratch.subarray(0, m).sort();
  return nans;
}

/** φ-quantile of `n` values of which `nans` NaNs come first and the rest sit sorted in scratch. */
function quantileOfSorted(q: number, n: number, nans: number): number {
  if (n === 0 || q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const rank = q * (n - 1);
  const lowerIndex = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(n - 1, lowerIndex + 1);
  const weight = rank - Math.floor(rank);
  const lower = lowerIndex < nans ? NaN : scratch[lowerIndex - nans]!;
  const upper = upperIndex < nans ? NaN : scratch[upperIndex - nans]!;
  return lower * (1 - weight) + upper * weight;
}

/**
 * The φ-quantile of `vs[lo..hi-1]`: NaN for no values or φ = NaN, −Inf for φ < 0, +Inf for
 * φ > 1 (the caller adds the {@link invalidQuantileWarning} annotation). Does not modify `vs`.
 */
export function quantile(q: number, vs: ArrayLike<number>, lo = 0, hi = vs.length): number {
  const n = hi - lo;
  if (n === 0 || q !== q || q < 0 || q > 1) return quantileOfSorted(q, n, 0);
  const nans = fillSorted(vs, lo, hi, undefined);
  return quantileOfSorted(q, n, nans);
}

/**
 * The median absolute deviation of `vs[lo..hi-1]`: the median (0.5-quantile) of |v − median|;
 * NaN for no values. NaN samples take the lowest ranks in both passes (Prometheus's order), so
 * they only reach the result when they are among the median's neighbours.
 */
export function medianAbsoluteDeviation(vs: ArrayLike<number>, lo = 0, hi = vs.length): number {
  const n = hi - lo;
  if (n === 0) return NaN;
  const median = quantileOfSorted(0.5, n, fillSorted(vs, lo, hi, undefined));
  return quantileOfSorted(0.5, n, fillSorted(vs, lo, hi, median));
}
