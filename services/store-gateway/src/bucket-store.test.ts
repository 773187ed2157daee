/**
 * The store read path through the querier's API: blocks written by writeBlock into a
 * FilesystemBucket, a head with the newest data, queries over HTTP answered from both, merged
 * and de-duplicated.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { XorAppender } from '@tessera/chunkenc';
import { deleteBlock, markBlockForDeletion, uploadBlock } from '@tessera/blockstore';
import { DEFAULT_LIMITS, resolveLimits } from '@tessera/limits';
import { Labels } from '@tessera/model';
import { FilesystemBucket, type Bucket } from '@tessera/objstore';
import { Querier, createQueryRunner, registerQueryRoutes } from '@tessera/querier';
import { createHttpServer, createLogger } from '@tessera/server';
import { writeBlock, type BlockSeries } from '@tessera/tsdb';
// Test-only helper of the querier (heads readable as an ingester).
import { TestHeads } from '../../querier/src/routes-test-app.ts';
import { BucketStore } from './bucket-store.ts';

const H = 3_600_000;
const STEP = 15_000;
/** Aligned on 2h. */
const T0 = 236_112 * 2 * H;
const END = T0 + 7 * H; // samples at T0 + k·15s for T0 ≤ t < END
const TENANT = 'team-a';
const logger = createLogger({ level: 'silent' });

/** The value every replica agrees on for series `i` at `t`. */
const value = (i: number, t: number): number => i * 1e6 + (t - T0) / STEP;

const SERIES = [0, 1, 2].map((i) => ({ __name__: 'up', instance: `host-${i}:9100`, job: 'node' }));

/** Block series of SERIES over [from, to), chunked every `per` samples, skipping sample indexes `skip` accepts. */
function blockSeries(from: number, to: number, per = 120, skip: (k: number) => boolean = () => false, extra: BlockSeries[] = []): BlockSeries[] {
  const out: BlockSeries[] = SERIES.map((ls, i) => {
    const ts: number[] = [];
    for (let t = from, k = 0; t < to; t += STEP, k++) if (!skip(k)) ts.push(t);
    const chunks = [];
    for (let a = 0; a < ts.length; a += per) {
      const app = new XorAppender();
      const part = ts.slice(a, a + per);
      for (const t of part) app.append(t, value(i, t));
      chunks.push({ minT: part[0]!, maxT: part.at(-1)!, data: app.bytes().slice() });
    }
    return { labels: Labels.fromObject(ls), chunks };
  });
  return [...out, ...extra].sort((a, b) => Labels.compare(a.labels, b.labels));
}

function oneSampleSeries(labels: Record<string, string>, t: number, v: number): BlockSeries {
  const app = new XorAppender();
  app.append(t, v);
  return { labels: Labels.fromObject(labels), chunks: [{ minT: t, maxT: t, data: app.bytes().slice() }] };
}

interface Env {
  dir: string;
  bucket: Bucket;
  heads: TestHeads;
  now: number;
  store: BucketStore;
  registry: Registry;
  app: FastifyInstance;
}

async function startApp(env: Omit<Env, 'store' | 'app' | 'registry'>, syncDir: string, syncIntervalMs = 60_000): Promise<{ store: BucketStore; app: FastifyInstance; registry: Registry }> {
  const registry = new Registry();
  const store = new BucketStore(
    { syncIntervalMs, syncDir, ignoreDeletionMarksDelayMs: H },
    { bucket: env.bucket, logger, registry, now: () => (env as Env).now },
  );
  await store.start();
  const app = createHttpServer({ logger, registry, bodyLimitBytes: 1 << 20 });
  const runner = createQueryRunner({ workers: 0, ingesters: () => [env.heads, store], logger, registry });
  registerQueryRoutes(
    app,
    {
      querier: new Querier(() => [env.heads, store]),
      runner,
      metadata: () => [],
      limits: () => resolveLimits(DEFAULT_LIMITS, {}),
      registry,
      now: () => (env as Env).now,
    },
    { authEnabled: true, prefix: '/prometheus' },
  );
  await app.ready();
  return { store, app, registry };
}

async function get(app: FastifyInstance, path: string, params: Record<string, string | string[]>): Promise<{ status: number; body: any }> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
  const res = await app.inject({ method: 'GET', url: `/prometheus/api/v1/${path}?${qs}`, headers: { 'x-scope-orgid': TENANT } });
  return { status: res.statusCode, body: res.json() };
}

