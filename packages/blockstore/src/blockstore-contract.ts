/**
 * The behaviour @tessera/blockstore promises on any Bucket, as a vitest suite run once per backend
 * (blockstore.test.ts: filesystem; blockstore.integration.test.ts: a real s3rver). Test support,
 * not exported from the package.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bucket, UploadBody } from '@tessera/objstore';
import { BlockReader, writeBlock, type BlockMeta } from '@tessera/tsdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// Test-only helpers of the tsdb package (not exported from it).
import { randomSeries, readSamples, expectedSamples, toBlockSeries } from '../../tsdb/src/block/testing/fixtures.ts';
import {
  blockLastModified,
  blockPrefix,
  BucketBlockFiles,
  deleteBlock,
  downloadBlock,
  listBlocks,
  listTenants,
  markBlockForDeletion,
  uploadBlock,
} from './index.ts';

const T0 = 1_700_000_000_000;
const H = 3_600_000;

/** Records the names uploaded and deleted, in order. */
class RecordingBucket {
  readonly log: string[] = [];
  static wrap(inner: Bucket): { bucket: Bucket; log: string[] } {
    const r = new RecordingBucket();
    const bucket: Bucket = Object.create(inner);
    bucket.upload = (name: string, body: UploadBody) => (r.log.push(`put ${name}`), inner.upload(name, body));
    bucket.delete = (name: string) => (r.log.push(`del ${name}`), inner.delete(name));
    bucket.get = inner.get.bind(inner);
    bucket.getRange = inner.getRange.bind(inner);
    bucket.exists = inner.exists.bind(inner);
    bucket.attributes = inner.attributes.bind(inner);
    bucket.iter = inner.iter.bind(inner);
    bucket.list = inner.list.bind(inner);
    return { bucket, log: r.log };
  }
}

async function listAll(bucket: Bucket, dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const n of bucket.list(dir, { recursive: true })) out.push(n);
  return out;
}

