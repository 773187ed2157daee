/**
 * Function calls: dispatch by name to the range-function glue (eval-range-functions.ts), the
 * label and sort functions (eval-label-functions.ts), the classic-histogram functions
 * (eval-histogram-functions.ts), info (eval-info.ts), or the instant functions here — element-wise math and date
 * functions, round, clamp*, scalar, vector, time, pi, timestamp, absent.
 *
 * Names: functions that compute a new value mark their output for name removal; label_replace,
 * label_join, the sort functions and last_over_time keep names (Prometheus 3).
 */
import { Labels } from '@tessera/model';
import { unwrapParens, type Call } from '../parser/ast.ts';
import { DATE_FUNCTIONS } from '../functions/date-functions.ts';
import { clamp, clampMax, clampMin, clampYieldsNothing, ELEMENT_FUNCTIONS, round } from '../functions/instant-functions.ts';
import type { Series } from '../value.ts';
import type { EvalContext, EvalResult, StepRange } from './eval-context.ts';
import { evalExpr } from './eval-expr.ts';
import { histogramFractionCall, histogramQuantileCall } from './eval-histogram-functions.ts';
import { evalInfo } from './eval-info.ts';
import { labelJoin, labelNameArgs, labelReplace, sortByLabels, sortByValue } from './eval-label-functions.ts';
import { absentLabels, evalRangeCall } from './eval-range-functions.ts';
import { evalVectorSelector } from './eval-selectors.ts';

/** The native-histogram functions: float samples give them nothing to work on. */
const NATIVE_HISTOGRAM_FUNCTIONS = new Set([
  'histogram_avg', 'histogram_count', 'histogram_stddev', 'histogram_stdvar', 'histogram_sum',
]);

function vector(series: Series[]): EvalResult {
  return { kind: 'vector', series };
}

function vectorArg(ctx: EvalContext, call: Call, i: number, range: StepRange): Series[] {
  const r = evalExpr(ctx, call.args[i]!, range);
  if (r.kind !== 'vector') throw new Error(`argument ${i} of ${call.func.name} is not a vector`);
  return r.series;
}

function scalarArg(ctx: EvalContext, call: Call, i: number, range: StepRange): Float64Array | null {
  if (i >= call.args.length) return null;
  const r = evalExpr(ctx, call.args[i]!, range);
  if (r.kind !== 'scalar') throw new Error(`argument ${i} of ${call.func.name} is not a scalar`);
  return r.vs;
}

/**
 * Maps every point of every series through `f(v, step)`; a null result drops the point. Output
 * series are marked for name removal.
 */
function mapPoints(ctx: EvalContext, series: Series[], range: StepRange, f: (v: number, k: number) => number | null): Series[] {
  const out: Series[] = [];
  for (const s of series) {
    ctx.tick();
    const ts: number[] = [];
    const vs: number[] = [];
    for (let j = 0; j < s.ts.length; j++) {
      const v = f(s.vs[j]!, (s.ts[j]! - range.start) / range.interval);
      if (v === null) continue;
      ts.push(s.ts[j]!);
      vs.push(v);
    }
    if (ts.length > 0) out.push({ metric: s.metric, ts, vs, dropName: true });
  }
  return out;
}

/** A constant-labels series with a value at every step. */
function everyStep(range: StepRange, metric: Labels, value: (k: number) => number): Series {
  const ts = new Array<number>(range.n);
  const vs = new Array<number>(range.n);
  for (let k = 0; k < range.n; k++) {
    ts[k] = range.start + k * range.interval;
    vs[k] = value(k);
  }
  return { metric, ts, vs };
}

