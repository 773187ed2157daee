import { describe, expect, it } from 'vitest';
import { MemoryKV, type KVStore } from '@tessera/ring';
import { TesseraError } from '@tessera/server';
import { haTrackerKey, haTrackerStateCodec, type HaTrackerState } from './ha-tracker-state.ts';
import { FakeClock, body, haNode, haSeries, metricValue, statusOf } from './ha-tracker-test-support.ts';

const A = haSeries('a', 'prom');
const B = haSeries('b', 'prom');
const STORED = 'up{cluster="prom", job="node"}';

describe('HA tracker in the distributor', () => {
  it('keeps the first replica, answers the other 202 and stores none of its samples', async () => {
    const clock = new FakeClock();
    const n = haNode(clock);
    expect(statusOf(await n.push('ha1', body([A], clock.ms, 1)))).toBe(200);
    const r = await n.push('ha1', body([B, haSeries('b', 'prom', [['job', 'other']])], clock.ms + 1, 2));
    expect(statusOf(r)).toBe(202);
    expect('error' in r && r.error.code).toBe('replicas-did-not-match');
    expect('error' in r && r.error.message).toMatch(/replica "b" of HA cluster "prom" is not the elected replica "a"/);
    expect(n.ingester.samples).toEqual([{ labels: STORED, t: clock.ms, v: 1 }]);
    expect(await metricValue(n.registry, 'tessera_distributor_deduped_samples_total', { tenant: 'ha1', cluster: 'prom' })).toBe(2);
    // Dropped samples are not "received" (as in Mimir: deduplication comes first).
    expect(await metricValue(n.registry, 'tessera_distributor_received_samples_total', { tenant: 'ha1' })).toBe(1);
  });

  it('removes the replica label from every series and keeps the cluster label', async () => {
    const clock = new FakeClock();
    const n = haNode(clock);
    await n.push('ha1', body([A, haSeries('a', 'prom', [['job', 'x'], ['zone', 'z1']])], clock.ms));
    expect(n.ingester.samples.map((s) => s.labels)).toEqual([STORED, 'up{cluster="prom", job="x", zone="z1"}']);
  });

  it('fails over when the elected replica is silent for the failover timeout, and not before', async () => {
    const clock = new FakeClock();
    const kv = new MemoryKV(haTrackerStateCodec);
    const n = haNode(clock, kv);
    // a writes every 10s for two minutes; b writes just before it each time and is never
    // elected: a's "last seen" is recorded in the KV store often enough (every 15s at most, in
    // the background) to keep its election.
    expect(statusOf(await n.push('ha1', body([A], clock.ms)))).toBe(200);
    for (let s = 10; s <= 120; s += 10) {
      clock.advance(10);
      expect(statusOf(await n.push('ha1', body([B], clock.ms)))).toBe(202);
      expect(statusOf(await n.push('ha1', body([A], clock.ms + 1)))).toBe(200);
    }
    clock.advance(10);
    await Promise.resolve();
    const recorded = (await kv.get(haTrackerKey('ha1', 'prom')))!;
    expect(recorded.replica).toBe('a');
    // a stops (its last write was at clock - 10s). Within the failover timeout of the last
    // recorded "seen", b is still refused; past it, b takes over.
    const failoverAt = recorded.receivedAtMs + 30_000;
    clock.ms = failoverAt - 1;
    expect(statusOf(await n.push('ha1', body([B], clock.ms)))).toBe(202);
    clock.ms = failoverAt;
    expect(statusOf(await n.push('ha1', body([B], clock.ms, 7)))).toBe(200);
    expect(n.ingester.samples.at(-1)).toEqual({ labels: STORED, t: clock.ms, v: 7 });
    // a comes back: now it is the one refused, and its samples are not stored.
    const before = n.ingester.samples.length;
    expect(statusOf(await n.push('ha1', body([A], clock.ms + 1)))).toBe(202);
    expect(n.ingester.samples.length).toBe(before);
    expect((await kv.get(haTrackerKey('ha1', 'prom')))!.replica).toBe('b');
    expect(await metricValue(n.registry, 'tessera_ha_tracker_elected_replica_changes_total', { tenant: 'ha1', cluster: 'prom' })).toBe(1);
  });

  it('writes "last seen" to the KV store at most once per update timeout', async () => {
    const clock = new FakeClock();
    const kv = new MemoryKV(haTrackerStateCodec);
    let writes = 0;
    const counting: KVStore<HaTrackerState> = {
      get: (k) => kv.get(k),
      cas: (k, f, o) => kv.cas(k, (cur) => {
        const next = f(cur);
        if (next !== null) writes++;
        return next;
      }, o),
      watch: (k, cb) => kv.watch(k, cb),
      close: () => kv.close(),
    };
    const n = haNode(clock, counting);
    for (let i = 0; i < 60; i++) {
      await n.push('ha1', body([A], clock.ms));
      clock.advance(1);
    }
    // Elected at 0s, then recorded at 15s, 30s and 45s.
    expect(writes).toBe(4);
    expect(n.ingester.samples).toHaveLength(60);
  });

  it('leaves tenants without accept_ha_samples alone: both replicas stored, labels intact', async () => {
    const clock = new FakeClock();
    const kv = new MemoryKV(haTrackerStateCodec);
    const n = haNode(clock, kv);
    expect(statusOf(await n.push('plain', body([A], clock.ms)))).toBe(200);
    expect(statusOf(await n.push('plain', body([B], clock.ms)))).toBe(200);
    expect(n.ingester.samples.map((s) => s.labels)).toEqual([
      'up{__replica__="a", cluster="prom", job="node"}',
      'up{__replica__="b", cluster="prom", job="node"}',
    ]);
    expect(await kv.get(haTrackerKey('plain', 'prom'))).toBeNull();
  });

  it('accepts series without both labels as usual, whoever sends them', async () => {
    const clock = new FakeClock();
    const kv = new MemoryKV(haTrackerStateCodec);
    const n = haNode(clock, kv);
    const onlyCluster = haSeries(null, 'prom');
    const onlyReplica = haSeries('b', null);
    const neither = haSeries(null, null);
    for (const s of [onlyCluster, onlyReplica, neither]) expect(statusOf(await n.push('ha1', body([s], clock.ms)))).toBe(200);
    expect(n.ingester.samples.map((s) => s.labels)).toEqual(['up{cluster="prom", job="node"}', 'up{__replica__="b", job="node"}', 'up{job="node"}']);
    expect(await kv.get(haTrackerKey('ha1', 'prom'))).toBeNull();
  });

  it('answers 503 when the KV store fails, storing nothing, and recovers with it', async () => {
    const clock = new FakeClock();
    const kv = new MemoryKV(haTrackerStateCodec);
    let down = true;
    const flaky: KVStore<HaTrackerState> = {
      get: (k) => kv.get(k),
      cas: (k, f, o) => (down ? Promise.reject(new TesseraError('unavailable', 'kv-unavailable', 'KV store: connection refused')) : kv.cas(k, f, o)),
      watch: (k, cb) => kv.watch(k, cb),
      close: () => kv.close(),
    };
    const n = haNode(clock, flaky);
    const r = await n.push('ha1', body([A], clock.ms));
    expect(statusOf(r)).toBe(503);
    expect('error' in r && r.error.code).toBe('ha-tracker-kv-failed');
    expect(n.ingester.samples).toEqual([]);
    expect(await metricValue(n.registry, 'tessera_ha_tracker_kv_failures_total', { operation: 'elect' })).toBe(1);
    down = false;
    expect(statusOf(await n.push('ha1', body([A], clock.ms)))).toBe(200);
    expect(n.ingester.samples).toHaveLength(1);
  });

  it('elects one replica when the first requests of both arrive at once', async () => {
    const clock = new FakeClock();
    const n = haNode(clock);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => n.push('ha1', body([i % 2 === 0 ? A : B], clock.ms + i, i))));
    const ok = results.flatMap((r, i) => (statusOf(r) === 200 ? [i % 2] : []));
    expect(ok).toHaveLength(10);
    expect(new Set(ok).size).toBe(1);
    expect(results.filter((r) => statusOf(r) === 202)).toHaveLength(10);
    expect(n.ingester.samples).toHaveLength(10);
  });

  it('keeps clusters and tenants apart', async () => {
    const clock = new FakeClock();
    const n = haNode(clock);
    await n.push('ha1', body([A], clock.ms));
    expect(statusOf(await n.push('ha1', body([haSeries('b', 'other')], clock.ms)))).toBe(200);
    expect(statusOf(await n.push('ha2', body([B], clock.ms)))).toBe(200);
    expect(n.tracker.status().map((e) => [e.tenant, e.cluster, e.replica])).toEqual([
      ['ha1', 'other', 'b'],
      ['ha1', 'prom', 'a'],
      ['ha2', 'prom', 'b'],
    ]);
  });

  it('two distributors sharing the KV store elect the same replica', async () => {
    const clock = new FakeClock();
    const kv = new MemoryKV(haTrackerStateCodec);
    const d1 = haNode(clock, kv);
    const d2 = haNode(clock, kv);
    expect(statusOf(await d1.push('ha1', body([A], clock.ms)))).toBe(200);
    expect(statusOf(await d2.push('ha1', body([B], clock.ms)))).toBe(202);
    expect(statusOf(await d2.push('ha1', body([A], clock.ms + 1)))).toBe(200);
    expect(statusOf(await d1.push('ha1', body([B], clock.ms + 1)))).toBe(202);
    // d2 fails over after a's silence; d1 learns it through its watch and refuses a afterwards.
    clock.advance(31);
    expect(statusOf(await d2.push('ha1', body([B], clock.ms)))).toBe(200);
    await new Promise((r) => setTimeout(r, 0));
    expect(statusOf(await d1.push('ha1', body([A], clock.ms)))).toBe(202);
    expect(d1.tracker.status()[0]!.replica).toBe('b');
  });
});
