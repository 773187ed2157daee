import { Labels } from '@tessera/model';
import { describe, expect, it } from 'vitest';
import { ingesterWithin, storeAfter, type QueryReader } from './time-split.ts';

const H = 3_600_000;
const NOW = 100 * H;

function recorder(): QueryReader & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    queryChunks: (_t, _m, mint, maxt) => (calls.push(`chunks ${mint}-${maxt}`), [{ labels: Labels.fromObject({ a: '1' }), chunks: [] }]),
    series: (_t, _s, mint, maxt) => (calls.push(`series ${mint}-${maxt}`), [Labels.fromObject({ a: '1' })]),
    labelNames: () => (calls.push('names'), ['a']),
    labelValues: () => (calls.push('values'), ['1']),
  };
}

describe('querier time split', () => {
  it('asks ingesters only for queries ending within query-ingesters-within', () => {
    const r = recorder();
    const g = ingesterWithin(r, 13 * H, () => NOW);
    expect(g.queryChunks('t', [], NOW - 20 * H, NOW - 14 * H)).toEqual([]);
    expect(g.series('t', [], NOW - 20 * H, NOW - 14 * H)).toEqual([]);
    expect(g.labelNames('t', [], 0, NOW - 13 * H - 1)).toEqual([]);
    expect(g.labelValues('t', 'a', [], 0, NOW - 13 * H - 1)).toEqual([]);
    expect(r.calls).toEqual([]);
    expect(g.queryChunks('t', [], NOW - 20 * H, NOW - 13 * H)).toHaveLength(1);
    expect(g.labelValues('t', 'a', [], NOW - 20 * H, NOW)).toEqual(['1']);
    expect(r.calls).toEqual([`chunks ${NOW - 20 * H}-${NOW - 13 * H}`, 'values']);
    expect(ingesterWithin(r, 0)).toBe(r);
  });

  it('asks the store only for queries starting before query-store-after; 0 = always', () => {
    const r = recorder();
    expect(storeAfter(r, 0)).toBe(r);
    const g = storeAfter(r, 12 * H, () => NOW);
    expect(g.series('t', [], NOW - H, NOW)).toEqual([]);
    expect(g.series('t', [], NOW - 12 * H, NOW)).toHaveLength(1);
    expect(r.calls).toEqual([`series ${NOW - 12 * H}-${NOW}`]);
  });
});
