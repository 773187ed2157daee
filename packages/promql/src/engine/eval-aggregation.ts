/**
 * Aggregation operators (`sum by (job) (x)`, `topk(3, x)`, …) with Prometheus 3.5 semantics.
 *
 * Series are grouped once (the grouping key of a series does not change from step to step);
 * each group is then aggregated for all steps at once. The plain accumulating operators (sum,
 * avg, count, min, max, group, stddev, stdvar) keep per-step state in typed arrays; the ones
 * that need every sample of a step together (topk, bottomk, quantile, count_values, limitk,
 * limit_ratio) bucket the group's samples by step first.
 *
 * Names: `without` always drops the metric name; `by (__name__, …)` keeps it, and the group
 * inherits the pending name removal of its first series (delayed name removal). topk, bottomk,
 * limitk and limit_ratio return their input samples unchanged (labels, name, pending removal).
 */
import type { Labels } from '@tessera/model';
import { unwrapParens, type AggregateExpr } from '../parser/ast.ts';
import { quoteGoString } from '../parser/literals.ts';
import { invalidQuantileWarning } from '../functions/annotations.ts';
import { limitRatioParam } from '../functions/limit-ratio.ts';
import type { Series } from '../value.ts';
import type { EvalContext, EvalResult, StepRange } from './eval-context.ts';
import { evalExpr } from './eval-expr.ts';
import { executionError } from './errors.ts';
import { groupingKey, groupingLabels } from './label-keys.ts';
import { isValidUtf8LabelName } from './labels-format.ts';
import { accumulateGroup } from './aggregate-accumulate.ts';
import { isStreamedOp, streamAggregate, type StreamedOp } from './aggregate-stream.ts';
import { isStreamableRangeCall } from './eval-range-functions.ts';
import { countValues, limitRatioGroup, limitkGroup, meanVarianceGroup, quantileGroup, topkGroup } from './aggregate-per-step.ts';

/** One aggregation group: its output labels and its input series in input order. */
export interface AggGroup {
  labels: Labels;
  dropName: boolean;
  series: Series[];
}

/** Evaluates an aggregation over the steps of `range`. */
export function evalAggregate(ctx: EvalContext, e: AggregateExpr, range: StepRange): EvalResult {
  let param: Float64Array | null = null;
  let label = '';
  if (e.param !== null) {
    const p = evalExpr(ctx, e.param, range);
    if (p.kind === 'string') label = p.v;
    else if (p.kind === 'scalar') param = p.vs;
  }
  if (e.op === 'count_values' && !isValidUtf8LabelName(label)) {
    throw executionError('invalid-argument', `invalid label name ${quoteGoString(label)}`);
  }
  const inner = unwrapParens(e.expr);
  if (isStreamedOp(e.op) && inner.type === 'Call' && isStreamableRangeCall(inner)) {
    const streamed = e as AggregateExpr & { op: StreamedOp };
    return { kind: 'vector', series: streamAggregate(ctx, streamed, inner, range, (series) => aggregateSeries(ctx, e, series, param, label, range)) };
  }
  const input = evalExpr(ctx, e.expr, range);
  if (input.kind !== 'vector') throw new Error(`aggregation over ${input.kind}`);
  return { kind: 'vector', series: aggregateSeries(ctx, e, input.series, param, label, range) };
}

/** Aggregates evaluated input series. */
function aggregateSeries(ctx: EvalContext, e: AggregateExpr, input: Series[], param: Float64Array | null, label: string, range: StepRange): Series[] {
  const groups = groupSeries(input, e.grouping, e.without);
  const out: Series[] = [];
  switch (e.op) {
    case 'topk':
    case 'bottomk':
      for (const g of groups) topkGroup(ctx, g, param!, range, e.op === 'topk', out);
      return out;
    case 'limitk':
      for (const g of groups) limitkGroup(ctx, g, param!, range, out);
      return out;
    case 'limit_ratio': {
      const ratios = checkRatios(ctx, param!);
      for (const g of groups) limitRatioGroup(ctx, g, ratios, range, out);
      return out;
    }
    case 'quantile':
      warnQuantiles(ctx, param!);
      for (const g of groups) quantileGroup(ctx, g, param!, range, out);
      return out;
    case 'count_values':
      return countValues(ctx, groups, label, range);
    case 'avg':
    case 'stddev':
    case 'stdvar':
      for (const g of groups) {
        const s = meanVarianceGroup(ctx, g, e.op, range);
        if (s !== null) out.push(s);
      }
      return out;
    default:
      for (const g of groups) {
        const s = accumulateGroup(ctx, g, e.op, range);
        if (s !== null) out.push(s);
      }
      return out;
  }
}

/** Groups series by their grouping labels, groups in order of first appearance. */
function groupSeries(series: Series[], grouping: readonly string[], without: boolean): AggGroup[] {
  const byKey = new Map<string, AggGroup>();
  const groups: AggGroup[] = [];
  for (const s of series) {
    const key = groupingKey(s.metric, grouping, without);
    let g = byKey.get(key);
    if (g === undefined) {
      const labels = groupingLabels(s.metric, grouping, without);
      g = { labels, dropName: !without && s.dropName === true && labels.has('__name__'), series: [] };
      byKey.set(key, g);
      groups.push(g);
    }
    g.series.push(s);
  }
  return groups;
}

/** Adds the invalid-quantile warning for every distinct out-of-range parameter value. */
function warnQuantiles(ctx: EvalContext, q: Float64Array): void {
  for (const v of q) {
    if (!(v >= 0 && v <= 1)) ctx.annotations.warn(invalidQuantileWarning(v));
  }
}

/** Checks limit_ratio's parameter per step: NaN is an error, values beyond ±1 are capped. */
function checkRatios(ctx: EvalContext, r: Float64Array): Float64Array {
  const out = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) {
    const p = limitRatioParam(r[i]!);
    if (p.warning !== undefined) ctx.annotations.warn(p.warning);
    out[i] = p.ratio;
  }
  return out;
}
