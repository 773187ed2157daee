import { describe, expect, it } from 'vitest';
import { decodeChunk, mergeSeriesChunks, newMergeStats, UnmergeableChunkError, type SourceChunk } from './merge-chunks.ts';
import { SeriesChunkMerger } from './recut-chunks.ts';
import { STALE_HI, STALE_LO, bitsChunk as chunk, bitsOf as num, type SampleBits } from './test-blocks.ts';

/** A sample as [t, hi, lo] (value bits). */
type S = SampleBits;

/** `n` samples every 15 s from `t0`: values k, with a stale marker every 17th, an odd NaN every 23rd, -0 every 29th. */
function series(n: number, t0 = 0): S[] {
  return Array.from({ length: n }, (_, k): S => {
    const t = t0 + k * 15_000;
    if (k % 17 === 5) return [t, STALE_HI, STALE_LO];
    if (k % 23 === 7) return [t, 0x7ff80000, 0xbad];
    if (k % 29 === 11) return [t, 0x80000000, 0];
    return num(t, k);
  });
}

/** `samples` cut into chunks of `per`, as the head cuts them. */
function cut(source: number, samples: readonly S[], per = 120): SourceChunk[] {
  const out: SourceChunk[] = [];
  for (let k = 0; k < samples.length; k += per) out.push(chunk(source, samples.slice(k, k + per)));
  return out;
}

/** Every sample of `chunks` as [t, hi, lo], checking each chunk's meta range against its samples. */
function samplesOf(chunks: readonly { minT: number; maxT: number; data: Uint8Array; encoding?: number }[]): S[] {
  const out: S[] = [];
  for (const c of chunks) {
    const { ts, values } = decodeChunk(c.data);
    expect([c.minT, c.maxT]).toEqual([ts[0], ts.at(-1)]);
    const u = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    ts.forEach((t, k) => out.push([t, u[2 * k + 1]!, u[2 * k]!]));
  }
  return out;
}

const counts = (chunks: readonly { data: Uint8Array }[]): number[] => chunks.map((c) => decodeChunk(c.data).ts.length);

