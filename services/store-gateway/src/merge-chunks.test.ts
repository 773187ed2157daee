import { XorAppender, XorIterator } from '@tessera/chunkenc';
import type { ChunkData } from '@tessera/ingester';
import { describe, expect, it } from 'vitest';
import { mergeChunkLists } from './merge-chunks.ts';

/** The stale marker's bits (hi, lo); `STALE` in sample lists stands for it. */
const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;
const STALE = Symbol('stale');
type V = number | typeof STALE;

/** Chunks of at most `per` samples from `[t, v]` pairs. */
function chunks(samples: readonly (readonly [number, V])[], per = 120): ChunkData[] {
  const out: ChunkData[] = [];
  for (let i = 0; i < samples.length; i += per) {
    const part = samples.slice(i, i + per);
    const app = new XorAppender();
    const vals = new Float64Array(part.length);
    const bits = new Uint32Array(vals.buffer);
    part.forEach((s, k) => {
      if (s[1] === STALE) bits.set([STALE_LO, STALE_HI], 2 * k);
      else vals[k] = s[1];
    });
    part.forEach((s, k) => app.appendFrom(s[0], vals, k));
    out.push({ minT: part[0]![0], maxT: part.at(-1)![0], data: app.bytes().slice() });
  }
  return out;
}

function decode(list: readonly ChunkData[]): [number, V][] {
  const out: [number, V][] = [];
  const it = new XorIterator();
  const one = new Float64Array(1);
  const bits = new Uint32Array(one.buffer);
  for (const c of list) {
    it.reset(c.data);
    while (it.next()) {
      it.valueInto(one, 0);
      out.push([it.t, bits[1] === STALE_HI && bits[0] === STALE_LO ? STALE : one[0]!]);
    }
  }
  return out;
}

const range = (from: number, to: number, v = (t: number) => t * 2): [number, number][] => {
  const out: [number, number][] = [];
  for (let t = from; t < to; t += 10) out.push([t, v(t)]);
  return out;
};

describe('mergeChunkLists', () => {
  it('concatenates the chunks of consecutive blocks untouched', () => {
    const a = chunks(range(0, 1000));
    const b = chunks(range(1000, 2000));
    const merged = mergeChunkLists([b, a]);
    expect(merged).toEqual([...a, ...b]);
  });

  it('keeps one of identical copies (replicas) without re-encoding', () => {
    const a = chunks(range(0, 3000));
    const b = chunks(range(0, 3000));
    const merged = mergeChunkLists([a, b]);
    expect(merged.length).toBe(a.length);
    merged.forEach((c, i) => expect(c.data).toBe(a[i]!.data));
  });

  it('merges overlapping copies cut differently into each timestamp once, ordered, ≤120 per chunk', () => {
    const all = range(0, 5000);
    const a = chunks(all.filter((_, i) => i % 7 !== 3), 120); // replica A missed some samples
    const b = chunks(all.filter((_, i) => i % 5 !== 1), 50); // replica B others
    const merged = mergeChunkLists([a, b]);
    expect(decode(merged)).toEqual(all.filter((_, i) => i % 7 !== 3 || i % 5 !== 1));
    for (let i = 1; i < merged.length; i++) expect(merged[i]!.minT).toBeGreaterThan(merged[i - 1]!.maxT);
    for (const c of merged) expect(decode([c]).length).toBeLessThanOrEqual(120);
  });

  it('prefers the earlier list on a value conflict and keeps NaN payload bits', () => {
    const a = chunks([[10, 1], [20, STALE], [30, 3]]);
    const b = chunks([[15, 9], [20, 99], [30, 77]]);
    expect(decode(mergeChunkLists([a, b]))).toEqual([[10, 1], [15, 9], [20, STALE], [30, 3]]);
    expect(decode(mergeChunkLists([b, a]))).toEqual([[10, 1], [15, 9], [20, 99], [30, 77]]);
  });

  it('handles empty lists', () => {
    expect(mergeChunkLists([])).toEqual([]);
    expect(mergeChunkLists([[], []])).toEqual([]);
  });
});
