/**
 * Range-vector functions (`rate(x[5m])`, `avg_over_time(f(y)[1h:1m])`, …): the glue between a
 * {@link RangeSource} (a range selector or a subquery) and the numeric kernels of functions/.
 *
 * For each series the window of each step is found with two pointers that only move forward
 * (windows slide with the steps; under `@` every step has the same window), so one series costs
 * O(samples + steps) plus the kernels' own work. The kernel sees the window as the slice
 * `lo..hi-1` of the series' sample arrays (calling convention: functions/range-types.ts).
 * Windows without samples produce nothing (the kernels are not called), except for
 * absent_over_time, which is about exactly those. The output can also be streamed series by
 * series into an aggregation (aggregate-stream.ts) instead of being returned as a whole.
 *
 * Names: every range function drops the metric name (pending removal) except last_over_time.
 */
import { Labels, type Matcher } from '@tessera/model';
import { exprType, unwrapParens, type Call, type Expr } from '../parser/ast.ts';
import { looksLikeCounterName, possibleNonCounterInfo } from '../functions/annotations.ts';
import {
  avgOverTime, countOverTime, lastOverTime, madOverTime, maxOverTime, minOverTime, presentOverTime,
  quantileOverTime, stddevOverTime, stdvarOverTime, sumOverTime, tsOfLastOverTime, tsOfMaxOverTime,
  tsOfMinOverTime,
} from '../functions/range-over-time.ts';
import { changes, delta, idelta, increase, irate, rate, resets } from '../functions/range-rate.ts';
import { deriv, doubleExponentialSmoothing, predictLinear } from '../functions/range-regression.ts';
import type { RangeCtx, RangeFunction } from '../functions/range-types.ts';
import type { Series } from '../value.ts';
import type { EvalContext, StepRange } from './eval-context.ts';
import { evalExpr } from './eval-expr.ts';
import { toArray } from './dense-arrays.ts';
import { rangeSelectorSource, type RangeSource } from './eval-selectors.ts';
import { subquerySource } from './eval-subquery.ts';

/** The kernels of the range-vector functions, by PromQL name. */
const KERNELS: ReadonlyMap<string, RangeFunction> = new Map<string, RangeFunction>([
  ['rate', rate], ['increase', increase], ['delta', delta], ['irate', irate], ['idelta', idelta],
  ['resets', resets], ['changes', changes], ['deriv', deriv], ['predict_linear', predictLinear],
  ['double_exponential_smoothing', doubleExponentialSmoothing],
  ['avg_over_time', avgOverTime], ['sum_over_time', sumOverTime], ['count_over_time', countOverTime],
  ['min_over_time', minOverTime], ['max_over_time', maxOverTime], ['stddev_over_time', stddevOverTime],
  ['stdvar_over_time', stdvarOverTime], ['last_over_time', lastOverTime],
  ['present_over_time', presentOverTime], ['quantile_over_time', quantileOverTime],
  ['mad_over_time', madOverTime], ['ts_of_min_over_time', tsOfMinOverTime],
  ['ts_of_max_over_time', tsOfMaxOverTime], ['ts_of_last_over_time', tsOfLastOverTime],
]);

/** The range functions that keep the metric name. */
const KEEPS_NAME = new Set(['last_over_time']);

/** Opens the range-vector argument of a call (a range selector or subquery, maybe in parens). */
function openSource(ctx: EvalContext, arg: Expr, range: StepRange, func: string): RangeSource {
  const a = unwrapParens(arg);
  if (a.type === 'MatrixSelector') return rangeSelectorSource(ctx, a, range, func);
  if (a.type === 'SubqueryExpr') return subquerySource(ctx, a, range);
  throw new Error(`range function ${func} over ${a.type}`);
}

/** Receives the output of a range function one series at a time (see {@link streamRangeCall}). */
export type RangeOutputSink = (metric: Labels, dropName: boolean, ts: ArrayLike<number>, vs: ArrayLike<number>, n: number) => void;

