import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { TesseraError } from '@tessera/server';
import { Lifecycler, forgetInstance } from './lifecycler.ts';
import { MemoryKV } from './kv/memory-kv.ts';
import type { KVStore } from './kv/kv-store.ts';
import { Ring } from './ring.ts';
import { ringDescCodec } from './ring-codec.ts';
import { seededRandomUint32 } from './tokens.ts';
import { DEFAULT_RING_KEY, type InstanceState, type RingDesc } from './types.ts';

const HOUR = 3_600_000;
const tick = () => new Promise((r) => setTimeout(r, 0));

function newKV(): MemoryKV<RingDesc> {
  return new MemoryKV(ringDescCodec);
}

async function stored(kv: KVStore<RingDesc>): Promise<RingDesc> {
  return (await kv.get(DEFAULT_RING_KEY)) ?? { instances: {} };
}

describe('Lifecycler', () => {
  it('start() registers the instance ACTIVE with numTokens distinct sorted tokens', async () => {
    const kv = newKV();
    const lc = new Lifecycler(kv, { id: 'ing-1', addr: '10.0.0.1:9095', heartbeatPeriodMs: HOUR });
    await lc.start();
    const me = (await stored(kv)).instances['ing-1']!;
    expect(me.state).toBe('ACTIVE');
    expect(me.addr).toBe('10.0.0.1:9095');
    expect(me.tokens).toHaveLength(128);
    expect(new Set(me.tokens).size).toBe(128);
    expect([...me.tokens].sort((a, b) => a - b)).toEqual(me.tokens);
    expect(lc.tokens).toEqual(me.tokens);
    expect(lc.state).toBe('ACTIVE');
    await lc.stop();
  });

  it('passes through PENDING and JOINING before ACTIVE, under caller control', async () => {
    const kv = newKV();
    const seen: InstanceState[] = [];
    kv.watch(DEFAULT_RING_KEY, (d) => {
      const s = d.instances['ing-1']?.state;
      if (s !== undefined && s !== seen.at(-1)) seen.push(s);
    });
    const lc = new Lifecycler(kv, { id: 'ing-1', addr: 'a:1', autoJoin: false, numTokens: 16, heartbeatPeriodMs: HOUR });
    await lc.start();
    await tick();
    const pending = (await stored(kv)).instances['ing-1']!;
    expect(pending.state).toBe('PENDING');
    expect(pending.tokens).toEqual([]); // tokens are taken on join
    await lc.join();
    await tick();
    expect(seen).toEqual(['PENDING', 'JOINING', 'ACTIVE']);
    expect((await stored(kv)).instances['ing-1']!.tokens).toHaveLength(16);
    await lc.stop();
  });

  it('a restart with the same id takes back its tokens and registration time', async () => {
    const kv = newKV();
    let now = 1_000;
    const first = new Lifecycler(kv, { id: 'ing-1', addr: 'a:1', heartbeatPeriodMs: HOUR, now: () => now });
    await first.start();
    const tokens = [...first.tokens];
    // Crash: the process dies without leaving; its entry stays in the ring.
    now = 50_000;
    const other = new Lifecycler(kv, { id: 'ing-2', addr: 'b:1', heartbeatPeriodMs: HOUR, now: () => now });
    await other.start();
    const restarted = new Lifecycler(kv, { id: 'ing-1', addr: 'a:2', autoJoin: false, heartbeatPeriodMs: HOUR, now: () => now });
    await restarted.start();
    let me = (await stored(kv)).instances['ing-1']!;
    // While PENDING (replaying its WAL) it already holds its old tokens, and takes no writes.
    expect([me.state, me.tokens, me.registeredMs, me.heartbeatMs, me.addr]).toEqual(['PENDING', tokens, 1_000, 50_000, 'a:2']);
    await restarted.join();
    me = (await stored(kv)).instances['ing-1']!;
    expect([me.state, me.tokens]).toEqual(['ACTIVE', tokens]);
    expect(other.tokens.some((t) => tokens.includes(t))).toBe(false);
  });

  it('stop() marks LEAVING, then unregisters (Mimir default)', async () => {
    const kv = newKV();
    const lc = new Lifecycler(kv, { id: 'ing-1', addr: 'a:1', heartbeatPeriodMs: HOUR });
    await lc.start();
    const seen: string[] = [];
    kv.watch(DEFAULT_RING_KEY, (d) => seen.push(d.instances['ing-1']?.state ?? 'gone'));
    await tick();
    await lc.setState('LEAVING');
    await tick();
    await lc.stop();
    await tick();
    expect(seen).toEqual(['ACTIVE', 'LEAVING', 'gone']);
    expect(lc.state).toBeUndefined();
  });

  it('with unregisterOnShutdown=false the entry stays LEAVING with its tokens', async () => {
    const kv = newKV();
    const lc = new Lifecycler(kv, { id: 'ing-1', addr: 'a:1', heartbeatPeriodMs: HOUR, unregisterOnShutdown: false });
    await lc.start();
    const tokens = [...lc.tokens];
    await lc.stop();
    const me = (await stored(kv)).instances['ing-1']!;
    expect([me.state, me.tokens]).toEqual(['LEAVING', tokens]);
  });

  it('instances starting at once through one store never share a token', async () => {
    const kv = newKV();
    // The same random sequence for every instance: without the CAS re-check they would collide.
    const lcs = Array.from(
      { length: 10 },
      (_, i) => new Lifecycler(kv, { id: `ing-${i}`, addr: `h${i}:1`, heartbeatPeriodMs: HOUR, random: seededRandomUint32(1) }),
    );
    await Promise.all(lcs.map((l) => l.start()));
    const d = await stored(kv);
    expect(Object.keys(d.instances)).toHaveLength(10);
    const all = Object.values(d.instances).flatMap((i) => i.tokens);
    expect(all).toHaveLength(1280);
    expect(new Set(all).size).toBe(1280);
  });

  it('heartbeats periodically', async () => {
    const kv = newKV();
    let now = 1_000;
    const lc = new Lifecycler(kv, { id: 'ing-1', addr: 'a:1', heartbeatPeriodMs: 20, now: () => now });
    await lc.start();
    expect((await stored(kv)).instances['ing-1']!.heartbeatMs).toBe(1_000);
    now = 2_000;
    await new Promise((r) => setTimeout(r, 80));
    expect((await stored(kv)).instances['ing-1']!.heartbeatMs).toBe(2_000);
    await lc.stop();
  });

  it('a live instance that was forgotten re-registers with its tokens on the next heartbeat', async () => {
    const kv = newKV();
    const lc = new Lifecycler(kv, { id: 'ing-1', addr: 'a:1', heartbeatPeriodMs: HOUR });
    await lc.start();
    const tokens = [...lc.tokens];
    expect(await forgetInstance(kv, DEFAULT_RING_KEY, 'ing-1')).toBe(true);
    expect((await stored(kv)).instances['ing-1']).toBeUndefined();
    await lc.heartbeat();
    const me = (await stored(kv)).instances['ing-1']!;
    expect([me.state, me.tokens]).toEqual(['ACTIVE', tokens]);
    await lc.stop();
  });

  it('forget() removes a dead instance so writes go elsewhere', async () => {
    const kv = newKV();
    let now = 0;
    const clock = () => now;
    const a = new Lifecycler(kv, { id: 'a', addr: 'a:1', heartbeatPeriodMs: HOUR, now: clock });
    const b = new Lifecycler(kv, { id: 'b', addr: 'b:1', heartbeatPeriodMs: HOUR, now: clock });
    await a.start();
    await b.start();
    const ring = new Ring(kv, { replicationFactor: 1, now: clock });
    await ring.start();
    now = 120_000; // b dies; a keeps heartbeating
    await a.heartbeat();
    await tick();
    expect(ring.status().find((s) => s.id === 'b')!.state).toBe('UNHEALTHY');
    expect(await a.forget('b')).toBe(true);
    expect(await a.forget('b')).toBe(false);
    await tick();
    expect(ring.status().map((s) => s.id)).toEqual(['a']);
    expect(ring.ownership().get('a')).toBe(1);
    ring.stop();
  });

  it('a state change is visible to a Ring reading the same store', async () => {
    const kv = newKV();
    const lcs = ['a', 'b', 'c'].map((id) => new Lifecycler(kv, { id, addr: `${id}:1`, heartbeatPeriodMs: HOUR }));
    await Promise.all(lcs.map((l) => l.start()));
    const ring = new Ring(kv);
    await ring.start();
    expect(ring.allHealthy('write').instances).toHaveLength(3);
    await lcs[0]!.setState('LEAVING');
    await tick();
    expect(ring.allHealthy('write').instances.map((i) => i.id)).toEqual(['b', 'c']);
    expect(ring.allHealthy('read').instances.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    ring.stop();
  });

  it('counts failed heartbeats and keeps going', async () => {
    const kv = newKV();
    let failing = false;
    const flaky: KVStore<RingDesc> = {
      get: (k) => kv.get(k),
      cas: (k, u, o) => (failing ? Promise.reject(new TesseraError('unavailable', 'kv-unavailable', 'down')) : kv.cas(k, u, o)),
      watch: (k, f) => kv.watch(k, f),
      close: () => kv.close(),
    };
    const registry = new Registry();
    let now = 0;
    const lc = new Lifecycler(flaky, { id: 'a', addr: 'a:1', heartbeatPeriodMs: 10, now: () => now }, { registry });
    await lc.start();
    failing = true;
    await new Promise((r) => setTimeout(r, 60));
    await expect(lc.heartbeat()).rejects.toMatchObject({ code: 'kv-unavailable' });
    const failures = (await registry.getSingleMetric('tessera_ring_heartbeat_failures_total')!.get()).values[0]!.value;
    expect(failures).toBeGreaterThan(0);
    failing = false;
    now = 5_000;
    await new Promise((r) => setTimeout(r, 40));
    expect((await stored(kv)).instances['a']!.heartbeatMs).toBe(5_000);
    await lc.stop();
  });

  it('rejects an empty or prototype-polluting id', () => {
    expect(() => new Lifecycler(newKV(), { id: '', addr: 'a:1' })).toThrow(/invalid instance id/);
    expect(() => new Lifecycler(newKV(), { id: '__proto__', addr: 'a:1' })).toThrow(/invalid instance id/);
  });
});
