import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listBlocks } from '@tessera/blockstore';
import { Matcher } from '@tessera/model';
import { FilesystemBucket } from '@tessera/objstore';
import { flushRanges, nextCutRange } from './block-cut.ts';
import { FlakyBucket, HOUR, bucketSamples, metricValue, pushSeries, startShippingIngester } from './flush-test-support.ts';
import type { Ingester } from './ingester.ts';
import { readShipperFile } from './shipper-file.ts';
import { cleanupTempDirs, samplesOf, tempDir } from './test-support.ts';

const R = 2 * HOUR;
/** Not aligned on the range: T0 − 13m20s is. */
const T0 = 1_700_000_000_000;
const A0 = Math.floor(T0 / R) * R;
/** A NaN with a payload (as a JS number it is quieted to 0x7ff8…02 before it is pushed). */
const nanWithPayload = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;

const running: Ingester[] = [];
afterEach(async () => {
  for (const ing of running.splice(0)) await ing.stop();
  cleanupTempDirs();
});

/** `n` samples every `step` ms from `from`, values derived from the time. */
function samples(from: number, n: number, step: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [from + i * step, Math.sin((from + i * step) / 1e7) * 100 + i]);
}

/** Pushes two series over [T0, T0 + hours) every 30 s; the first ends with a NaN with a payload. Returns what was pushed. */
function pushHours(ing: Ingester, tenant: string, hours: number): Map<string, [number, number][]> {
  const n = (hours * HOUR) / 30_000;
  const a = samples(T0, n, 30_000);
  a[a.length - 1] = [a[a.length - 1]![0], nanWithPayload];
  const b = samples(T0 + 7, n, 30_000);
  // In 10-minute slices, as a scraper would send them (a series far ahead makes the other too old).
  for (let i = 0; i < n; i += 20) {
    pushSeries(ing, tenant, { __name__: 'cpu', job: 'a' }, a.slice(i, i + 20));
    pushSeries(ing, tenant, { __name__: 'cpu', job: 'b' }, b.slice(i, i + 20));
  }
  return new Map([
    ['cpu{job="a"}', a],
    ['cpu{job="b"}', b],
  ]);
}

/** What the tenant's head holds, per series (labels as text). */
function headSamples(ing: Ingester, tenant: string): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const s of ing.queryChunks(tenant, [Matcher.create('=', '__name__', 'cpu')], -Infinity, Infinity)) out.set(s.labels.toString(), samplesOf(s));
  return out;
}

/** Samples of `all` in [mint, maxt). */
function within(all: Map<string, [number, number][]>, mint: number, maxt: number): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const [k, v] of all) {
    const w = v.filter(([t]) => t >= mint && t < maxt);
    if (w.length > 0) out.set(k, w);
  }
  return out;
}

/** Compares sample lists bit for bit (NaN payloads included). */
function expectSameSamples(got: Map<string, [number, number][]>, want: Map<string, [number, number][]>): void {
  const bits = (m: Map<string, [number, number][]>) =>
    [...m].map(([k, v]) => [k, v.map(([t, x]) => `${t}:${new BigUint64Array(new Float64Array([x]).buffer)[0]!.toString(16)}`)]);
  expect(bits(got)).toEqual(bits(want));
}

async function start(opts: Parameters<typeof startShippingIngester>[0]) {
  const r = await startShippingIngester(opts);
  running.push(r.ing);
  return r;
}

function localBlocks(dataDir: string, tenant: string): string[] {
  try {
    return fs.readdirSync(path.join(dataDir, 'tsdb', tenant, 'blocks'));
  } catch {
    return [];
  }
}

describe('cut ranges', () => {
  it.each([
    ['span exactly 1.5 ranges: nothing', T0, T0 + 1.5 * R, -Infinity, null],
    ['span just over 1.5 ranges: the oldest aligned range', T0, T0 + 1.5 * R + 1, -Infinity, { mint: A0, maxt: A0 + R }],
    ['empty head', Infinity, -Infinity, -Infinity, null],
    ['cut point past minT counts as the start', T0, T0 + 2.2 * R, A0 + R, null],
    ['cut point past minT, span large enough', T0, T0 + 3 * R, A0 + R, { mint: A0 + R, maxt: A0 + 2 * R }],
  ])('%s', (_name, minT, maxT, cutUpTo, want) => {
    expect(nextCutRange(minT, maxT, cutUpTo, R)).toEqual(want);
  });

  it('flush ranges cover everything past the cut point, the last one partial', () => {
    expect(flushRanges(T0, T0 + R, -Infinity, R)).toEqual([
      { mint: A0, maxt: A0 + R },
      { mint: A0 + R, maxt: A0 + 2 * R },
    ]);
    expect(flushRanges(T0, T0 + R, A0 + R, R)).toEqual([{ mint: A0 + R, maxt: A0 + 2 * R }]);
    expect(flushRanges(Infinity, -Infinity, -Infinity, R)).toEqual([]);
  });
});

