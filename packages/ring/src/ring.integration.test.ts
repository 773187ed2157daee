import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lifecycler } from './lifecycler.ts';
import { RedisKV } from './kv/redis-kv.ts';
import { redisTestMode, startRedis, type TestRedis } from './kv/redis-test-server.ts';
import { Ring } from './ring.ts';
import { ringDescCodec } from './ring-codec.ts';
import { seededRandomUint32 } from './tokens.ts';
import type { RingDesc } from './types.ts';

const mode = redisTestMode('ring');
if (mode.fail) {
  it('ring integration: redis-server is required (TESSERA_REQUIRE_EXTERNAL=1)', () => {
    throw new Error('redis-server not found on PATH');
  });
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - start;
}

describe.skipIf(!mode.run)('the ring through a real redis-server', () => {
  let redis: TestRedis;
  const stores: RedisKV<RingDesc>[] = [];
  /** One store per simulated process: its own connections, its own CAS queue. */
  const open = (pollIntervalMs = 1000) => {
    const kv = new RedisKV<RingDesc>({ codec: ringDescCodec, address: redis.address, pollIntervalMs });
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

  it('20 instances joining at once lose no instance and no token', async () => {
    const key = 'join-ring';
    const lcs = Array.from(
      { length: 20 },
      // Identical random sequences: concurrent joins would pick the same tokens without CAS.
      (_, i) => new Lifecycler(open(), { key, id: `ing-${i}`, addr: `10.0.0.${i}:9095`, heartbeatPeriodMs: 60_000, random: seededRandomUint32(3) }),
    );
    await Promise.all(lcs.map((l) => l.start()));
    const desc = (await open().get(key))!;
    expect(Object.keys(desc.instances).sort()).toEqual(lcs.map((l) => l.id).sort());
    const all: number[] = [];
    for (const l of lcs) {
      const me = desc.instances[l.id]!;
      expect(me.state).toBe('ACTIVE');
      expect(me.tokens).toHaveLength(128);
      expect(me.tokens).toEqual(l.tokens);
      all.push(...me.tokens);
    }
    expect(new Set(all).size).toBe(20 * 128);
    await Promise.all(lcs.map((l) => l.stop()));
    expect(Object.keys((await open().get(key))!.instances)).toEqual([]);
  });

  it('a Ring in another process sees a state change within one heartbeat period', async () => {
    const key = 'watch-ring';
    const heartbeatPeriodMs = 1000;
    const lcs = ['a', 'b', 'c'].map((id) => new Lifecycler(open(), { key, id, addr: `${id}:1`, heartbeatPeriodMs }));
    await Promise.all(lcs.map((l) => l.start()));
    const ring = new Ring(open(), { key });
    await ring.start();
    expect(ring.allHealthy('write').instances).toHaveLength(3);
    const start = Date.now();
    await lcs[1]!.setState('LEAVING');
    const seenAfter = await waitFor(() => ring.instance('b')?.state === 'LEAVING', heartbeatPeriodMs);
    expect(seenAfter).toBeLessThan(heartbeatPeriodMs);
    expect(Date.now() - start).toBeLessThan(heartbeatPeriodMs);
    expect(ring.allHealthy('write').instances.map((i) => i.id)).toEqual(['a', 'c']);
    // Heartbeats keep flowing through the same watch.
    const hb = ring.instance('a')!.heartbeatMs;
    await waitFor(() => ring.instance('a')!.heartbeatMs > hb, 2 * heartbeatPeriodMs + 500);
    ring.stop();
    await Promise.all(lcs.map((l) => l.stop()));
  });

  it('after a Redis restart (store lost) heartbeats re-register the instances with their tokens', async () => {
    const key = 'restart-ring';
    const lcs = ['a', 'b'].map((id) => new Lifecycler(open(), { key, id, addr: `${id}:1`, heartbeatPeriodMs: 200 }));
    await Promise.all(lcs.map((l) => l.start()));
    const tokens = lcs.map((l) => [...l.tokens]);
    const ring = new Ring(open(200), { key });
    await ring.start();
    await redis.kill();
    await new Promise((r) => setTimeout(r, 300));
    await redis.restart();
    // A third instance joins after the restart: the ring must learn of it, and of a and b again.
    const late = new Lifecycler(open(), { key, id: 'c', addr: 'c:1', heartbeatPeriodMs: 200 });
    let started = false;
    for (let i = 0; i < 100 && !started; i++) {
      try {
        await late.start();
        started = true;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(started).toBe(true);
    // a and b are back in the store itself (not only in the ring's memory), with their tokens.
    const reader = open();
    let stored: RingDesc | null = null;
    for (let i = 0; i < 100; i++) {
      stored = await reader.get(key);
      if (stored?.instances['a'] !== undefined && stored.instances['b'] !== undefined) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stored!.instances['a']!.tokens).toEqual(tokens[0]);
    expect(stored!.instances['b']!.tokens).toEqual(tokens[1]);
    expect(stored!.instances['a']!.state).toBe('ACTIVE');
    // The watching ring resumed: it learns of c, which joined only after the restart.
    await waitFor(() => ring.instance('c')?.state === 'ACTIVE' && ring.instance('c')!.tokens.length === 128, 10_000);
    ring.stop();
    await Promise.all([...lcs, late].map((l) => l.stop()));
  });
});