/** Every sample of `up` in the answer of `up[8h]` at END, by instance. */
async function rawSamples(app: FastifyInstance, query = 'up[8h]'): Promise<Map<string, [number, string][]>> {
  const r = await get(app, 'query', { query, time: String(END / 1000) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return new Map(r.body.data.result.map((s: any) => [s.metric.instance, s.values]));
}

function expected(i: number, from = T0, to = END): [number, string][] {
  const out: [number, string][] = [];
  for (let t = from; t < to; t += STEP) out.push([t / 1000, String(value(i, t))]);
  return out;
}

describe('BucketStore through the query API', () => {
  let env: Env;
  const ulids: string[] = [];

  beforeEach(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'store-gw-'));
    const bucket = new FilesystemBucket(join(dir, 'bucket'));
    const local = join(dir, 'local');
    ulids.length = 0;
    // [T0, T0+2h) and [T0+2h, T0+4h): one copy each; the first also holds a series the head lacks.
    const blocks: BlockSeries[][] = [
      blockSeries(T0, T0 + 2 * H, 120, undefined, [oneSampleSeries({ __name__: 'old_metric', zone: 'eu' }, T0 + H, 42)]),
      blockSeries(T0 + 2 * H, T0 + 4 * H),
      // [T0+4h, T0+6h) in three replica copies, cut differently, each missing different samples.
      blockSeries(T0 + 4 * H, T0 + 6 * H, 120, (k) => k % 7 === 3),
      blockSeries(T0 + 4 * H, T0 + 6 * H, 50, (k) => k % 5 === 1),
      blockSeries(T0 + 4 * H, T0 + 6 * H, 120),
    ];
    for (const [n, series] of blocks.entries()) {
      const from = n === 0 ? T0 : n === 1 ? T0 + 2 * H : T0 + 4 * H;
      const meta = await writeBlock(local, series, { minTime: from, maxTime: from + 2 * H, thanos: { labels: {}, downsample: { resolution: 0 }, source: 'ingester' } });
      await uploadBlock(bucket, TENANT, join(local, meta.ulid));
      ulids.push(meta.ulid);
    }
    // The head: from T0+5h50m (overlapping the last block) to END, plus a series of its own.
    const heads = new TestHeads();
    SERIES.forEach((ls, i) => {
      const samples: [number, number][] = [];
      for (let t = T0 + 5 * H + 50 * 60_000; t < END; t += STEP) samples.push([t, value(i, t)]);
      heads.add(TENANT, ls, samples);
    });
    heads.add(TENANT, { __name__: 'new_metric', zone: 'us' }, [[END - STEP, 7]]);
    const partial = { dir, bucket, heads, now: END + 60_000 };
    env = Object.assign(partial, await startApp(partial, join(dir, 'sync')));
  });

  afterEach(async () => {
    await env.app.close();
    await env.store.stop();
    env.heads.close();
    await env.bucket.close();
    await rm(env.dir, { recursive: true, force: true });
  });

  it('answers raw samples over blocks and head: every pushed sample exactly once', async () => {
    const got = await rawSamples(env.app);
    expect([...got.keys()].sort()).toEqual(['host-0:9100', 'host-1:9100', 'host-2:9100']);
    SERIES.forEach((_, i) => expect(got.get(`host-${i}:9100`)).toEqual(expected(i)));
  });

  it('answers query_range from the blocks alone, and with the head', async () => {
    const r = await get(env.app, 'query_range', { query: 'sum(up)', start: String(T0 / 1000), end: String((T0 + 3 * H) / 1000), step: '15' });
    expect(r.status).toBe(200);
    const vals = r.body.data.result[0].values as [number, string][];
    expect(vals.length).toBe((3 * H) / STEP + 1);
    for (const [ts, v] of vals) {
      const t = ts * 1000;
      expect(Number(v)).toBe(value(0, t) + value(1, t) + value(2, t));
    }
    const r2 = await get(env.app, 'query_range', { query: 'count_over_time(up[1h])', start: String((T0 + H) / 1000), end: String((END - STEP) / 1000), step: '3600' });
    expect(r2.status).toBe(200);
    for (const s of r2.body.data.result) for (const [, v] of s.values) expect(v).toBe(String(H / STEP));
  });

  it('merges series, label names and values of blocks and head', async () => {
    const s = await get(env.app, 'series', { 'match[]': '{zone!=""}', start: String(T0 / 1000), end: String(END / 1000) });
    expect(s.body.data).toEqual([
      { __name__: 'new_metric', zone: 'us' },
      { __name__: 'old_metric', zone: 'eu' },
    ]);
    const names = await get(env.app, 'labels', { start: String(T0 / 1000), end: String(END / 1000) });
    expect(names.body.data).toEqual(['__name__', 'instance', 'job', 'zone']);
    const zones = await get(env.app, 'label/zone/values', { start: String(T0 / 1000), end: String(END / 1000) });
    expect(zones.body.data).toEqual(['eu', 'us']);
    // A window of the head only: the old series is not in it.
    const recent = await get(env.app, 'label/zone/values', { start: String((END - H) / 1000), end: String(END / 1000) });
    expect(recent.body.data).toEqual(['us']);
    const old = await get(env.app, 'label/__name__/values', { start: String(T0 / 1000), end: String((T0 + 90 * 60_000) / 1000) });
    expect(old.body.data).toEqual(['old_metric', 'up']);
  });

  it('caches block indexes on disk, reuses them after a restart and refreshes the block list on demand', async () => {
    await rawSamples(env.app);
    const downloads = async (reg: Registry): Promise<number> => (await reg.getSingleMetric('tessera_bucket_store_cache_downloads_total')!.get()).values[0]!.value;
    expect(await downloads(env.registry)).toBe(2 * ulids.length); // index + meta.json per block
    expect((await readdir(join(env.dir, 'sync', TENANT))).sort()).toEqual([...ulids].sort());

    // A restart reuses the cache.
    await env.app.close();
    await env.store.stop();
    Object.assign(env, await startApp(env, join(env.dir, 'sync')));
    const again = await rawSamples(env.app);
    SERIES.forEach((_, i) => expect(again.get(`host-${i}:9100`)).toEqual(expected(i)));
    expect(await downloads(env.registry)).toBe(0);

    // A block uploaded later shows once the list is older than the sync interval.
    const local = join(env.dir, 'local2');
    const meta = await writeBlock(local, [oneSampleSeries({ __name__: 'late_metric' }, T0 + 10, 5)], { minTime: T0, maxTime: T0 + 2 * H });
    await uploadBlock(env.bucket, TENANT, join(local, meta.ulid));
    const count = async (): Promise<number> => (await get(env.app, 'series', { 'match[]': 'late_metric', start: String(T0 / 1000), end: String(END / 1000) })).body.data.length;
    expect(await count()).toBe(0);
    env.now += 60_000;
    expect(await count()).toBe(1);
  });

  it('stops querying blocks marked for deletion longer ago than the ignore delay, and drops their cache', async () => {
    await rawSamples(env.app);
    // The compactor replaced the first block: marked now, it is still queried.
    await markBlockForDeletion(env.bucket, TENANT, ulids[0]!, env.now);
    env.now += 60_000;
    expect((await rawSamples(env.app)).get('host-0:9100')).toEqual(expected(0));
    env.now += H;
    expect((await rawSamples(env.app)).get('host-0:9100')).toEqual(expected(0, T0 + 2 * H));
    expect(await env.store.blocks(TENANT)).toHaveLength(ulids.length - 1);
    expect(await readdir(join(env.dir, 'sync', TENANT))).not.toContain(ulids[0]);
  });

  it('answers exactly when blocks are compacted away and deleted between two listings', async () => {
    await rawSamples(env.app); // lists the blocks and caches their indexes
    // The compactor merges the three replica copies into one block and deletes them at once
    // (a deletion delay shorter than the store's sync interval).
    const local = join(env.dir, 'local3');
    const merged = await writeBlock(local, blockSeries(T0 + 4 * H, T0 + 6 * H), { minTime: T0 + 4 * H, maxTime: T0 + 6 * H });
    await uploadBlock(env.bucket, TENANT, join(local, merged.ulid));
    for (const u of ulids.slice(2)) await deleteBlock(env.bucket, TENANT, u);
    const got = await rawSamples(env.app);
    SERIES.forEach((_, i) => expect(got.get(`host-${i}:9100`)).toEqual(expected(i)));
    expect((await env.store.blocks(TENANT)).map((b) => b.ulid).sort()).toEqual([...ulids.slice(0, 2), merged.ulid].sort());
  });

  it('fails queries of a tenant whose blocks cannot be listed with 503', async () => {
    const broken: Bucket = Object.create(env.bucket);
    broken.iter = async () => {
      throw new Error('connection refused');
    };
    broken.list = async function* () {
      throw new Error('connection refused');
    };
    const store = new BucketStore({ syncIntervalMs: 60_000, syncDir: join(env.dir, 'sync2'), ignoreDeletionMarksDelayMs: H }, { bucket: broken, logger });
    await store.start();
    try {
      await expect(store.queryChunks(TENANT, [], T0, END)).rejects.toMatchObject({ kind: 'unavailable', code: 'store-unavailable' });
    } finally {
      await store.stop();
    }
  });
});
