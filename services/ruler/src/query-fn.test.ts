import { describe, expect, it } from 'vitest';
import { limitsFromConfig, limitOptions } from '@tessera/limits';
import type { QueryRequest } from '@tessera/querier';
import { runnerQueryFn } from './query-fn.ts';

const limits = limitsFromConfig(limitOptions.defaults());

function fn(body: unknown, seen: QueryRequest[] = []) {
  return runnerQueryFn({
    runner: { run: async (req) => (seen.push(req), { body: JSON.stringify(body), seriesFetched: 0, samplesProcessed: 0 }) },
    limits: () => limits,
    lookbackDeltaMs: 0,
  });
}

describe('runnerQueryFn', () => {
  it('reads vectors (special values included) and runs instant queries with the tenant limits', async () => {
    const seen: QueryRequest[] = [];
    const q = fn({ status: 'success', data: { resultType: 'vector', result: [{ metric: { a: '1' }, value: [1, '+Inf'] }, { metric: {}, value: [1, 'NaN'] }, { metric: { h: 'x' }, histogram: [1, {}] }] } }, seen);
    const v = await q.instant('t', 'up', 5000);
    expect(v[0]).toEqual({ labels: { a: '1' }, value: Infinity });
    expect(Number.isNaN(v[1]!.value)).toBe(true);
    expect(v).toHaveLength(2);
    expect(seen[0]).toMatchObject({ tenant: 't', expr: 'up', kind: 'instant', startMs: 5000, endMs: 5000, timeoutMs: limits.queryTimeout });
  });

  it('turns a scalar into one sample without labels and refuses other result types', async () => {
    expect(await fn({ status: 'success', data: { resultType: 'scalar', result: [1, '2.5'] } }).instant('t', '2.5', 0)).toEqual([{ labels: {}, value: 2.5 }]);
    await expect(fn({ status: 'success', data: { resultType: 'string', result: [1, 'x'] } }).instant('t', '"x"', 0)).rejects.toThrow('rule result is not a vector or scalar');
  });

  it('passes a lookback override', async () => {
    const seen: QueryRequest[] = [];
    const q = fn({ status: 'success', data: { resultType: 'vector', result: [] } }, seen);
    await q.instant('t', 'x', 0, { lookbackDeltaMs: 3_600_000 });
    await q.instant('t', 'x', 0);
    expect(seen.map((r) => r.lookbackDeltaMs)).toEqual([3_600_000, 0]);
  });
});
