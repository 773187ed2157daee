/**
 * Streaming aggregation of a range-function call: `sum by (job) (rate(x[5m]))` and the like
 * (sum, count, min, max, group, avg) aggregate each output series of the call as soon as the
 * call has computed it, into per-group, per-step state in typed arrays. The call's output is
 * then never held as a whole (for a dashboard's `rate` over a few thousand series, that is
 * megabytes of short-lived arrays less per query), and one pair of scratch arrays serves every
 * series.
 *
 * Results are those of evaluating the call and then aggregating (eval-aggregation.ts,
 * aggregate-accumulate.ts, aggregate-per-step.ts), bit for bit: groups appear in the same order
 * (first non-empty input series), within a group and step the values are combined in input
 * order with the same arithmetic, and the sample accounting (peak, max-samples limit) counts
 * the call's result as held exactly when evaluating it would have.
 */
import type { Labels } from '@tessera/model';
import type { AggregateExpr, Call } from '../parser/ast.ts';
import type { Series } from '../value.ts';
import { countPoints, type EvalContext, type StepRange } from './eval-context.ts';
import { streamRangeCall } from './eval-range-functions.ts';
import { groupingKey, groupingLabels } from './label-keys.ts';
import { stepResult } from './aggregate-accumulate.ts';

/** The aggregations computed by streaming. */
export type StreamedOp = 'sum' | 'count' | 'min' | 'max' | 'group' | 'avg';

const STREAMED = new Set<string>(['sum', 'count', 'min', 'max', 'group', 'avg']);

/** Whether `op` can be streamed (see the file comment). */
export function isStreamedOp(op: string): op is StreamedOp {
  return STREAMED.has(op);
}

/**
 * The most series × steps for which the call is streamed. Group state costs up to ~21 bytes per
 * group and step; in the worst case every series is its own group, with few points each, and
 * holding the call's output would then be cheaper, so larger inputs are not streamed.
 */
const MAX_STREAMED_SLOTS = 3_000_000;

/** One group's state: per step the count, the running sum (avg: sum, later mean) and its compensation. */
interface Group {
  readonly labels: Labels;
  readonly dropName: boolean;
  readonly count: Int32Array;
  readonly a: Float64Array;
  readonly c: Float64Array;
  /** avg only: 1 once a step's mean switched to incremental updates (MeanAccumulator). */
  readonly incremental: Uint8Array | null;
}

/**
 * Aggregates `call` (a streamable range-function call, see isStreamableRangeCall) with `e`'s
 * operator and grouping. When the input is too large to stream, the call's output is
 * materialised and aggregated by `fallback` instead.
 */
export function streamAggregate(
  ctx: EvalContext,
  e: AggregateExpr & { op: StreamedOp },
  call: Call,
  range: StepRange,
  fallback: (series: Series[]) => Series[],
): Series[] {
  const op = e.op;
  const grouping = e.grouping;
  const without = e.without;
  const n = range.n;
  const start = range.start;
  const interval = range.interval;
  const byKey = new Map<string, Group>();
  const groups: Group[] = [];
  let points = 0;
  // As evalExpr accounts for the call: held samples are released when it returns, then its result counts.
  const mark = ctx.currentSamples;
  const materialised = streamRangeCall(ctx, call, range, (seriesCount) => seriesCount * n <= MAX_STREAMED_SLOTS, (metric, dropName, ts, vs, m) => {
    points += m;
    const key = groupingKey(metric, grouping, without);
    let g = byKey.get(key);
    if (g === undefined) {
      const labels = groupingLabels(metric, grouping, without);
      g = {
        labels,
        dropName: !without && dropName && labels.has('__name__'),
        count: new Int32Array(n),
        a: new Float64Array(n),
        c: new Float64Array(n),
        incremental: op === 'avg' ? new Uint8Array(n) : null,
      };
      byKey.set(key, g);
      groups.push(g);
    }
    if (op === 'avg') addMean(g, ts, vs, m, start, interval);
    else addAccumulate(g, op, ts, vs, m, start, interval);
  });
  ctx.currentSamples = mark;
  if (materialised !== null) {
    ctx.addSamples(countPoints(materialised));
    return fallback(materialised);
  }
  ctx.addSamples(points);
  const out: Series[] = [];
  for (const g of groups) {
    ctx.tick();
    const s = finish(g, op, start, interval);
    if (s !== null) out.push(s);
  }
  return out;
}

