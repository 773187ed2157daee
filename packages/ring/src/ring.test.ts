import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { Labels, hashBytes } from '@tessera/model';
import { TesseraError } from '@tessera/server';
import { Ring } from './ring.ts';
import { generateTokens, seededRandomUint32, tokenForSeries } from './tokens.ts';
import type { InstanceDesc, InstanceState, RingDesc } from './types.ts';

const NOW = 1_700_000_000_000;

function inst(id: string, tokens: number[], state: InstanceState = 'ACTIVE', heartbeatMs = NOW): InstanceDesc {
  return { id, addr: `${id}:9095`, state, tokens: [...tokens].sort((a, b) => a - b), heartbeatMs, registeredMs: NOW - 1000 };
}

function ringOf(instances: InstanceDesc[], opts: { rf?: number; now?: () => number; registry?: Registry } = {}): Ring {
  const desc: RingDesc = { instances: Object.fromEntries(instances.map((i) => [i.id, i])) };
  const r = new Ring(
    { get: async () => desc, cas: async () => desc, watch: () => () => {}, close: async () => {} },
    { replicationFactor: opts.rf ?? 3, now: opts.now ?? (() => NOW) },
    opts.registry === undefined ? {} : { registry: opts.registry },
  );
  r.update(desc);
  return r;
}

function ids(set: { instances: readonly InstanceDesc[] }): string[] {
  return set.instances.map((i) => i.id);
}

/** A random ring: `n` instances named i0…, 128 tokens each, from a fixed seed. */
function randomRing(n: number, seed: number): InstanceDesc[] {
  const rnd = seededRandomUint32(seed);
  const taken = new Set<number>();
  const out: InstanceDesc[] = [];
  for (let i = 0; i < n; i++) {
    const tokens = generateTokens(128, taken, rnd);
    for (const t of tokens) taken.add(t);
    out.push(inst(`i${i}`, tokens));
  }
  return out;
}

