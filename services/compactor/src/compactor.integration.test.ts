/**
 * One compaction cycle over the S3 protocol: RF copies shipped to an s3rver process (started by
 * the test) are merged by the running Compactor service into one block with every sample once,
 * and the copies deleted after the (short) deletion delay; a partial block (an upload stopped
 * before meta.json) is deleted a day after its last write. Skipped with a notice when s3rver
 * cannot start; failing instead with TESSERA_REQUIRE_EXTERNAL=1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { downloadBlock, listBlocks, listBlockUlids, uploadBlock } from '@tessera/blockstore';
import { S3Bucket } from '@tessera/objstore';
import { createLogger } from '@tessera/server';
import { BlockReader, formatUlid } from '@tessera/tsdb';
import { Compactor } from './compactor.ts';
import { expected, makeSeries, readAll, slice, writeLevel1 } from './test-blocks.ts';
import { S3RVER_CREDENTIALS, s3rverSuite } from '../../../packages/objstore/src/s3-test-server.ts';

const SUITE = 'compactor/s3rver';
const BUCKET = 'compactor-test';
const H = 3_600_000;
const T0 = Math.floor((Date.now() - 3 * 24 * H) / (24 * H)) * 24 * H;

const server = await s3rverSuite(SUITE, BUCKET);
const dir = mkdtempSync(join(tmpdir(), 'compactor-s3-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

/** A client of the suite's s3rver with short retry backoffs. */
function s3Bucket(): S3Bucket {
  return new S3Bucket({
    bucket: BUCKET,
    endpoint: server!.endpoint,
    insecure: true,
    forcePathStyle: true,
    ...S3RVER_CREDENTIALS,
    minBackoffMs: 20,
    maxBackoffMs: 200,
    requestTimeoutMs: 10_000,
  });
}

describe.skipIf(server === undefined)('Compactor over S3 (s3rver)', () => {
  it('merges the RF copies of two 2h ranges into one block and deletes the copies after the delay', async () => {
    const bucket = s3Bucket();
    const series = makeSeries(11, 20, T0, T0 + 4 * H, 30_000);
    const copies: string[] = [];
    for (let i = 0; i < 2; i++) {
      const [from, to] = [T0 + i * 2 * H, T0 + (i + 1) * 2 * H];
      for (let r = 0; r < 3; r++) {
        const meta = await writeLevel1(join(dir, 'local'), slice(series, from, to, (t) => Math.floor(t / 30_000) % 5 !== r), from, to);
        await uploadBlock(bucket, 'tenant-1', join(dir, 'local', meta.ulid));
        copies.push(meta.ulid);
      }
    }
    const registry = new Registry();
    const compactor = new Compactor(
      // A 4h level so that the two merged 2h blocks are merged again: a whole cycle in one run.
      { blockRangesMs: [2 * H, 4 * H], compactionIntervalMs: 100, cleanupIntervalMs: 100, deletionDelayMs: 1000, firstLevelWaitMs: 0, dataDir: join(dir, 'work'), samplesPerChunk: 240 },
      { bucket, logger: createLogger({ level: 'silent' }), registry, retentionMs: () => 0 },
    );
    await compactor.start();
    try {
      // Compaction, then (a second later) deletion of the 6 copies and the 2 intermediate blocks.
      let blocks = await listBlocks(bucket, 'tenant-1');
      for (let i = 0; i < 200 && blocks.length !== 1; i++) {
        await new Promise((r) => setTimeout(r, 50));
        blocks = await listBlocks(bucket, 'tenant-1');
      }
      expect(blocks).toHaveLength(1);
      const only = blocks[0]!;
      expect(only.deletionMark).toBeNull();
      expect([only.meta.minTime, only.meta.maxTime]).toEqual([T0, T0 + 4 * H]);
      expect(only.meta.compaction.sources).toEqual(copies.slice().sort());
      const reader = await BlockReader.open(await downloadBlock(bucket, 'tenant-1', only.ulid, join(dir, 'check')));
      expect(await readAll(reader, 240)).toEqual(expected(series));
      await reader.close();
      const left: string[] = [];
      for await (const name of bucket.list('tenant-1/')) left.push(name);
      expect(left).toEqual([`tenant-1/${only.ulid}/`]);
    } finally {
      await compactor.stop();
      await bucket.close();
    }
  }, 120_000);

  it('deletes a partial block a day after its last write, keeping a complete block', async () => {
    const bucket = s3Bucket();
    let now = Date.now();
    // An upload of a block cut three days ago that stopped before meta.json; its objects are
    // written now (S3 sets lastModified itself), so only the compactor's clock can age them.
    const partial = formatUlid(now - 3 * 24 * H, 7n);
    for (const file of ['chunks/000001', 'index']) await bucket.upload(`tenant-2/${partial}/${file}`, new Uint8Array([1, 2, 3]));
    const meta = await writeLevel1(join(dir, 'local-2'), slice(makeSeries(12, 3, T0, T0 + 2 * H, 60_000), T0, T0 + 2 * H), T0, T0 + 2 * H);
    await uploadBlock(bucket, 'tenant-2', join(dir, 'local-2', meta.ulid));
    const registry = new Registry();
    const compactor = new Compactor(
      { blockRangesMs: [2 * H], compactionIntervalMs: H, cleanupIntervalMs: H, deletionDelayMs: H, firstLevelWaitMs: 0, dataDir: join(dir, 'work-2'), samplesPerChunk: 240 },
      { bucket, logger: createLogger({ level: 'silent' }), registry, retentionMs: () => 0, now: () => now },
    );
    try {
      // The ULID is old, but the objects are recent: the upload may still be running.
      await compactor.runCleanup();
      expect(await listBlockUlids(bucket, 'tenant-2')).toEqual([partial, meta.ulid].sort());
      now += 24 * H + 2000;
      await compactor.runCleanup();
      expect(await listBlockUlids(bucket, 'tenant-2')).toEqual([meta.ulid]);
      const left: string[] = [];
      for await (const name of bucket.list(`tenant-2/${partial}/`, { recursive: true })) left.push(name);
      expect(left).toEqual([]);
      expect((await registry.getSingleMetric('tessera_compactor_partial_blocks_deleted_total')?.get())?.values[0]?.value).toBe(1);
    } finally {
      await bucket.close();
    }
  }, 60_000);
});
