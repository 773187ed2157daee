import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bodyChunks, fixedSizePieces } from './body.ts';

async function pieces(chunks: number[], size: number): Promise<number[][]> {
  let v = 0;
  const src = chunks.map((n) => Uint8Array.from({ length: n }, () => v++ & 0xff));
  const out: number[][] = [];
  for await (const p of fixedSizePieces(Readable.from(src), size)) out.push([...p]);
  return out;
}

describe('fixedSizePieces', () => {
  it('cuts pieces of exactly the size across chunk boundaries, the last one shorter', async () => {
    const got = await pieces([3, 5, 1, 4], 4);
    expect(got.map((p) => p.length)).toEqual([4, 4, 4, 1]);
    expect(got.flat()).toEqual(Array.from({ length: 13 }, (_, i) => i));
  });

  it('splits one large chunk into several pieces', async () => {
    expect((await pieces([10], 3)).map((p) => p.length)).toEqual([3, 3, 3, 1]);
  });

  it('yields no empty tail after an exact multiple, and one empty piece for an empty body', async () => {
    expect((await pieces([4, 4], 4)).map((p) => p.length)).toEqual([4, 4]);
    expect(await pieces([], 4)).toEqual([[]]);
  });
});

describe('bodyChunks', () => {
  it('encodes string chunks and refuses non-bytes', async () => {
    const out: Uint8Array[] = [];
    for await (const c of bodyChunks(Readable.from(['hé']))) out.push(c);
    expect(Buffer.concat(out).toString('utf8')).toBe('hé');
    const bad = bodyChunks(Readable.from([{ x: 1 }]));
    await expect(bad.next()).rejects.toThrow(TypeError);
  });
});