function expectUnavailable(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(TesseraError.is(e)).toBe(true);
    expect((e as TesseraError).kind).toBe('unavailable');
    expect((e as TesseraError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

// The example of Mimir's hash ring documentation: tokens 2, 4, 6, 9 on ingesters 1..4.
const docRing = [inst('ing-1', [2]), inst('ing-2', [4]), inst('ing-3', [6]), inst('ing-4', [9])];

describe('Ring.replicationSetForToken', () => {
  it('owner is the instance with the smallest token greater than the lookup token, then clockwise', () => {
    const r = ringOf(docRing);
    expect(ids(r.replicationSetForToken(3, 'write'))).toEqual(['ing-2', 'ing-3', 'ing-4']);
    // Equal to a registered token: the next one owns it.
    expect(ids(r.replicationSetForToken(4, 'write'))).toEqual(['ing-3', 'ing-4', 'ing-1']);
    // Past the last token, the walk wraps around to the first.
    expect(ids(r.replicationSetForToken(9, 'write'))).toEqual(['ing-1', 'ing-2', 'ing-3']);
    expect(ids(r.replicationSetForToken(0xffffffff, 'write'))).toEqual(['ing-1', 'ing-2', 'ing-3']);
    expect(ids(r.replicationSetForToken(0, 'write'))).toEqual(['ing-1', 'ing-2', 'ing-3']);
  });

  it('counts each instance once however many tokens it has in a row', () => {
    const r = ringOf([inst('a', [10, 20, 30]), inst('b', [40, 50]), inst('c', [60])]);
    expect(ids(r.replicationSetForToken(5, 'write'))).toEqual(['a', 'b', 'c']);
  });

  it('writes need a quorum of 2 of 3 and tolerate one failure', () => {
    const set = ringOf(docRing).replicationSetForToken(3, 'write');
    expect(set.minSuccess).toBe(2);
    expect(set.maxErrors).toBe(1);
    const rf5 = ringOf(randomRing(6, 1), { rf: 5 }).replicationSetForToken(123, 'write');
    expect([rf5.instances.length, rf5.minSuccess, rf5.maxErrors]).toEqual([5, 3, 2]);
  });

  it('skips LEAVING, JOINING, PENDING and UNHEALTHY instances for writes and extends the walk', () => {
    for (const state of ['LEAVING', 'JOINING', 'PENDING'] as const) {
      const ring = [...docRing];
      ring[1] = inst('ing-2', [4], state);
      expect(ids(ringOf(ring).replicationSetForToken(3, 'write'))).toEqual(['ing-3', 'ing-4', 'ing-1']);
    }
    const stale = [...docRing];
    stale[2] = inst('ing-3', [6], 'ACTIVE', NOW - 60_001);
    expect(ids(ringOf(stale).replicationSetForToken(3, 'write'))).toEqual(['ing-2', 'ing-4', 'ing-1']);
  });

  it('a heartbeat exactly at the timeout is still healthy', () => {
    const ring = [...docRing];
    ring[1] = inst('ing-2', [4], 'ACTIVE', NOW - 60_000);
    expect(ids(ringOf(ring).replicationSetForToken(3, 'write'))).toEqual(['ing-2', 'ing-3', 'ing-4']);
  });

  it('writes fail as unavailable without a quorum of healthy instances', () => {
    const ring = [inst('a', [1]), inst('b', [2], 'LEAVING'), inst('c', [3], 'ACTIVE', NOW - 120_000)];
    expectUnavailable(() => ringOf(ring).replicationSetForToken(0, 'write'), 'too-few-healthy-instances');
    // Two of three healthy: a quorum, with no failure left to spare.
    const two = ringOf([inst('a', [1]), inst('b', [2]), inst('c', [3], 'LEAVING')]).replicationSetForToken(0, 'write');
    expect([ids(two), two.minSuccess, two.maxErrors]).toEqual([['a', 'b'], 2, 0]);
    expectUnavailable(() => ringOf([]).replicationSetForToken(0, 'write'), 'empty-ring');
  });

  it('RF=1 sends each series to exactly one instance', () => {
    const set = ringOf(docRing, { rf: 1 }).replicationSetForToken(5, 'write');
    expect([ids(set), set.minSuccess, set.maxErrors]).toEqual([['ing-3'], 1, 0]);
  });

  it('reads also ask LEAVING owners met on the walk', () => {
    const ring = [...docRing];
    ring[1] = inst('ing-2', [4], 'LEAVING');
    const set = ringOf(ring).replicationSetForToken(3, 'read');
    expect(ids(set)).toEqual(['ing-2', 'ing-3', 'ing-4', 'ing-1']);
    expect([set.minSuccess, set.maxErrors]).toEqual([3, 1]);
  });

  it('an unreadable owner uses up the failure a read tolerates', () => {
    const ring = [...docRing];
    ring[1] = inst('ing-2', [4], 'ACTIVE', NOW - 61_000);
    const set = ringOf(ring).replicationSetForToken(3, 'read');
    expect(ids(set)).toEqual(['ing-3', 'ing-4', 'ing-1']);
    expect(set.maxErrors).toBe(0);
    ring[2] = inst('ing-3', [6], 'PENDING');
    expectUnavailable(() => ringOf(ring).replicationSetForToken(3, 'read'), 'too-many-unhealthy-instances');
  });
});

describe('Ring health over time', () => {
  it('an instance whose heartbeat expires is dropped from write sets on refresh', () => {
    let now = NOW;
    const r = ringOf(docRing, { now: () => now });
    expect(ids(r.replicationSetForToken(3, 'write'))).toContain('ing-2');
    now += 61_000; // no instance heartbeated: all are unhealthy now
    r.refresh();
    expectUnavailable(() => r.replicationSetForToken(3, 'write'), 'too-few-healthy-instances');
    expect(r.status().map((s) => s.state)).toEqual(['UNHEALTHY', 'UNHEALTHY', 'UNHEALTHY', 'UNHEALTHY']);
  });

  it('re-evaluates health by itself when the earliest heartbeat expires', async () => {
    const start = Date.now();
    const desc: RingDesc = {
      instances: {
        a: { ...inst('a', [1]), heartbeatMs: start - 950 },
        b: { ...inst('b', [2]), heartbeatMs: start + 10_000 },
        c: { ...inst('c', [3]), heartbeatMs: start + 10_000 },
      },
    };
    const r = new Ring(
      { get: async () => desc, cas: async () => desc, watch: () => () => {}, close: async () => {} },
      { heartbeatTimeoutMs: 1000 },
    );
    await r.start();
    expect(ids(r.replicationSetForToken(0, 'write'))).toEqual(['a', 'b', 'c']);
    await new Promise((res) => setTimeout(res, 150));
    expect(ids(r.replicationSetForToken(0, 'write'))).toEqual(['b', 'c']);
    r.stop();
  });
});

describe('Ring.allHealthy', () => {
  it('reads go to every ACTIVE or LEAVING healthy instance, tolerating RF − quorum failures', () => {
    const ring = [inst('a', [1]), inst('b', [2], 'LEAVING'), inst('c', [3]), inst('d', [4], 'JOINING'), inst('e', [], 'PENDING')];
    const set = ringOf(ring).allHealthy('read');
    expect(ids(set)).toEqual(['a', 'b', 'c']);
    // d owns tokens but cannot be read yet: it uses up the one tolerated failure.
    expect(set.maxErrors).toBe(0);
    const healthy = ringOf([inst('a', [1]), inst('b', [2], 'LEAVING'), inst('c', [3]), inst('e', [], 'PENDING')]);
    expect([healthy.allHealthy('read').maxErrors, healthy.allHealthy('read').minSuccess]).toEqual([1, 2]);
  });

  it('fails when more instances are down than a read can tolerate', () => {
    const ring = [inst('a', [1]), inst('b', [2], 'ACTIVE', NOW - 70_000), inst('c', [3], 'ACTIVE', NOW - 70_000)];
    expectUnavailable(() => ringOf(ring).allHealthy('read'), 'too-many-unhealthy-instances');
  });

  it('writes (broadcasts) go to every writable instance, all required', () => {
    const set = ringOf([inst('a', [1]), inst('b', [2], 'LEAVING'), inst('c', [3])]).allHealthy('write');
    expect([ids(set), set.maxErrors, set.minSuccess]).toEqual([['a', 'c'], 0, 2]);
  });
});

describe('Ring.ownership', () => {
  it('splits the token space by the ranges each token closes', () => {
    const own = ringOf([inst('a', [0x40000000]), inst('b', [0xc0000000]), inst('c', [], 'PENDING')]).ownership();
    expect(own.get('a')).toBeCloseTo(0.5, 12);
    expect(own.get('b')).toBeCloseTo(0.5, 12);
    expect(own.get('c')).toBe(0);
    const quarter = ringOf([inst('a', [0x40000000]), inst('b', [0x80000000, 0xffffffff])]).ownership();
    expect(quarter.get('a')).toBeCloseTo(0.25 + 1 / 2 ** 32, 12);
  });

  it('sums to 1 and is near even for random tokens', () => {
    const own = ringOf(randomRing(5, 42)).ownership();
    let sum = 0;
    for (const f of own.values()) {
      sum += f;
      expect(f).toBeGreaterThan(0.12);
      expect(f).toBeLessThan(0.28);
    }
    expect(sum).toBeCloseTo(1, 9);
  });

  it('a single token owns the whole ring', () => {
    expect(ringOf([inst('a', [7])]).ownership().get('a')).toBe(1);
  });
});

describe('ring stability under a join', () => {
  it('moves only about 1/(N+1) of the series primaries, all to the new instance', () => {
    const n = 9;
    const before = ringOf(randomRing(n, 7));
    const after = ringOf(randomRing(n + 1, 7)); // the same 9 instances (same seed), plus i9
    const rnd = seededRandomUint32(99);
    const series = 100_000;
    let moved = 0;
    let setsChanged = 0;
    for (let s = 0; s < series; s++) {
      const bytes = Labels.fromObject({ __name__: 'http_requests_total', job: `job-${rnd() % 50}`, instance: `host-${s}` }).encode();
      const token = tokenForSeries('tenant-1', bytes, 0, bytes.length);
      const a = before.replicationSetForToken(token, 'write');
      const b = after.replicationSetForToken(token, 'write');
      if (a.instances[0]!.id !== b.instances[0]!.id) {
        moved++;
        expect(b.instances[0]!.id).toBe('i9');
      }
      if (ids(a).join() !== ids(b).join()) {
        setsChanged++;
        expect(ids(b)).toContain('i9');
      }
    }
    const fraction = moved / series;
    expect(fraction).toBeGreaterThan(0.06);
    expect(fraction).toBeLessThan(0.14);
    // With RF=3, a set changes when the newcomer lands among its 3 owners: about 3/(N+1).
    expect(setsChanged / series).toBeGreaterThan(0.2);
    expect(setsChanged / series).toBeLessThan(0.4);
  });

  it('spreads series evenly: each of 3 instances is primary for a third (±10%)', () => {
    const r = ringOf(randomRing(3, 2024));
    const counts = new Map<string, number>();
    const rnd = seededRandomUint32(5);
    for (let s = 0; s < 30_000; s++) {
      const bytes = Labels.fromObject({ __name__: 'up', pod: `p${rnd()}` }).encode();
      const id = r.replicationSetForToken(tokenForSeries('t', bytes, 0, bytes.length), 'write').instances[0]!.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const c of counts.values()) expect(Math.abs(c / 10_000 - 1)).toBeLessThan(0.1);
  });
});

describe('tokenForSeries', () => {
  it('is the label hash seeded with the hash of the tenant', () => {
    const bytes = Labels.fromObject({ __name__: 'up', job: 'x' }).encode();
    const tenant = new TextEncoder().encode('team-a');
    expect(tokenForSeries('team-a', bytes, 0, bytes.length)).toBe(hashBytes(bytes, 0, bytes.length, hashBytes(tenant, 0, tenant.length)));
  });

  it('places the same series of two tenants differently, and ignores surrounding bytes', () => {
    const bytes = Labels.fromObject({ __name__: 'up', job: 'x' }).encode();
    expect(tokenForSeries('a', bytes, 0, bytes.length)).not.toBe(tokenForSeries('b', bytes, 0, bytes.length));
    const framed = new Uint8Array(bytes.length + 10);
    framed.set(bytes, 5);
    expect(tokenForSeries('a', framed, 5, 5 + bytes.length)).toBe(tokenForSeries('a', bytes, 0, bytes.length));
  });
});

describe('Ring metrics and status', () => {
  it('exports members by state, UNHEALTHY derived from heartbeats', async () => {
    const registry = new Registry();
    const r = ringOf(
      [inst('a', [1]), inst('b', [2], 'LEAVING'), inst('c', [3], 'ACTIVE', NOW - 90_000), inst('d', [], 'PENDING')],
      { registry },
    );
    const m = await registry.getSingleMetric('tessera_ring_members')!.get();
    const byState = Object.fromEntries(m.values.map((v) => [v.labels['state'], v.value]));
    expect(byState).toEqual({ ACTIVE: 1, LEAVING: 1, UNHEALTHY: 1, PENDING: 1, JOINING: 0 });
    const status = r.status();
    expect(status.map((s) => [s.id, s.state, s.tokens])).toEqual([
      ['a', 'ACTIVE', 1],
      ['b', 'LEAVING', 1],
      ['c', 'UNHEALTHY', 1],
      ['d', 'PENDING', 0],
    ]);
    expect(status.reduce((s, x) => s + x.ownership, 0)).toBeCloseTo(1, 9);
  });
});
