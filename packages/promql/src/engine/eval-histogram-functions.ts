/**
 * histogram_quantile and histogram_fraction over classic histograms: the glue that groups
 * bucket series into histograms and hands each histogram's buckets at each step to the kernels
 * of functions/histogram.ts.
 *
 * A histogram is the set of series that share all labels but `le` (the metric name included, so
 * `a_bucket` and `b_bucket` never mix); its output series has those labels minus the metric
 * name. A series whose `le` is missing or not a number is skipped with a warning.
 */
import { type Labels } from '@tessera/model';
import type { Call } from '../parser/ast.ts';
import {
  badBucketLabelWarning, histogramQuantileForcedMonotonicityInfo, invalidQuantileWarning,
} from '../functions/annotations.ts';
import { histogramFraction, histogramQuantile, parseBucketBound, type Bucket } from '../functions/histogram.ts';
import type { Series } from '../value.ts';
import type { EvalContext, StepRange } from './eval-context.ts';
import { evalExpr } from './eval-expr.ts';
import { labelsKey } from './label-keys.ts';
import { SeriesBuilder } from './series-builder.ts';

/** One histogram: its output labels, and its bucket series with their upper bounds. */
interface Histogram {
  metricName: string;
  labels: Labels;
  series: Series[];
  bounds: number[];
}

function scalars(ctx: EvalContext, call: Call, n: number, range: StepRange): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const r = evalExpr(ctx, call.args[i]!, range);
    if (r.kind !== 'scalar') throw new Error(`argument ${i} of ${call.func.name} is not a scalar`);
    out.push(r.vs);
  }
  return out;
}

function groupBuckets(ctx: EvalContext, call: Call, argIndex: number, range: StepRange): Histogram[] {
  const r = evalExpr(ctx, call.args[argIndex]!, range);
  if (r.kind !== 'vector') throw new Error(`argument ${argIndex} of ${call.func.name} is not a vector`);
  const byKey = new Map<string, Histogram>();
  const out: Histogram[] = [];
  for (const s of r.series) {
    const le = s.metric.get('le');
    const bound = parseBucketBound(le);
    const metricName = s.metric.get('__name__');
    if (bound === undefined) {
      ctx.annotations.warn(badBucketLabelWarning(metricName, le));
      continue;
    }
    const withoutLe = s.metric.without('le');
    const key = labelsKey(withoutLe);
    let h = byKey.get(key);
    if (h === undefined) {
      h = { metricName, labels: withoutLe.without('__name__'), series: [], bounds: [] };
      byKey.set(key, h);
      out.push(h);
    }
    h.series.push(s);
    h.bounds.push(bound);
  }
  return out;
}

/**
 * Calls `kernel` with each histogram's buckets at each step where it has any, collecting the
 * results (null: no output) into series by output labels.
 */
function perStep(
  ctx: EvalContext,
  histograms: Histogram[],
  range: StepRange,
  kernel: (h: Histogram, buckets: Bucket[], k: number) => number | null,
): Series[] {
  const b = new SeriesBuilder();
  const byStep = new Map<number, Bucket[]>();
  for (const h of histograms) {
    ctx.tick();
    byStep.clear();
    for (let i = 0; i < h.series.length; i++) {
      const s = h.series[i]!;
      for (let j = 0; j < s.ts.length; j++) {
        let buckets = byStep.get(s.ts[j]!);
        if (buckets === undefined) {
          buckets = [];
          byStep.set(s.ts[j]!, buckets);
        }
        buckets.push({ upperBound: h.bounds[i]!, count: s.vs[j]! });
      }
    }
    const times = [...byStep.keys()].sort((x, y) => x - y);
    const out = b.series(h.labels, false);
    for (const t of times) {
      const v = kernel(h, byStep.get(t)!, (t - range.start) / range.interval);
      if (v !== null) b.push(out, t, v);
    }
  }
  return b.finish();
}

/** `histogram_quantile(φ, buckets)`. */
export function histogramQuantileCall(ctx: EvalContext, call: Call, range: StepRange): Series[] {
  const [q] = scalars(ctx, call, 1, range) as [Float64Array];
  for (const v of q) if (!(v >= 0 && v <= 1)) ctx.annotations.warn(invalidQuantileWarning(v));
  const histograms = groupBuckets(ctx, call, 1, range);
  return perStep(ctx, histograms, range, (h, buckets, k) => {
    const r = histogramQuantile(q[k]!, buckets);
    if (r.forcedMonotonic) ctx.annotations.info(histogramQuantileForcedMonotonicityInfo(h.metricName));
    return r.value;
  });
}

/** `histogram_fraction(lower, upper, buckets)`. */
export function histogramFractionCall(ctx: EvalContext, call: Call, range: StepRange): Series[] {
  const [lower, upper] = scalars(ctx, call, 2, range) as [Float64Array, Float64Array];
  const histograms = groupBuckets(ctx, call, 2, range);
  return perStep(ctx, histograms, range, (_h, buckets, k) => histogramFraction(lower[k]!, upper[k]!, buckets));
}
