/**
 * Block shipping against a real S3 protocol server (`s3rver`, started as a process): blocks cut
 * from the head arrive in the bucket with exactly the pushed samples; while the server is down
 * uploads fail, are counted and keep the data in the head, and succeed once it is back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listBlocks } from '@tessera/blockstore';
import { Matcher } from '@tessera/model';
import { S3Bucket, type Bucket } from '@tessera/objstore';
import { S3RVER_CREDENTIALS, s3rverSuite } from '../../../packages/objstore/src/s3-test-server.ts';
import { HOUR, bucketSamples, metricValue, pushSeries, startShippingIngester } from './flush-test-support.ts';
import type { Ingester } from './ingester.ts';
import { cleanupTempDirs, samplesOf, tempDir } from './test-support.ts';

const SUITE = 'ingester shipping to s3rver';
const BUCKET = 'ingester-flush';
const R = 2 * HOUR;
const T0 = 1_700_000_000_000;
const A0 = Math.floor(T0 / R) * R;

const server = await s3rverSuite(SUITE, BUCKET);
const running: Ingester[] = [];
const buckets: Bucket[] = [];
afterEach(async () => {
  for (const ing of running.splice(0)) await ing.stop();
  for (const b of buckets.splice(0)) await b.close();
  cleanupTempDirs();
});
function s3(): Bucket {
  const b = new S3Bucket({
    bucket: BUCKET,
    endpoint: server!.endpoint,
    insecure: true,
    forcePathStyle: true,
    ...S3RVER_CREDENTIALS,
    maxRetries: 1,
    minBackoffMs: 10,
    maxBackoffMs: 50,
    requestTimeoutMs: 2_000,
    connectTimeoutMs: 1_000,
  });
  buckets.push(b);
  return b;
}

/** One series, a sample every 30 s over [T0, T0 + hours), pushed in 10-minute requests. */
function pushHours(ing: Ingester, tenant: string, hours: number): [number, number][] {
  const all: [number, number][] = Array.from({ length: (hours * HOUR) / 30_000 }, (_, i) => [T0 + i * 30_000, i * 1.5]);
  for (let i = 0; i < all.length; i += 20) pushSeries(ing, tenant, { __name__: 'up', job: 's3' }, all.slice(i, i + 20));
  return all;
}

function headSamples(ing: Ingester, tenant: string): [number, number][] {
  return ing.queryChunks(tenant, [Matcher.create('=', '__name__', 'up')], -Infinity, Infinity).flatMap((s) => samplesOf(s));
}

describe.skipIf(server === undefined)(SUITE, () => {
  it('ships the cut block holding exactly its samples and drops them from the head', async () => {
    const bucket = s3();
    const { ing } = await startShippingIngester({ dataDir: tempDir(), bucket });
    running.push(ing);
    const pushed = pushHours(ing, 'alpha', 4.5);
    await ing.flusher.cutCycle();
    const blocks = await listBlocks(bucket, 'alpha');
    expect(blocks.map((b) => [b.meta.minTime, b.meta.maxTime])).toEqual([[A0, A0 + R]]);
    expect((await bucketSamples(bucket, 'alpha')).get('up{job="s3"}')).toEqual(pushed.filter(([t]) => t < A0 + R));
    expect(headSamples(ing, 'alpha')).toEqual(pushed.filter(([t]) => t >= A0 + R));
  });

  it('counts uploads failing while the server is down, keeps the data, and ships once it is back', async () => {
    const bucket = s3();
    const { ing, registry } = await startShippingIngester({ dataDir: tempDir(), bucket });
    running.push(ing);
    const pushed = pushHours(ing, 'beta', 4.5);
    await server!.kill();
    try {
      await ing.flusher.cutCycle();
      expect(await metricValue(registry, 'tessera_ingester_shipper_upload_failures_total')).toBe(1);
      expect(await metricValue(registry, 'tessera_ingester_shipper_blocks_pending')).toBe(1);
      expect(headSamples(ing, 'beta')).toEqual(pushed);
    } finally {
      await server!.restart();
    }
    await ing.flusher.shipCycle();
    expect(await metricValue(registry, 'tessera_ingester_shipper_uploads_total')).toBe(1);
    expect(await metricValue(registry, 'tessera_ingester_shipper_blocks_pending')).toBe(0);
    expect((await bucketSamples(bucket, 'beta')).get('up{job="s3"}')).toEqual(pushed.filter(([t]) => t < A0 + R));
    expect(headSamples(ing, 'beta')).toEqual(pushed.filter(([t]) => t >= A0 + R));
  });
});
