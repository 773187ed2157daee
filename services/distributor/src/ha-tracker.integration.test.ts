/**
 * Two distributors (each with its own HA tracker and Redis connection) against one real
 * redis-server: they elect the same replica, also when the first requests race, and both follow
 * a failover. Skipped with a notice when redis-server is absent; fails instead with
 * TESSERA_REQUIRE_EXTERNAL=1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKV } from '@tessera/ring';
import { haTrackerStateCodec, type HaTrackerState } from './ha-tracker-state.ts';
import { FakeClock, body, haNode, haSeries, statusOf, type HaNode } from './ha-tracker-test-support.ts';

const haveRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const required = process.env['TESSERA_REQUIRE_EXTERNAL'] === '1';
if (!haveRedis && !required) {
  console.warn('[HA tracker integration] SKIPPED: redis-server not found on PATH (set TESSERA_REQUIRE_EXTERNAL=1 to fail instead)');
}
if (!haveRedis && required) {
  it('HA tracker integration: redis-server is required (TESSERA_REQUIRE_EXTERNAL=1)', () => {
    throw new Error('redis-server not found on PATH');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr !== null ? addr.port : 0));
    });
  });
}

/** Starts a throw-away redis-server on 127.0.0.1 without persistence. */
function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${out}`));
    });
  });
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!haveRedis)('HA tracker: two distributors on one Redis', () => {
  let redis: ChildProcess | undefined;
  let address = '';
  const stores: RedisKV<HaTrackerState>[] = [];
  const clock = new FakeClock();
  let d1: HaNode;
  let d2: HaNode;

  const node = (): HaNode => {
    const kv = new RedisKV<HaTrackerState>({ codec: haTrackerStateCodec, address, pollIntervalMs: 200 });
    stores.push(kv);
    return haNode(clock, kv);
  };

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    address = `127.0.0.1:${port}`;
    d1 = node();
    d2 = node();
  });
  afterAll(async () => {
    for (const n of [d1, d2]) await n?.tracker.stop();
    await Promise.all(stores.map((s) => s.close()));
    redis?.kill('SIGKILL');
  });

  it('agree on the elected replica, whichever distributor a request reaches', async () => {
    const a = haSeries('a', 'prom');
    const b = haSeries('b', 'prom');
    expect(statusOf(await d1.push('ha1', body([a], clock.ms)))).toBe(200);
    expect(statusOf(await d2.push('ha1', body([b], clock.ms)))).toBe(202);
    expect(statusOf(await d2.push('ha1', body([a], clock.ms + 1)))).toBe(200);
    expect(statusOf(await d1.push('ha1', body([b], clock.ms + 1)))).toBe(202);
    expect(d1.ingester.samples.length + d2.ingester.samples.length).toBe(2);
  });

  it('elect one replica when the first requests of both reach both distributors at once', async () => {
    const a = haSeries('a', 'race');
    const b = haSeries('b', 'race');
    const sends = [
      d1.push('ha1', body([a], clock.ms)),
      d2.push('ha1', body([b], clock.ms)),
      d2.push('ha1', body([a], clock.ms + 1)),
      d1.push('ha1', body([b], clock.ms + 1)),
    ];
    const [a1, b2, a2, b1] = (await Promise.all(sends)).map(statusOf);
    expect([a1, a2].every((s) => s === 200) !== [b1, b2].every((s) => s === 200)).toBe(true);
    expect([a1, b2, a2, b1].filter((s) => s === 202)).toHaveLength(2);
    await waitFor(() => d1.tracker.status().some((e) => e.cluster === 'race') && d2.tracker.status().some((e) => e.cluster === 'race'), 2000);
    const winner1 = d1.tracker.status().find((e) => e.cluster === 'race')!.replica;
    const winner2 = d2.tracker.status().find((e) => e.cluster === 'race')!.replica;
    expect(winner1).toBe(winner2);
  });

  it('fail over together: the other distributor learns of the new election by its watch', async () => {
    const a = haSeries('a', 'prom');
    const b = haSeries('b', 'prom');
    clock.advance(31);
    expect(statusOf(await d2.push('ha1', body([b], clock.ms)))).toBe(200);
    await waitFor(() => d1.tracker.status().find((e) => e.cluster === 'prom')?.replica === 'b', 3000);
    expect(statusOf(await d1.push('ha1', body([a], clock.ms)))).toBe(202);
    expect(statusOf(await d1.push('ha1', body([b], clock.ms + 1)))).toBe(200);
  });
});
