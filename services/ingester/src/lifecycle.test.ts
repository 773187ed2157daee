import { afterEach, describe, expect, it } from 'vitest';
import { Matcher } from '@tessera/model';
import { Lifecycler, MemoryKV, Ring, ringDescCodec, type KVStore, type RingDesc, type RingHealthState } from '@tessera/ring';
import { DecodedWriteRequest, decodeWriteRequest } from '@tessera/remotewrite';
import { TesseraError } from '@tessera/server';
import { newAppendResult } from '@tessera/tsdb';
import type { Ingester } from './ingester.ts';
import { IngesterLifecycle, type LifecycleIngester } from './lifecycle.ts';
import { cleanupTempDirs, pushBody, samplesOf, silentLogger, startIngester, tempDir, ts } from './test-support.ts';

const HOUR = 3_600_000;
const KEY = 'ingester-ring';
const T0 = 1_700_000_000_000;
const tick = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => cleanupTempDirs());

function lifecycler(kv: KVStore<RingDesc>, id = 'ing-1', unregisterOnShutdown = true): Lifecycler {
  return new Lifecycler(kv, { id, addr: '127.0.0.1:9001', numTokens: 32, heartbeatPeriodMs: HOUR, autoJoin: false, unregisterOnShutdown });
}

function push(ing: Ingester, tenant: string, samples: [number, number][]): void {
  const req = new DecodedWriteRequest();
  decodeWriteRequest(pushBody([ts({ __name__: 'up', job: 'x' }, samples)]), req);
  ing.push(tenant, req, null, null, newAppendResult());
}

/** The states of instance `id` a Ring sees, in order, without repeats. */
function watchStates(ring: Ring, id: string): RingHealthState[] {
  const seen: RingHealthState[] = [];
  ring.onChange(() => {
    const s = ring.status().find((r) => r.id === id)?.state ?? ('GONE' as RingHealthState);
    if (seen.at(-1) !== s) seen.push(s);
  });
  return seen;
}

