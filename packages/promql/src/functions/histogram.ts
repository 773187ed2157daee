/**
 * `histogram_quantile` and `histogram_fraction` over classic histograms: the buckets of one
 * histogram are the float samples sharing all labels but `le`, `le` being the bucket's inclusive
 * upper bound (parse it with {@link parseBucketBound}) and the value the cumulative count of
 * observations ≤ that bound.
 *
 * Preparation shared by both (Prometheus's rules):
 * 1. Sort by upper bound; the highest bucket must be +Inf, else the result is NaN.
 * 2. Merge buckets with the same bound (e.g. `le="0.2"` and `le="2e-1"`) by adding their counts.
 * 3. (quantile only) Make the counts monotonic: a difference between neighbouring counts below
 *    1e-12 of their sum (almost-equal) is float noise and silently flattened; any remaining
 *    decrease is raised to the previous count and reported (`forcedMonotonic`), as that is
 *    invalid input.
 * Interpolation within a bucket is linear; the lowest bucket spans from 0 to its bound when that
 * bound is positive, else it is treated as a point at its bound.
 *
 * The functions take ownership of the `buckets` array: they reorder it and change counts.
 */
import { parseGoFloat } from './go-float.ts';

/** One classic histogram bucket. */
export interface Bucket {
  /** The `le` label as a number. */
  upperBound: number;
  /** Cumulative count of observations ≤ upperBound. */
  count: number;
}

/** The result of {@link histogramQuantile}. */
export interface HistogramQuantileResult {
  /** The estimated quantile (NaN, ±Inf in the special cases). */
  value: number;
  /**
   * True when decreasing counts had to be raised: the evaluator adds
   * `histogramQuantileForcedMonotonicityInfo(metricName)`.
   */
  forcedMonotonic: boolean;
  /** True when float-noise differences were flattened (no annotation). */
  fixedPrecision: boolean;
}

/**
 * Parses a bucket's `le` label value as Go's strconv.ParseFloat; undefined when it does not
 * parse (including a missing label, ""): the evaluator then skips the series and adds
 * `badBucketLabelWarning(metricName, le)`.
 */
export function parseBucketBound(le: string): number | undefined {
  return parseGoFloat(le);
}

const SMALL_DELTA_TOLERANCE = 1e-12;
/** Smallest positive normal float64. */
const MIN_NORMAL = 2.2250738585072014e-308;

/** Prometheus's relative float comparison (util/almost.Equal) with the given epsilon. */
function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (a !== a && b !== b) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

function byUpperBound(a: Bucket, b: Bucket): number {
  return a.upperBound < b.upperBound ? -1 : a.upperBound > b.upperBound ? 1 : 0;
}

/** Sorts and merges equal bounds in place; returns the number of buckets kept (a prefix). */
function sortAndCoalesce(buckets: Bucket[]): number {
  buckets.sort(byUpperBound);
  let last = 0;
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i]!;
    const keep = buckets[last]!;
    if (b.upperBound === keep.upperBound) {
      buckets[last] = { upperBound: keep.upperBound, count: keep.count + b.count };
    } else {
      buckets[++last] = b;
    }
  }
  return last + 1;
}

/**
 * `histogram_quantile(q, b)` for one classic histogram. q < 0 → −Inf, q > 1 → +Inf, NaN q → NaN
 * (the evaluator adds `invalidQuantileWarning` for these); NaN when there is no +Inf bucket, fewer
 * than two buckets, or no observations. A quantile in the +Inf bucket returns the second-highest
 * bound; in the lowest bucket with a bound ≤ 0, that bound.
 */
export function histogramQuantile(q: number, buckets: Bucket[]): HistogramQuantileResult {
  const result: HistogramQuantileResult = { value: NaN, forcedMonotonic: false, fixedPrecision: false };
  if (q !== q) return result;
  if (q < 0) {
    result.value = -Infinity;
    return result;
  }
  if (q > 1) {
    result.value = Infinity;
    return result;
  }
  if (buckets.length === 0) return result;
  const n = sortAndCoalesce(buckets);
  if (buckets[n - 1]!.upperBound !== Infinity) return result;

  // Monotonicity: `prev` only advances on a genuine increase, so every later bucket is compared
  // with the last count that was accepted.
  let prev = buckets[0]!.count;
  for (let i = 1; i < n; i++) {
    const cur = buckets[i]!.count;
    if (cur === prev) continue;
    if (almostEqual(prev, cur, SMALL_DELTA_TOLERANCE)) {
      buckets[i] = { upperBound: buckets[i]!.upperBound, count: prev };
      result.fixedPrecision = true;
    } else if (cur < prev) {
      buckets[i] = { upperBound: buckets[i]!.upperBound, count: prev };
      result.forcedMonotonic = true;
    } else {
      prev = cur;
    }
  }

  if (n < 2) return result;
  const observations = buckets[n - 1]!.count;
  if (observations === 0) return result;
  let rank = q * observations;
  // First bucket (excluding +Inf) whose cumulative count reaches the rank; n−1 if none.
  let b = 0;
  while (b < n - 1 && !(buckets[b]!.count >= rank)) b++;
  if (b === n - 1) {
    result.value = buckets[n - 2]!.upperBound;
    return result;
  }
  if (b === 0 && buckets[0]!.upperBound <= 0) {
    result.value = buckets[0]!.upperBound;
    return result;
  }
  let bucketStart = 0;
  const bucketEnd = buckets[b]!.upperBound;
  let count = buckets[b]!.count;
  if (b > 0) {
    bucketStart = buckets[b - 1]!.upperBound;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  result.value = bucketStart + (bucketEnd - bucketStart) * (rank / count);
  return result;
}

/**
 * `histogram_fraction(lower, upper, b)` for one classic histogram: the estimated fraction of
 * observations in (lower, upper], interpolating linearly inside the buckets the bounds fall
 * into. NaN without a +Inf bucket, without observations, or for a NaN bound; 0 when
 * lower ≥ upper; ±Inf bounds are valid.
 */
export function histogramFraction(lower: number, upper: number, buckets: Bucket[]): number {
  if (buckets.length === 0) return NaN;
  const n = sortAndCoalesce(buckets);
  if (buckets[n - 1]!.upperBound !== Infinity) return NaN;
  const total = buckets[n - 1]!.count;
  if (total === 0 || lower !== lower || upper !== upper) return NaN;
  if (lower >= upper) return 0;
  const lowerRank = rankAt(lower, buckets, n, total);
  const upperRank = rankAt(upper, buckets, n, total);
  return (upperRank - lowerRank) / total;
}

/**
 * Estimated number of observations ≤ v: the cumulative count up to the bucket v falls into plus
 * a linear share of that bucket. The lowest bucket spans (0, bound] for a positive bound, else it
 * is a point at its bound; in the +Inf bucket no share is interpolated.
 */
function rankAt(v: number, buckets: Bucket[], n: number, total: number): number {
  let below = 0;
  for (let i = 0; i < n; i++) {
    const b = buckets[i]!;
    const hi = b.upperBound;
    if (v >= hi) {
      below = b.count;
      continue;
    }
    let lo: number;
    if (i === 0) {
      if (hi <= 0) return 0;
      lo = 0;
    } else {
      lo = buckets[i - 1]!.upperBound;
    }
    if (v <= lo || hi === Infinity) return below;
    return below + (b.count - below) * ((v - lo) / (hi - lo));
  }
  return Math.min(below, total);
}
