import { describe, expect, it } from 'vitest';
import { UlidGenerator, formatUlid, isUlid, newUlid, ulidTime } from './ulid.ts';

const CROCKFORD = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

describe('ULID', () => {
  it('matches published examples', () => {
    // github.com/ulid/spec README: ulid(1469918176385) → 01ARYZ6S41TSV4RRFFQ69G5FAV
    expect(ulidTime('01ARYZ6S41TSV4RRFFQ69G5FAV')).toBe(1469918176385);
    expect(formatUlid(1469918176385, 0n)).toBe('01ARYZ6S410000000000000000');
    // @evokegroup/ulid README: time 1698075890563, random part 340189488800438527092677.
    expect(formatUlid(1698075890563, 340189488800438527092677n)).toBe('01HDEKBMW3904VB2HYTVWWMSY5');
  });

  it('is 26 Crockford base32 characters carrying the creation time', () => {
    const now = 1_700_000_123_456;
    const g = new UlidGenerator(() => now);
    const id = g.next();
    expect(id).toMatch(CROCKFORD);
    expect(isUlid(id)).toBe(true);
    expect(ulidTime(id)).toBe(now);
    expect(newUlid()).toMatch(CROCKFORD);
  });

  it('carries 80 random bits: ULIDs of the same millisecond from fresh generators differ', () => {
    const ids = new Set(Array.from({ length: 50 }, () => new UlidGenerator(() => 42).next()));
    expect(ids.size).toBe(50);
  });

  it('is strictly increasing within one millisecond and when the clock steps back', () => {
    let now = 1_700_000_000_000;
    const g = new UlidGenerator(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i === 500) now -= 10_000; // clock steps back
      if (i === 700) now += 20_000;
      ids.push(g.next());
    }
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!, `${ids[i - 1]} < ${ids[i]}`).toBe(true);
    expect(ulidTime(ids[600]!)).toBe(1_700_000_000_000); // kept the last time, not the earlier clock
    expect(ulidTime(ids[999]!)).toBe(1_700_000_010_000);
  });

  it('rejects malformed ULIDs', () => {
    expect(isUlid('81ARYZ6S41TSV4RRFFQ69G5FAV')).toBe(false); // first char > '7' overflows 128 bits
    expect(isUlid('01ARYZ6S41TSV4RRFFQ69G5FA')).toBe(false);
    expect(isUlid('01ARYZ6S41TSV4RRFFQ69G5FAU')).toBe(false); // U is not in the alphabet
    expect(() => ulidTime('nope')).toThrow(RangeError);
    expect(() => formatUlid(2 ** 48, 0n)).toThrow(RangeError);
  });
});