describe('block cutting and shipping', () => {
  it('does not cut a head spanning at most 1.5 ranges', async () => {
    const dataDir = tempDir();
    const bucket = new FilesystemBucket(tempDir());
    const { ing } = await start({ dataDir, bucket });
    const pushed = pushHours(ing, 't1', 3); // T0 .. T0+3h−30s: under 1.5 × 2h
    await ing.flusher.cutCycle();
    expect(await listBlocks(bucket, 't1')).toEqual([]);
    expect(localBlocks(dataDir, 't1')).toEqual([]);
    expectSameSamples(headSamples(ing, 't1'), pushed);
  });

  it('cuts the oldest range into a block holding exactly its samples, uploads it and drops it from the head', async () => {
    const dataDir = tempDir();
    const bucket = new FilesystemBucket(tempDir());
    const { ing, registry } = await start({ dataDir, bucket });
    const pushed = pushHours(ing, 't1', 4.5);
    await ing.flusher.cutCycle();

    const blocks = await listBlocks(bucket, 't1');
    expect(blocks.map((b) => [b.meta.minTime, b.meta.maxTime])).toEqual([[A0, A0 + R]]);
    expect(blocks[0]!.meta.compaction).toMatchObject({ level: 1, sources: [blocks[0]!.ulid] });
    expect(blocks[0]!.meta.thanos).toMatchObject({ labels: {}, source: 'ingester' });
    expectSameSamples(await bucketSamples(bucket, 't1'), within(pushed, A0, A0 + R));
    // The head keeps the rest; nothing is lost or doubled between the two.
    expectSameSamples(headSamples(ing, 't1'), within(pushed, A0 + R, Infinity));
    expect(localBlocks(dataDir, 't1')).toEqual([]);
    expect([...(await readShipperFile(path.join(dataDir, 'tsdb', 't1')))]).toEqual([]);
    expect(await metricValue(registry, 'tessera_ingester_shipper_uploads_total')).toBe(1);
    expect(await metricValue(registry, 'tessera_ingester_blocks_cut_total')).toBe(1);
    expect(await metricValue(registry, 'tessera_ingester_shipper_last_successful_upload_timestamp_seconds')).toBeGreaterThan(0);
    expect(await metricValue(registry, 'tessera_ingester_shipper_blocks_pending')).toBe(0);
  });

  it('keeps shipped samples in the head for the keep period, listed in shipper.json meanwhile', async () => {
    const dataDir = tempDir();
    const bucket = new FilesystemBucket(tempDir());
    const clock = { now: T0 + 5 * HOUR };
    const { ing } = await start({ dataDir, bucket, clock, flush: { keepShippedMs: 3 * 60_000 } });
    const pushed = pushHours(ing, 't1', 4.5);
    await ing.flusher.cutCycle();
    const [block] = await listBlocks(bucket, 't1');
    expect(block).toBeDefined();
    const tenantDir = path.join(dataDir, 'tsdb', 't1');
    expect([...(await readShipperFile(tenantDir))]).toEqual([block!.ulid]);
    expect(localBlocks(dataDir, 't1')).toEqual([block!.ulid]);
    expectSameSamples(headSamples(ing, 't1'), pushed);

    clock.now += 3 * 60_000;
    await ing.flusher.shipCycle();
    expectSameSamples(headSamples(ing, 't1'), within(pushed, A0 + R, Infinity));
    expect(localBlocks(dataDir, 't1')).toEqual([]);
    expect([...(await readShipperFile(tenantDir))]).toEqual([]);
  });

  it('retries a failed upload at the next ship interval, counting the failure, and keeps the data queryable meanwhile', async () => {
    const dataDir = tempDir();
    const bucket = new FlakyBucket(new FilesystemBucket(tempDir()));
    bucket.failUploads = true;
    const { ing, registry } = await start({ dataDir, bucket });
    const pushed = pushHours(ing, 't1', 4.5);
    await ing.flusher.cutCycle();
    await ing.flusher.shipCycle();
    expect(await metricValue(registry, 'tessera_ingester_shipper_upload_failures_total')).toBe(2);
    expect(await metricValue(registry, 'tessera_ingester_shipper_blocks_pending')).toBe(1);
    expect(await metricValue(registry, 'tessera_ingester_shipper_uploads_total')).toBe(0);
    expect(localBlocks(dataDir, 't1')).toHaveLength(1);
    expectSameSamples(headSamples(ing, 't1'), pushed);
    // The range is not cut a second time while its block waits.
    await ing.flusher.cutCycle();
    expect(localBlocks(dataDir, 't1')).toHaveLength(1);

    bucket.failUploads = false;
    await ing.flusher.shipCycle();
    expect(await metricValue(registry, 'tessera_ingester_shipper_uploads_total')).toBe(1);
    expect(await metricValue(registry, 'tessera_ingester_shipper_blocks_pending')).toBe(0);
    expectSameSamples(await bucketSamples(bucket, 't1'), within(pushed, A0, A0 + R));
    expectSameSamples(headSamples(ing, 't1'), within(pushed, A0 + R, Infinity));
  });

  it('uploads at the next start a block cut before the process ended without uploading it', async () => {
    const dataDir = tempDir();
    const bucket = new FlakyBucket(new FilesystemBucket(tempDir()));
    bucket.failUploads = true;
    const first = await startShippingIngester({ dataDir, bucket });
    const pushed = pushHours(first.ing, 't1', 4.5);
    await first.ing.flusher.cutCycle();
    expect(localBlocks(dataDir, 't1')).toHaveLength(1);
    await first.ing.stop();

    bucket.failUploads = false;
    const { ing, registry } = await start({ dataDir, bucket });
    await ing.flusher.shipCycle(); // queued behind the upload the start began
    expect(await metricValue(registry, 'tessera_ingester_shipper_uploads_total')).toBe(1);
    expectSameSamples(await bucketSamples(bucket, 't1'), within(pushed, A0, A0 + R));
    expectSameSamples(headSamples(ing, 't1'), within(pushed, A0 + R, Infinity));
    expect(localBlocks(dataDir, 't1')).toEqual([]);
    // Not cut again from the replayed WAL.
    await ing.flusher.cutCycle();
    expect(await listBlocks(bucket, 't1')).toHaveLength(1);
  });

  it('does not upload again a block listed in shipper.json when the process ended before dropping it', async () => {
    const dataDir = tempDir();
    const bucket = new FlakyBucket(new FilesystemBucket(tempDir()));
    const clock = { now: T0 + 5 * HOUR };
    const first = await startShippingIngester({ dataDir, bucket, clock, flush: { keepShippedMs: HOUR } });
    const pushed = pushHours(first.ing, 't1', 4.5);
    await first.ing.flusher.cutCycle();
    const uploads = bucket.uploads;
    expect(localBlocks(dataDir, 't1')).toHaveLength(1);
    await first.ing.stop();

    const { ing, registry } = await start({ dataDir, bucket, clock });
    await ing.flusher.shipCycle();
    expect(bucket.uploads).toBe(uploads);
    expect(await metricValue(registry, 'tessera_ingester_shipper_uploads_total')).toBe(0);
    expect(localBlocks(dataDir, 't1')).toEqual([]);
    expectSameSamples(headSamples(ing, 't1'), within(pushed, A0 + R, Infinity));
    expect(await listBlocks(bucket, 't1')).toHaveLength(1);
  });

  it('flushes every head into the bucket on shutdown, leaving empty heads and WALs for the next start', async () => {
    const dataDir = tempDir();
    const bucket = new FilesystemBucket(tempDir());
    const first = await startShippingIngester({ dataDir, bucket, flush: { flushOnShutdown: true, keepShippedMs: HOUR } });
    const p1 = pushHours(first.ing, 't1', 3);
    const p2 = pushHours(first.ing, 't2', 1);
    await first.ing.stop();
    expectSameSamples(await bucketSamples(bucket, 't1'), p1);
    expectSameSamples(await bucketSamples(bucket, 't2'), p2);
    expect((await listBlocks(bucket, 't1')).map((b) => [b.meta.minTime, b.meta.maxTime])).toEqual([
      [A0, A0 + R],
      [A0 + R, A0 + 2 * R],
    ]);

    const { ing } = await start({ dataDir, bucket });
    expect(ing.head('t1')?.numSeries).toBe(0);
    expect(ing.head('t2')?.numSeries).toBe(0);
    expect(headSamples(ing, 't1').size).toBe(0);
    expect(localBlocks(dataDir, 't1')).toEqual([]);
  });

  it('keeps the data of a flush whose upload failed, and uploads it at the next start without losing later samples', async () => {
    const dataDir = tempDir();
    const bucket = new FlakyBucket(new FilesystemBucket(tempDir()));
    bucket.failUploads = true;
    const first = await startShippingIngester({ dataDir, bucket, flush: { flushOnShutdown: true } });
    const pushed = pushHours(first.ing, 't1', 1);
    await first.ing.stop();
    expect(localBlocks(dataDir, 't1')).toHaveLength(1);

    bucket.failUploads = false;
    const { ing } = await start({ dataDir, bucket });
    await ing.flusher.shipCycle();
    expectSameSamples(await bucketSamples(bucket, 't1'), pushed);
    // The partial range stays in the head too: a later sample inside it is not dropped with it.
    const late: [number, number][] = [[T0 + HOUR + 5_000, 42]];
    pushSeries(ing, 't1', { __name__: 'cpu', job: 'b' }, late);
    await ing.flusher.shipCycle();
    const head = headSamples(ing, 't1');
    expect(head.get('cpu{job="b"}')?.at(-1)).toEqual(late[0]);
    expect(head.get('cpu{job="a"}')).toHaveLength(pushed.get('cpu{job="a"}')!.length);
  });
});
