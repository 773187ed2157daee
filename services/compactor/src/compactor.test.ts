/**
 * The Compactor against a FilesystemBucket: RF copies of six 2h ranges end as one 12h block with
 * every sample once; an interrupted compaction is finished by marking its inputs; retention marks
 * blocks and deletes them only after the deletion delay.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadBlock, listBlocks, listBlockUlids, uploadBlock } from '@tessera/blockstore';
import { FilesystemBucket, type Bucket } from '@tessera/objstore';
import { createLogger } from '@tessera/server';
import { BlockReader } from '@tessera/tsdb';
import { Compactor } from './compactor.ts';
import { compactBlocks } from './merge-blocks.ts';
import type { CompactorConfig } from './options.ts';
import { expected, makeSeries, readAll, slice, writeLevel1 } from './test-blocks.ts';

const H = 3_600_000;
const DAY = 24 * H;
/** Data three days back, aligned on a day, so that block ULIDs (real time) are newer than the data. */
const T0 = Math.floor((Date.now() - 3 * DAY) / DAY) * DAY;

let dir: string;
let bucket: Bucket;
let clock: number;
let registry: Registry;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'compactor-'));
  bucket = new FilesystemBucket(join(dir, 'bucket'));
  // A minute ahead of the wall clock: the blocks a test writes (ULIDs of the real time) are past.
  clock = Date.now() + 60_000;
  registry = new Registry();
});
afterEach(async () => {
  await bucket.close();
  rmSync(dir, { recursive: true, force: true });
});

function compactor(retentionMs = 0, cfg: Partial<CompactorConfig> = {}): Compactor {
  return new Compactor(
    {
      blockRangesMs: [2 * H, 12 * H, 24 * H],
      compactionIntervalMs: 3_600_000,
      cleanupIntervalMs: 3_600_000,
      deletionDelayMs: 12 * H,
      firstLevelWaitMs: 0,
      dataDir: join(dir, 'compactor'),
      samplesPerChunk: 240,
      ...cfg,
    },
    { bucket, logger: createLogger({ level: 'silent' }), registry, retentionMs: () => retentionMs, now: () => clock },
  );
}

/** Writes a level-1 block locally and uploads it as an ingester's shipper does. */
async function ship(tenant: string, series: Parameters<typeof writeLevel1>[1], mint: number, maxt: number, perChunk = 120): Promise<string> {
  const meta = await writeLevel1(join(dir, 'local', tenant), series, mint, maxt, perChunk);
  await uploadBlock(bucket, tenant, join(dir, 'local', tenant, meta.ulid));
  return meta.ulid;
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? NaN;
}

async function live(tenant: string): Promise<Awaited<ReturnType<typeof listBlocks>>> {
  return (await listBlocks(bucket, tenant)).filter((b) => b.deletionMark === null);
}

