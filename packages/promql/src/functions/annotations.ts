/**
 * The texts of PromQL's annotations (the non-fatal `warnings` and `infos` of a query result),
 * exactly as Prometheus 3.5 words them. Each builder returns the bare message; Prometheus's HTTP
 * API appends the position of the offending expression, e.g. ` (1:6)` (line:column of its start,
 * 1-based), which is the evaluator's business.
 *
 * Values are formatted the Go way: numbers with `%g` ({@link formatGoFloatG}), strings with `%q`
 * (`quoteGo`).
 */
import { quoteGo } from '@tessera/model';
import { formatGoFloatG } from './go-float.ts';

const WARN = 'PromQL warning: ';
const INFO = 'PromQL info: ';

/** Warning: a quantile parameter (quantile, quantile_over_time, histogram_quantile) outside [0, 1] or NaN. */
export function invalidQuantileWarning(q: number): string {
  return `${WARN}quantile value should be between 0 and 1, got ${formatGoFloatG(q)}`;
}

/** Warning: a `limit_ratio` parameter outside [−1, 1], capped to `cappedTo`. */
export function invalidRatioWarning(ratio: number, cappedTo: number): string {
  return `${WARN}ratio value should be between -1 and 1, got ${formatGoFloatG(ratio)}, capping to ${formatGoFloatG(cappedTo)}`;
}

/**
 * Warning: a classic histogram bucket series whose `le` label is missing (`le` = "") or does not
 * parse as a float; the series is skipped.
 */
export function badBucketLabelWarning(metricName: string, le: string): string {
  return `${WARN}bucket label "le" is missing or has a malformed value of ${quoteGo(le)} for metric name ${quoteGo(metricName)}`;
}

/** Warning: a range mixes float and histogram samples where the function cannot handle that. */
export function mixedFloatsHistogramsWarning(metricName: string): string {
  return `${WARN}encountered a mix of histograms and floats for metric name ${quoteGo(metricName)}`;
}

/** Warning: an aggregation group mixes float and histogram samples (sum, avg). */
export function mixedFloatsHistogramsAggWarning(): string {
  return `${WARN}encountered a mix of histograms and floats for aggregation`;
}

/** Warning: histogram_quantile/histogram_fraction input mixes classic and native histograms. */
export function mixedClassicNativeHistogramsWarning(metricName: string): string {
  return `${WARN}vector contains a mix of classic and native histograms for metric name ${quoteGo(metricName)}`;
}

/** Warning: rate/increase over a gauge native histogram. */
export function nativeHistogramNotCounterWarning(metricName: string): string {
  return `${WARN}this native histogram metric is not a counter: ${quoteGo(metricName)}`;
}

/** Warning: delta/idelta over a counter native histogram. */
export function nativeHistogramNotGaugeWarning(metricName: string): string {
  return `${WARN}this native histogram metric is not a gauge: ${quoteGo(metricName)}`;
}

/**
 * Info: rate/increase applied to float samples of a metric whose name does not end in one of the
 * counter suffixes (see {@link looksLikeCounterName}).
 */
export function possibleNonCounterInfo(metricName: string): string {
  return `${INFO}metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${quoteGo(metricName)}`;
}

/**
 * Whether a metric name ends in `_total`, `_sum`, `_count` or `_bucket`. Prometheus adds
 * {@link possibleNonCounterInfo} when rate/increase produced a float result for a series whose
 * (non-empty) name fails this test.
 */
export function looksLikeCounterName(metricName: string): boolean {
  return (
    metricName.endsWith('_total') ||
    metricName.endsWith('_sum') ||
    metricName.endsWith('_count') ||
    metricName.endsWith('_bucket')
  );
}

/** Info: histogram_quantile had to raise bucket counts to make them monotonic. */
export function histogramQuantileForcedMonotonicityInfo(metricName: string): string {
  return (
    `${INFO}input to histogram_quantile needed to be fixed for monotonicity ` +
    `(see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) ` +
    `for metric name ${quoteGo(metricName)}`
  );
}

/** Info: a binary operator met a float and a histogram it cannot combine (no result element). */
export function incompatibleTypesInBinOpInfo(lhsType: string, operator: string, rhsType: string): string {
  return `${INFO}incompatible sample types encountered for binary operator ${quoteGo(operator)}: ${lhsType} ${operator} ${rhsType}`;
}

/** Info: an aggregation that only handles floats (min, max, stddev, topk, quantile…) skipped a histogram. */
export function histogramIgnoredInAggregationInfo(aggregation: string): string {
  return `${INFO}ignored histogram in ${aggregation} aggregation`;
}

/** Info: a float-only range function skipped the histograms of a range that also had floats. */
export function histogramIgnoredInMixedRangeInfo(metricName: string): string {
  return `${INFO}ignored histograms in a range containing both floats and histograms for metric name ${quoteGo(metricName)}`;
}
