import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Labels } from '@tessera/model';
import { crc32c } from '../wal/crc32c.ts';
import { BlockError } from './errors.ts';
import { LocalBlockFiles } from './files.ts';
import { IndexReader } from './index-reader.ts';
import { IndexWriter } from './index-writer.ts';
import type { IndexToc } from './index-format.ts';

const dirs: string[] = [];
const opened: LocalBlockFiles[] = [];
afterEach(async () => {
  for (const f of opened.splice(0)) await f.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface TestSeries {
  labels: Labels;
  metas: number[];
}

/** Writes `series` (sorted here) as the only file `index` of a new directory. */
async function writeIndex(series: TestSeries[]): Promise<{ dir: string; toc: IndexToc; sorted: TestSeries[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'block-index-'));
  dirs.push(dir);
  const sorted = [...series].sort((a, b) => Labels.compare(a.labels, b.labels));
  const syms = new Set<string>();
  for (const s of sorted) s.labels.forEach((n, v) => (syms.add(n), syms.add(v)));
  const w = await IndexWriter.create(join(dir, 'index'), [...syms].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  for (const s of sorted) await w.addSeries(s.labels, Float64Array.from(s.metas));
  return { dir, toc: await w.close(), sorted };
}

function be32(b: Uint8Array, p: number): number {
  return new DataView(b.buffer, b.byteOffset).getUint32(p);
}

function uvarint(b: Uint8Array, p: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const x = b[p++]!;
    v += (x & 0x7f) * mul;
    if (x < 0x80) return [v, p];
    mul *= 128;
  }
}

/** 100 series: id=v000…v099, mod=i%3, one chunk each. */
function hundred(): TestSeries[] {
  return Array.from({ length: 100 }, (_, i) => ({
    labels: Labels.fromObject({ __name__: 'm', id: `v${String(i).padStart(3, '0')}`, mod: String(i % 3) }),
    metas: [1000 * i, 1000 * i + 500, 8 + 100 * i],
  }));
}

async function open(dir: string): Promise<IndexReader> {
  const files = new LocalBlockFiles(dir);
  opened.push(files);
  return IndexReader.open(files);
}

async function collect(ix: IndexReader, refs: number[]): Promise<{ ref: number; labels: string; chunks: number[][] }[]> {
  const out = [];
  for await (const s of ix.series(refs)) out.push({ ref: s.ref, labels: s.labels.toString(), chunks: s.chunks.map((c) => [c.minT, c.maxT, c.ref]) });
  return out;
}

describe('index symbol table', () => {
  it('holds every label string once, in UTF-8 byte order, with a valid CRC', async () => {
    // UTF-16 order would put U+1F600 (a surrogate pair) before U+FF61; UTF-8 order puts it after.
    const { dir, toc } = await writeIndex([
      { labels: Labels.fromObject({ __name__: 'a', x: '\u{1F600}' }), metas: [0, 1, 60] },
      { labels: Labels.fromObject({ __name__: 'a', x: '\uFF61' }), metas: [0, 1, 30] },
      { labels: Labels.fromObject({ __name__: 'B', x: 'a' }), metas: [0, 1, 8] },
    ]);
    const b = readFileSync(join(dir, 'index'));
    expect(be32(b, 0)).toBe(0xbaaad700);
    expect(b[4]).toBe(2);
    expect(toc.symbols).toBe(5);
    const len = be32(b, 5);
    const n = be32(b, 9);
    const syms: string[] = [];
    let p = 13;
    for (let i = 0; i < n; i++) {
      const [l, q] = uvarint(b, p);
      syms.push(b.subarray(q, q + l).toString('utf8'));
      p = q + l;
    }
    expect(p).toBe(9 + len);
    expect(syms).toEqual(['B', '__name__', 'a', 'x', '\uFF61', '\u{1F600}']);
    expect(be32(b, p)).toBe(crc32c(b, 9, 9 + len));
    const ix = await open(dir);
    expect(ix.labelValues('x')).toEqual(['a', '\uFF61', '\u{1F600}']);
    expect(ix.labelNames()).toEqual(['__name__', 'x']);
  });
});

describe('index series and postings', () => {
  it('aligns series to 16 bytes and resolves every label pair to exactly its series', async () => {
    const { dir, toc, sorted } = await writeIndex(hundred());
    const ix = await open(dir);
    const all = await ix.allPostings();
    expect(all).toHaveLength(100);
    for (let i = 1; i < all.length; i++) expect(all[i]!).toBeGreaterThan(all[i - 1]!);
    expect(all[0]! * 16).toBeGreaterThanOrEqual(toc.series);
    const read = await collect(ix, all);
    expect(read.map((s) => s.labels)).toEqual(sorted.map((s) => s.labels.toString()));
    expect(read.map((s) => s.chunks[0])).toEqual(sorted.map((s) => s.metas));

    // Every id value (more than 32 per name: the sampled lookup path) finds its one series.
    for (let i = 0; i < 100; i++) {
      const id = `v${String(i).padStart(3, '0')}`;
      const refs = await ix.postings('id', [id]);
      expect(refs).toHaveLength(1);
      expect((await collect(ix, refs))[0]!.labels).toContain(`id="${id}"`);
    }
    const mod1 = await collect(ix, await ix.postings('mod', ['1']));
    expect(mod1).toHaveLength(33);
    expect(mod1.every((s) => s.labels.includes('mod="1"'))).toBe(true);
    expect(await ix.postings('mod', ['0', '2'])).toHaveLength(67);
    expect(await ix.postings('id', (v) => v.endsWith('7'))).toHaveLength(10);
    for (const absent of ['', 'v', 'v0425', 'v100', 'zzz', 'a']) expect(await ix.postings('id', [absent])).toEqual([]);
    expect(await ix.postings('nope', ['x'])).toEqual([]);
    expect(ix.labelValues('id')).toEqual(sorted.map((s) => s.labels.get('id')));
  });

  it('starts the postings offset table with the all-postings entry "" = ""', async () => {
    const { dir, toc } = await writeIndex(hundred());
    const b = readFileSync(join(dir, 'index'));
    const len = be32(b, toc.postingsTable);
    expect(be32(b, toc.postingsTable + 4 + len)).toBe(crc32c(b, toc.postingsTable + 4, toc.postingsTable + 4 + len));
    const entries = be32(b, toc.postingsTable + 4);
    expect(entries).toBe(1 + 1 + 100 + 3); // all, __name__=m, 100 ids, 3 mods
    const p = toc.postingsTable + 8;
    expect([...b.subarray(p, p + 3)]).toEqual([2, 0, 0]); // 2 keys, empty name, empty value
    const [off] = uvarint(b, p + 3);
    expect(off % 4).toBe(0);
    expect(be32(b, off + 4)).toBe(100); // #refs of the all-postings list
    expect(be32(b, off)).toBe(4 + 4 * 100);
  });

  it('round-trips negative times and refs beyond 32 bits, filtering chunks by time', async () => {
    const seg3 = 3 * 2 ** 32;
    const { dir } = await writeIndex([
      { labels: Labels.fromObject({ __name__: 'neg' }), metas: [-5000, -4000, 8, -3999, 100, seg3 + 8, 200, 300, seg3 + 900] },
    ]);
    const ix = await open(dir);
    const all = await ix.allPostings();
    expect((await collect(ix, all))[0]!.chunks).toEqual([[-5000, -4000, 8], [-3999, 100, seg3 + 8], [200, 300, seg3 + 900]]);
    const s = ix.series(all, 101, 250);
    expect((await s.next()).value?.chunks).toEqual([{ minT: 200, maxT: 300, ref: seg3 + 900 }]);
    expect(await collect(ix, [])).toEqual([]);
    const none = ix.series(all, 101, 199);
    expect((await none.next()).done).toBe(true);
  });
});

describe('index reads of many and large series', () => {
  it('reads any subset of series spread over many read windows, and entries larger than a guess', async () => {
    const many: TestSeries[] = Array.from({ length: 5000 }, (_, i) => ({
      labels: Labels.fromObject({ __name__: `m${i % 7}`, id: String(i).padStart(5, '0') }),
      metas: [],
    }));
    const sorted = [...many].sort((a, b) => Labels.compare(a.labels, b.labels));
    // Series 100 gets 300 chunks (an entry of several KiB); the others one each.
    let ref = 8;
    sorted.forEach((s, i) => {
      const n = i === 100 ? 300 : 1;
      for (let k = 0; k < n; k++) s.metas.push(k * 1000, k * 1000 + 999, (ref += 40));
    });
    const { dir } = await writeIndex(sorted);
    const ix = await open(dir);
    const all = await ix.allPostings();
    expect(all).toHaveLength(5000);
    const every7 = all.filter((_, i) => i % 7 === 3 || i === 100);
    const got = await collect(ix, every7);
    const want = sorted.filter((_, i) => i % 7 === 3 || i === 100);
    expect(got.map((g) => g.labels)).toEqual(want.map((w) => w.labels.toString()));
    expect(got.map((g) => g.chunks.flat())).toEqual(want.map((w) => w.metas));
    const m3 = await ix.postings('__name__', ['m3', 'm5']);
    const count = (pred: (name: string) => boolean): number => many.filter((m) => pred(m.labels.get('__name__'))).length;
    expect(m3).toHaveLength(count((n) => n === 'm3' || n === 'm5'));
    expect(await ix.postings('__name__', (v) => v !== 'm0')).toHaveLength(count((n) => n !== 'm0'));
  });
});

describe('index writer validation', () => {
  it('rejects unsorted series, overlapping chunks and unsorted symbols', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'block-index-'));
    dirs.push(dir);
    const w = await IndexWriter.create(join(dir, 'index'), ['__name__', 'a', 'b']);
    await w.addSeries(Labels.fromObject({ __name__: 'b' }), Float64Array.of(0, 10, 8));
    const unsorted = w.addSeries(Labels.fromObject({ __name__: 'a' }), Float64Array.of(0, 10, 30));
    await expect(unsorted).rejects.toSatisfy((e) => BlockError.isBlockError(e) && e.code === 'block-invalid-input');
    await w.abort();

    const w2 = await IndexWriter.create(join(dir, 'index2'), ['__name__', 'a']);
    await expect(w2.addSeries(Labels.fromObject({ __name__: 'a' }), Float64Array.of(0, 10, 8, 10, 20, 30))).rejects.toThrow(/chunk 1/);
    await w2.abort();
    await expect(IndexWriter.create(join(dir, 'index3'), ['b', 'a'])).rejects.toThrow(/not sorted/);
  });
});