/** Evaluates a call of a function that takes a range vector. */
export function evalRangeCall(ctx: EvalContext, call: Call, range: StepRange): Series[] {
  return streamRangeCall(ctx, call, range, null, null)!;
}

/**
 * Whether {@link streamRangeCall} can stream `call`: a range function with a kernel
 * (absent_over_time is not streamed: its output is not per input series).
 */
export function isStreamableRangeCall(call: Call): boolean {
  return call.func.argTypes.includes('matrix') && KERNELS.has(call.func.name);
}

/**
 * Evaluates a range-function call. When `canStream` accepts the number of input series, each
 * non-empty output series is handed to `sink`, in the order evalRangeCall returns them, in
 * scratch arrays that the next series overwrites (the sink copies what it keeps), and the
 * result is null. Otherwise (or for absent_over_time) the output is returned as series.
 */
export function streamRangeCall(
  ctx: EvalContext,
  call: Call,
  range: StepRange,
  canStream: ((seriesCount: number) => boolean) | null,
  sink: RangeOutputSink | null,
): Series[] | null {
  const name = call.func.name;
  // Scalar arguments are evaluated for all steps first, as Prometheus evaluates them first.
  const scalars: Float64Array[] = [];
  let matrixArg: Expr | null = null;
  for (const arg of call.args) {
    if (exprType(arg) === 'matrix') matrixArg = arg;
    else {
      const r = evalExpr(ctx, arg, range);
      if (r.kind === 'scalar') scalars.push(r.vs);
    }
  }
  const src = openSource(ctx, matrixArg!, range, name);
  if (name === 'absent_over_time') return absentOverTime(ctx, src, range);
  const kernel = KERNELS.get(name);
  if (kernel === undefined) throw new Error(`no kernel for range function ${name}`);
  const dropsName = !KEEPS_NAME.has(name);
  const isCounterRate = name === 'rate' || name === 'increase';
  if (sink !== null && canStream !== null && canStream(src.length)) {
    applyKernel(ctx, src, range, kernel, scalars, dropsName, isCounterRate, sink);
    return null;
  }
  const out: Series[] = [];
  applyKernel(ctx, src, range, kernel, scalars, dropsName, isCounterRate, (metric, dropName, ts, vs, n) => {
    const s: Series = { metric, ts: toArray(ts, 0, n), vs: toArray(vs, 0, n) };
    if (dropName) s.dropName = true;
    out.push(s);
  });
  return out;
}

/** Scratch for the counter-reset prefix counts of rate/increase (see RangeCtx.resetsUpTo). */
let resetScratch = new Int32Array(1024);

/**
 * Runs `kernel` over every window of every series, handing each series' output points to `sink`
 * in scratch arrays (valid until the next series). `checkCounter`: rate or increase, which add
 * the "might not be a counter" info for series whose name lacks a counter suffix, and which get
 * the counter-reset prefix counts of each series (so windows without a reset skip their scan).
 */
