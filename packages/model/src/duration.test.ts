import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, parseDuration } from './duration.ts';
import { ModelError } from './errors.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['10s', 10 * S],
    ['500ms', 500],
    ['1h30m', H + 30 * M],
    ['1d', D],
    ['2w', 14 * D],
    ['1y', 365 * D],
    ['1y2w3d4h5m6s7ms', 365 * D + 14 * D + 3 * D + 4 * H + 5 * M + 6 * S + 7],
    ['5m0s', 5 * M],
    ['007s', 7 * S],
    ['1m500ms', M + 500],
    ['292y', 292 * 365 * D],
  ])('parses %s', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it.each([
    '', ' 1s', '1s ', '1', 's', '1.5s', '-1s', '+1s', '1S', '1sec', '1m1h', '1s1s', '1ms1s', '1h1h',
    '1x', '1hh', 'ms', '1mss', '0x10s', '１s', '1s2', '293y', '99999999999999999999s',
  ])('rejects %j with a typed error naming the input', (s) => {
    let caught: unknown;
    try {
      parseDuration(s);
    } catch (e) {
      caught = e;
    }
    expect(ModelError.is(caught)).toBe(true);
    const err = caught as ModelError;
    expect(err.code).toBe('invalid-duration');
    if (s !== '') expect(err.message).toContain(JSON.stringify(s));
  });

  it('accepts the largest duration Go can hold and rejects one millisecond more', () => {
    const s = formatDuration(MAX_DURATION_MS);
    expect(parseDuration(s)).toBe(MAX_DURATION_MS);
    expect(() => parseDuration(`${MAX_DURATION_MS + 1}ms`)).toThrow(/out of range/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [10 * S, '10s'],
    [H + 30 * M, '1h30m'],
    [D, '1d'],
    [7 * D, '1w'],
    [90 * D, '90d'], // not 12w6d: weeks only when exact
    [365 * D, '1y'],
    [366 * D, '366d'],
    [D + 2 * H + 3 * M + 4 * S + 5, '1d2h3m4s5ms'],
    [1500.9, '1s500ms'],
    [-90 * S, '-1m30s'],
  ])('formats %d as %s', (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
  });

  it('round-trips through parseDuration', () => {
    let x = 1;
    for (let i = 0; i < 2000; i++) {
      x = (x * 48271) % 2147483647; // fixed-seed LCG
      const ms = (x * 4093) % (400 * D);
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });

  it('rejects non-finite input', () => {
    expect(() => formatDuration(Number.NaN)).toThrow(ModelError);
  });
});
