import { Labels } from '@tessera/model';
import { describe, expect, it } from 'vitest';
import type { Value } from '../value.ts';
import { Engine } from './engine.ts';
import { PromQLError } from './errors.ts';
import { MemoryQueryable, type MemorySeries } from './memory-queryable.ts';

const MIN = 60_000;

function series(labels: Record<string, string>, f: (m: number) => number): MemorySeries {
  const minutes = [0, 1, 2, 3, 4];
  return { labels: Labels.fromObject(labels), ts: minutes.map((m) => m * MIN), vs: Float64Array.from(minutes, f) };
}

function byLabels(v: Value): Record<string, number[]> {
  if (v.type === 'vector') return Object.fromEntries(v.v.map((s) => [s.metric.toString(), [s.v]]));
  if (v.type === 'matrix') return Object.fromEntries(v.v.map((s) => [s.metric.toString(), s.vs]));
  throw new Error(`no series in a ${v.type}`);
}

const q = new MemoryQueryable([
  series({ __name__: 'x', g: 'a', i: '1' }, (m) => m),
  series({ __name__: 'x', g: 'a', i: '2' }, (m) => 4 - m),
  series({ __name__: 'x', g: 'b', i: '3' }, () => 2),
  series({ __name__: 'k' }, (m) => m),
]);
const engine = new Engine({ enableExperimentalFunctions: true, lookbackDeltaMs: MIN });

describe('aggregations over a range', () => {
  it('recomputes topk at every step, with k read per step', () => {
    const r = engine.rangeQuery(q, 'topk by (g) (scalar(k), x)', 0, 4 * MIN, MIN);
    // k = 0 at the first step (nothing), then 1, 2, 3, 4 per group.
    expect(byLabels(r.value)).toEqual({
      'x{g="a", i="1"}': [2, 3, 4],
      'x{g="a", i="2"}': [3, 2, 1, 0],
      'x{g="b", i="3"}': [2, 2, 2, 2],
    });
  });

  it('fails for a k that is not a number', () => {
    const e = (() => {
      try {
        engine.instantQuery(q, 'topk(NaN, x)', 0);
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(PromQLError.is(e) && e.kind === 'execution' && e.message).toBe('Scalar value NaN overflows int64');
  });

  it('counts values across groups whose labels coincide once the value label is set', () => {
    expect(byLabels(engine.instantQuery(q, 'count_values without (i) ("g", x)', 2 * MIN).value)).toEqual({ '{g="2"}': [3] });
  });

  it('limitk keeps the first k series of each group; limit_ratio splits series disjointly', () => {
    expect(Object.keys(byLabels(engine.instantQuery(q, 'limitk by (g) (1, x)', 0).value))).toEqual([
      'x{g="a", i="1"}',
      'x{g="b", i="3"}',
    ]);
    const some = Object.keys(byLabels(engine.instantQuery(q, 'limit_ratio(0.5, x)', 0).value));
    const rest = Object.keys(byLabels(engine.instantQuery(q, 'limit_ratio(-0.5, x)', 0).value));
    expect([...some, ...rest].sort()).toEqual(['x{g="a", i="1"}', 'x{g="a", i="2"}', 'x{g="b", i="3"}']);
  });

  it('aggregates every step of a range at once', () => {
    const r = engine.rangeQuery(q, 'sum by (g) (x) + 0 * count by (g) (x)', 0, 4 * MIN, MIN);
    expect(byLabels(r.value)).toEqual({ '{g="a"}': [4, 4, 4, 4, 4], '{g="b"}': [2, 2, 2, 2, 2] });
    const avg = engine.rangeQuery(q, 'avg(x)', 0, 4 * MIN, 2 * MIN);
    expect(byLabels(avg.value)).toEqual({ '{}': [2, 2, 2] });
  });
});
