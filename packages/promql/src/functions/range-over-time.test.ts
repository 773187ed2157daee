import { describe, expect, it } from 'vitest';
import { Annotations } from '../value.ts';
import {
  avgOverTime,
  countOverTime,
  lastOverTime,
  madOverTime,
  maxOverTime,
  minOverTime,
  presentOverTime,
  quantileOverTime,
  stddevOverTime,
  stdvarOverTime,
  sumOverTime,
  tsOfLastOverTime,
  tsOfMaxOverTime,
  tsOfMinOverTime,
} from './range-over-time.ts';
import type { RangeFunction } from './range-types.ts';
import { MIN, SEC, almostEqual, loadSeries, selectWindow } from './test-fixtures.ts';

function at(
  fn: RangeFunction,
  interval: number,
  spec: string,
  evalMs: number,
  rangeMs: number,
  opts: { args?: number[]; annotations?: Annotations } = {},
): number | undefined {
  const w = selectWindow(loadSeries(interval, spec), evalMs, rangeMs, opts);
  return fn(w.ts, w.vs, w.lo, w.hi, w.ctx);
}

function expectClose(actual: number | undefined, expected: number): void {
  expect(almostEqual(actual, expected), `got ${actual}, want ${expected}`).toBe(true);
}

describe('avg_over_time and sum_over_time', () => {
  it('yield nothing for an empty window and the value for one sample', () => {
    expect(at(avgOverTime, 10 * SEC, '1 2 3 4 5', 55 * SEC, 10 * SEC)).toBeUndefined();
    expect(at(avgOverTime, 10 * SEC, '1 2 3 4 5', 55 * SEC, 20 * SEC)).toBe(5);
    expect(at(avgOverTime, 10 * SEC, '1 2 3 4 5', 55 * SEC, MIN)).toBe(3);
  });

  it.each([
    // functions.test "Tests for avg_over_time" (load 10s, at 55s over 1m): avg vs sum/count.
    ['1 2 3 4 Inf', Infinity, Infinity],
    ['1 2 3 4 -Inf', -Infinity, -Infinity],
    ['1 2 3 Inf -Inf', NaN, NaN],
    ['Inf 0 Inf', Infinity, Infinity],
    ['Inf Inf Inf -Inf', NaN, NaN],
    ['1 2 3 -Inf -Inf', -Infinity, -Infinity],
    ['-Inf 0 -Inf', -Infinity, -Infinity],
    ['-Inf -Inf -Inf Inf', NaN, NaN],
    ['1 2 -Inf -Inf Inf', NaN, NaN],
    // Overflowing sums: avg stays finite, sum/count does not.
    ['9.988465674311579e+307 9.988465674311579e+307', 9.988465674311579e307, Infinity],
    ['-9.988465674311579e+307 -9.988465674311579e+307 -9.988465674311579e+307', -9.988465674311579e307, -Infinity],
    ['-9.988465674311579e+307 9.988465674311579e+307', 0, 0],
    ['1 2 3 NaN NaN', NaN, NaN],
  ])('avg(%s) = %d, sum/count = %d', (spec, avg, sumDivCount) => {
    expectClose(at(avgOverTime, 10 * SEC, spec, 55 * SEC, MIN), avg);
    const sum = at(sumOverTime, 10 * SEC, spec, 55 * SEC, MIN)!;
    const count = at(countOverTime, 10 * SEC, spec, 55 * SEC, MIN)!;
    expectClose(sum / count, sumDivCount);
  });

  it.each([
    // "More tests for extreme values" (load 5s, at 55s over 1m).
    ['1e10 1e-6 1e-6 1e-6 1e-6 1e-6', 1.6666666666666675e9],
    ['5.30921651659898 0.961118537914768 1.62091361305318 0.865089463758091 0.323055185914577 0.951811357687154', 1.67186744582113],
    ['1.78264e50 0.76342771 1.9592258 7.69805412 458.90154', 3.56528e49],
    ['0.76342771 1.9592258 7.69805412 1.78264e50 458.90154', 3.56528e49],
    ['1.78264E+50 0.76342771 1.9592258 2.258E+220 7.69805412 458.90154', 3.76333333333333e219],
    ['-1.78264E+50 0.76342771 1.9592258 2.258E+220 7.69805412 -458.90154', 3.76333333333333e219],
    ['-1.78264E+50 0.76342771 1.9592258 -2.258E+220 7.69805412 -458.90154', -3.76333333333333e219],
    ['-1.78264E+215 0.76342771 1.9592258 2.258E+220 7.69805412 -458.90154', 3.76330362266667e219],
    ['-1.78264E+215 0.76342771 1.9592258 2.258E+220 7.69805412 1.78264E+215 -458.90154', 3.225714285714286e219],
    ['-1.78264E+219 0.76342771 1.9592258 2.3757689E+217 -2.3757689E+217 2.258E+220 7.69805412 1.78264E+219 -458.90154', 2.5088888888888888e219],
    // Cancelling magnitudes defeat even Kahan summation: Prometheus yields exactly 0.
    ['-2.258E+220 -1.78264E+219 0.76342771 1.9592258 2.3757689E+217 -2.3757689E+217 2.258E+220 7.69805412 1.78264E+219 -458.90154', 0],
  ])('avg of extreme values %s', (spec, want) => {
    expectClose(at(avgOverTime, 5 * SEC, spec, 55 * SEC, MIN), want);
  });

  it('averages equal values exactly (direct mean, not incremental)', () => {
    for (const range of [100, 110, 120, 130]) {
      expect(at(avgOverTime, 10 * SEC, '52+0x100', 10 * MIN, range * SEC)).toBe(52);
    }
  });

  it('keeps small terms next to huge ones (Kahan summation)', () => {
    expect(at(sumOverTime, 10 * SEC, '1 1e100 1 -1e100', MIN, 2 * MIN)).toBe(2);
    expect(at(avgOverTime, 10 * SEC, '1 1e100 1 -1e100', MIN, 2 * MIN)).toBe(0.5);
  });

  it.each([1000, 1001, 1002, 1003, 2000, 2001, 2002, 2003, 3000, 3001, 3002, 3003])(
    'sums a dense 1ms series over [%dms] exactly',
    (range) => {
      expect(at(sumOverTime, 1, '1+0x4000', 4 * SEC, range)).toBe(range);
    },
  );
});