describe('Compactor', () => {
  it('turns RF=3 copies of six 2h ranges into one 12h block holding every sample once', async () => {
    const series = makeSeries(7, 12, T0, T0 + 12 * H, 60_000);
    const shipped: string[] = [];
    for (let i = 0; i < 6; i++) {
      const [from, to] = [T0 + i * 2 * H, T0 + (i + 1) * 2 * H];
      // Replica r missed every sample whose step index ≡ r (mod 7); replica 2 cuts chunks of 50.
      for (let r = 0; r < 3; r++) shipped.push(await ship('team-a', slice(series, from, to, (t) => Math.floor(t / 60_000) % 7 !== r), from, to, r === 2 ? 50 : 120));
    }
    const other = await ship('team-b', slice(series, T0, T0 + 2 * H), T0, T0 + 2 * H);
    const c = compactor();
    await c.runCompaction();

    const blocks = await live('team-a');
    expect(blocks).toHaveLength(1);
    const meta = blocks[0]!.meta;
    expect([meta.minTime, meta.maxTime]).toEqual([T0, T0 + 12 * H]);
    expect(meta.compaction.level).toBe(3);
    expect(meta.compaction.sources).toEqual(shipped.slice().sort());
    expect(meta.thanos?.source).toBe('compactor');
    const path = await downloadBlock(bucket, 'team-a', meta.ulid, join(dir, 'check'));
    const reader = await BlockReader.open(path);
    expect(await readAll(reader, 240)).toEqual(expected(series));
    await reader.close();
    // 720 samples a series (12h at 1m): three chunks of 240 (the 2h blocks held one of 120 each).
    expect(meta.stats.numChunks).toBe(3 * series.length);
    // Each of the 6 vertical merges wrote one chunk a series; the horizontal one three.
    expect(await metric('tessera_compactor_chunks_written_total', { how: 'reencoded' })).toBe(9 * series.length);
    expect(await metric('tessera_compactor_chunks_written_total', { how: 'copied' })).toBe(0);

    // Every input is marked (the 18 copies and the 6 merged 2h blocks), none deleted yet.
    const all = await listBlocks(bucket, 'team-a');
    expect(all.filter((b) => b.deletionMark !== null)).toHaveLength(24);
    expect((await live('team-b')).map((b) => b.ulid)).toEqual([other]);
    expect(await metric('tessera_compactor_compactions_total', { kind: 'vertical' })).toBe(6);
    expect(await metric('tessera_compactor_compactions_total', { kind: 'horizontal' })).toBe(1);
    expect(await metric('tessera_compactor_blocks_compacted_total')).toBe(24);
    expect(await metric('tessera_compactor_blocks_marked_for_deletion_total', { reason: 'compaction' })).toBe(24);
    expect(await metric('tessera_compactor_runs_total', { outcome: 'success' })).toBe(1);
    expect(await metric('tessera_compactor_last_successful_run_timestamp_seconds')).toBeCloseTo(clock / 1000);

    // A second run finds nothing to do.
    await c.runCompaction();
    expect((await live('team-a')).map((b) => b.ulid)).toEqual([meta.ulid]);
    expect(await metric('tessera_compactor_compactions_total', { kind: 'vertical' })).toBe(6);
  }, 120_000);

  it('at 120 samples per chunk, copies the chunks of adjacent blocks untouched', async () => {
    const series = makeSeries(10, 6, T0, T0 + 12 * H, 60_000);
    for (let i = 0; i < 6; i++) await ship('t', slice(series, T0 + i * 2 * H, T0 + (i + 1) * 2 * H), T0 + i * 2 * H, T0 + (i + 1) * 2 * H);
    await compactor(0, { samplesPerChunk: 120 }).runCompaction();
    const blocks = await live('t');
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.meta.stats.numChunks).toBe(6 * series.length);
    expect(await metric('tessera_compactor_chunks_written_total', { how: 'copied' })).toBe(6 * series.length);
    expect(await metric('tessera_compactor_chunks_written_total', { how: 'reencoded' })).toBe(0);
  });

  it('refuses a samples-per-chunk outside 120..1000 at construction, naming the option', () => {
    for (const n of [119, 1001, 240.5]) {
      expect(() => compactor(0, { samplesPerChunk: n })).toThrow(new RegExp(`invalid value ${n} for -compactor\\.samples-per-chunk`));
    }
  });

  it('leaves the RF copies alone during the first-level wait', async () => {
    const series = makeSeries(3, 5, T0, T0 + 2 * H, 60_000);
    for (let r = 0; r < 3; r++) await ship('t', series, T0, T0 + 2 * H);
    const c = compactor(0, { firstLevelWaitMs: 25 * 60_000 });
    await c.runCompaction();
    expect(await live('t')).toHaveLength(3);
    clock += 25 * 60_000;
    await c.runCompaction();
    expect(await live('t')).toHaveLength(1);
  });

  it('finishes a compaction interrupted between the upload and the marks', async () => {
    const series = makeSeries(4, 5, T0, T0 + 2 * H, 60_000);
    const inputs = [await ship('t', series, T0, T0 + 2 * H), await ship('t', series, T0, T0 + 2 * H)];
    // What a compactor that crashed after its upload left behind: the inputs and the output, unmarked.
    const readers = await Promise.all(inputs.map((u) => downloadBlock(bucket, 't', u, join(dir, 'dl')).then((p) => BlockReader.open(p))));
    const { meta } = await compactBlocks(join(dir, 'crashed'), readers);
    for (const r of readers) await r.close();
    await uploadBlock(bucket, 't', join(dir, 'crashed', meta.ulid));

    await compactor().runCompaction();
    expect((await live('t')).map((b) => b.ulid)).toEqual([meta.ulid]);
    expect(await metric('tessera_compactor_blocks_marked_for_deletion_total', { reason: 'redundant' })).toBe(2);
    expect(await metric('tessera_compactor_compactions_total', { kind: 'vertical' })).toBe(0);
  });

  it('marks blocks past the retention period, and deletes them only after the deletion delay', async () => {
    const series = makeSeries(5, 5, T0, T0 + 4 * H, 60_000);
    const old = await ship('t', slice(series, T0, T0 + 2 * H), T0, T0 + 2 * H);
    const recent = await ship('t', slice(series, T0 + 2 * H, T0 + 4 * H), T0 + 2 * H, T0 + 4 * H);
    clock = T0 + 2 * H + DAY; // `old` ended exactly one retention period ago
    const c = compactor(DAY);
    await c.runCleanup();
    const marked = (await listBlocks(bucket, 't')).filter((b) => b.deletionMark !== null).map((b) => b.ulid);
    expect(marked).toEqual([old]);
    expect(await metric('tessera_compactor_blocks_marked_for_deletion_total', { reason: 'retention' })).toBe(1);

    clock += 12 * H; // the mark holds whole seconds: the delay runs from the end of its second
    await c.runCleanup();
    expect(await listBlockUlids(bucket, 't')).toEqual([old, recent].sort());
    expect(await metric('tessera_compactor_blocks_cleaned_total')).toBe(0);

    clock += 1000;
    await c.runCleanup();
    expect(await listBlockUlids(bucket, 't')).toEqual([recent]);
    const left: string[] = [];
    for await (const name of bucket.list(`t/${old}/`, { recursive: true })) left.push(name);
    expect(left).toEqual([]);
    expect(await metric('tessera_compactor_blocks_cleaned_total')).toBe(1);
    expect(await metric('tessera_compactor_cleanup_runs_total', { outcome: 'success' })).toBe(3);
  });

  it('finishes a deletion interrupted after meta.json went', async () => {
    const series = makeSeries(6, 3, T0, T0 + 2 * H, 60_000);
    const ulid = await ship('t', series, T0, T0 + 2 * H);
    const c = compactor(DAY);
    await c.runCleanup();
    await bucket.delete(`t/${ulid}/meta.json`);
    clock += 12 * H + 1000;
    await c.runCleanup();
    expect(await listBlockUlids(bucket, 't')).toEqual([]);
  });

  it('marks a corrupt copy no-compact and merges the others without it', async () => {
    const series = makeSeries(9, 10, T0, T0 + 4 * H, 30_000);
    const copies: string[][] = [[], []];
    for (let i = 0; i < 2; i++) {
      const [from, to] = [T0 + i * 2 * H, T0 + (i + 1) * 2 * H];
      for (let r = 0; r < 3; r++) copies[i]!.push(await ship('t', slice(series, from, to, (t) => Math.floor(t / 30_000) % 3 !== r), from, to));
    }
    // Flip a byte in the middle of a chunk of one copy: its CRC no longer matches.
    const broken = copies[0]![1]!;
    const file = join(dir, 'bucket', 't', broken, 'chunks', '000001');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(file, bytes);

    const c = compactor();
    await c.runCompaction();
    expect(await bucket.exists(`t/${broken}/no-compact-mark.json`)).toBe(true);
    expect(await metric('tessera_compactor_blocks_marked_for_no_compaction_total')).toBe(1);
    const blocks = await live('t');
    expect(blocks.map((b) => b.ulid).sort()).toEqual([broken, blocks.find((b) => b.ulid !== broken)!.ulid].sort());
    const merged = blocks.find((b) => b.ulid !== broken)!;
    expect(merged.meta.compaction.sources).toEqual([...copies[0]!, ...copies[1]!].filter((u) => u !== broken).sort());
    const reader = await BlockReader.open(await downloadBlock(bucket, 't', merged.ulid, join(dir, 'check')));
    expect(await readAll(reader, 240)).toEqual(expected(series));
    await reader.close();
    // The next run leaves the marked block alone.
    await c.runCompaction();
    expect((await live('t')).length).toBe(2);
    expect(await metric('tessera_compactor_runs_total', { outcome: 'success' })).toBe(2);
  });

  it('runs as a service: compacts at start and stops cleanly', async () => {
    const series = makeSeries(8, 5, T0, T0 + 2 * H, 60_000);
    for (let r = 0; r < 2; r++) await ship('t', series, T0, T0 + 2 * H);
    const c = compactor(0, { compactionIntervalMs: 50, cleanupIntervalMs: 50 });
    await c.start();
    for (let i = 0; i < 200 && (await live('t')).length !== 1; i++) await new Promise((r) => setTimeout(r, 25));
    await c.stop();
    expect(await live('t')).toHaveLength(1);
  });
});
