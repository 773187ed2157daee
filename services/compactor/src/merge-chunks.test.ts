import { describe, expect, it } from 'vitest';
import { decodeChunk, mergeSeriesChunks, newMergeStats, type SourceChunk } from './merge-chunks.ts';
import { STALE_HI, STALE_LO, bitsChunk as chunk, bitsOf as num } from './test-blocks.ts';

/** Every sample of merged chunks as [t, hi, lo]. */
function samplesOf(chunks: readonly { data: Uint8Array }[]): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const c of chunks) {
    const { ts, values } = decodeChunk(c.data);
    const u = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    ts.forEach((t, k) => out.push([t, u[2 * k + 1]!, u[2 * k]!]));
  }
  return out;
}

describe('mergeSeriesChunks', () => {
  it('copies chunks that overlap nothing without touching their bytes', () => {
    const a = chunk(0, [num(0, 1), num(10, 2)]);
    const b = chunk(1, [num(20, 3), num(30, 4)]);
    const stats = newMergeStats();
    const out = mergeSeriesChunks([b, a], stats);
    expect(out.map((c) => c.data)).toEqual([a.data, b.data]);
    expect(out[0]!.data).toBe(a.data);
    expect(stats).toEqual({ copied: 2, reencoded: 0, duplicateSamples: 0 });
  });

  it('keeps one of byte-identical replica chunks as it is', () => {
    const s = [num(0, 1), num(10, 2), num(20, 3)];
    const copies = [chunk(2, s), chunk(0, s), chunk(1, s)];
    const stats = newMergeStats();
    const out = mergeSeriesChunks(copies, stats);
    expect(out).toHaveLength(1);
    expect(out[0]!.data).toEqual(copies[0]!.data);
    expect(stats.copied).toBe(1);
  });

  it('merges overlapping chunks into the union, each timestamp once, NaN payloads bit for bit', () => {
    const stale: [number, number, number] = [20, STALE_HI, STALE_LO];
    const oddNaN: [number, number, number] = [40, 0x7ff80000, 0xbad];
    const negZero: [number, number, number] = [50, 0x80000000, 0];
    // Replica 1 missed t=30; replica 2 missed t=0 and cut its chunk elsewhere.
    const a = chunk(0, [num(0, 1), num(10, 2), stale, oddNaN, negZero]);
    const b = chunk(1, [num(10, 2), stale, num(30, 4), oddNaN]);
    const stats = newMergeStats();
    const out = mergeSeriesChunks([a, b], stats);
    expect(samplesOf(out)).toEqual([num(0, 1), num(10, 2), stale, num(30, 4), oddNaN, negZero]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ minT: 0, maxT: 50 });
    expect(stats).toMatchObject({ reencoded: 1, duplicateSamples: 3 });
  });

  it('keeps the value of the lowest source on a conflict, whatever the input order', () => {
    const low = chunk(0, [num(0, 1), num(10, 111)]);
    const high = chunk(1, [num(10, 222), num(20, 3)]);
    for (const input of [[low, high], [high, low]]) {
      expect(samplesOf(mergeSeriesChunks(input))).toEqual([num(0, 1), num(10, 111), num(20, 3)]);
    }
  });

  it('cuts re-encoded chunks at 120 samples', () => {
    const many = Array.from({ length: 300 }, (_, k) => num(k * 10, k));
    const a = chunk(0, many.filter((_, k) => k % 2 === 0));
    const b = chunk(1, many.filter((_, k) => k % 2 === 1));
    const out = mergeSeriesChunks([a, b]);
    expect(out.map((c) => decodeChunk(c.data).ts.length)).toEqual([120, 120, 60]);
    expect(samplesOf(out)).toEqual(many);
    expect(out.map((c) => [c.minT, c.maxT])).toEqual([
      [0, 1190],
      [1200, 2390],
      [2400, 2990],
    ]);
  });

  it('merges transitively overlapping groups and copies the chunks between them', () => {
    const a = chunk(0, [num(0, 1), num(20, 1)]);
    const b = chunk(1, [num(10, 2), num(30, 2)]);
    const c = chunk(2, [num(25, 3), num(40, 3)]);
    const d = chunk(0, [num(100, 4), num(110, 4)]);
    const out = mergeSeriesChunks([d, c, b, a]);
    expect(out.map((x) => [x.minT, x.maxT])).toEqual([
      [0, 40],
      [100, 110],
    ]);
    expect(out[1]!.data).toBe(d.data);
    expect(samplesOf(out).map(([t]) => t)).toEqual([0, 10, 20, 25, 30, 40, 100, 110]);
  });

  it('fills chunks across consecutive re-encoded groups instead of leaving partial ones', () => {
    const all = Array.from({ length: 20 }, (_, k) => num(k * 10, k));
    // Two copies cut at the same place (after 10 samples), each missing a different sample.
    const a1 = chunk(0, all.slice(0, 10).filter((_, k) => k !== 3));
    const a2 = chunk(0, all.slice(10).filter((_, k) => k !== 4));
    const b1 = chunk(1, all.slice(0, 10).filter((_, k) => k !== 5));
    const b2 = chunk(1, all.slice(10).filter((_, k) => k !== 6));
    const stats = newMergeStats();
    const out = mergeSeriesChunks([a1, a2, b1, b2], stats);
    expect(out).toHaveLength(1);
    expect(samplesOf(out)).toEqual(all);
    expect(stats).toMatchObject({ reencoded: 1, copied: 0 });
  });

  it('refuses to merge overlapping chunks of another encoding', () => {
    const a = { ...chunk(0, [num(0, 1), num(10, 2)]), encoding: 2 };
    const b = chunk(1, [num(5, 1)]);
    expect(() => mergeSeriesChunks([a, b])).toThrow(/encoding 2/);
  });
});
