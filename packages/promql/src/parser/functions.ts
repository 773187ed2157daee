/**
 * The signature tables of PromQL 3.5: every function (argument types, optional/variadic
 * arguments, return type, whether it is experimental) and every aggregation operator.
 *
 * Experimental entries are rejected by the parser unless experimental functions are enabled
 * (Prometheus's `--enable-feature=promql-experimental-functions`). Histogram functions are
 * listed so queries using them parse; on float-only data they yield no samples.
 */
import type { ValueType } from '../value.ts';

/**
 * A function's signature, as the parser checks calls against it.
 *
 * `variadic` follows Prometheus: 0 means exactly `argTypes.length` arguments; otherwise the last
 * argument is optional and its type may repeat: n > 0 allows between `length − 1` and
 * `length − 1 + n` arguments, −1 allows `length − 1` or more. Arguments past the end of
 * `argTypes` have the type of its last entry.
 */
export interface FunctionSignature {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  readonly variadic: number;
  readonly returnType: ValueType;
  readonly experimental: boolean;
}

const S = 'scalar';
const V = 'vector';
const M = 'matrix';
const STR = 'string';

function fn(
  name: string,
  argTypes: readonly ValueType[],
  returnType: ValueType,
  variadic = 0,
  experimental = false,
): FunctionSignature {
  return Object.freeze({ name, argTypes: Object.freeze(argTypes.slice()), variadic, returnType, experimental });
}

const VECTOR_MATH = [
  'abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'ceil', 'cos', 'cosh', 'deg', 'exp',
  'floor', 'ln', 'log10', 'log2', 'rad', 'sgn', 'sin', 'sinh', 'sqrt', 'tan', 'tanh',
] as const;
const DATE_FUNCS = [
  'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year',
] as const;
const RANGE_FUNCS = [
  'absent_over_time', 'avg_over_time', 'changes', 'count_over_time', 'delta', 'deriv', 'idelta',
  'increase', 'irate', 'last_over_time', 'max_over_time', 'min_over_time', 'present_over_time',
  'rate', 'resets', 'stddev_over_time', 'stdvar_over_time', 'sum_over_time',
] as const;
const EXPERIMENTAL_RANGE_FUNCS = [
  'mad_over_time', 'ts_of_last_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time',
] as const;
const HISTOGRAM_VECTOR_FUNCS = [
  'histogram_avg', 'histogram_count', 'histogram_stddev', 'histogram_stdvar', 'histogram_sum',
] as const;

const ALL: FunctionSignature[] = [
  ...VECTOR_MATH.map((n) => fn(n, [V], V)),
  ...DATE_FUNCS.map((n) => fn(n, [V], V, 1)),
  ...RANGE_FUNCS.map((n) => fn(n, [M], V)),
  ...EXPERIMENTAL_RANGE_FUNCS.map((n) => fn(n, [M], V, 0, true)),
  ...HISTOGRAM_VECTOR_FUNCS.map((n) => fn(n, [V], V)),
  fn('absent', [V], V),
  fn('clamp', [V, S, S], V),
  fn('clamp_max', [V, S], V),
  fn('clamp_min', [V, S], V),
  fn('double_exponential_smoothing', [M, S, S], V, 0, true),
  fn('histogram_fraction', [S, S, V], V),
  fn('histogram_quantile', [S, V], V),
  fn('info', [V, V], V, 1, true),
  fn('label_join', [V, STR, STR, STR], V, -1),
  fn('label_replace', [V, STR, STR, STR, STR], V),
  fn('pi', [], S),
  fn('predict_linear', [M, S], V),
  fn('quantile_over_time', [S, M], V),
  fn('round', [V, S], V, 1),
  fn('scalar', [V], S),
  fn('sort', [V], V),
  fn('sort_by_label', [V, STR], V, -1, true),
  fn('sort_by_label_desc', [V, STR], V, -1, true),
  fn('sort_desc', [V], V),
  fn('time', [], S),
  fn('timestamp', [V], V),
  fn('vector', [S], V),
];

/** Every PromQL function of Prometheus 3.5, by name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSignature> = new Map(ALL.map((f) => [f.name, f]));

/** Returns the signature of the function called `name`, or undefined if there is none. */
export function getFunction(name: string): FunctionSignature | undefined {
  return FUNCTIONS.get(name);
}

/** The signature of an aggregation operator. */
export interface AggregatorSignature {
  readonly name: string;
  /** The type of the leading parameter (`topk(3, x)`), or null when the operator takes none. */
  readonly paramType: 'scalar' | 'string' | null;
  readonly experimental: boolean;
}

function agg(name: string, paramType: 'scalar' | 'string' | null = null, experimental = false): AggregatorSignature {
  return Object.freeze({ name, paramType, experimental });
}

/** Every aggregation operator of Prometheus 3.5, by name. */
export const AGGREGATORS: ReadonlyMap<string, AggregatorSignature> = new Map(
  [
    agg('sum'), agg('avg'), agg('count'), agg('min'), agg('max'), agg('group'), agg('stddev'), agg('stdvar'),
    agg('topk', S), agg('bottomk', S), agg('quantile', S), agg('count_values', STR),
    agg('limitk', S, true), agg('limit_ratio', S, true),
  ].map((a) => [a.name, a]),
);

/** Returns the signature of the aggregation operator `name` (case-sensitive), or undefined. */
export function getAggregator(name: string): AggregatorSignature | undefined {
  return AGGREGATORS.get(name);
}
