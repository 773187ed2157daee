import { describe, expect, it } from 'vitest';
import { IngestionRates } from './ingestion-rate.ts';
import { decodeUserStats, encodeUserStats } from './user-stats.ts';

describe('IngestionRates', () => {
  it('starts at the first interval’s rate and follows a change over about a minute', () => {
    const r = new IngestionRates(5000);
    r.add('a', 5000);
    r.tick();
    expect(r.rate('a')).toBe(1000);
    expect(r.rate('b')).toBe(0);
    // The rate doubles: after one minute of ticks the average has covered ~63% of the change.
    for (let i = 0; i < 12; i++) {
      r.add('a', 10_000);
      r.tick();
    }
    expect(r.rate('a')).toBeGreaterThan(1000 + 0.6 * 1000);
    expect(r.rate('a')).toBeLessThan(1000 + 0.66 * 1000);
    // Silence decays it towards zero.
    for (let i = 0; i < 120; i++) r.tick();
    expect(r.rate('a')).toBeLessThan(1);
  });

  it('goes over the user_stats RPC wire unchanged', () => {
    const s = { numSeries: 123_456, ingestionRate: 1234.5678 };
    expect(decodeUserStats(encodeUserStats(s))).toEqual(s);
    expect(decodeUserStats(new Uint8Array(0))).toEqual({ numSeries: 0, ingestionRate: 0 });
  });
});
