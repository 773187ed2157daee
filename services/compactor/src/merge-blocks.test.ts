/**
 * compactBlocks over real block directories: RF copies merged into one block holding the union
 * of their samples in chunks re-cut to 240 (checked through BlockReader, and through `promtool
 * tsdb dump` when Debian's promtool is installed — skipped with a notice otherwise, failing with
 * TESSERA_REQUIRE_EXTERNAL=1); six 2h blocks into one 12h block with their chunks untouched at
 * 120 samples per chunk; 2h blocks re-cut into 12h ones, then copied as they are into a 24h one.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Matcher } from '@tessera/model';
import { BlockReader } from '@tessera/tsdb';
import { decodeChunk } from './merge-chunks.ts';
import { compactBlocks } from './merge-blocks.ts';
import { expected, makeSeries, readAll, slice, writeLevel1, type Samples } from './test-blocks.ts';
import { promLabels } from '../../../packages/tsdb/src/block/testing/fixtures.ts';
import { PROMTOOL, dumpSamples, parseGoFloat, promtoolVersion } from '../../../packages/tsdb/src/block/testing/promtool.ts';

const H = 3_600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (24 * H));
const promtool = promtoolVersion();
const required = process.env.TESSERA_REQUIRE_EXTERNAL === '1';
if (promtool === null && !required) console.warn(`[compactor] ${PROMTOOL} not found: SKIPPING the promtool dump check of a compacted block`);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'compactor-merge-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(path: string): Promise<BlockReader> {
  return BlockReader.open(path);
}

describe('compactBlocks', () => {
  const all = makeSeries(1, 40, T0, T0 + 2 * H, 15_000);
  let merged: { path: string; series: Samples[] } | undefined;
  let day: { path: string; series: Samples[] } | undefined;

  it('merges three RF copies into one block whose samples are the union, each once, in chunks of 240', async () => {
    const src = join(dir, 'rf');
    // Three replicas of one 2h range: each missed a different tenth of the samples, and they cut
    // their chunks differently (a replica restarted mid-range cuts early).
    const copies = await Promise.all(
      [0, 1, 2].map((r) => writeLevel1(src, slice(all, T0, T0 + 2 * H, (t) => Math.floor(t / 15_000) % 10 !== r), T0, T0 + 2 * H, [120, 120, 77][r]!)),
    );
    const readers = await Promise.all(copies.map((m) => open(join(src, m.ulid))));
    const { meta, stats } = await compactBlocks(join(dir, 'out'), readers, { samplesPerChunk: 240 });
    for (const r of readers) await r.close();

    expect(meta.minTime).toBe(T0);
    expect(meta.maxTime).toBe(T0 + 2 * H);
    expect(meta.compaction.level).toBe(2);
    expect(meta.compaction.sources).toEqual(copies.map((m) => m.ulid).sort());
    expect(meta.compaction.parents?.map((p) => p.ulid).sort()).toEqual(copies.map((m) => m.ulid).sort());
    expect(meta.thanos).toEqual({ labels: {}, downsample: { resolution: 0 }, source: 'compactor' });
    expect(meta.stats.numSeries).toBe(all.length);
    expect(meta.stats.numSamples).toBe(all.reduce((n, s) => n + s.ts.length, 0));
    expect(stats.duplicateSamples).toBeGreaterThan(0);
    // 480 samples a series (2h at 15s): two chunks of 240 instead of four of 120.
    expect(meta.stats.numChunks).toBe(2 * all.length);
    expect(stats).toMatchObject({ copied: 0, reencoded: 2 * all.length });

    const reader = await open(join(dir, 'out', meta.ulid));
    expect(await readAll(reader, 240)).toEqual(expected(all));
    await reader.close();
    merged = { path: join(dir, 'out', meta.ulid), series: all };
  });

  it.skipIf(promtool === null && !required)('prints, through promtool tsdb dump, exactly the union of the samples', () => {
    expect(promtool, `${PROMTOOL} is required (TESSERA_REQUIRE_EXTERNAL=1)`).not.toBeNull();
    expect(merged).toBeDefined();
    expectPromtoolDump(join(dir, 'promtool-db'), merged!.path, merged!.series, T0, T0 + 2 * H);
  });

  it('merges six 2h blocks into one 12h block at 120 samples per chunk, copying every chunk untouched', async () => {
    const series = makeSeries(2, 20, T0, T0 + 12 * H, 30_000);
    const src = join(dir, 'h');
    const metas = [];
    for (let i = 0; i < 6; i++) metas.push(await writeLevel1(src, slice(series, T0 + i * 2 * H, T0 + (i + 1) * 2 * H), T0 + i * 2 * H, T0 + (i + 1) * 2 * H));
    const readers = await Promise.all(metas.map((m) => open(join(src, m.ulid))));
    const { meta, stats } = await compactBlocks(join(dir, 'out12'), readers, { samplesPerChunk: 120 });
    for (const r of readers) await r.close();
    expect([meta.minTime, meta.maxTime]).toEqual([T0, T0 + 12 * H]);
    expect(meta.compaction.level).toBe(2);
    expect(meta.compaction.sources).toHaveLength(6);
    expect(meta.stats.numChunks).toBe(metas.reduce((n, m) => n + m.stats.numChunks, 0));
    expect(stats).toMatchObject({ reencoded: 0, duplicateSamples: 0 });
    const reader = await open(join(dir, 'out12', meta.ulid));
    expect(await readAll(reader)).toEqual(expected(series));
    await reader.close();
  });

  it('re-cuts 2h blocks into 12h ones at 240, then copies those chunks as they are into a 24h block', async () => {
    // 7 s scrapes: 1029 or 1028 samples per 2h, so no cut of the head's lines up with 240.
    const series = makeSeries(3, 15, T0, T0 + 24 * H, 7_000);
    const src = join(dir, 'day');
    const halves = [];
    for (let half = 0; half < 2; half++) {
      const metas = [];
      for (let i = 6 * half; i < 6 * (half + 1); i++) {
        metas.push(await writeLevel1(join(src, '2h'), slice(series, T0 + i * 2 * H, T0 + (i + 1) * 2 * H), T0 + i * 2 * H, T0 + (i + 1) * 2 * H));
      }
      const readers = await Promise.all(metas.map((m) => open(join(src, '2h', m.ulid))));
      const { meta, stats } = await compactBlocks(join(src, '12h'), readers, { samplesPerChunk: 240 });
      for (const r of readers) await r.close();
      // 6171 to 6172 samples a series in 12h: 26 chunks of 237 or 238, down from 54 of up to 120.
      expect(meta.stats.numChunks).toBe(26 * series.length);
      expect(metas.reduce((n, m) => n + m.stats.numChunks, 0)).toBe(54 * series.length);
      expect(stats).toEqual({ copied: 0, reencoded: 26 * series.length, duplicateSamples: 0 });
      const reader = await open(join(src, '12h', meta.ulid));
      expect(await readAll(reader, 240)).toEqual(expected(slice(series, T0 + half * 12 * H, T0 + (half + 1) * 12 * H)));
      for await (const e of reader.selectIter([], -Infinity, Infinity)) {
        const sizes = (await reader.chunks(e.chunks.map((c) => c.ref))).map((d) => decodeChunk(d).ts.length);
        expect(Math.max(...sizes) - Math.min(...sizes), e.labels.toString()).toBeLessThanOrEqual(1);
      }
      await reader.close();
      halves.push(meta);
    }
    const readers = await Promise.all(halves.map((m) => open(join(src, '12h', m.ulid))));
    const { meta, stats } = await compactBlocks(join(src, '24h'), readers, { samplesPerChunk: 240 });
    for (const r of readers) await r.close();
    // Two halves of 26 chunks of ~237 make 52 chunks of ~237: the even split of the whole, so kept.
    expect(stats).toEqual({ copied: 52 * series.length, reencoded: 0, duplicateSamples: 0 });
    const reader = await open(join(src, '24h', meta.ulid));
    expect(await readAll(reader, 240)).toEqual(expected(series));
    day = { path: join(src, '24h', meta.ulid), series };

    // The read path of a query (what the store gateway does): the chunks overlapping a window
    // that starts and ends inside chunks, trimmed to it, hold exactly the window's samples.
    const [mint, maxt] = [T0 + 5 * H + 123_456, T0 + 7 * H + 1_234_567];
    const got = new Map<string, string[]>();
    for (const e of await reader.select([Matcher.create('=', 'job', 'node')], mint, maxt)) {
      const data = await reader.chunks(e.chunks.map((c) => c.ref));
      const keys: string[] = [];
      for (const d of data) {
        const { ts, values } = decodeChunk(d);
        const u = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
        ts.forEach((t, k) => {
          if (t >= mint && t <= maxt) keys.push(`${t}:${u[2 * k + 1]!.toString(16)}:${u[2 * k]!.toString(16)}`);
        });
      }
      got.set(e.labels.toString(), keys);
    }
    const want = expected(slice(series, mint, maxt + 1).filter((s) => s.labels.get('job') === 'node'));
    expect(want.size).toBeGreaterThan(0);
    expect(got).toEqual(want);
    await reader.close();
  });

  it.skipIf(promtool === null && !required)('prints, through promtool tsdb dump, exactly the samples of the re-cut 24h block', () => {
    expect(promtool, `${PROMTOOL} is required (TESSERA_REQUIRE_EXTERNAL=1)`).not.toBeNull();
    expect(day).toBeDefined();
    expectPromtoolDump(join(dir, 'promtool-day'), day!.path, day!.series, T0, T0 + 24 * H);
  });
});

/** Checks that `promtool tsdb dump` of the block at `path` prints exactly the samples of `series` (NaNs as NaN). */
function expectPromtoolDump(db: string, path: string, series: readonly Samples[], mint: number, maxt: number): void {
  // promtool opens a TSDB directory: give it one holding only the block, a copy (promtool may
  // write into the directory it opens).
  cpSync(path, join(db, path.split('/').pop()!), { recursive: true });
  const dumped = dumpSamples(db, mint, maxt);
  const want: [string, number, number][] = [];
  for (const s of series) s.ts.forEach((t, k) => want.push([promLabels(s.labels), t, s.values[k]!]));
  want.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  const got = dumped.map((d): [string, number, number] => [d.labels, d.t, parseGoFloat(d.value)]);
  got.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  expect(got.length).toBe(want.length);
  expect(got).toEqual(want);
}
