import { Labels } from '@tessera/model';
import { describe, expect, it } from 'vitest';
import { STALE_NAN_HI, STALE_NAN_LO, type Value } from '../value.ts';
import { Engine } from './engine.ts';
import { PromQLError } from './errors.ts';
import { MemoryQueryable, type MemorySeries } from './memory-queryable.ts';

const MIN = 60_000;

/** A series from [t, v] points; v 'stale' is a staleness marker (written bit by bit: JS arrays may not keep NaN payloads). */
function series(labels: Record<string, string>, points: [number, number | 'stale'][]): MemorySeries {
  const vs = new Float64Array(points.length);
  const words = new Uint32Array(vs.buffer);
  points.forEach(([, v], i) => {
    if (v === 'stale') {
      words[2 * i] = STALE_NAN_LO;
      words[2 * i + 1] = STALE_NAN_HI;
    } else vs[i] = v;
  });
  return { labels: Labels.fromObject(labels), ts: points.map((p) => p[0]), vs };
}

/** Samples every `step` ms from 0 to `end` with value f(t). */
function regular(labels: Record<string, string>, end: number, step: number, f: (t: number) => number): MemorySeries {
  const points: [number, number][] = [];
  for (let t = 0; t <= end; t += step) points.push([t, f(t)]);
  return series(labels, points);
}

function vectorOf(v: Value): [string, number][] {
  if (v.type !== 'vector') throw new Error(`expected a vector, got ${v.type}`);
  return v.v.map((s) => [s.metric.toString(), s.v]);
}