describe('IngesterLifecycle', () => {
  it('joins the ring after start: a Ring sees PENDING, JOINING, ACTIVE with the tokens', async () => {
    const kv = new MemoryKV(ringDescCodec);
    const ring = new Ring(kv, { replicationFactor: 1 });
    await ring.start();
    const seen = watchStates(ring, 'ing-1');
    const ing = await startIngester();
    const lc = new IngesterLifecycle({ ingester: ing, lifecycler: lifecycler(kv), logger: silentLogger });
    await lc.start();
    await tick();
    expect(seen).toEqual(['PENDING', 'JOINING', 'ACTIVE']);
    expect(ring.status()[0]).toMatchObject({ id: 'ing-1', addr: '127.0.0.1:9001', state: 'ACTIVE', tokens: 32, ownership: 1 });
    expect(ring.replicationSetForToken(12345, 'write').instances.map((i) => i.id)).toEqual(['ing-1']);
    await lc.stop();
    ring.stop();
  });

  it('stop: LEAVING, then pushes refused, then the WAL closed, then the entry removed', async () => {
    const kv = new MemoryKV(ringDescCodec);
    const ring = new Ring(kv, { replicationFactor: 1 });
    await ring.start();
    const dataDir = tempDir();
    const ing = await startIngester(dataDir);
    push(ing, 'team-a', [[T0, 1], [T0 + 1000, 2]]);
    const events: string[] = [];
    const stateNow = async () => (await kv.get(KEY))?.instances['ing-1']?.state ?? 'absent';
    const spy: LifecycleIngester = {
      stopAcceptingWrites: () => {
        ing.stopAcceptingWrites();
        events.push('refuse-writes');
      },
      stop: async () => {
        events.push(`ingester.stop while ${await stateNow()}`);
        await ing.stop();
      },
    };
    const lc = new IngesterLifecycle({ ingester: spy, lifecycler: lifecycler(kv), logger: silentLogger });
    await lc.start();
    const seen = watchStates(ring, 'ing-1');
    await lc.stop();
    await tick();
    expect(seen).toEqual(['LEAVING', 'GONE']);
    expect(events).toEqual(['refuse-writes', 'ingester.stop while LEAVING']);
    expect(await stateNow()).toBe('absent');
    expect(() => push(ing, 'team-a', [[T0 + 2000, 3]])).toThrow(/shutting down/);
    await lc.stop(); // idempotent

    // Everything acknowledged before the stop is in the WAL: a new ingester replays it.
    const again = await startIngester(dataDir);
    const [s] = again.queryChunks('team-a', [Matcher.create('=', '__name__', 'up')], 0, T0 * 2);
    expect(samplesOf(s!)).toEqual([[T0, 1], [T0 + 1000, 2]]);
    await again.stop();
    ring.stop();
  });

  it('a restart with the same id takes back its tokens (after a crash or a stop that keeps the entry)', async () => {
    const kv = new MemoryKV(ringDescCodec);
    const ing1 = await startIngester();
    // First run, then a crash: nothing unregisters it.
    await new IngesterLifecycle({ ingester: ing1, lifecycler: lifecycler(kv), logger: silentLogger }).start();
    const before = (await kv.get(KEY))!.instances['ing-1']!.tokens;
    const other = await startIngester();
    await new IngesterLifecycle({ ingester: other, lifecycler: lifecycler(kv, 'ing-2'), logger: silentLogger }).start();

    const ing2 = await startIngester();
    const restarted = new IngesterLifecycle({ ingester: ing2, lifecycler: lifecycler(kv, 'ing-1', false), logger: silentLogger });
    await restarted.start();
    const after = (await kv.get(KEY))!.instances['ing-1']!;
    expect(after.state).toBe('ACTIVE');
    expect(after.tokens).toEqual(before);

    // A stop that keeps the entry (unregisterOnShutdown: false) leaves it LEAVING with its tokens.
    await restarted.stop();
    const kept = (await kv.get(KEY))!.instances['ing-1']!;
    expect(kept.state).toBe('LEAVING');
    const ing3 = await startIngester();
    const third = new IngesterLifecycle({ ingester: ing3, lifecycler: lifecycler(kv, 'ing-1'), logger: silentLogger });
    await third.start();
    expect((await kv.get(KEY))!.instances['ing-1']).toMatchObject({ state: 'ACTIVE', tokens: before });
    await third.stop();
    expect((await kv.get(KEY))!.instances['ing-1']).toBeUndefined();
    for (const i of [ing1, other, ing3]) await i.stop();
  });

  it('makes the WAL durable even when the ring cannot be updated, then reports the failure', async () => {
    const inner = new MemoryKV(ringDescCodec);
    let broken = false;
    const kv: KVStore<RingDesc> = {
      get: (k) => inner.get(k),
      watch: (k, f) => inner.watch(k, f),
      close: () => inner.close(),
      cas: (k, f, o) => (broken ? Promise.reject(new Error('redis down')) : inner.cas(k, f, o)),
    };
    const dataDir = tempDir();
    const ing = await startIngester(dataDir);
    const lc = new IngesterLifecycle({ ingester: ing, lifecycler: lifecycler(kv), logger: silentLogger });
    await lc.start();
    push(ing, 'team-a', [[T0, 7]]);
    broken = true;
    await expect(lc.stop()).rejects.toThrow('redis down');
    let refused: unknown;
    try {
      push(ing, 'team-a', [[T0 + 1, 1]]);
    } catch (e) {
      refused = e;
    }
    expect(TesseraError.is(refused) && refused.status).toBe(503);
    const again = await startIngester(dataDir);
    expect(samplesOf(again.queryChunks('team-a', [Matcher.create('=', 'job', 'x')], 0, T0 * 2)[0]!)).toEqual([[T0, 7]]);
    await again.stop();
  });
});