describe('stddev_over_time and stdvar_over_time', () => {
  it('compute the population variance', () => {
    expectClose(at(stdvarOverTime, 10 * SEC, '0 8 8 2 3', MIN, 2 * MIN), 10.56);
    expectClose(at(stddevOverTime, 10 * SEC, '0 8 8 2 3', MIN, 2 * MIN), 3.249615);
  });

  it('give exactly 0 for repeated values (#4927)', () => {
    const spec = '1.5990505637277868 1.5990505637277868 1.5990505637277868';
    expect(at(stdvarOverTime, 10 * SEC, spec, 55 * SEC, MIN)).toBe(0);
    expect(at(stddevOverTime, 10 * SEC, spec, 55 * SEC, MIN)).toBe(0);
  });

  it('are NaN with an infinite value', () => {
    expect(at(stddevOverTime, 10 * SEC, '1 Inf 2', MIN, 2 * MIN)).toBeNaN();
    expect(at(stdvarOverTime, 10 * SEC, 'Inf', MIN, 2 * MIN)).toBeNaN();
  });
});

describe('min, max, last, count, present over time', () => {
  it.each([
    // functions.test "Tests for *_over_time" (load 10s, at 1m over 2m): min, max, last.
    ['2 0 3', 0, 3, 3],
    ['2 0 NaN', 0, 2, NaN],
    ['2 NaN 1', 1, 2, 1],
    ['NaN 0 1', 0, 1, 1],
    ['NaN NaN NaN', NaN, NaN, NaN],
  ])('%s → min %d, max %d, last %d', (spec, min, max, last) => {
    expectClose(at(minOverTime, 10 * SEC, spec, MIN, 2 * MIN), min);
    expectClose(at(maxOverTime, 10 * SEC, spec, MIN, 2 * MIN), max);
    expectClose(at(lastOverTime, 10 * SEC, spec, MIN, 2 * MIN), last);
    expect(at(countOverTime, 10 * SEC, spec, MIN, 2 * MIN)).toBe(3);
    expect(at(presentOverTime, 10 * SEC, spec, MIN, 2 * MIN)).toBe(1);
  });

  it('yield nothing for an empty window', () => {
    for (const fn of [minOverTime, maxOverTime, lastOverTime, countOverTime, presentOverTime, tsOfLastOverTime]) {
      expect(at(fn, MIN, '1', 5 * MIN, MIN)).toBeUndefined();
    }
  });
});

