import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { XorAppender, xorChunkNumSamples } from '@tessera/chunkenc';
import { Labels, Matcher, type MatchType } from '@tessera/model';
import { Head } from '../head-db.ts';
import { newAppendResult } from '../append-batch.ts';
import { BlockReader } from './block-reader.ts';
import { writeBlock } from './block-writer.ts';
import { BlockError } from './errors.ts';
import { blockFromHead } from './head-block.ts';
import { expectedSamples, randomSeries, readSamples, toBlockSeries } from './testing/fixtures.ts';

const dirs: string[] = [];
const readers: BlockReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) await r.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'block-'));
  dirs.push(d);
  return d;
}
async function open(path: string): Promise<BlockReader> {
  const r = await BlockReader.open(path);
  readers.push(r);
  return r;
}

const START = 1_700_000_000_000;
const quiet = { info() {}, warn() {} };

describe('writeBlock → BlockReader', () => {
  it('reads back every sample bit for bit, across several chunk segments', async () => {
    const input = randomSeries(7, 60, START, 500, 15_000);
    const dir = tmp();
    const meta = await writeBlock(dir, toBlockSeries(input), { maxSegmentBytes: 16 * 1024 });
    expect(readdirSync(dir)).toEqual([meta.ulid]); // renamed into place, no temp dir left
    const block = join(dir, meta.ulid);
    expect(readdirSync(join(block, 'chunks')).length).toBeGreaterThan(3);
    expect(readdirSync(block).sort()).toEqual(['chunks', 'index', 'meta.json', 'tombstones']);

    const r = await open(block);
    expect(r.meta).toEqual(meta);
    const lastT = Math.max(...input.map((s) => s.ts[s.ts.length - 1]!));
    expect(meta.minTime).toBe(Math.min(...input.map((s) => s.ts[0]!)));
    expect(meta.maxTime).toBe(lastT + 1);
    expect(meta.stats).toEqual({ numSamples: 60 * 500, numSeries: 60, numChunks: 60 * Math.ceil(500 / 120) });
    expect(meta.compaction).toEqual({ level: 1, sources: [meta.ulid] });
    expect(await readSamples(r)).toEqual(expectedSamples(input));

    // A time range selects the chunks overlapping it; samples inside are all there.
    const mint = START + 2 * 3600_000;
    const maxt = START + 3 * 3600_000;
    expect(await readSamples(r, mint, maxt)).toEqual(expectedSamples(input, mint, maxt));
    expect(await r.select([], lastT + 1, lastT + 100)).toEqual([]);
  });

  it('reads chunks in batches exactly as one by one, large chunks included', async () => {
    // 400 samples a chunk of noisy gauges: chunks of several KiB, past the reader's first guess.
    const input = randomSeries(13, 30, START, 1200, 15_000);
    const dir = tmp();
    const meta = await writeBlock(dir, toBlockSeries(input, 400), { maxSegmentBytes: 64 * 1024 });
    const r = await open(join(dir, meta.ulid));
    const refs = (await r.select([], -Infinity, Infinity)).flatMap((s) => s.chunks.map((c) => c.ref));
    expect(refs.length).toBe(90);
    const shuffled = refs.map((_, i) => refs[(i * 37) % refs.length]!); // 37 and 90 are coprime: a permutation
    const one = await Promise.all(shuffled.map((ref) => r.chunk(ref)));
    expect(Math.max(...one.map((c) => c.length))).toBeGreaterThan(2048);
    const many = await r.chunks(shuffled);
    expect(many.map((c) => Buffer.from(c).toString('hex'))).toEqual(one.map((c) => Buffer.from(c).toString('hex')));
    expect(many.map((c) => xorChunkNumSamples(c))).toEqual(shuffled.map(() => 400));
  });

  it('selects series by matchers as PromQL does', async () => {
    const input = randomSeries(11, 80, START, 10, 15_000);
    const dir = tmp();
    const meta = await writeBlock(dir, toBlockSeries(input));
    const r = await open(join(dir, meta.ulid));
    const cases: [MatchType, string, string][][] = [
      [['=', '__name__', 'metric_1']],
      [['=', '__name__', 'metric_1'], ['=', 'job', 'api']],
      [['=~', 'instance', 'host-1.*']],
      [['=~', '__name__', 'metric_(0|3)'], ['!=', 'job', 'node']],
      [['=', '__name__', 'metric_2'], ['=', 'extra', '']], // series without the label
      [['=', '__name__', 'metric_2'], ['!=', 'extra', '']],
      [['=~', '__name__', '.+'], ['!~', 'extra', '.*e.*']],
      [['=', 'job', 'none']],
      [['=~', 'extra', '.*\\\\.*|日本']],
    ];
    for (const c of cases) {
      const ms = c.map(([t, n, v]) => Matcher.create(t, n, v));
      const want = input.filter((s) => ms.every((m) => m.matches(s.labels.get(m.name)))).map((s) => s.labels.toString());
      const got = (await r.select(ms, -Infinity, Infinity)).map((s) => s.labels.toString());
      expect(got, ms.join(',')).toEqual(want);
    }
    expect(await r.labelNames()).toEqual([...new Set(input.flatMap((s) => s.labels.names()))].sort());
    expect(await r.labelValues('job')).toEqual([...new Set(input.map((s) => s.labels.get('job')))].sort());
    const api = [Matcher.create('=', 'job', 'api')];
    const apiNames = [...new Set(input.filter((s) => s.labels.get('job') === 'api').map((s) => s.labels.get('__name__')))].sort();
    expect(await r.labelValues('__name__', api)).toEqual(apiNames);
  });

  it('refuses unsorted series or overlapping chunks and leaves nothing behind', async () => {
    const series = toBlockSeries(randomSeries(3, 5, START, 10, 15_000));
    const dir = tmp();
    const isInvalid = (e: unknown): boolean => BlockError.isBlockError(e) && e.code === 'block-invalid-input';
    await expect(writeBlock(dir, [...series].reverse())).rejects.toSatisfy(isInvalid);
    const c = series[0]!.chunks[0]!;
    await expect(writeBlock(dir, [{ labels: series[0]!.labels, chunks: [c, c] }])).rejects.toSatisfy(isInvalid);
    await expect(writeBlock(dir, series, { minTime: START, maxTime: START + 60_000 })).rejects.toSatisfy(isInvalid);
    await expect(writeBlock(dir, [])).rejects.toSatisfy(isInvalid);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a flipped chunk byte as corruption', async () => {
    const input = randomSeries(5, 3, START, 50, 15_000);
    const dir = tmp();
    const meta = await writeBlock(dir, toBlockSeries(input));
    const block = join(dir, meta.ulid);
    const seg = join(block, 'chunks', '000001');
    const b = readFileSync(seg);
    b[20]! ^= 0x01; // inside the first chunk's data
    writeFileSync(seg, b);
    const r = await open(block);
    const [s, s2] = await r.select([], -Infinity, Infinity);
    const err = await r.chunk(s!.chunks[0]!.ref).catch((e: unknown) => e);
    expect(BlockError.isCorruption(err)).toBe(true);
    expect((err as BlockError).file).toBe('chunks/000001');
    // The other chunks still read; a ref past the segment's end is corruption too.
    expect(xorChunkNumSamples(await r.chunk(s2!.chunks[0]!.ref))).toBe(50);
    await expect(r.chunk(s!.chunks[0]!.ref + 100_000_000)).rejects.toSatisfy(BlockError.isCorruption);
    await expect(r.chunks([s2!.chunks[0]!.ref, s!.chunks[0]!.ref])).rejects.toSatisfy(BlockError.isCorruption);
  });

  it('rejects a damaged meta.json', async () => {
    const dir = tmp();
    const meta = await writeBlock(dir, toBlockSeries(randomSeries(5, 1, START, 5, 15_000)));
    writeFileSync(join(dir, meta.ulid, 'meta.json'), JSON.stringify({ ...meta, version: 2 }));
    await expect(BlockReader.open(join(dir, meta.ulid))).rejects.toSatisfy(BlockError.isCorruption);
  });
});

