import { Labels } from '@tessera/model';
import { describe, expect, it } from 'vitest';
import { limitRatioKeeps, limitRatioOffset, limitRatioParam, prometheusLabelsHash } from './limit-ratio.ts';
import { xxhash64 } from './xxhash64.ts';

const enc = new TextEncoder();

describe('xxhash64', () => {
  it.each([
    // Reference values from the system's libxxhash (XXH64, seed 0).
    ['', 0xef46db3751d8e999n],
    ['a', 0xd24ec4f1a98c6e5bn],
    ['abc', 0x44bc2cf5ad770999n],
    ['Call me Ishmael. Some years ago--never mind how long precisely-', 0x02a2e85470d6fd96n],
  ])('hashes %j', (s, want) => {
    expect(xxhash64(enc.encode(s))).toBe(want);
  });

  it('hashes inputs longer than one 32-byte stripe with a tail', () => {
    const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
    expect(xxhash64(bytes)).toBe(0x6ac1e58032166597n);
    // Only the first `len` bytes count.
    const padded = new Uint8Array(200);
    padded.set(bytes);
    expect(xxhash64(padded, 100)).toBe(0x6ac1e58032166597n);
  });
});

function series(o: Record<string, string>): Labels {
  return Labels.fromObject(o);
}

describe('limit_ratio selection', () => {
  it("hashes labels like Prometheus's labels.Hash()", () => {
    const ls = series({ __name__: 'http_requests', job: 'api-server', instance: '0', group: 'canary' });
    // XXH64 of "__name__\xffhttp_requests\xffgroup\xffcanary\xffinstance\xff0\xffjob\xffapi-server\xff".
    expect(prometheusLabelsHash(ls)).toBe(0x72859264fb764a72n);
    expect(limitRatioOffset(ls)).toBe(Number(0x72859264fb764a72n) / 2 ** 64);
  });

  it('hashes long and non-ASCII label sets', () => {
    const long = series({ a: 'x'.repeat(3000), b: 'ü€😀' });
    const offset = limitRatioOffset(long);
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThan(1);
    expect(limitRatioOffset(series({ a: 'x'.repeat(3000), b: 'ü€😀' }))).toBe(offset);
  });

  it('keeps complementary sets for r and −(1 − r)', () => {
    const all = Array.from({ length: 200 }, (_, i) => series({ __name__: 'm', instance: String(i) }));
    for (const r of [0.2, 0.5, 0.8, 3 / 17]) {
      const a = all.filter((l) => limitRatioKeeps(r, limitRatioOffset(l)));
      const b = all.filter((l) => limitRatioKeeps(-(1 - r), limitRatioOffset(l)));
      expect(a.length + b.length).toBe(all.length);
      expect(a.filter((l) => b.includes(l))).toEqual([]);
      // A hash spreads evenly: the kept share is near r.
      expect(Math.abs(a.length / all.length - r)).toBeLessThan(0.15);
    }
    expect(all.every((l) => limitRatioKeeps(1, limitRatioOffset(l)))).toBe(true);
    expect(all.every((l) => limitRatioKeeps(-1, limitRatioOffset(l)))).toBe(true);
    expect(all.some((l) => limitRatioKeeps(0, limitRatioOffset(l)))).toBe(false);
  });

  it('caps the ratio to [−1, 1] with a warning and rejects NaN', () => {
    expect(limitRatioParam(0.5)).toEqual({ ratio: 0.5, warning: undefined });
    expect(limitRatioParam(1.1)).toEqual({
      ratio: 1,
      warning: 'PromQL warning: ratio value should be between -1 and 1, got 1.1, capping to 1',
    });
    expect(limitRatioParam(-1.1)).toEqual({
      ratio: -1,
      warning: 'PromQL warning: ratio value should be between -1 and 1, got -1.1, capping to -1',
    });
    expect(() => limitRatioParam(NaN)).toThrow('Ratio value NaN is NaN');
  });
});