describe('ts_of_*_over_time', () => {
  // load 10s53ms: an odd interval to catch rounding in the ms → s conversion.
  const interval = 10 * SEC + 53;

  it('returns the timestamp of the minimum / maximum', () => {
    expect(at(tsOfMinOverTime, interval, '1 2 3 0 5 6 2 1 4', 90 * SEC, 90 * SEC)).toBe(30.159);
    expect(at(tsOfMaxOverTime, interval, '1 2 3 0 5 6 2 1 4', 90 * SEC, 90 * SEC)).toBe(50.265);
  });

  it('picks the last of equal extremes', () => {
    expect(at(tsOfMaxOverTime, 10 * SEC, '5 1 5 2', 30 * SEC, MIN)).toBe(20);
    expect(at(tsOfMinOverTime, 10 * SEC, '1 3 1 2', 30 * SEC, MIN)).toBe(20);
  });

  it('returns the timestamp of the last sample', () => {
    expect(at(tsOfLastOverTime, interval, '1 2 3 _ _', 90 * SEC, 90 * SEC)).toBe(20.106);
    expect(at(tsOfLastOverTime, interval, '1 2 3 _ _', 95 * SEC, 90 * SEC)).toBe(20.106);
  });
});

describe('quantile_over_time', () => {
  it.each([
    // functions.test (load 10s, at 1m over 2m): two, three and uneven samples.
    [0, 0, 0, 0],
    [0.5, 0.5, 1, 1],
    [0.75, 0.75, 1.5, 2.5],
    [0.8, 0.8, 1.6, 2.8],
    [1, 1, 2, 4],
  ])('q=%d', (q, two, three, uneven) => {
    const annotations = new Annotations();
    expectClose(at(quantileOverTime, 10 * SEC, '0 1', MIN, 2 * MIN, { args: [q], annotations }), two);
    expectClose(at(quantileOverTime, 10 * SEC, '0 1 2', MIN, 2 * MIN, { args: [q], annotations }), three);
    expectClose(at(quantileOverTime, 10 * SEC, '0 1 4', MIN, 2 * MIN, { args: [q], annotations }), uneven);
    expect(annotations.warnings.size).toBe(0);
  });

  it.each([
    [-1, -Infinity, 'PromQL warning: quantile value should be between 0 and 1, got -1'],
    [2, Infinity, 'PromQL warning: quantile value should be between 0 and 1, got 2'],
    [NaN, NaN, 'PromQL warning: quantile value should be between 0 and 1, got NaN'],
  ])('q=%d yields %d with a warning', (q, want, warning) => {
    const annotations = new Annotations();
    expectClose(at(quantileOverTime, 10 * SEC, '0 1 2', MIN, 2 * MIN, { args: [q], annotations }), want);
    expect([...annotations.warnings]).toEqual([warning]);
  });
});

describe('mad_over_time', () => {
  it('is the median of absolute deviations from the median', () => {
    // Window (0s, 70s] holds 6 2 1 999 1 2: median 2, deviations 4 0 1 997 1 0 → median 1.
    expect(at(madOverTime, 10 * SEC, '4 6 2 1 999 1 2', 70 * SEC, 70 * SEC)).toBe(1);
    expect(at(madOverTime, 10 * SEC, '1 1 1', 70 * SEC, 70 * SEC)).toBe(0);
  });
});
