import { describe, expect, it } from 'vitest';
import { type Bucket, histogramFraction, histogramQuantile, parseBucketBound } from './histogram.ts';
import { almostEqual } from './test-fixtures.ts';

/** Builds buckets from `le` label strings and counts, parsing `le` as the evaluator does. */
function buckets(pairs: [string, number][]): Bucket[] {
  return pairs.map(([le, count]) => ({ upperBound: parseBucketBound(le)!, count }));
}

function q(quantile: number, pairs: [string, number][]): number {
  return histogramQuantile(quantile, buckets(pairs)).value;
}

function expectClose(actual: number, expected: number): void {
  expect(almostEqual(actual, expected), `got ${actual}, want ${expected}`).toBe(true);
}

// histograms.test, evaluated at 50m (load 5m, 0+kx10 → 10k).
const POSITIVE: [string, number][] = [['0.1', 50], ['.2', 70], ['1e0', 110], ['+Inf', 120]];
const NEGATIVE: [string, number][] = [['-.2', 10], ['-0.1', 20], ['0.3', 20], ['+Inf', 30]];
const POSITIVE3: [string, number][] = [['0', 0], ['0.1', 50], ['.2', 70], ['1e0', 110], ['+Inf', 110]];
const NEGATIVE3: [string, number][] = [['-.25', 0], ['-.2', 10], ['-0.1', 20], ['0.3', 20], ['+Inf', 20]];

describe('histogramQuantile', () => {
  it.each([
    // q, positive, negative (testhistogram)
    [0, 0, -0.2],
    [0.2, 0.048, -0.2],
    [0.5, 0.15, -0.15],
    [0.8, 0.72, 0.3],
    [1, 1, 0.3],
    [-0.1, -Infinity, -Infinity],
    [1.01, Infinity, Infinity],
    [NaN, NaN, NaN],
  ])('testhistogram q=%d', (quantile, pos, neg) => {
    expectClose(q(quantile, POSITIVE), pos);
    expectClose(q(quantile, NEGATIVE), neg);
  });

  it.each([
    // testhistogram3: a zero-count lowest bucket with bound 0 (positive) and −0.25 (negative).
    [0, 0, -0.25],
    [0.25, 0.055, -0.225],
    [0.5, 0.125, -0.2],
    [0.75, 0.45, -0.15],
    [1, 1, -0.1],
  ])('testhistogram3 q=%d', (quantile, pos, neg) => {
    expectClose(q(quantile, POSITIVE3), pos);
    expectClose(q(quantile, NEGATIVE3), neg);
  });

  it('interpolates to bucket middles and is independent of input order', () => {
    const h: [string, number][] = [['+Inf', 3], ['6', 3], ['0', 0], ['4', 2], ['2', 1]];
    expectClose(q(1 / 6, h), 1);
    expectClose(q(0.5, h), 3);
    expectClose(q(5 / 6, h), 5);
  });

  it('aggregated request durations (sum by le of rates)', () => {
    const h: [string, number][] = [['0.1', 10 / 300], ['0.2', 19 / 300], ['+Inf', 25 / 300]];
    expectClose(q(0.3, h), 0.075);
    expectClose(q(0.5, h), 0.1277777777777778);
  });

  it('forces monotonicity and reports it', () => {
    const h: [string, number][] = [['0.1', 20], ['1', 10], ['10', 50], ['100', 40], ['1000', 90], ['+Inf', 80]];
    for (const [quantile, want] of [[0.01, 0.0045], [0.5, 8.5], [0.99, 979.75]] as const) {
      const r = histogramQuantile(quantile, buckets(h));
      expectClose(r.value, want);
      expect(r.forcedMonotonic).toBe(true);
    }
    expect(histogramQuantile(0.5, buckets(POSITIVE)).forcedMonotonic).toBe(false);
  });

  it('silently flattens float noise below 1e-12 relative', () => {
    const r = histogramQuantile(0.5, [
      { upperBound: 1, count: 10 },
      { upperBound: 2, count: 10 * (1 - 1e-15) },
      { upperBound: Infinity, count: 20 },
    ]);
    expect(r.forcedMonotonic).toBe(false);
    expect(r.fixedPrecision).toBe(true);
    expectClose(r.value, 1);
  });

  it('merges buckets with the same bound written differently', () => {
    const h: [string, number][] = [['0.1', 1], ['0.2', 1], ['2e-1', 1], ['2.0e-1', 1], ['+Inf', 4]];
    expectClose(q(0.5, h), 0.15);
    expectClose(q(0.75, h), 0.2);
    expectClose(q(1, h), 0.2);
    expect(q(0.5, [['+inf', 0], ['+Inf', 0]])).toBeNaN();
  });

  it('returns the second-highest bound for quantiles in the +Inf bucket', () => {
    expect(q(0.99, [['1', 1], ['2', 2], ['+Inf', 10]])).toBe(2);
  });

  it('is NaN without observations, without a +Inf bucket, or with one bucket', () => {
    expect(q(0.2, [['0.1', 0], ['0.2', 0], ['+Inf', 0]])).toBeNaN();
    expect(q(0.5, [['1', 1], ['2', 2]])).toBeNaN();
    expect(q(0.5, [['+Inf', 5]])).toBeNaN();
    expect(histogramQuantile(0.5, []).value).toBeNaN();
  });
});

