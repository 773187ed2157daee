import { Labels } from '@tessera/model';
import { describe, expect, it } from 'vitest';
import type { Value } from '../value.ts';
import { Engine } from './engine.ts';
import { PromQLError } from './errors.ts';
import { MemoryQueryable, type MemorySeries } from './memory-queryable.ts';

const MIN = 60_000;

/** A series with value `v` at 0, 1m, …, 10m, or only at the given minutes. */
function series(labels: Record<string, string>, v: number, minutes?: number[]): MemorySeries {
  const ts = (minutes ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).map((m) => m * MIN);
  return { labels: Labels.fromObject(labels), ts, vs: Float64Array.from(ts, () => v) };
}

function errorOf(f: () => unknown): PromQLError {
  try {
    f();
  } catch (e) {
    if (PromQLError.is(e)) return e;
    throw e;
  }
  throw new Error('expected a PromQLError');
}

function labelsOf(v: Value): string[] {
  if (v.type === 'vector') return v.v.map((s) => s.metric.toString());
  if (v.type === 'matrix') return v.v.map((s) => s.metric.toString());
  throw new Error(`no series in a ${v.type}`);
}

const engine = new Engine({ lookbackDeltaMs: MIN });

describe('vector matching errors', () => {
  const q = new MemoryQueryable([
    series({ __name__: 'cpu', instance: 'a', mode: 'idle' }, 3),
    series({ __name__: 'cpu', instance: 'a', mode: 'user' }, 1),
    series({ __name__: 'role', instance: 'a', role: 'db' }, 1),
    series({ __name__: 'role', instance: 'a', role: 'web' }, 1, [0, 1, 2]),
  ]);

  it('requires group_left when several lhs series match one rhs series', () => {
    const e = errorOf(() => engine.instantQuery(q, 'cpu * on(instance) role{role="db"}', 0));
    expect(e.kind).toBe('execution');
    expect(e.message).toBe('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
    expect(labelsOf(engine.instantQuery(q, 'cpu * on(instance) group_left(role) role{role="db"}', 0).value)).toEqual([
      '{instance="a", mode="idle", role="db"}',
      '{instance="a", mode="user", role="db"}',
    ]);
  });

  it('names the duplicate series on the "one" side', () => {
    const e = errorOf(() => engine.instantQuery(q, 'cpu * on(instance) group_left(role) role', 0));
    expect(e.message).toBe(
      'found duplicate series for the match group {instance="a"} on the right hand-side of the operation: ' +
        '[{__name__="role", instance="a", role="web"}, {__name__="role", instance="a", role="db"}]' +
        ';many-to-many matching not allowed: matching labels must be unique on one side',
    );
    const swapped = errorOf(() => engine.instantQuery(q, 'role * on(instance) group_right(role) cpu', 0));
    expect(swapped.message).toContain('on the left hand-side of the operation');
  });

  it('checks matches per step, so series that never overlap in time do not conflict', () => {
    // role{role="web"} only exists until 2m (+1m lookback): the conflict is confined to those steps.
    expect(errorOf(() => engine.rangeQuery(q, 'cpu * on(instance) group_left role', 0, 10 * MIN, MIN)).code).toBe(
      'many-to-many-matching',
    );
    const later = engine.rangeQuery(q, 'cpu * on(instance) group_left role', 4 * MIN, 10 * MIN, MIN);
    expect(labelsOf(later.value)).toEqual(['{instance="a", mode="idle"}', '{instance="a", mode="user"}']);
  });

  it('rejects a many-to-one result with two samples of one label set', () => {
    // group_left(mode) copies mode from the rhs, which has none: both cpu series become {instance="a"}.
    const e = errorOf(() => engine.instantQuery(q, 'cpu * on(instance) group_left(mode) role{role="db"}', 0));
    expect(e.message).toBe('multiple matches for labels: grouping labels must ensure unique matches');
  });

  it('matches nothing and raises nothing when one side is empty', () => {
    expect(labelsOf(engine.instantQuery(q, 'cpu * on(instance) group_left role{role="none"}', 0).value)).toEqual([]);
  });
});

describe('metric names (delayed removal)', () => {
  const q = new MemoryQueryable([
    series({ __name__: 'a_total', env: 'x' }, 1),
    series({ __name__: 'b_total', env: 'x' }, 2),
    series({ __name__: 'b_total', env: 'y' }, 2, [8, 9, 10]),
  ]);

  it('keeps names for filters and set operators, drops them for arithmetic and bool', () => {
    expect(labelsOf(engine.instantQuery(q, 'a_total > 0', 0).value)).toEqual(['a_total{env="x"}']);
    expect(labelsOf(engine.instantQuery(q, 'a_total > bool 0', 0).value)).toEqual(['{env="x"}']);
    expect(labelsOf(engine.instantQuery(q, 'a_total + 1', 0).value)).toEqual(['{env="x"}']);
    expect(labelsOf(engine.instantQuery(q, '-a_total', 0).value)).toEqual(['{env="x"}']);
    expect(labelsOf(engine.instantQuery(q, 'a_total < b_total', 0).value)).toEqual(['a_total{env="x"}']);
    expect(labelsOf(engine.instantQuery(q, 'a_total and b_total', 0).value)).toEqual(['a_total{env="x"}']);
  });

  it('lets by (__name__) see a name that is still to be dropped', () => {
    expect(labelsOf(engine.instantQuery(q, 'sum by (__name__) (a_total)', 0).value)).toEqual(['a_total']);
    expect(errorOf(() => engine.instantQuery(q, 'sum by (__name__) (rate({env="x"}[5m]))', 10 * MIN)).message).toBe(
      'vector cannot contain metrics with the same labelset',
    );
    expect(labelsOf(engine.instantQuery(q, 'sum by (env) (rate({env="x"}[5m]))', 10 * MIN).value)).toEqual(['{env="x"}']);
  });

  it('keeps a pending name removal through a filtering comparison', () => {
    expect(labelsOf(engine.instantQuery(q, 'rate(a_total[5m]) >= 0', 10 * MIN).value)).toEqual(['{env="x"}']);
    expect(labelsOf(engine.instantQuery(q, 'rate(a_total[5m]) >= on(env) rate(a_total[5m])', 10 * MIN).value)).toEqual([
      '{env="x"}',
    ]);
  });

  it('fails when dropping names makes two series equal, also at different steps of a range query', () => {
    expect(errorOf(() => engine.instantQuery(q, 'abs({env="x"})', 0)).code).toBe('duplicate-labelset');
    expect(labelsOf(engine.rangeQuery(q, 'abs({env="y"})', 0, 10 * MIN, MIN).value)).toEqual(['{env="y"}']);
  });

  it('keeps the name that label_replace writes to __name__', () => {
    const r = engine.instantQuery(q, 'label_replace(rate(a_total[5m]), "__name__", "rate_$1", "__name__", "(.+)")', 10 * MIN);
    expect(labelsOf(r.value)).toEqual(['rate_a_total{env="x"}']);
  });
});

describe('set operators', () => {
  const q = new MemoryQueryable([
    series({ __name__: 'a', k: '1' }, 1, [0, 2, 4]),
    series({ __name__: 'a', k: '2' }, 2),
    series({ __name__: 'b', k: '1' }, 10, [2, 3]),
    series({ __name__: 'b', k: '3' }, 30, [0]),
  ]);
  const eng = new Engine({ lookbackDeltaMs: 30_000 });

  function points(v: Value): Record<string, [number, number][]> {
    if (v.type !== 'matrix') throw new Error('matrix expected');
    return Object.fromEntries(v.v.map((s) => [s.metric.toString(), s.ts.map((t, i) => [t / MIN, s.vs[i]!] as [number, number])]));
  }

  it('decides per step and signature', () => {
    expect(points(eng.rangeQuery(q, 'a and on(k) b', 0, 4 * MIN, MIN).value)).toEqual({ 'a{k="1"}': [[2, 1]] });
    expect(points(eng.rangeQuery(q, 'a unless on(k) b', 0, 4 * MIN, MIN).value)).toEqual({
      'a{k="1"}': [[0, 1], [4, 1]],
      'a{k="2"}': [[0, 2], [1, 2], [2, 2], [3, 2], [4, 2]],
    });
    expect(points(eng.rangeQuery(q, 'a or on(k) b', 0, 4 * MIN, MIN).value)).toEqual({
      'a{k="1"}': [[0, 1], [2, 1], [4, 1]],
      'a{k="2"}': [[0, 2], [1, 2], [2, 2], [3, 2], [4, 2]],
      'b{k="1"}': [[3, 10]],
      'b{k="3"}': [[0, 30]],
    });
  });

  it('merges the two sides of `or` into one series where the label sets are equal', () => {
    expect(points(eng.rangeQuery(q, 'a{k="1"} or a', 0, 4 * MIN, MIN).value)).toEqual({
      'a{k="1"}': [[0, 1], [2, 1], [4, 1]],
      'a{k="2"}': [[0, 2], [1, 2], [2, 2], [3, 2], [4, 2]],
    });
    expect(points(eng.rangeQuery(q, '(a{k="1"} > 1) or a', 0, 4 * MIN, MIN).value)['a{k="1"}']).toEqual([[0, 1], [2, 1], [4, 1]]);
  });
});