function applyKernel(
  ctx: EvalContext,
  src: RangeSource,
  range: StepRange,
  kernel: RangeFunction,
  scalars: Float64Array[],
  dropsName: boolean,
  checkCounter: boolean,
  sink: RangeOutputSink,
): void {
  const args: number[] = scalars.map(() => 0);
  const rctx: RangeCtx = { rangeStartMs: 0, rangeEndMs: 0, evalTimeMs: 0, rangeMs: src.rangeMs, args, annotations: ctx.annotations, resetsUpTo: undefined };
  // At most one point per step.
  const outTs = new Float64Array(range.n);
  const outVs = new Float64Array(range.n);
  for (let i = 0; i < src.length; i++) {
    const { ts, vs } = src.load(i);
    if (ts.length === 0) continue;
    if (checkCounter && range.n > 1) rctx.resetsUpTo = resetPrefix(vs);
    let m = 0;
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < range.n; k++) {
      ctx.tick();
      const stepT = range.start + k * range.interval;
      const end = src.fixedEnd ?? stepT - src.offset;
      const start = end - src.rangeMs;
      while (lo < ts.length && ts[lo]! <= start) lo++;
      if (hi < lo) hi = lo;
      while (hi < ts.length && ts[hi]! <= end) hi++;
      if (hi === lo) {
        if (lo >= ts.length) break; // no more samples for any later window
        continue;
      }
      ctx.totalSamples += hi - lo;
      rctx.rangeStartMs = start;
      rctx.rangeEndMs = end;
      rctx.evalTimeMs = stepT;
      for (let a = 0; a < scalars.length; a++) args[a] = scalars[a]![k]!;
      const v = kernel(ts, vs, lo, hi, rctx);
      if (v === undefined) continue;
      outTs[m] = stepT;
      outVs[m] = v;
      m++;
    }
    rctx.resetsUpTo = undefined;
    if (m === 0) continue;
    const metric = src.labels(i);
    if (checkCounter) {
      const metricName = metric.get('__name__');
      if (metricName !== '' && !looksLikeCounterName(metricName)) ctx.annotations.info(possibleNonCounterInfo(metricName));
    }
    sink(metric, dropsName || src.dropName(i), outTs, outVs, m);
  }
}

/**
 * Prefix counts of counter resets: `out[i]` is the number of j in 1..i with vs[j] < vs[j−1]
 * (the comparison rate/increase use), so a window lo..hi−1 holds a reset iff out[hi−1] ≠ out[lo].
 */
function resetPrefix(vs: ArrayLike<number>): Int32Array {
  const n = vs.length;
  if (resetScratch.length < n) resetScratch = new Int32Array(Math.max(n, resetScratch.length * 2));
  const out = resetScratch;
  let count = 0;
  out[0] = 0;
  let prev = vs[0]!;
  for (let i = 1; i < n; i++) {
    const cur = vs[i]!;
    if (cur < prev) count++;
    out[i] = count;
    prev = cur;
  }
  return out;
}

/**
 * absent_over_time: 1 at the steps where no series has a sample in its window, labelled from the
 * equality matchers of a plain range selector (see {@link absentLabels}).
 */
function absentOverTime(ctx: EvalContext, src: RangeSource, range: StepRange): Series[] {
  const present = new Uint8Array(range.n);
  for (let i = 0; i < src.length; i++) {
    const { ts } = src.load(i);
    let lo = 0;
    for (let k = 0; k < range.n; k++) {
      ctx.tick();
      const end = src.fixedEnd ?? range.start + k * range.interval - src.offset;
      while (lo < ts.length && ts[lo]! <= end - src.rangeMs) lo++;
      if (lo >= ts.length) break;
      if (ts[lo]! <= end) present[k] = 1;
    }
  }
  const ts: number[] = [];
  const vs: number[] = [];
  for (let k = 0; k < range.n; k++) {
    if (present[k] === 1) continue;
    ts.push(range.start + k * range.interval);
    vs.push(1);
  }
  if (ts.length === 0) return [];
  return [{ metric: absentLabels(src.matchers ?? []), ts, vs }];
}

/**
 * The labels of an absent() / absent_over_time() result: the `name="value"` matchers of the
 * argument's selector, except the metric name; a name matched again after its first equality
 * matcher is left out (Prometheus's historic rule: `x{job="a",job="b"}` yields no job).
 */
export function absentLabels(matchers: readonly Matcher[]): Labels {
  const values = new Map<string, string>();
  // Names set once by an equality matcher; any later matcher on them removes them for good.
  const seen = new Set<string>();
  for (const m of matchers) {
    if (m.name === '__name__') continue;
    if (m.type === '=' && !seen.has(m.name)) {
      values.set(m.name, m.value);
      seen.add(m.name);
    } else {
      values.delete(m.name);
    }
  }
  return Labels.fromPairs(values);
}