describe('index corruption', () => {
  /** Writes the 100-series index, flips one byte at `pos(toc)`, and returns the damaged dir. */
  async function damaged(pos: (toc: IndexToc, b: Buffer) => number): Promise<string> {
    const { dir, toc } = await writeIndex(hundred());
    const path = join(dir, 'index');
    const b = readFileSync(path);
    b[pos(toc, b)]! ^= 0x10;
    writeFileSync(path, b);
    return dir;
  }
  const isCorrupt = (e: unknown): boolean => BlockError.isCorruption(e) && (e as BlockError).file === 'index';

  it('detects a damaged symbol table, TOC or postings offset table on open', async () => {
    for (const pos of [
      (t: IndexToc) => t.symbols + 20,
      (_t: IndexToc, b: Buffer) => b.length - 10,
      (t: IndexToc) => t.postingsTable + 12,
    ]) {
      await expect(open(await damaged(pos))).rejects.toSatisfy(isCorrupt);
    }
  });

  it('detects a damaged series entry or postings list when it is read', async () => {
    const dir = await damaged((t) => Math.ceil(t.series / 16) * 16 + 3); // inside the first series entry
    const ix = await open(dir);
    await expect(collect(ix, await ix.allPostings())).rejects.toSatisfy(isCorrupt);

    const dir2 = await damaged((t) => Math.ceil(t.postings / 4) * 4 + 10); // a ref of the all-postings list
    const ix2 = await open(dir2);
    await expect(ix2.allPostings()).rejects.toSatisfy(isCorrupt);
  });

  it('rejects a file that is not an index', async () => {
    const dir = await damaged(() => 0);
    await expect(open(dir)).rejects.toSatisfy(isCorrupt);
  });
});