describe('blockFromHead', () => {
  it('cuts exactly the samples of [mint, maxt), re-encoding chunks that cross the bounds', async () => {
    // A long block range, so that appending one series after another is never "too old".
    const head = Head.open({ walDir: join(tmp(), 'wal'), logger: quiet, blockRangeMs: 24 * 3600_000 });
    try {
      const input = randomSeries(21, 20, START, 1000, 15_000);
      const res = newAppendResult();
      for (const s of input) head.appendSamples(s.labels, s.ts, s.values, res);
      expect(res.samplesAppended).toBe(20 * 1000);
      // Unaligned bounds: chunks cross both.
      const mint = START + 37 * 60_000 + 7;
      const maxt = START + 3 * 3600_000 + 11 * 60_000;
      const series = blockFromHead(head, mint, maxt);
      for (const s of series) for (const c of s.chunks) expect(c.minT >= mint && c.maxT < maxt).toBe(true);
      // Some head chunk did cross mint: a series' first chunk was cut short.
      expect(series.some((s) => s.chunks.length > 1 && xorChunkNumSamples(s.chunks[0]!.data) < 120)).toBe(true);

      const dir = tmp();
      const meta = await writeBlock(dir, series, { minTime: mint, maxTime: maxt });
      expect([meta.minTime, meta.maxTime]).toEqual([mint, maxt]);
      const r = await open(join(dir, meta.ulid));
      expect(await readSamples(r)).toEqual(expectedSamples(input, mint, maxt - 1));

      // The cut is a snapshot: appending to the head afterwards does not change it.
      const before = series.map((s) => s.chunks.map((c) => Buffer.from(c.data).toString('hex')));
      const later = input.map((s) => s.ts[s.ts.length - 1]! + 15_000);
      input.forEach((s, i) => head.appendSamples(s.labels, [later[i]!], Float64Array.of(1), res));
      expect(series.map((s) => s.chunks.map((c) => Buffer.from(c.data).toString('hex')))).toEqual(before);
    } finally {
      head.close();
    }
  });

  it('keeps chunks inside the range as they are and includes the open chunk', async () => {
    const head = Head.open({ walDir: join(tmp(), 'wal'), logger: quiet, blockRangeMs: 3600_000 });
    try {
      const labels = Labels.fromObject({ __name__: 'up', job: 'x' });
      const ts = Array.from({ length: 130 }, (_, i) => START + i * 1000);
      const vs = Float64Array.from(ts, (_, i) => i);
      head.appendSamples(labels, ts, vs, newAppendResult());
      const [s] = blockFromHead(head, START - 3600_000, START + 3600_000);
      const whole = new XorAppender();
      for (let i = 0; i < 120; i++) whole.appendFrom(ts[i]!, vs, i);
      expect(Buffer.from(s!.chunks[0]!.data)).toEqual(Buffer.from(whole.bytes()));
      expect(s!.chunks.map((c) => [c.minT, c.maxT])).toEqual([[ts[0], ts[119]], [ts[120], ts[129]]]);
      expect(blockFromHead(head, START + 200_000, START + 300_000)).toEqual([]);
    } finally {
      head.close();
    }
  });
});
