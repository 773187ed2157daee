/**
 * The aggregations that need all samples of a group at one step together: avg, stddev, stdvar
 * (through the numeric accumulators of functions/), topk, bottomk, limitk, limit_ratio,
 * quantile and count_values.
 *
 * A group's samples are bucketed by step with a counting sort (stable, so within a step they
 * stay in input order). The `k` / `q` / ratio parameters are scalars that may change from step
 * to step, so they are read per step.
 */
import type { Labels } from '@tessera/model';
import { aggregationK, MeanAccumulator, TopKSelector, VarianceAccumulator } from '../functions/aggregation-kernels.ts';
import { formatGoFloatF } from '../functions/go-float.ts';
import { limitRatioKeeps, limitRatioOffset } from '../functions/limit-ratio.ts';
import { quantile } from '../functions/quantile.ts';
import type { Series } from '../value.ts';
import type { EvalContext, StepRange } from './eval-context.ts';
import type { AggGroup } from './eval-aggregation.ts';
import { labelsKey } from './label-keys.ts';

/**
 * A group's samples bucketed by step, as runs: run r holds the samples of step `steps[r]` at
 * positions `start[r] .. start[r+1]-1` of `series` (index of the input series) and `values`.
 * Runs are in step order; within a run samples keep input order.
 */
interface Buckets {
  steps: Int32Array;
  start: Int32Array;
  series: Int32Array;
  values: Float64Array;
}

/**
 * Buckets a group's samples by step: a counting sort over the steps for several series (stable),
 * and no work beyond indexing for a single series, whose points are already one per step.
 */
export function bucket(ctx: EvalContext, group: Series[], range: StepRange): Buckets {
  if (group.length === 1) {
    const s = group[0]!;
    const m = s.ts.length;
    const steps = new Int32Array(m);
    const start = new Int32Array(m + 1);
    for (let i = 0; i < m; i++) {
      steps[i] = (s.ts[i]! - range.start) / range.interval;
      start[i + 1] = i + 1;
    }
    return { steps, start, series: new Int32Array(m), values: Float64Array.from(s.vs) };
  }
  const n = range.n;
  const count = new Int32Array(n + 1);
  let total = 0;
  for (const s of group) {
    for (const t of s.ts) count[(t - range.start) / range.interval + 1]!++;
    total += s.ts.length;
  }
  let runs = 0;
  for (let k = 0; k < n; k++) {
    if (count[k + 1]! > 0) runs++;
    count[k + 1]! += count[k]!;
  }
  const fill = count.slice(0, n);
  const series = new Int32Array(total);
  const values = new Float64Array(total);
  for (let i = 0; i < group.length; i++) {
    ctx.tick();
    const s = group[i]!;
    for (let j = 0; j < s.ts.length; j++) {
      const pos = fill[(s.ts[j]! - range.start) / range.interval]!++;
      series[pos] = i;
      values[pos] = s.vs[j]!;
    }
  }
  const steps = new Int32Array(runs);
  const start = new Int32Array(runs + 1);
  let r = 0;
  for (let k = 0; k < n; k++) {
    if (count[k + 1] === count[k]) continue;
    steps[r] = k;
    start[r++] = count[k]!;
  }
  start[runs] = total;
  return { steps, start, series, values };
}

/** Output series per input series of a group, created on first use, in order of creation. */
class PerInput {
  readonly #out: (Series | undefined)[];
  readonly #group: Series[];
  readonly #sink: Series[];

  constructor(group: Series[], sink: Series[]) {
    this.#group = group;
    this.#out = new Array<Series | undefined>(group.length);
    this.#sink = sink;
  }

  add(i: number, t: number, v: number): void {
    let o = this.#out[i];
    if (o === undefined) {
      const s = this.#group[i]!;
      o = { metric: s.metric, ts: [], vs: [] };
      if (s.dropName === true) o.dropName = true;
      this.#out[i] = o;
      this.#sink.push(o);
    }
    o.ts.push(t);
    o.vs.push(v);
  }
}

const selector = new TopKSelector();

/**
 * topk / bottomk for one group: per step, the k largest (smallest) samples, with Prometheus's
 * heap so that ties and NaNs resolve as there. A single step's output is in result order.
 */
export function topkGroup(ctx: EvalContext, g: AggGroup, kParam: Float64Array, range: StepRange, top: boolean, out: Series[]): void {
  const b = bucket(ctx, g.series, range);
  const sink = new PerInput(g.series, out);
  const order: number[] = [];
  for (let r = 0; r < b.steps.length; r++) {
    const k = b.steps[r]!;
    const lo = b.start[r]!;
    const hi = b.start[r + 1]!;
    const want = Math.min(aggregationK(kParam[k]!), hi - lo);
    if (want < 1) continue;
    selector.reset(want, !top);
    for (let p = lo; p < hi; p++) selector.add(b.values[p]!, p);
    const t = range.start + k * range.interval;
    for (const p of selector.drain(order)) sink.add(b.series[p]!, t, b.values[p]!);
  }
}