function matrixOf(v: Value): [string, number[], number[]][] {
  if (v.type !== 'matrix') throw new Error(`expected a matrix, got ${v.type}`);
  return v.v.map((s) => [s.metric.toString(), s.ts, s.vs]);
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

describe('Engine result shapes', () => {
  const q = new MemoryQueryable([regular({ __name__: 'up', job: 'a' }, 10 * MIN, MIN, (t) => t / MIN)]);
  const engine = new Engine();

  it('returns the expression type of an instant query', () => {
    expect(engine.instantQuery(q, '1 + 2', 5 * MIN).value).toEqual({ type: 'scalar', t: 5 * MIN, v: 3 });
    expect(engine.instantQuery(q, '"hello"', 5 * MIN).value).toEqual({ type: 'string', t: 5 * MIN, v: 'hello' });
    expect(vectorOf(engine.instantQuery(q, 'up', 5 * MIN).value)).toEqual([['up{job="a"}', 5]]);
    expect(matrixOf(engine.instantQuery(q, 'up[2m]', 5 * MIN).value)).toEqual([['up{job="a"}', [4 * MIN, 5 * MIN], [4, 5]]]);
  });

  it('returns a matrix for a range query, a scalar becoming one unlabelled series', () => {
    expect(matrixOf(engine.rangeQuery(q, 'up * 2', 0, 2 * MIN, MIN).value)).toEqual([['{job="a"}', [0, MIN, 2 * MIN], [0, 2, 4]]]);
    expect(matrixOf(engine.rangeQuery(q, 'time()', 0, 2 * MIN, MIN).value)).toEqual([['{}', [0, MIN, 2 * MIN], [0, 60, 120]]]);
  });

  it('rejects a range query of a range vector as bad data', () => {
    const e = errorOf(() => engine.rangeQuery(q, 'up[5m]', 0, MIN, MIN));
    expect(e.kind).toBe('bad_data');
    expect(e.message).toBe('invalid expression type "range vector" for range query, must be Scalar or instant Vector');
  });

  it('reports parse errors as bad data with the position', () => {
    const e = errorOf(() => engine.instantQuery(q, 'sum(up', 0));
    expect(e.kind).toBe('bad_data');
    expect(e.code).toBe('parse-error');
    expect(e.message).toMatch(/^1:\d+: parse error: /);
  });

  it('sorts instant vectors by labels unless the query orders them', () => {
    const q2 = new MemoryQueryable([
      series({ __name__: 'x', i: 'a' }, [[0, 3]]),
      series({ __name__: 'x', i: 'b' }, [[0, 1]]),
      series({ __name__: 'x', i: 'c' }, [[0, 2]]),
    ]);
    expect(vectorOf(engine.instantQuery(q2, 'x * 1', 0).value).map((s) => s[1])).toEqual([3, 1, 2]);
    expect(vectorOf(engine.instantQuery(q2, 'sort(x)', 0).value).map((s) => s[1])).toEqual([1, 2, 3]);
    expect(vectorOf(engine.instantQuery(q2, '(topk(2, x))', 0).value).map((s) => s[1])).toEqual([3, 2]);
  });
});

describe('Engine selectors', () => {
  it('uses a left-open lookback window and ends a series at a staleness marker', () => {
    const q = new MemoryQueryable([series({ __name__: 'm' }, [[0, 1], [MIN, 2], [2 * MIN, 'stale']])]);
    const engine = new Engine({ lookbackDeltaMs: MIN });
    expect(matrixOf(engine.rangeQuery(q, 'm', 0, 3 * MIN, 30_000).value)).toEqual([
      ['m', [0, 30_000, MIN, 90_000], [1, 1, 2, 2]],
    ]);
  });

  it('passes the query shape to storage as hints', () => {
    const q = new MemoryQueryable([regular({ __name__: 'c_total' }, 20 * MIN, MIN, (t) => t)]);
    new Engine().rangeQuery(q, 'rate(c_total[5m] offset 1m)', 10 * MIN, 20 * MIN, MIN);
    expect(q.selects).toEqual([{ start: 4 * MIN + 1, end: 19 * MIN, step: MIN, range: 5 * MIN, func: 'rate' }]);
  });

  it('resolves @ start() and @ end() to the range query bounds', () => {
    const q = new MemoryQueryable([regular({ __name__: 'm' }, 10 * MIN, MIN, (t) => t / MIN)]);
    const r = new Engine().rangeQuery(q, 'm @ start() + m @ end()', 2 * MIN, 4 * MIN, MIN);
    expect(matrixOf(r.value)).toEqual([['{}', [2 * MIN, 3 * MIN, 4 * MIN], [6, 6, 6]]]);
  });

  it('aligns subquery steps to absolute multiples of the step, whatever the query start', () => {
    const q = new MemoryQueryable([regular({ __name__: 'm' }, 10 * MIN, 10_000, (t) => t / 1000)]);
    const engine = new Engine();
    // Inner steps at 120s, 150s, 180s whether evaluated at 180s or from 170s on.
    const a = engine.instantQuery(q, 'sum_over_time(m[75s:30s])', 180_000);
    expect(vectorOf(a.value)).toEqual([['{}', 120 + 150 + 180]]);
    const b = engine.rangeQuery(q, 'count_over_time(m[75s:30s])', 170_000, 180_000, 10_000);
    expect(matrixOf(b.value)).toEqual([['{}', [170_000, 180_000], [2, 3]]]);
  });
});

describe('Engine limits', () => {
  const q = new MemoryQueryable([
    regular({ __name__: 'm', i: '1' }, 10 * MIN, MIN, () => 1),
    regular({ __name__: 'm', i: '2' }, 10 * MIN, MIN, () => 2),
  ]);

  it('fails a query that would hold more samples than max-samples', () => {
    const engine = new Engine({ maxSamples: 10 });
    const e = errorOf(() => engine.rangeQuery(q, 'm', 0, 10 * MIN, MIN)); // 2 × 11 points
    expect(e.kind).toBe('execution');
    expect(e.code).toBe('too-many-samples');
    expect(e.message).toBe('query processing would load too many samples into memory in query execution');
  });

  it('runs a query within the limit and reports its sample statistics', () => {
    const r = new Engine({ maxSamples: 22 }).rangeQuery(q, 'm', 0, 10 * MIN, MIN);
    expect(r.stats).toEqual({ totalSamples: 22, peakSamples: 22 });
  });

  it('counts the raw samples a range function reads against the limit', () => {
    const dense = new MemoryQueryable([regular({ __name__: 'd' }, 60 * MIN, 1000, () => 1)]);
    expect(errorOf(() => new Engine({ maxSamples: 1000 }).instantQuery(dense, 'count_over_time(d[30m])', 60 * MIN)).code).toBe(
      'too-many-samples',
    );
    expect(vectorOf(new Engine({ maxSamples: 2000 }).instantQuery(dense, 'count_over_time(d[30m])', 60 * MIN).value)).toEqual([
      ['{}', 1800],
    ]);
  });

  it('refuses a subquery with more inner steps than max-samples before allocating them', () => {
    // 1y at 1ms is 3.15e10 inner steps: per-step arrays of that length cannot even be allocated.
    for (const expr of ['count_over_time(vector(1)[1y:1ms])', 'sum_over_time(sum(m)[1y:1ms])', 'max_over_time(vector(time())[1y:1ms])']) {
      expect(errorOf(() => new Engine().instantQuery(q, expr, 10 * MIN)).code).toBe('too-many-samples');
    }
    // At the limit it runs: 11 inner steps (0..10m at 1m) against max-samples 11.
    expect(vectorOf(new Engine({ maxSamples: 11 }).instantQuery(q, 'count_over_time(vector(1)[10m30s:1m])', 10 * MIN).value)).toEqual([
      ['{}', 11],
    ]);
  });

  it('times out a query that runs too long', () => {
    const slow = new MemoryQueryable(q.series);
    slow.onSelect = () => {
      const until = Date.now() + 30;
      while (Date.now() < until) {
        // storage that takes its time
      }
    };
    const e = errorOf(() => new Engine({ timeoutMs: 5 }).instantQuery(slow, 'm', 0));
    expect(e.kind).toBe('timeout');
    expect(e.message).toBe('query timed out in query execution');
  });

  it('stops a canceled query', () => {
    const ac = new AbortController();
    ac.abort();
    expect(errorOf(() => new Engine().instantQuery(q, 'm', 0, { signal: ac.signal })).kind).toBe('canceled');
    const during = new MemoryQueryable(q.series);
    const ac2 = new AbortController();
    during.onSelect = () => ac2.abort();
    const e = errorOf(() => new Engine().instantQuery(during, 'sum(m)', 0, { signal: ac2.signal }));
    expect(e.kind).toBe('canceled');
    expect(e.message).toBe('query was canceled in query execution');
  });
});
