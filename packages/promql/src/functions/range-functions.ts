/**
 * The range-vector function kernels by PromQL name (calling convention: range-types.ts). Not
 * listed: `absent_over_time`, which depends on labels only and is the evaluator's.
 */
import { changes, delta, idelta, increase, irate, rate, resets } from './range-rate.ts';
import { deriv, doubleExponentialSmoothing, predictLinear } from './range-regression.ts';
import {
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
import type { RangeFunction } from './range-types.ts';

/** Every range-vector function kernel of Prometheus 3.5, by function name. */
export const RANGE_FUNCTIONS: ReadonlyMap<string, RangeFunction> = new Map<string, RangeFunction>([
  ['rate', rate],
  ['increase', increase],
  ['delta', delta],
  ['irate', irate],
  ['idelta', idelta],
  ['resets', resets],
  ['changes', changes],
  ['deriv', deriv],
  ['predict_linear', predictLinear],
  ['double_exponential_smoothing', doubleExponentialSmoothing],
  ['avg_over_time', avgOverTime],
  ['sum_over_time', sumOverTime],
  ['count_over_time', countOverTime],
  ['min_over_time', minOverTime],
  ['max_over_time', maxOverTime],
  ['stddev_over_time', stddevOverTime],
  ['stdvar_over_time', stdvarOverTime],
  ['last_over_time', lastOverTime],
  ['present_over_time', presentOverTime],
  ['quantile_over_time', quantileOverTime],
  ['mad_over_time', madOverTime],
  ['ts_of_min_over_time', tsOfMinOverTime],
  ['ts_of_max_over_time', tsOfMaxOverTime],
  ['ts_of_last_over_time', tsOfLastOverTime],
]);
