/**
 * compactBlocks over real block directories: RF copies merged into one block holding the union
 * of their samples (checked through BlockReader, and through `promtool tsdb dump` when Debian's
 * promtool is installed — skipped with a notice otherwise, failing with
 * TESSERA_REQUIRE_EXTERNAL=1), and six 2h blocks into one 12h block with their chunks untouched.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockReader } from '@tessera/tsdb';
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

  it('merges three RF copies into one block whose samples are the union, each once', async () => {
    const src = join(dir, 'rf');
    // Three replicas of one 2h range: each missed a different tenth of the samples, and they cut
    // their chunks differently (a replica restarted mid-range cuts early).
    const copies = await Promise.all(
      [0, 1, 2].map((r) => writeLevel1(src, slice(all, T0, T0 + 2 * H, (t) => Math.floor(t / 15_000) % 10 !== r), T0, T0 + 2 * H, [120, 120, 77][r]!)),
    );
    const readers = await Promise.all(copies.map((m) => open(join(src, m.ulid))));
    const { meta, stats } = await compactBlocks(join(dir, 'out'), readers);
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

    const reader = await open(join(dir, 'out', meta.ulid));
    expect(await readAll(reader)).toEqual(expected(all));
    await reader.close();
    merged = { path: join(dir, 'out', meta.ulid), series: all };
  });

  it.skipIf(promtool === null && !required)('prints, through promtool tsdb dump, exactly the union of the samples', () => {
    expect(promtool, `${PROMTOOL} is required (TESSERA_REQUIRE_EXTERNAL=1)`).not.toBeNull();
    expect(merged).toBeDefined();
    // promtool opens a TSDB directory: give it one holding only the compacted block.
    const db = join(dir, 'promtool-db');
    const { path, series } = merged!;
    // A copy, not the original: promtool may write into the directory it opens.
    cpSync(path, join(db, path.split('/').pop()!), { recursive: true });
    const dumped = dumpSamples(db, T0, T0 + 2 * H);
    const want: [string, number, number][] = [];
    for (const s of series) s.ts.forEach((t, k) => want.push([promLabels(s.labels), t, s.values[k]!]));
    want.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    const got = dumped.map((d): [string, number, number] => [d.labels, d.t, parseGoFloat(d.value)]);
    got.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    expect(got.length).toBe(want.length);
    expect(got).toEqual(want);
  });

  it('merges six 2h blocks into one 12h block, copying every chunk untouched', async () => {
    const series = makeSeries(2, 20, T0, T0 + 12 * H, 30_000);
    const src = join(dir, 'h');
    const metas = [];
    for (let i = 0; i < 6; i++) metas.push(await writeLevel1(src, slice(series, T0 + i * 2 * H, T0 + (i + 1) * 2 * H), T0 + i * 2 * H, T0 + (i + 1) * 2 * H));
    const readers = await Promise.all(metas.map((m) => open(join(src, m.ulid))));
    const { meta, stats } = await compactBlocks(join(dir, 'out12'), readers);
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
});
