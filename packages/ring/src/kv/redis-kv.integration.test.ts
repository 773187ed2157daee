import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { jsonCodec } from './codec.ts';
import { RedisKV } from './redis-kv.ts';
import { redisTestMode, startRedis, type TestRedis } from './redis-test-server.ts';

interface Counter {
  n: number;
}
const codec = jsonCodec<Counter>((v) => {
  if (typeof v !== 'object' || v === null || typeof (v as Counter).n !== 'number') throw new Error('not a counter');
  return v as Counter;
});

const mode = redisTestMode('RedisKV');
if (mode.fail) {
  it('RedisKV integration: redis-server is required (TESSERA_REQUIRE_EXTERNAL=1)', () => {
    throw new Error('redis-server not found on PATH');
  });
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - start;
}

describe.skipIf(!mode.run)('RedisKV against a real redis-server', () => {
  let redis: TestRedis;
  const stores: RedisKV<Counter>[] = [];
  const open = (opts: { pollIntervalMs?: number; registry?: Registry } = {}) => {
    const kv = new RedisKV<Counter>({ codec, address: redis.address, ...opts });
    stores.push(kv);
    return kv;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis?.kill();
  });

  it('get, create, update and no-change', async () => {
    const kv = open();
    expect(await kv.get('basic')).toBeNull();
    expect(await kv.cas('basic', () => ({ n: 1 }))).toEqual({ n: 1 });
    expect(await kv.cas('basic', (c) => ({ n: c!.n + 1 }))).toEqual({ n: 2 });
    expect(await kv.cas('basic', () => null)).toEqual({ n: 2 });
    expect(await open().get('basic')).toEqual({ n: 2 });
  });

  it('loses no update when many writers in several processes increment one counter', async () => {
    const registry = new Registry();
    const clients = Array.from({ length: 6 }, () => open({ registry }));
    const perClient = 40;
    await Promise.all(
      clients.flatMap((kv) => Array.from({ length: perClient }, () => kv.cas('counter', (c) => ({ n: (c?.n ?? 0) + 1 })))),
    );
    expect(await clients[0]!.get('counter')).toEqual({ n: clients.length * perClient });
    // The writers really raced (and the losers retried) rather than running one after another.
    const retries = (await registry.getSingleMetric('tessera_kv_cas_retries_total')!.get()).values.find(
      (v) => v.labels['store'] === 'redis',
    )!.value;
    expect(retries).toBeGreaterThan(0);
  });

  it('a watcher in another process sees a change within milliseconds (pub/sub)', async () => {
    const writer = open();
    const watcher = open({ pollIntervalMs: 60_000 }); // no poll: only the notification can deliver
    await writer.cas('w', () => ({ n: 1 }));
    const got: number[] = [];
    watcher.watch('w', (v) => got.push(v.n));
    await waitFor(() => got.length === 1, 2000);
    const start = Date.now();
    await writer.cas('w', () => ({ n: 2 }));
    await waitFor(() => got.at(-1) === 2, 1000);
    expect(Date.now() - start).toBeLessThan(500);
    expect(got).toEqual([1, 2]);
  });

  it('the poll fallback catches a change whose notification was lost', async () => {
    const writer = open();
    const watcher = open({ pollIntervalMs: 100 });
    await writer.cas('p', () => ({ n: 1 }));
    const got: number[] = [];
    watcher.watch('p', (v) => got.push(v.n));
    await waitFor(() => got.length === 1, 2000);
    // Write behind the store's back: a new version, but no message on the channel.
    const raw = new Redis({ host: '127.0.0.1', port: redis.port });
    await raw.hset('tessera:p', 'd', JSON.stringify({ n: 7 }), 'v', '99');
    await raw.quit();
    const waited = await waitFor(() => got.at(-1) === 7, 2000);
    expect(waited).toBeLessThan(600);
  });

  it('surfaces a stored value the codec rejects as kv-decode-failed', async () => {
    const raw = new Redis({ host: '127.0.0.1', port: redis.port });
    await raw.hset('tessera:bad', 'd', '{"x":1}', 'v', '1', 'e', 'x');
    await raw.quit();
    await expect(open().get('bad')).rejects.toMatchObject({ code: 'kv-decode-failed', kind: 'internal' });
  });

  it('survives a Redis restart: writes fail typed while down, then work, and watchers resume', async () => {
    const writer = open();
    const watcher = open({ pollIntervalMs: 100 });
    await writer.cas('r', () => ({ n: 1 }));
    await writer.cas('r', () => ({ n: 2 }));
    const got: number[] = [];
    watcher.watch('r', (v) => got.push(v.n));
    await waitFor(() => got.at(-1) === 2, 2000);

    await redis.kill();
    await expect(writer.cas('r', () => ({ n: 3 }))).rejects.toMatchObject({ code: 'kv-unavailable', kind: 'unavailable' });
    await redis.restart(); // no persistence: every key is gone

    // Version numbering starts again at 1 after the restart; the epoch tells the watcher that
    // this "version 1" is new.
    await waitFor(async () => {
      try {
        await writer.cas('r', () => ({ n: 10 }));
        return true;
      } catch {
        return false;
      }
    }, 10_000);
    await waitFor(() => got.at(-1) === 10, 5000);
  });
});