/** Defines the suite for buckets made by `newBucket` (a fresh, empty bucket per test). */
export function blockstoreContract(name: string, newBucket: () => Promise<Bucket>): void {
  describe(`blockstore on ${name}`, () => {
    let dir: string;
    let bucket: Bucket;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'blockstore-'));
      bucket = await newBucket();
    });
    afterEach(async () => {
      await bucket.close();
      await rm(dir, { recursive: true, force: true });
    });

    // About 100 minutes of data from T0; blocks span [T0, T0 + 4h) unless told.
    const series = randomSeries(7, 40, T0, 400, 15_000);
    async function localBlock(minTime = T0, maxTime = T0 + 4 * H, maxSegmentBytes?: number): Promise<BlockMeta> {
      const shifted = series.map((s) => ({ ...s, ts: s.ts.map((t) => t + minTime - T0) }));
      return writeBlock(join(dir, 'local'), toBlockSeries(shifted), {
        minTime,
        maxTime,
        thanos: { labels: {}, downsample: { resolution: 0 }, source: 'ingester' },
        ...(maxSegmentBytes === undefined ? {} : { maxSegmentBytes }),
      });
    }

    it('uploads every file with meta.json last, lists the block and reads it back with ranged gets', async () => {
      const meta = await localBlock(T0, T0 + 4 * H, 20_000);
      const { bucket: rec, log } = RecordingBucket.wrap(bucket);
      const uploaded = await uploadBlock(rec, 'tenant-a', join(dir, 'local', meta.ulid));
      expect(uploaded).toEqual(meta);
      expect(log.at(-1)).toBe(`put tenant-a/${meta.ulid}/meta.json`);
      const names = (await listAll(bucket, `tenant-a/${meta.ulid}`)).map((n) => n.slice(blockPrefix('tenant-a', meta.ulid).length));
      expect(names).toContain('index');
      expect(names).toContain('tombstones');
      expect(names.filter((n) => n.startsWith('chunks/')).length).toBeGreaterThan(1);

      const blocks = await listBlocks(bucket, 'tenant-a');
      expect(blocks).toEqual([{ ulid: meta.ulid, meta, deletionMark: null }]);

      const reader = await BlockReader.open(new BucketBlockFiles(bucket, 'tenant-a', meta.ulid));
      try {
        expect(await readSamples(reader)).toEqual(expectedSamples(series));
        expect(await readSamples(reader, T0 + H, T0 + H + 600_000)).toEqual(expectedSamples(series, T0 + H, T0 + H + 600_000));
      } finally {
        await reader.close();
      }
      // Idempotent: uploading again changes nothing visible.
      await uploadBlock(bucket, 'tenant-a', join(dir, 'local', meta.ulid));
      expect(await listBlocks(bucket, 'tenant-a')).toEqual([{ ulid: meta.ulid, meta, deletionMark: null }]);
    });

    it('ignores partial blocks, non-ULID directories, the rules and Alertmanager folders and other tenants; sorts by minTime then ULID', async () => {
      const late = await localBlock(T0 + 4 * H, T0 + 8 * H);
      const early = await localBlock(T0, T0 + 4 * H);
      await uploadBlock(bucket, 'tenant-a', join(dir, 'local', late.ulid));
      await uploadBlock(bucket, 'tenant-a', join(dir, 'local', early.ulid));
      await uploadBlock(bucket, 'tenant-b', join(dir, 'local', early.ulid));
      // A partial block: everything but meta.json.
      await bucket.upload('tenant-a/01ARZ3NDEKTSV4RRFFQ69G5FAV/index', new Uint8Array([1, 2, 3]));
      // A broken meta.json is as good as none.
      await bucket.upload('tenant-a/01BX5ZZKBKACTAV9WEVGEMMVRZ/meta.json', new TextEncoder().encode('{nope'));
      await bucket.upload('rules/tenant-a/group.yaml', new TextEncoder().encode('groups: []'));
      await bucket.upload('alertmanager/tenant-a', new TextEncoder().encode('alertmanager_config: ""'));
      await bucket.upload('tenant-a/not-a-block/meta.json', new TextEncoder().encode('{}'));
      await bucket.upload('top-level-file', new Uint8Array([1]));

      // The rules and Alertmanager folders are not tenants.
      expect(await listTenants(bucket)).toEqual(['tenant-a', 'tenant-b']);
      expect((await listBlocks(bucket, 'tenant-a')).map((b) => b.ulid)).toEqual([early.ulid, late.ulid]);
      expect((await listBlocks(bucket, 'tenant-b')).map((b) => b.ulid)).toEqual([early.ulid]);
      expect(await listBlocks(bucket, 'rules')).toEqual([]);
      expect(await listBlocks(bucket, 'nobody')).toEqual([]);
    });

    it('downloads a block atomically into a directory BlockReader opens, replacing an older copy', async () => {
      const meta = await localBlock();
      await uploadBlock(bucket, 't', join(dir, 'local', meta.ulid));
      await markBlockForDeletion(bucket, 't', meta.ulid, T0);
      const dest = join(dir, 'cache');
      const stale = join(dest, meta.ulid);
      await rm(stale, { recursive: true, force: true });
      await writeBlock(dest, toBlockSeries(series.slice(0, 1)), { ulid: meta.ulid, minTime: T0, maxTime: T0 + 4 * H });
      await writeFile(join(stale, 'leftover'), 'x');

      const path = await downloadBlock(bucket, 't', meta.ulid, dest);
      expect(path).toBe(join(dest, meta.ulid));
      expect((await readdir(dest)).sort()).toEqual([meta.ulid]);
      const files = (await readdir(path, { recursive: true })).map(String).sort();
      expect(files).toEqual((await readdir(join(dir, 'local', meta.ulid), { recursive: true })).map(String).sort());
      for (const f of ['index', 'meta.json', 'chunks/000001']) {
        expect(Buffer.compare(await readFile(join(path, f)), await readFile(join(dir, 'local', meta.ulid, f)))).toBe(0);
      }
      const reader = await BlockReader.open(path);
      try {
        expect(await readSamples(reader)).toEqual(expectedSamples(series));
      } finally {
        await reader.close();
      }
      await expect(downloadBlock(bucket, 't', '01ARZ3NDEKTSV4RRFFQ69G5FAV', dest)).rejects.toThrow(/not found|does not exist/i);
      expect((await readdir(dest)).sort()).toEqual([meta.ulid]);
    });

    it('marks blocks for deletion in the Thanos format, keeping the first mark', async () => {
      const meta = await localBlock();
      await uploadBlock(bucket, 't', join(dir, 'local', meta.ulid));
      await markBlockForDeletion(bucket, 't', meta.ulid, T0 + 1234);
      await markBlockForDeletion(bucket, 't', meta.ulid, T0 + 999_000);
      const raw = JSON.parse(new TextDecoder().decode(await bucket.get(`t/${meta.ulid}/deletion-mark.json`)));
      expect(raw).toEqual({ id: meta.ulid, deletion_time: Math.floor((T0 + 1234) / 1000), version: 1 });
      const [b] = await listBlocks(bucket, 't');
      expect(b!.deletionMark).toEqual({ id: meta.ulid, deletionTime: Math.floor((T0 + 1234) / 1000), version: 1 });
    });

    it('deletes meta.json first and the deletion mark last; deleting again succeeds', async () => {
      const meta = await localBlock();
      const other = await localBlock();
      await uploadBlock(bucket, 't', join(dir, 'local', meta.ulid));
      await uploadBlock(bucket, 't', join(dir, 'local', other.ulid));
      await markBlockForDeletion(bucket, 't', meta.ulid, T0);
      const { bucket: rec, log } = RecordingBucket.wrap(bucket);
      await deleteBlock(rec, 't', meta.ulid);
      expect(log[0]).toBe(`del t/${meta.ulid}/meta.json`);
      expect(log.at(-1)).toBe(`del t/${meta.ulid}/deletion-mark.json`);
      expect(log.some((l) => l === `del t/${meta.ulid}/index`)).toBe(true);
      expect(await listAll(bucket, `t/${meta.ulid}`)).toEqual([]);
      expect((await listBlocks(bucket, 't')).map((b) => b.ulid)).toEqual([other.ulid]);
      await deleteBlock(bucket, 't', meta.ulid);
    });

    it('blockLastModified gives the newest write time among the objects of a block directory, null for none', async () => {
      const ulid = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
      expect(await blockLastModified(bucket, 't', ulid)).toBeNull();
      const before = Date.now();
      await bucket.upload(`t/${ulid}/chunks/000001`, new Uint8Array([1]));
      await bucket.upload(`t/${ulid}/index`, new Uint8Array([2]));
      const after = Date.now();
      const t = await blockLastModified(bucket, 't', ulid);
      // S3 keeps whole seconds.
      expect(t).toBeGreaterThanOrEqual(before - 1000);
      expect(t).toBeLessThanOrEqual(after + 1000);
      expect(await blockLastModified(bucket, 't', '01BX5ZZKBKACTAV9WEVGEMMVRZ')).toBeNull();
    });

    it('BucketBlockFiles reports sizes and refuses reads past the end as corruption', async () => {
      const meta = await localBlock();
      await uploadBlock(bucket, 't', join(dir, 'local', meta.ulid));
      const files = new BucketBlockFiles(bucket, 't', meta.ulid);
      const local = await readFile(join(dir, 'local', meta.ulid, 'index'));
      expect(await files.size('index')).toBe(local.length);
      expect(Buffer.from(await files.readRange('index', 10, 100)).equals(local.subarray(10, 110))).toBe(true);
      await expect(files.readRange('index', local.length - 4, 8)).rejects.toMatchObject({ code: 'block-corrupt' });
      await expect(files.size('nope')).rejects.toThrow();
    });
  });
}

