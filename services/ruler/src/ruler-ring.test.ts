import { describe, expect, it } from 'vitest';
import { Lifecycler, MemoryKV, Ring, ringDescCodec, seededRandomUint32 } from '@tessera/ring';
import { RULER_RING_KEY, groupToken, ringOwnership } from './ruler-ring.ts';

const groups = Array.from({ length: 200 }, (_, i) => ['t', `ns${i % 7}`, `g${i}`] as const);

describe('ruler ring ownership', () => {
  it('gives every group to exactly one ruler, and a dead ruler\'s groups to the other', async () => {
    let now = 1_000_000;
    const clock = (): number => now;
    const kv = new MemoryKV(ringDescCodec);
    const ring = new Ring(kv, { key: RULER_RING_KEY, name: 'ruler', replicationFactor: 1, heartbeatTimeoutMs: 3000, now: clock });
    await ring.start();
    const owns = { a: ringOwnership(ring, 'a'), b: ringOwnership(ring, 'b') };
    expect(groups.some(([t, n, g]) => owns.a(t, n, g))).toBe(false); // empty ring: nobody

    const lc = (id: string, seed: number): Lifecycler =>
      new Lifecycler(kv, { id, addr: `${id}:1`, key: RULER_RING_KEY, name: 'ruler', numTokens: 128, heartbeatPeriodMs: 60_000, now: clock, random: seededRandomUint32(seed) });
    const a = lc('a', 1);
    const b = lc('b', 2);
    await a.start();
    await b.start();
    const countA = groups.filter(([t, n, g]) => owns.a(t, n, g)).length;
    const countB = groups.filter(([t, n, g]) => owns.b(t, n, g)).length;
    expect(countA + countB).toBe(groups.length);
    expect(Math.min(countA, countB)).toBeGreaterThan(groups.length / 4);

    // b stops heartbeating: once its heartbeat is older than the timeout, a owns everything.
    now += 5000;
    await a.heartbeat();
    expect(groups.every(([t, n, g]) => owns.a(t, n, g))).toBe(true);
    expect(groups.some(([t, n, g]) => owns.b(t, n, g))).toBe(false);
    await a.stop();
    ring.stop();
    await kv.close();
  });

  it('hashes the group identity unambiguously', () => {
    expect(groupToken('a', 'b/c', 'd')).not.toBe(groupToken('a', 'b', 'c/d'));
    expect(groupToken('t', 'n', 'g')).toBe(groupToken('t', 'n', 'g'));
  });
});