describe('histogramFraction', () => {
  const H2: [string, number][] = [['0', 0], ['2', 10], ['4', 20], ['6', 30], ['+Inf', 30]];

  it.each([
    [0, 4, 0.6666666666666666],
    [0, 6, 1],
    [0, 3.5, 0.5833333333333334],
    [-Infinity, Infinity, 1],
    [1, 1, 0],
    [3, 1, 0],
  ])('testhistogram2 (%d, %d]', (lower, upper, want) => {
    expectClose(histogramFraction(lower, upper, buckets(H2)), want);
  });

  it('testhistogram3 (0, 0.2]', () => {
    expectClose(histogramFraction(0, 0.2, buckets(POSITIVE3)), 0.6363636363636364);
    expect(histogramFraction(0, 0.2, buckets(NEGATIVE3))).toBe(0);
  });

  it('treats the lowest positive bucket as starting at 0', () => {
    // 50 of 120 observations in (0, 0.1]: half of them below 0.05.
    expectClose(histogramFraction(-Infinity, 0.05, buckets(POSITIVE)), 25 / 120);
    expectClose(histogramFraction(0.05, 0.1, buckets(POSITIVE)), 25 / 120);
  });

  it('is NaN for NaN bounds, no observations or no +Inf bucket', () => {
    expect(histogramFraction(NaN, 1, buckets(H2))).toBeNaN();
    expect(histogramFraction(0, NaN, buckets(H2))).toBeNaN();
    expect(histogramFraction(0, 1, buckets([['1', 0], ['+Inf', 0]]))).toBeNaN();
    expect(histogramFraction(0, 1, buckets([['1', 1], ['2', 2]]))).toBeNaN();
  });
});

describe('parseBucketBound', () => {
  it.each([
    ['0.1', 0.1],
    ['.2', 0.2],
    ['1e0', 1],
    ['-.2', -0.2],
    ['2.0e-1', 0.2],
    ['+Inf', Infinity],
    ['+inf', Infinity],
    ['Infinity', Infinity],
    ['-Inf', -Infinity],
    ['NaN', NaN],
    ['0x1p-2', 0.25],
    ['0x1.8P1', 3],
    ['1.', 1],
  ])('parses %s', (le, want) => {
    expect(parseBucketBound(le)).toBe(want);
  });

  it.each(['', 'foo', ' 1', '1 ', '1_0', '+NaN', '1e400', '0x1', 'infinit', '1e'])('rejects %j', (le) => {
    expect(parseBucketBound(le)).toBeUndefined();
  });
});
