/**
 * Partial blocks (failed uploads: no meta.json, no deletion mark) against a FilesystemBucket: the
 * cleanup pass deletes them once both their ULID and their newest object are older than
 * `-compactor.partial-block-deletion-delay`, and leaves alone young uploads, complete and broken
 * blocks, interrupted deletions (the deletion delay's business) and the rules/Alertmanager folders.
 * Object ages are set through the files' mtimes, which are the FilesystemBucket's lastModified.
 */
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeDeletionMark, listBlockUlids, uploadBlock } from '@tessera/blockstore';
import { FilesystemBucket } from '@tessera/objstore';
import { createLogger } from '@tessera/server';
import { formatUlid } from '@tessera/tsdb';
import { Compactor } from './compactor.ts';
import type { CompactorConfig } from './options.ts';
import { partialBlockLastWrite } from './partial-blocks.ts';
import { makeSeries, writeLevel1 } from './test-blocks.ts';

const H = 3_600_000;
const DAY = 24 * H;

let dir: string;
let bucket: FilesystemBucket;
let registry = new Registry();
let logs: Record<string, unknown>[];
let now: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'compactor-partial-'));
  bucket = new FilesystemBucket(join(dir, 'bucket'));
  logs = [];
  now = Date.now();
});
afterEach(async () => {
  await bucket.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A compactor with its own registry (read by {@link metric}) and the test's clock. */
function compactor(cfg: Partial<CompactorConfig> = {}): Compactor {
  registry = new Registry();
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return new Compactor(
    {
      blockRangesMs: [2 * H, 12 * H, 24 * H],
      compactionIntervalMs: H,
      cleanupIntervalMs: H,
      deletionDelayMs: 12 * H,
      firstLevelWaitMs: 0,
      dataDir: join(dir, 'compactor'),
      samplesPerChunk: 240,
      ...cfg,
    },
    { bucket, logger: createLogger({ level: 'info', destination }), registry, retentionMs: () => 0, now: () => now },
  );
}

let seq = 0n;
/** A ULID of time `ms` (unique within the test file). */
function ulidAt(ms: number): string {
  return formatUlid(ms, ++seq);
}

/** Writes `files` of a block directory (what an interrupted upload leaves), each last modified at `mtimeMs`. */
async function writeObjects(tenant: string, ulid: string, files: Record<string, number>, content = new Uint8Array([1, 2, 3])): Promise<void> {
  for (const [file, mtimeMs] of Object.entries(files)) {
    const name = `${tenant}/${ulid}/${file}`;
    await bucket.upload(name, content);
    utimesSync(join(bucket.root, name), mtimeMs / 1000, mtimeMs / 1000);
  }
}

async function objects(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const n of bucket.list(prefix, { recursive: true })) out.push(n);
  return out;
}

async function metric(name: string): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return m?.values[0]?.value ?? NaN;
}

