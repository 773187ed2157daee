import { XorAppender } from '@tessera/chunkenc';
import { describe, expect, it } from 'vitest';
import { ChunkListIterator } from './chunk-list-iterator.ts';
import { isStaleNaN, STALE_NAN_HI, STALE_NAN_LO } from './value.ts';

/** Encodes samples into XOR chunks of at most `perChunk` samples each. */
function chunks(ts: number[], vs: Float64Array, perChunk: number): { data: Uint8Array[]; minTs: number[]; maxTs: number[] } {
  const data: Uint8Array[] = [];
  const minTs: number[] = [];
  const maxTs: number[] = [];
  for (let i = 0; i < ts.length; i += perChunk) {
    const app = new XorAppender();
    const end = Math.min(ts.length, i + perChunk);
    for (let j = i; j < end; j++) app.append(ts[j]!, vs[j]!);
    data.push(app.bytes());
    minTs.push(ts[i]!);
    maxTs.push(ts[end - 1]!);
  }
  return { data, minTs, maxTs };
}

describe('ChunkListIterator.readAll', () => {
  // 500 samples every 15 s in chunks of 120, with staleness markers and a NaN.
  const ts: number[] = [];
  const vs = new Float64Array(500);
  const words = new Uint32Array(vs.buffer);
  for (let i = 0; i < 500; i++) {
    ts.push(1_000_000 + i * 15_000);
    if (i % 97 === 13) {
      words[2 * i] = STALE_NAN_LO;
      words[2 * i + 1] = STALE_NAN_HI;
    } else vs[i] = i === 250 ? NaN : i * 1.5 + (i % 3);
  }
  const c = chunks(ts, vs, 120);

  it.each([
    [0, Infinity],
    [1_000_000, 1_000_000 + 499 * 15_000],
    [1_000_001, 1_000_000 + 200 * 15_000 - 1],
    [1_000_000 + 130 * 15_000, 1_000_000 + 130 * 15_000],
    [1_000_000 + 500 * 15_000, Infinity],
    [0, 999_999],
  ])('reads what next() yields in [%d, %d], staleness markers left out', (mint, maxt) => {
    const expected: [number, number][] = [];
    const it = new ChunkListIterator(c.data, c.minTs, c.maxTs, mint, maxt);
    while (it.next()) if (!isStaleNaN(it.v)) expected.push([it.t, it.v]);
    const bulk = new ChunkListIterator(c.data, c.minTs, c.maxTs, mint, maxt);
    const cap = bulk.readCapacity();
    const outT = new Float64Array(cap);
    const outV = new Float64Array(cap);
    const n = bulk.readAll(outT, outV);
    expect(bulk.err).toBeNull();
    const got: [number, number][] = [];
    for (let i = 0; i < n; i++) got.push([outT[i]!, outV[i]!]);
    expect(got).toEqual(expected);
    expect(bulk.next()).toBe(false);
  });

  it('stops at a corrupt chunk with err set, keeping the samples before it', () => {
    const broken = [c.data[0]!, c.data[1]!.subarray(0, 20), c.data[2]!];
    const it = new ChunkListIterator(broken, c.minTs.slice(0, 3), c.maxTs.slice(0, 3), 0, Infinity);
    const out = new Float64Array(it.readCapacity());
    const n = it.readAll(out, new Float64Array(out.length));
    expect(it.err).not.toBeNull();
    expect(n).toBeGreaterThanOrEqual(119);
    expect(n).toBeLessThan(240);
  });
});