/** sum, count, min, max, group: as accumulateGroup (aggregate-accumulate.ts) adds one series. */
function addAccumulate(g: Group, op: StreamedOp, ts: ArrayLike<number>, vs: ArrayLike<number>, n: number, start: number, interval: number): void {
  const { count, a, c } = g;
  for (let j = 0; j < n; j++) {
    const k = (ts[j]! - start) / interval;
    const v = vs[j]!;
    const m = ++count[k]!;
    if (m === 1) {
      a[k] = v;
      c[k] = 0;
      continue;
    }
    switch (op) {
      case 'sum': {
        // Neumaier's compensated addition, as kahanInc.
        const sum = a[k]!;
        const t = sum + v;
        if (t === Infinity || t === -Infinity) c[k] = 0;
        else if (Math.abs(sum) >= Math.abs(v)) c[k]! += sum - t + v;
        else c[k]! += v - t + sum;
        a[k] = t;
        break;
      }
      case 'min':
        if (a[k]! > v || a[k] !== a[k]) a[k] = v;
        break;
      case 'max':
        if (a[k]! < v || a[k] !== a[k]) a[k] = v;
        break;
      default: // count, group: the count is all they need
        break;
    }
  }
}

/** avg: MeanAccumulator.add (functions/aggregation-kernels.ts) per step, state in arrays. */
function addMean(g: Group, ts: ArrayLike<number>, vs: ArrayLike<number>, n: number, start: number, interval: number): void {
  const { count, a, c } = g;
  const incremental = g.incremental!;
  for (let j = 0; j < n; j++) {
    const k = (ts[j]! - start) / interval;
    const x = vs[j]!;
    const m = ++count[k]!;
    if (m === 1) {
      a[k] = x;
      c[k] = 0;
      continue;
    }
    if (incremental[k] === 0) {
      const s = a[k]!;
      const t = s + x;
      if (t !== Infinity && t !== -Infinity) {
        if (Math.abs(s) >= Math.abs(x)) c[k]! += s - t + x;
        else c[k]! += x - t + s;
        a[k] = t;
        continue;
      }
      // The direct sum would overflow: continue with the mean of the values so far.
      incremental[k] = 1;
      a[k] = a[k]! / (m - 1);
      c[k] = c[k]! / (m - 1);
    }
    const mean = a[k]!;
    if (mean === Infinity || mean === -Infinity) {
      if (x === mean || (x === x && x !== Infinity && x !== -Infinity)) continue;
    }
    const cc = c[k]!;
    const inc = x / m - (mean + cc) / m;
    const t = mean + inc;
    if (t === Infinity || t === -Infinity) c[k] = 0;
    else if (Math.abs(mean) >= Math.abs(inc)) c[k] = cc + (mean - t + inc);
    else c[k] = cc + (inc - t + mean);
    a[k] = t;
  }
}

/** A group's output series; null when it has no point. */
function finish(g: Group, op: StreamedOp, start: number, interval: number): Series | null {
  const { count, a, c } = g;
  let points = 0;
  for (let k = 0; k < count.length; k++) if (count[k] !== 0) points++;
  if (points === 0) return null;
  const ts = new Array<number>(points);
  const vs = new Array<number>(points);
  let p = 0;
  for (let k = 0; k < count.length; k++) {
    const m = count[k]!;
    if (m === 0) continue;
    const v = op === 'avg' ? (g.incremental![k] === 1 ? a[k]! + c[k]! : a[k]! / m + c[k]! / m) : stepResult(op, a, c, m, k);
    ts[p] = start + k * interval;
    vs[p] = v;
    p++;
  }
  const out: Series = { metric: g.labels, ts, vs };
  if (g.dropName) out.dropName = true;
  return out;
}
