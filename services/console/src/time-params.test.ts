import { describe, expect, it } from 'vitest';
import { autoStep, formatDurationParam, nextRange, parseDuration, parseEnd } from './time-params.ts';

describe('query page time inputs', () => {
  it('reads durations as Prometheus writes them, and plain seconds', () => {
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('15s')).toBe(15);
    expect(parseDuration('2d')).toBe(172800);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('250ms')).toBe(0.25);
    for (const bad of ['', '1x', 'h', '-5m', '0', '5m3']) expect(parseDuration(bad), bad).toBeNull();
  });

  it('writes durations back in the shortest form', () => {
    expect(formatDurationParam(5400)).toBe('1h30m');
    expect(formatDurationParam(604800 + 3600)).toBe('1w1h');
    expect(formatDurationParam(0.5)).toBe('500ms');
  });

  it('reads the end time as now, unix seconds or a UTC date', () => {
    expect(parseEnd('')).toBeNull();
    expect(parseEnd('now')).toBeNull();
    expect(parseEnd('1700000000')).toBe(1700000000);
    expect(parseEnd('2026-01-02 15:04:05')).toBe(Date.UTC(2026, 0, 2, 15, 4, 5) / 1000);
    expect(parseEnd('2026-01-02T15:04:05+01:00')).toBe(Date.UTC(2026, 0, 2, 14, 4, 5) / 1000);
    expect(parseEnd('yesterday')).toBeUndefined();
  });

  it('picks about 250 points per series and steps through preset ranges', () => {
    expect(autoStep(3600)).toBe(14);
    expect(autoStep(60)).toBe(1);
    expect(nextRange(3600, 1)).toBe(3 * 3600);
    expect(nextRange(3600, -1)).toBe(1800);
    expect(nextRange(300, -1)).toBe(300);
  });
});
