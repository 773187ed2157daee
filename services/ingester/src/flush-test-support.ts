/**
 * Test support for block cutting and shipping (not exported from index.ts): an Ingester with a
 * bucket and a settable clock, a bucket wrapper whose uploads can be made to fail, and reading a
 * tenant's samples back from the bucket through BlockReader.
 */
import { Registry } from 'prom-client';
import { XorIterator } from '@tessera/chunkenc';
import { BucketBlockFiles, listBlocks } from '@tessera/blockstore';
import type { Bucket, IterCallback, IterOptions, ObjectAttributes, UploadBody } from '@tessera/objstore';
import { DecodedWriteRequest, decodeWriteRequest } from '@tessera/remotewrite';
import { BlockReader, newAppendResult } from '@tessera/tsdb';
import { Ingester } from './ingester.ts';
import type { FlushConfig } from './options.ts';
import { pushBody, silentLogger, ts } from './test-support.ts';

export const HOUR = 3_600_000;

/** A bucket whose uploads fail while {@link FlakyBucket.failUploads} is set. */
export class FlakyBucket implements Bucket {
  readonly inner: Bucket;
  failUploads = false;
  uploads = 0;

  constructor(inner: Bucket) {
    this.inner = inner;
  }

  get(name: string): Promise<Uint8Array> {
    return this.inner.get(name);
  }
  getRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    return this.inner.getRange(name, offset, length);
  }
  async upload(name: string, body: UploadBody): Promise<void> {
    if (this.failUploads) throw new Error(`injected upload failure of ${name}`);
    this.uploads++;
    return this.inner.upload(name, body);
  }
  delete(name: string): Promise<void> {
    return this.inner.delete(name);
  }
  exists(name: string): Promise<boolean> {
    return this.inner.exists(name);
  }
  attributes(name: string): Promise<ObjectAttributes> {
    return this.inner.attributes(name);
  }
  iter(dir: string, fn: IterCallback, options?: IterOptions): Promise<void> {
    return this.inner.iter(dir, fn, options);
  }
  list(dir: string, options?: IterOptions): AsyncIterable<string> {
    return this.inner.list(dir, options);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A manual clock. */
export interface TestClock {
  now: number;
}

/** Options of {@link startShippingIngester}. */
export interface ShippingIngesterOptions {
  dataDir: string;
  bucket: Bucket | null;
  clock?: TestClock;
  blockRangeMs?: number;
  flush?: Partial<FlushConfig>;
  registry?: Registry;
}

/**
 * A started Ingester that cuts and ships to `bucket`. Its timers are hours apart, so tests drive
 * the cycles themselves (`ing.flusher.cutCycle()`, `shipCycle()`).
 */
export async function startShippingIngester(o: ShippingIngesterOptions): Promise<{ ing: Ingester; registry: Registry }> {
  const registry = o.registry ?? new Registry();
  const clock = o.clock ?? { now: Date.now() };
  const ing = new Ingester(
    {
      dataDir: o.dataDir,
      blockRangeMs: o.blockRangeMs ?? 2 * HOUR,
      retentionMs: 2 ** 40,
      truncateIntervalMs: HOUR,
      walSegmentBytes: 1 << 20,
      walFsyncIntervalMs: 0,
      flush: { shipIntervalMs: HOUR, headCompactionIntervalMs: HOUR, flushOnShutdown: false, keepShippedMs: 0, ...o.flush },
    },
    {
      logger: silentLogger,
      registry,
      seriesLimits: () => ({ maxSeriesPerUser: 0, maxSeriesPerMetric: 0 }),
      bucket: o.bucket,
      now: () => clock.now,
    },
  );
  await ing.start();
  return { ing, registry };
}

/** Pushes samples of one series (labels as an object) to a tenant; all must be accepted. */
export function pushSeries(ing: Ingester, tenant: string, labels: Record<string, string>, samples: [number, number][]): void {
  const req = new DecodedWriteRequest();
  decodeWriteRequest(pushBody([ts(labels, samples)]), req);
  const r = newAppendResult();
  ing.push(tenant, req, null, null, r);
  if (r.samplesAppended !== samples.length) throw new Error(`only ${r.samplesAppended} of ${samples.length} samples accepted: ${JSON.stringify(r)}`);
}

/** Every sample of a tenant's blocks in the bucket: series labels (as text) → [t, v] pairs, sorted by t. */
export async function bucketSamples(bucket: Bucket, tenant: string): Promise<Map<string, [number, number][]>> {
  const out = new Map<string, [number, number][]>();
  const it = new XorIterator();
  for (const b of await listBlocks(bucket, tenant)) {
    const reader = await BlockReader.open(new BucketBlockFiles(bucket, tenant, b.ulid));
    try {
      for (const s of await reader.select([], -Infinity, Infinity)) {
        const key = s.labels.toString();
        const list = out.get(key) ?? [];
        for (const c of s.chunks) {
          it.reset(await reader.chunk(c.ref));
          while (it.next()) list.push([it.t, it.v]);
          if (it.err !== null) throw it.err;
        }
        out.set(key, list);
      }
    } finally {
      await reader.close();
    }
  }
  for (const list of out.values()) list.sort((a, b) => a[0] - b[0]);
  return out;
}

/** Reads a metric's value from a registry (0 when absent). */
export async function metricValue(registry: Registry, name: string): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  return m?.values[0]?.value ?? 0;
}