describe('partial blocks', () => {
  it('deletes a partial block last written longer ago than the delay (1d by default), and counts and logs it', async () => {
    const old = ulidAt(now - 3 * DAY);
    await writeObjects('t', old, { 'chunks/000001': now - 2 * DAY, index: now - 2 * DAY });
    // Cut long ago but still being written: its newest object is recent.
    const slow = ulidAt(now - 3 * DAY);
    await writeObjects('t', slow, { 'chunks/000001': now - 2 * DAY, index: now - 2 * H });
    const young = ulidAt(now - H);
    await writeObjects('t', young, { 'chunks/000001': now - H });
    // A meta.json that cannot be read: a broken block, not a partial one.
    const broken = ulidAt(now - 3 * DAY);
    await writeObjects('t', broken, { index: now - 2 * DAY, 'meta.json': now - 2 * DAY }, new TextEncoder().encode('{nope'));
    // A complete block cut as long ago as the partial one.
    const meta = await writeLevel1(join(dir, 'local'), makeSeries(1, 3, now - 3 * H, now - H, 60_000), now - 3 * H, now - H, 120, ulidAt(now - 3 * DAY));
    await uploadBlock(bucket, 't', join(dir, 'local', meta.ulid));

    const c = compactor();
    await c.runCleanup();
    expect(await listBlockUlids(bucket, 't')).toEqual([slow, young, broken, meta.ulid].sort());
    expect(await objects(`t/${old}/`)).toEqual([]);
    expect(await metric('tessera_compactor_partial_blocks_deleted_total')).toBe(1);
    expect(await metric('tessera_compactor_blocks_cleaned_total')).toBe(0);
    const logged = logs.filter((l) => l.msg === 'deleted partial block');
    expect(logged).toMatchObject([{ level: 'info', component: 'compactor', tenant: 't', block: old }]);
    // Its newest object's time, taken as the end of its second.
    expect(Math.abs(new Date(logged[0]!.lastWrite as string).getTime() - (now - 2 * DAY))).toBeLessThanOrEqual(1000);

    // An hour later the slow upload is still recent enough; a day after its last write it goes.
    now += H;
    await c.runCleanup();
    expect(await listBlockUlids(bucket, 't')).toEqual([slow, young, broken, meta.ulid].sort());
    now += DAY;
    await c.runCleanup();
    expect(await listBlockUlids(bucket, 't')).toEqual([broken, meta.ulid].sort());
    expect(await metric('tessera_compactor_partial_blocks_deleted_total')).toBe(3);
    expect(await metric('tessera_compactor_block_cleanup_failures_total')).toBe(0);
  });

  it('follows -compactor.partial-block-deletion-delay; 0 keeps every partial block', async () => {
    const ulid = ulidAt(now - 3 * DAY);
    await writeObjects('t', ulid, { index: now - 2 * DAY });
    await compactor({ partialBlockDeletionDelayMs: 0 }).runCleanup();
    expect(await listBlockUlids(bucket, 't')).toEqual([ulid]);
    expect(await metric('tessera_compactor_partial_blocks_deleted_total')).toBe(0);
    await compactor({ partialBlockDeletionDelayMs: 3 * DAY }).runCleanup();
    expect(await listBlockUlids(bucket, 't')).toEqual([ulid]);
    await compactor({ partialBlockDeletionDelayMs: 2 * DAY - 2000 }).runCleanup();
    expect(await listBlockUlids(bucket, 't')).toEqual([]);
    expect(await metric('tessera_compactor_partial_blocks_deleted_total')).toBe(1);
  });

  it('leaves an interrupted deletion (a mark, no meta.json) to the deletion delay, counted as a cleaned block', async () => {
    // Marked two days ago, deleted (but for meta.json) right then; the deletion delay is three days.
    const ulid = ulidAt(now - 3 * DAY);
    const mark = encodeDeletionMark({ id: ulid, deletionTime: Math.floor((now - 2 * DAY) / 1000), version: 1 });
    await writeObjects('t', ulid, { index: now - 2 * DAY });
    await writeObjects('t', ulid, { 'deletion-mark.json': now - 2 * DAY }, new TextEncoder().encode(mark));
    const c = compactor({ deletionDelayMs: 3 * DAY });
    await c.runCleanup();
    expect(await listBlockUlids(bucket, 't')).toEqual([ulid]);
    now += DAY + 1000;
    await c.runCleanup();
    expect(await listBlockUlids(bucket, 't')).toEqual([]);
    expect(await metric('tessera_compactor_blocks_cleaned_total')).toBe(1);
    expect(await metric('tessera_compactor_partial_blocks_deleted_total')).toBe(0);
  });

  it('never touches the rules and Alertmanager folders', async () => {
    const ulid = ulidAt(now - 3 * DAY);
    await writeObjects('rules', ulid, { index: now - 2 * DAY });
    await writeObjects('alertmanager', ulid, { index: now - 2 * DAY });
    await compactor().runCleanup();
    expect(await objects('')).toEqual([`alertmanager/${ulid}/index`, `rules/${ulid}/index`]);
    expect(await metric('tessera_compactor_partial_blocks_deleted_total')).toBe(0);
  });

  it.each([
    ['no object left: the ULID time', 5_000_000, null, 5_000_000],
    ['objects older than the ULID: the ULID time', 5_000_000, 4_000_500, 5_000_000],
    ['a newer object: the end of its second', 5_000_000, 6_000_001, 6_001_000],
    ['a newer object on a whole second: the end of that second', 5_000_000, 6_000_000, 6_001_000],
  ])('a partial block was last written at the later of its ULID and newest object (%s)', (_, ulidMs, newest, want) => {
    expect(partialBlockLastWrite(ulidAt(ulidMs), newest)).toBe(want);
  });
});
