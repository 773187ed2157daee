/**
 * PromQL's numeric kernels: pure functions over floats that the evaluator calls per series and
 * step. They know nothing of the AST or of labels (except limit_ratio's label hash).
 */
export type { RangeCtx, RangeFunction } from './range-types.ts';
export { RANGE_FUNCTIONS } from './range-functions.ts';
export { changes, delta, idelta, increase, irate, rate, resets } from './range-rate.ts';
export { deriv, doubleExponentialSmoothing, predictLinear } from './range-regression.ts';
export {
  avgOverTime,
  countOverTime,
  lastOverTime,
  madOverTime,
  maxOverTime,
  minOverTime,
  presentOverTime,
  quantileOverTime,
  stddevOverTime,
  stdvarOverTime,
  sumOverTime,
  tsOfLastOverTime,
  tsOfMaxOverTime,
  tsOfMinOverTime,
} from './range-over-time.ts';
export type { ElementFunction } from './instant-functions.ts';
export {
  ELEMENT_FUNCTIONS,
  abs,
  acos,
  acosh,
  asin,
  asinh,
  atan,
  atanh,
  ceil,
  clamp,
  clampMax,
  clampMin,
  clampYieldsNothing,
  cos,
  cosh,
  deg,
  exp,
  floor,
  ln,
  log10,
  log2,
  pi,
  rad,
  round,
  sgn,
  sin,
  sinh,
  sqrt,
  tan,
  tanh,
} from './instant-functions.ts';
export {
  DATE_FUNCTIONS,
  dayOfMonth,
  dayOfWeek,
  dayOfYear,
  daysInMonth,
  hour,
  minute,
  month,
  year,
} from './date-functions.ts';
export type { Bucket, HistogramQuantileResult } from './histogram.ts';
export { histogramFraction, histogramQuantile, parseBucketBound } from './histogram.ts';
export { KahanSum, kahanSumRange } from './kahan.ts';
export { MeanAccumulator, TopKSelector, VarianceAccumulator, aggregationK } from './aggregation-kernels.ts';
export { medianAbsoluteDeviation, quantile } from './quantile.ts';
export type { LimitRatioParam } from './limit-ratio.ts';
export { limitRatioKeeps, limitRatioOffset, limitRatioParam, prometheusLabelsHash } from './limit-ratio.ts';
export { xxhash64 } from './xxhash64.ts';
export { compareNatural, compareValuesAsc, compareValuesDesc } from './sort-order.ts';
export { formatGoFloatF, formatGoFloatFixed, formatGoFloatG, parseGoFloat } from './go-float.ts';
export type { FunctionErrorCode } from './errors.ts';
export { FunctionError } from './errors.ts';
export {
  badBucketLabelWarning,
  histogramIgnoredInAggregationInfo,
  histogramIgnoredInMixedRangeInfo,
  histogramQuantileForcedMonotonicityInfo,
  incompatibleTypesInBinOpInfo,
  invalidQuantileWarning,
  invalidRatioWarning,
  looksLikeCounterName,
  mixedClassicNativeHistogramsWarning,
  mixedFloatsHistogramsAggWarning,
  mixedFloatsHistogramsWarning,
  nativeHistogramNotCounterWarning,
  nativeHistogramNotGaugeWarning,
  possibleNonCounterInfo,
} from './annotations.ts';
