import { describe, expect, it } from 'vitest';
import { TesseraError } from '@tessera/server';
import { ringDescCodec } from '../ring-codec.ts';
import { jsonCodec } from './codec.ts';
import { MemoryKV } from './memory-kv.ts';

interface Counter {
  n: number;
}
const counterCodec = jsonCodec<Counter>((v) => {
  if (typeof v !== 'object' || v === null || typeof (v as Counter).n !== 'number') throw new Error('not a counter');
  return v as Counter;
});

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('MemoryKV', () => {
  it('cas creates, updates, and a null update changes nothing', async () => {
    const kv = new MemoryKV(counterCodec);
    expect(await kv.get('c')).toBeNull();
    expect(await kv.cas('c', (cur) => ({ n: (cur?.n ?? 0) + 1 }))).toEqual({ n: 1 });
    expect(await kv.cas('c', (cur) => ({ n: cur!.n + 1 }))).toEqual({ n: 2 });
    let seen: Counter | null = null;
    expect(
      await kv.cas('c', (cur) => {
        seen = cur;
        return null;
      }),
    ).toEqual({ n: 2 });
    expect(seen).toEqual({ n: 2 });
    expect(await kv.get('c')).toEqual({ n: 2 });
    expect(await kv.get('other')).toBeNull();
  });

  it('concurrent read-modify-writes lose no update', async () => {
    const kv = new MemoryKV(counterCodec);
    await Promise.all(Array.from({ length: 200 }, () => kv.cas('c', (cur) => ({ n: (cur?.n ?? 0) + 1 }))));
    expect(await kv.get('c')).toEqual({ n: 200 });
  });

  it('hands out copies: mutating a value read changes nothing stored', async () => {
    const kv = new MemoryKV(counterCodec);
    const written = await kv.cas('c', () => ({ n: 1 }));
    written!.n = 99;
    const read = await kv.get('c');
    read!.n = 98;
    await kv.cas('c', (cur) => {
      cur!.n = 97;
      return null; // mutated, but "no change": must not be stored
    });
    expect(await kv.get('c')).toEqual({ n: 1 });
  });

  it('watch delivers the current value, then each change, never out of order', async () => {
    const kv = new MemoryKV(counterCodec);
    await kv.cas('c', () => ({ n: 1 }));
    const got: number[] = [];
    const stop = kv.watch('c', (v) => got.push(v.n));
    await tick();
    expect(got).toEqual([1]);
    await kv.cas('c', () => ({ n: 2 }));
    await tick();
    await kv.cas('c', () => ({ n: 3 }));
    await kv.cas('c', () => ({ n: 4 }));
    await tick();
    // Every delivered value is newer than the previous one, and the last is the latest.
    expect(got.slice(0, 2)).toEqual([1, 2]);
    expect(got.at(-1)).toBe(4);
    expect([...got].sort((a, b) => a - b)).toEqual(got);
    expect(new Set(got).size).toBe(got.length);
    stop();
    await kv.cas('c', () => ({ n: 5 }));
    await tick();
    expect(got.at(-1)).toBe(4);
  });

  it('a watch on a missing key fires when it is created; other keys do not fire it', async () => {
    const kv = new MemoryKV(counterCodec);
    const got: number[] = [];
    kv.watch('c', (v) => got.push(v.n));
    await kv.cas('d', () => ({ n: 9 }));
    await tick();
    expect(got).toEqual([]);
    await kv.cas('c', () => ({ n: 1 }));
    await tick();
    expect(got).toEqual([1]);
  });

  it('a throwing watcher does not break the store or other watchers', async () => {
    const kv = new MemoryKV(counterCodec);
    const got: number[] = [];
    kv.watch('c', () => {
      throw new Error('boom');
    });
    kv.watch('c', (v) => got.push(v.n));
    await kv.cas('c', () => ({ n: 1 }));
    await tick();
    expect(got).toEqual([1]);
  });

  it('rejects use after close with kv-unavailable', async () => {
    const kv = new MemoryKV(counterCodec);
    await kv.close();
    await expect(kv.get('c')).rejects.toMatchObject({ code: 'kv-unavailable', kind: 'unavailable' });
  });
});

describe('ringDescCodec', () => {
  const good = {
    instances: { a: { id: 'a', addr: 'h:1', state: 'ACTIVE', tokens: [5, 1, 5, 3], heartbeatMs: 2, registeredMs: 1 } },
  };

  it('round-trips and normalises tokens to sorted, distinct', () => {
    const d = ringDescCodec.decode(JSON.stringify(good));
    expect(d.instances['a']!.tokens).toEqual([1, 3, 5]);
    expect(ringDescCodec.decode(ringDescCodec.encode(d))).toEqual(d);
  });

  it.each([
    ['not JSON', '{'],
    ['no instances', '{}'],
    ['unknown state', JSON.stringify({ instances: { a: { ...good.instances.a, state: 'UNHEALTHY' } } })],
    ['id mismatch', JSON.stringify({ instances: { a: { ...good.instances.a, id: 'b' } } })],
    ['token out of range', JSON.stringify({ instances: { a: { ...good.instances.a, tokens: [2 ** 32] } } })],
    ['negative token', JSON.stringify({ instances: { a: { ...good.instances.a, tokens: [-1] } } })],
    ['missing heartbeat', JSON.stringify({ instances: { a: { ...good.instances.a, heartbeatMs: undefined } } })],
  ])('rejects %s with kv-decode-failed', (_name, text) => {
    try {
      ringDescCodec.decode(text);
      expect.unreachable();
    } catch (e) {
      expect(TesseraError.is(e)).toBe(true);
      expect((e as TesseraError).code).toBe('kv-decode-failed');
    }
  });

  it('keeps an instance named __proto__ as an ordinary entry', () => {
    const text = '{"instances":{"__proto__":{"id":"__proto__","addr":"h:1","state":"ACTIVE","tokens":[1],"heartbeatMs":1,"registeredMs":1}}}';
    const d = ringDescCodec.decode(text);
    expect(Object.keys(d.instances)).toEqual(['__proto__']);
  });
});