/** Evaluates a function call over the steps of `range`. */
export function evalCall(ctx: EvalContext, call: Call, range: StepRange): EvalResult {
  const name = call.func.name;
  if (call.func.argTypes.includes('matrix')) return vector(evalRangeCall(ctx, call, range));
  const element = ELEMENT_FUNCTIONS.get(name);
  if (element !== undefined) return vector(mapPoints(ctx, vectorArg(ctx, call, 0, range), range, element));
  const date = DATE_FUNCTIONS.get(name);
  if (date !== undefined) {
    if (call.args.length === 0) return vector([everyStep(range, Labels.EMPTY, (k) => date((range.start + k * range.interval) / 1000))]);
    return vector(mapPoints(ctx, vectorArg(ctx, call, 0, range), range, date));
  }
  if (NATIVE_HISTOGRAM_FUNCTIONS.has(name)) {
    vectorArg(ctx, call, 0, range);
    return vector([]);
  }
  switch (name) {
    case 'time': {
      const vs = new Float64Array(range.n);
      for (let k = 0; k < range.n; k++) vs[k] = (range.start + k * range.interval) / 1000;
      return { kind: 'scalar', vs };
    }
    case 'pi':
      return { kind: 'scalar', vs: new Float64Array(range.n).fill(Math.PI) };
    case 'vector': {
      const s = scalarArg(ctx, call, 0, range)!;
      return vector([everyStep(range, Labels.EMPTY, (k) => s[k]!)]);
    }
    case 'scalar':
      return { kind: 'scalar', vs: scalarOf(vectorArg(ctx, call, 0, range), range) };
    case 'timestamp':
      return vector(timestamp(ctx, call, range));
    case 'absent':
      return vector(absent(ctx, call, range));
    case 'round': {
      const toNearest = scalarArg(ctx, call, 1, range);
      const v = vectorArg(ctx, call, 0, range);
      return vector(mapPoints(ctx, v, range, (x, k) => round(x, toNearest === null ? 1 : toNearest[k]!)));
    }
    case 'clamp': {
      const lo = scalarArg(ctx, call, 1, range)!;
      const hi = scalarArg(ctx, call, 2, range)!;
      const v = vectorArg(ctx, call, 0, range);
      return vector(mapPoints(ctx, v, range, (x, k) => (clampYieldsNothing(lo[k]!, hi[k]!) ? null : clamp(x, lo[k]!, hi[k]!))));
    }
    case 'clamp_min': {
      const lo = scalarArg(ctx, call, 1, range)!;
      return vector(mapPoints(ctx, vectorArg(ctx, call, 0, range), range, (x, k) => clampMin(x, lo[k]!)));
    }
    case 'clamp_max': {
      const hi = scalarArg(ctx, call, 1, range)!;
      return vector(mapPoints(ctx, vectorArg(ctx, call, 0, range), range, (x, k) => clampMax(x, hi[k]!)));
    }
    case 'label_replace':
      return vector(labelReplace(ctx, call, range));
    case 'label_join':
      return vector(labelJoin(ctx, call, range));
    case 'sort':
    case 'sort_desc':
      return vector(sortByValue(vectorArg(ctx, call, 0, range), range, name === 'sort_desc'));
    case 'sort_by_label':
    case 'sort_by_label_desc': {
      const names = labelNameArgs(ctx, call, range);
      return vector(sortByLabels(vectorArg(ctx, call, 0, range), names, range, name === 'sort_by_label_desc'));
    }
    case 'histogram_quantile':
      return vector(histogramQuantileCall(ctx, call, range));
    case 'histogram_fraction':
      return vector(histogramFractionCall(ctx, call, range));
    case 'info':
      return vector(evalInfo(ctx, call, range));
    default:
      // Unreachable: every function of the parser's table has a branch above (a missing one is a bug).
      throw new Error(`internal error: no evaluator for function ${name}`);
  }
}

/** `scalar(v)`: the value of the only sample at each step, NaN when there is not exactly one. */
function scalarOf(series: Series[], range: StepRange): Float64Array {
  const count = new Uint32Array(range.n);
  const vs = new Float64Array(range.n).fill(NaN);
  for (const s of series) {
    for (let j = 0; j < s.ts.length; j++) {
      const k = (s.ts[j]! - range.start) / range.interval;
      vs[k] = ++count[k]! === 1 ? s.vs[j]! : NaN;
    }
  }
  return vs;
}

/**
 * `timestamp(v)`: for a plain selector argument the time of the sample each step found (so
 * `timestamp(x offset 1m)` and `timestamp(x @ t)` report the samples' own times), for any other
 * argument the step time. Output is marked for name removal.
 */
function timestamp(ctx: EvalContext, call: Call, range: StepRange): Series[] {
  const arg = unwrapParens(call.args[0]!);
  if (arg.type === 'VectorSelector') {
    const series = evalVectorSelector(ctx, arg, range, 'timestamp', true);
    for (const s of series) s.dropName = true;
    return series;
  }
  return mapPoints(ctx, vectorArg(ctx, call, 0, range), range, (_v, k) => (range.start + k * range.interval) / 1000);
}

/** `absent(v)`: 1 at the steps where v has no sample, labelled from v's equality matchers. */
function absent(ctx: EvalContext, call: Call, range: StepRange): Series[] {
  const series = vectorArg(ctx, call, 0, range);
  const present = new Uint8Array(range.n);
  for (const s of series) for (const t of s.ts) present[(t - range.start) / range.interval] = 1;
  const ts: number[] = [];
  const vs: number[] = [];
  for (let k = 0; k < range.n; k++) {
    if (present[k] === 1) continue;
    ts.push(range.start + k * range.interval);
    vs.push(1);
  }
  if (ts.length === 0) return [];
  const arg = unwrapParens(call.args[0]!);
  const metric = arg.type === 'VectorSelector' ? absentLabels(arg.matchers) : Labels.EMPTY;
  return [{ metric, ts, vs }];
}
