import { describe, expect, it } from 'vitest';
import { XorAppender } from '@tessera/chunkenc';
import { isStaleNaN, type SampleIterator } from '@tessera/promql';
import { ChunkListIterator, MergeIterator, overlapsRange, seriesIterator, type SourceChunks } from './chunk-iterators.ts';

const STALE = (() => {
  const f = new Float64Array(1);
  new Uint32Array(f.buffer).set([0x00000002, 0x7ff00000]);
  return f;
})();

type V = number | 'stale';

/** Encodes samples into XOR chunks of at most `perChunk` samples. */
function source(samples: [number, V][], perChunk = 4): SourceChunks {
  const chunks: Uint8Array[] = [];
  const minTs: number[] = [];
  const maxTs: number[] = [];
  for (let i = 0; i < samples.length; i += perChunk) {
    const part = samples.slice(i, i + perChunk);
    const app = new XorAppender();
    for (const [t, v] of part) {
      if (v === 'stale') app.appendFrom(t, STALE, 0);
      else app.append(t, v);
    }
    chunks.push(app.bytes().slice());
    minTs.push(part[0]![0]);
    maxTs.push(part[part.length - 1]![0]);
  }
  return { chunks, minTs, maxTs };
}

function drain(it: SampleIterator): [number, V][] {
  const out: [number, V][] = [];
  while (it.next()) out.push([it.t, isStaleNaN(it.v) ? 'stale' : it.v]);
  expect(it.err).toBeNull();
  return out;
}

const samples = (ts: number[], f: (t: number) => V = (t) => t / 10): [number, V][] => ts.map((t) => [t, f(t)]);
const steps = (from: number, to: number, step: number): number[] => {
  const out: number[] = [];
  for (let t = from; t <= to; t += step) out.push(t);
  return out;
};

describe('ChunkListIterator', () => {
  const src = source(samples(steps(0, 190, 10)), 5); // chunks [0-40] [50-90] [100-140] [150-190]

  it('yields only the samples inside [mint, maxt], across chunk boundaries', () => {
    const it = new ChunkListIterator(src.chunks, src.minTs, src.maxTs, 35, 155);
    expect(drain(it).map(([t]) => t)).toEqual(steps(40, 150, 10));
  });

  it('seeks forward only, skipping whole chunks, and stays put when already there', () => {
    const it = new ChunkListIterator(src.chunks, src.minTs, src.maxTs, 0, 1000);
    expect(it.seek(95)).toBe(true);
    expect(it.t).toBe(100);
    expect(it.seek(20)).toBe(true); // never backwards
    expect(it.t).toBe(100);
    expect(it.next()).toBe(true);
    expect(it.t).toBe(110);
    expect(it.seek(151)).toBe(true);
    expect([it.t, it.v]).toEqual([160, 16]);
    expect(it.seek(191)).toBe(false);
    expect(it.next()).toBe(false);
  });

  it('does not seek past maxt', () => {
    const it = new ChunkListIterator(src.chunks, src.minTs, src.maxTs, 0, 120);
    expect(it.seek(125)).toBe(false);
  });

  it('reports a corrupt chunk through err', () => {
    const bad = src.chunks[1]!.slice(0, 4);
    const it = new ChunkListIterator([src.chunks[0]!, bad], [0, 50], [40, 90], 0, 1000);
    let n = 0;
    while (it.next()) n++;
    expect(n).toBeGreaterThanOrEqual(5);
    expect(it.err).not.toBeNull();
  });
});

describe('MergeIterator', () => {
  it('merges replicas in time order and yields shared timestamps once', () => {
    const a = source(samples([0, 10, 20, 40, 50, 70]));
    const b = source(samples([10, 20, 30, 50, 60, 80, 90]));
    const c = source(samples([5, 95]));
    const it = seriesIterator([a, b, c], 0, 1000);
    expect(drain(it).map(([t]) => t)).toEqual([0, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95]);
  });

  it('takes the value of the first replica holding a timestamp', () => {
    const a = source([[10, 1], [20, 2]]);
    const b = source([[10, 100], [15, 150], [20, 200]]);
    expect(drain(new MergeIterator([new ChunkListIterator(a.chunks, a.minTs, a.maxTs, 0, 99), new ChunkListIterator(b.chunks, b.minTs, b.maxTs, 0, 99)]))).toEqual([
      [10, 1],
      [15, 150],
      [20, 2],
    ]);
  });

  it('passes staleness markers through bit-exactly', () => {
    const a = source([[10, 1], [20, 'stale'], [30, 3]]);
    const b = source([[20, 'stale'], [25, 'stale'], [30, 3]]);
    expect(drain(seriesIterator([a, b], 0, 99))).toEqual([
      [10, 1],
      [20, 'stale'],
      [25, 'stale'],
      [30, 3],
    ]);
  });

  it('seeks every replica and trims to the range', () => {
    const a = source(samples(steps(0, 100, 10)));
    const b = source(samples(steps(5, 105, 10)));
    const it = seriesIterator([a, b], 20, 60);
    expect(it.seek(33)).toBe(true);
    expect(it.t).toBe(35);
    expect(it.seek(0)).toBe(true);
    expect(it.t).toBe(35);
    expect(drain(it).map(([t]) => t)).toEqual([40, 45, 50, 55, 60]);
    const fresh = seriesIterator([a, b], 20, 60);
    expect(fresh.seek(61)).toBe(false);
    expect(fresh.next()).toBe(false);
  });

  it('stops with the error of a failing replica', () => {
    const a = source(samples(steps(0, 30, 10)));
    const broken: SourceChunks = { chunks: [new Uint8Array([0, 9, 1])], minTs: [0], maxTs: [90] };
    const it = seriesIterator([a, broken], 0, 100);
    while (it.next());
    expect(it.err).not.toBeNull();
  });
});

describe('overlapsRange', () => {
  it('is true when any replica has a chunk overlapping the range', () => {
    const a = source(samples([0, 10, 20, 30]), 2); // [0,10] [20,30]
    const b = source(samples([100, 110]));
    expect(overlapsRange([a], 11, 19)).toBe(false);
    expect(overlapsRange([a], 10, 19)).toBe(true);
    expect(overlapsRange([a, b], 40, 100)).toBe(true);
    expect(overlapsRange([a, b], 40, 99)).toBe(false);
  });
});
