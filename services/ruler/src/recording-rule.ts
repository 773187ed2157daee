/**
 * A recording rule: the expression's vector at the evaluation time, renamed to the rule's
 * `record` and with the rule's labels set (an empty value removes the label), written back as
 * new samples at that time.
 */
import type { OutSample, RuleSpec, VectorSample } from './eval-types.ts';
import { labelsKey } from './labels-util.ts';
import { ruleEvalError } from './rule-error.ts';

/** Computes the samples a recording rule writes for one evaluation; throws on duplicates/limit. */
export function recordingSamples(spec: RuleSpec, tsMs: number, vector: readonly VectorSample[], limit: number): OutSample[] {
  if (spec.record === undefined) throw new Error('not a recording rule');
  const out: OutSample[] = [];
  const seen = new Set<string>();
  for (const s of vector) {
    const labels: Record<string, string> = { ...s.labels, __name__: spec.record };
    for (const [k, v] of Object.entries(spec.labels)) {
      if (v === '') delete labels[k];
      else labels[k] = v;
    }
    const key = labelsKey(labels);
    if (seen.has(key)) {
      throw ruleEvalError('duplicate-series-labelset', 'vector contains metrics with the same labelset after applying rule labels');
    }
    seen.add(key);
    out.push({ labels, value: s.value, timestampMs: tsMs });
  }
  if (limit > 0 && out.length > limit) {
    throw ruleEvalError('series-limit-exceeded', `exceeded limit of ${limit} with ${out.length} series`);
  }
  return out;
}