describe('SeriesChunkMerger', () => {
  it('re-cuts head chunks of 120 into even chunks of up to N, every sample once, bit for bit', () => {
    const all = series(1000);
    const stats = newMergeStats();
    const out = new SeriesChunkMerger(240).merge(cut(0, all).reverse(), stats);
    // 1000 samples: ceil(1000 / 240) = 5 chunks of 200, not 4 × 240 + 40.
    expect(counts(out)).toEqual([200, 200, 200, 200, 200]);
    expect(samplesOf(out)).toEqual(all);
    expect(stats).toEqual({ copied: 0, reencoded: 5, duplicateSamples: 0 });
  });

  it.each([
    [1, 240, [1]],
    [240, 240, [240]],
    [241, 240, [120, 121]],
    [5760, 240, Array<number>(24).fill(240)],
    [1001, 1000, [500, 501]],
    [700, 300, [233, 233, 234]],
  ])('splits %i samples at N=%i into chunks of %j', (n, per, want) => {
    const all = series(n);
    const out = new SeriesChunkMerger(per).merge(cut(0, all, 77));
    expect(counts(out)).toEqual(want);
    expect(samplesOf(out)).toEqual(all);
  });

  it('copies, untouched, chunks already cut evenly to N (a block it wrote)', () => {
    const first = new SeriesChunkMerger(240).merge(cut(0, series(700)));
    expect(counts(first)).toEqual([233, 233, 234]);
    const stats = newMergeStats();
    const again = new SeriesChunkMerger(240).merge(first.map((c) => ({ ...c, source: 0 })), stats);
    expect(again.map((c) => c.data)).toEqual(first.map((c) => c.data));
    expect(again[0]!.data).toBe(first[0]!.data);
    expect(stats).toEqual({ copied: 3, reencoded: 0, duplicateSamples: 0 });
  });

  it('copies an even split whatever the order of its sizes, and re-cuts an uneven one', () => {
    const all = series(700);
    const even = [chunk(0, all.slice(0, 234)), chunk(0, all.slice(234, 467)), chunk(0, all.slice(467))];
    const stats = newMergeStats();
    expect(new SeriesChunkMerger(240).merge(even, stats).map((c) => c.data)).toEqual(even.map((c) => c.data));
    expect(stats.reencoded).toBe(0);
    // Three chunks of at most 240, but 240 + 240 + 220 is not near-equal: re-cut.
    const uneven = cut(0, all, 240);
    const out = new SeriesChunkMerger(240).merge(uneven);
    expect(counts(out)).toEqual([233, 233, 234]);
    expect(samplesOf(out)).toEqual(all);
  });

  it('at N=120 copies non-overlapping chunks as mergeSeriesChunks does, tail chunk and all', () => {
    const chunks = cut(0, series(300));
    const stats = newMergeStats();
    const out = new SeriesChunkMerger(120).merge(chunks, stats);
    expect(out.map((c) => c.data)).toEqual(chunks.map((c) => c.data));
    expect(out[2]!.data).toBe(chunks[2]!.data);
    expect(stats).toEqual({ copied: 3, reencoded: 0, duplicateSamples: 0 });
    expect(out).toEqual(mergeSeriesChunks(chunks));
  });

  it('merges overlapping replicas and re-cuts the union across groups, lowest source winning a conflict', () => {
    const all = series(600);
    // Replica 0 missed every 5th sample and cut at 120; replica 1 missed every 7th and cut at 77;
    // replica 2 has a conflicting value at t=0 (the lower source, 0, wins).
    const r0 = cut(0, all.filter((_, k) => k % 5 !== 0 || k === 0));
    const r1 = cut(1, all.filter((_, k) => k % 7 !== 3 || k % 5 === 0), 77);
    const r2 = [chunk(2, [num(0, 12345), all[1]!])];
    const stats = newMergeStats();
    const out = new SeriesChunkMerger(240).merge([...r2, ...r1, ...r0], stats);
    expect(samplesOf(out)).toEqual(all);
    expect(counts(out)).toEqual([200, 200, 200]);
    const kept = r0.concat(r1, r2).reduce((n, c) => n + decodeChunk(c.data).ts.length, 0);
    expect(stats.duplicateSamples).toBe(kept - all.length);
    expect(stats.reencoded).toBe(3);
  });

  it('keeps the samples of each copy when byte-identical copies of a range are merged', () => {
    const all = series(360);
    const stats = newMergeStats();
    const out = new SeriesChunkMerger(240).merge([...cut(0, all), ...cut(1, all), ...cut(2, all)], stats);
    expect(samplesOf(out)).toEqual(all);
    expect(counts(out)).toEqual([180, 180]);
    expect(stats.duplicateSamples).toBe(0);
  });

  it('copies a histogram chunk as it is and re-cuts the float runs on each side of it separately', () => {
    const before = series(130);
    const after = series(130, 10_000_000);
    const hist: SourceChunk = { minT: 5_000_000, maxT: 6_000_000, data: new Uint8Array([0, 1, 2, 3]), encoding: 2, source: 0 };
    const out = new SeriesChunkMerger(240).merge([...cut(0, before), hist, ...cut(0, after)]);
    expect(out.map((c) => c.encoding ?? 1)).toEqual([1, 2, 1]);
    expect(out[1]!.data).toBe(hist.data);
    expect(samplesOf([out[0]!])).toEqual(before);
    expect(samplesOf([out[2]!])).toEqual(after);
  });

  it('refuses overlapping chunks of another encoding, naming the source', () => {
    const a = chunk(0, [num(0, 1), num(10, 2)], 2);
    const b = chunk(1, [num(5, 1)]);
    expect(() => new SeriesChunkMerger(240).merge([a, b])).toThrow(/encoding 2/);
  });

  it('refuses a corrupt chunk, naming its source', () => {
    const good = cut(0, series(200));
    const bad = chunk(1, series(50, 10_000_000));
    const truncated = { ...bad, data: bad.data.subarray(0, 20) };
    const err = errorOf(() => new SeriesChunkMerger(240).merge([...good, truncated]));
    expect(err).toBeInstanceOf(UnmergeableChunkError);
    expect((err as UnmergeableChunkError).source).toBe(1);
    expect(err.message).toMatch(/corrupt chunk/);
  });

  it('refuses a chunk whose samples lie outside its meta range (the grouping relies on it)', () => {
    const a = { ...chunk(0, series(10)), maxT: 1000 };
    const b = chunk(1, series(10, 5000));
    const err = errorOf(() => new SeriesChunkMerger(240).merge([a, b]));
    expect(err).toBeInstanceOf(UnmergeableChunkError);
    expect(err.message).toMatch(/outside the chunk's range/);
  });

  it('reuses its buffers across series of different sizes', () => {
    const m = new SeriesChunkMerger(240);
    for (const n of [5000, 3, 2000, 241]) {
      const all = series(n, n);
      expect(samplesOf(m.merge(cut(0, all)))).toEqual(all);
    }
  });

  it('rejects a chunk size a chunk header cannot hold', () => {
    expect(() => new SeriesChunkMerger(0)).toThrow(RangeError);
    expect(() => new SeriesChunkMerger(65536)).toThrow(RangeError);
    expect(() => new SeriesChunkMerger(240.5)).toThrow(RangeError);
  });
});

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