/** limitk for one group: per step, the first k samples in input order. */
export function limitkGroup(ctx: EvalContext, g: AggGroup, kParam: Float64Array, range: StepRange, out: Series[]): void {
  const b = bucket(ctx, g.series, range);
  const sink = new PerInput(g.series, out);
  for (let r = 0; r < b.steps.length; r++) {
    const k = b.steps[r]!;
    const lo = b.start[r]!;
    const hi = b.start[r + 1]!;
    const want = Math.min(aggregationK(kParam[k]!), hi - lo);
    const t = range.start + k * range.interval;
    for (let p = lo; p < lo + want; p++) sink.add(b.series[p]!, t, b.values[p]!);
  }
}

/**
 * limit_ratio for one group: a series is kept at a step when its hash-derived offset in [0, 1)
 * falls below the ratio (for r ≥ 0) or at or above 1 + r (for r < 0), so the same series are
 * picked at every step and a ratio r and its complement r − 1 split the series disjointly.
 */
export function limitRatioGroup(ctx: EvalContext, g: AggGroup, ratios: Float64Array, range: StepRange, out: Series[]): void {
  for (const s of g.series) {
    ctx.tick();
    const offset = limitRatioOffset(s.metric);
    const ts: number[] = [];
    const vs: number[] = [];
    for (let j = 0; j < s.ts.length; j++) {
      const r = ratios[(s.ts[j]! - range.start) / range.interval]!;
      if (limitRatioKeeps(r, offset)) {
        ts.push(s.ts[j]!);
        vs.push(s.vs[j]!);
      }
    }
    if (ts.length === 0) continue;
    const o: Series = { metric: s.metric, ts, vs };
    if (s.dropName === true) o.dropName = true;
    out.push(o);
  }
}

const mean = new MeanAccumulator();
const variance = new VarianceAccumulator();

/** avg, stddev or stdvar for one group: per step, the accumulator over the group's samples. */
export function meanVarianceGroup(ctx: EvalContext, g: AggGroup, op: 'avg' | 'stddev' | 'stdvar', range: StepRange): Series | null {
  const b = bucket(ctx, g.series, range);
  const ts: number[] = [];
  const vs: number[] = [];
  for (let r = 0; r < b.steps.length; r++) {
    const k = b.steps[r]!;
    const lo = b.start[r]!;
    const hi = b.start[r + 1]!;
    let v: number;
    if (op === 'avg') {
      mean.reset();
      for (let p = lo; p < hi; p++) mean.add(b.values[p]!);
      v = mean.value();
    } else {
      variance.reset();
      for (let p = lo; p < hi; p++) variance.add(b.values[p]!);
      v = op === 'stddev' ? variance.stddev() : variance.variance();
    }
    ts.push(range.start + k * range.interval);
    vs.push(v);
  }
  if (ts.length === 0) return null;
  const o: Series = { metric: g.labels, ts, vs };
  if (g.dropName) o.dropName = true;
  return o;
}

/** quantile for one group: per step, the φ-quantile of the group's samples. */
export function quantileGroup(ctx: EvalContext, g: AggGroup, qParam: Float64Array, range: StepRange, out: Series[]): void {
  const b = bucket(ctx, g.series, range);
  const ts: number[] = [];
  const vs: number[] = [];
  for (let r = 0; r < b.steps.length; r++) {
    const k = b.steps[r]!;
    const lo = b.start[r]!;
    const hi = b.start[r + 1]!;
    ts.push(range.start + k * range.interval);
    vs.push(quantile(qParam[k]!, b.values, lo, hi));
  }
  if (ts.length === 0) return;
  const o: Series = { metric: g.labels, ts, vs };
  if (g.dropName) o.dropName = true;
  out.push(o);
}

/**
 * count_values: per step, how many samples have each value, by the group labels with `label`
 * set to the value (Go's shortest 'f' formatting). Groups whose labels coincide once the label
 * is set count together, as in Prometheus.
 */
export function countValues(ctx: EvalContext, groups: AggGroup[], label: string, range: StepRange): Series[] {
  const outputs = new Map<string, { metric: Labels; counts: Map<number, number> }>();
  const labelsCache = new Map<string, string>();
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi]!;
    for (const s of g.series) {
      ctx.tick();
      // Series mostly repeat their value: reuse the output of the previous point when it does.
      let lastV = NaN;
      let counts: Map<number, number> | null = null;
      for (let j = 0; j < s.ts.length; j++) {
        const v = s.vs[j]!;
        if (counts === null || !Object.is(v, lastV)) {
          const value = formatGoFloatF(v);
          const cacheKey = `${gi}\ud800${value}`;
          let key = labelsCache.get(cacheKey);
          if (key === undefined) {
            const metric = g.labels.with(label, value);
            key = labelsKey(metric);
            labelsCache.set(cacheKey, key);
            if (!outputs.has(key)) outputs.set(key, { metric, counts: new Map() });
          }
          counts = outputs.get(key)!.counts;
          lastV = v;
        }
        const t = s.ts[j]!;
        counts.set(t, (counts.get(t) ?? 0) + 1);
      }
    }
  }
  const out: Series[] = [];
  for (const { metric, counts } of outputs.values()) {
    const ts = [...counts.keys()].sort((a, b) => a - b);
    out.push({ metric, ts, vs: ts.map((t) => counts.get(t)!) });
  }
  return out;
}
