import { describe, expect, it } from 'vitest';
import { MeanAccumulator, TopKSelector, VarianceAccumulator, aggregationK } from './aggregation-kernels.ts';
import { FunctionError } from './errors.ts';
import { KahanSum } from './kahan.ts';
import { medianAbsoluteDeviation, quantile } from './quantile.ts';
import { almostEqual } from './test-fixtures.ts';

const BIG = 9.988465674311579e307;

function mean(values: number[]): number {
  const m = new MeanAccumulator();
  for (const v of values) m.add(v);
  return m.value();
}

function variance(values: number[]): VarianceAccumulator {
  const acc = new VarianceAccumulator();
  for (const v of values) acc.add(v);
  return acc;
}

function expectClose(actual: number, expected: number): void {
  expect(almostEqual(actual, expected), `got ${actual}, want ${expected}`).toBe(true);
}

describe('KahanSum', () => {
  it('keeps small terms next to huge ones', () => {
    const s = new KahanSum();
    for (const v of [2, 8, 1e100, -1e100]) s.add(v);
    expect(s.value()).toBe(10);
    s.reset();
    for (const v of [1, 1e100, 1, -1e100]) s.add(v);
    expect(s.value()).toBe(2);
  });

  it('propagates infinities and NaN', () => {
    const s = new KahanSum();
    s.add(Infinity);
    s.add(2);
    expect(s.value()).toBe(Infinity);
    s.add(-Infinity);
    expect(s.value()).toBeNaN();
  });
});

describe('MeanAccumulator (avg)', () => {
  it.each([
    // aggregators.test "Tests for avg", inputs in label order.
    ['ten', [8, 10, 12], 10],
    ['inf', [0, Infinity, 0, Infinity], Infinity],
    ['inf2', [Infinity, 0, Infinity], Infinity],
    ['inf3', [Infinity, Infinity, -Infinity], NaN],
    ['-inf', [-Infinity, -Infinity, 0], -Infinity],
    ['-inf2', [-Infinity, 0, -Infinity], -Infinity],
    ['nan', [-Infinity, 0, Infinity], NaN],
    ['big', [BIG, BIG, BIG, BIG], BIG],
    ['-big', [-BIG, -BIG, -BIG, -BIG], -BIG],
    ['bigzero', [-BIG, -BIG, BIG, BIG], 0],
    ['value is nan', [8, NaN, 12], NaN],
    ['extreme', [2, 8, 1e100, -1e100], 2.5],
    ['single', [7], 7],
  ])('%s', (_name, values, want) => {
    expectClose(mean(values), want);
  });

  it('is exact for repeated values (no incremental-mean drift)', () => {
    for (let n = 1; n <= 200; n++) expect(mean(new Array<number>(n).fill(52))).toBe(52);
  });

  it('recovers from an overflowing sum with the incremental mean', () => {
    expectClose(mean([1.5e308, 1.5e308, 0, 1.5e308]), 1.125e308);
    expectClose(mean([BIG, BIG, -BIG, -BIG]), 0);
  });

  it('is NaN when empty and reusable after reset', () => {
    const m = new MeanAccumulator();
    expect(m.value()).toBeNaN();
    m.add(BIG);
    m.add(BIG);
    m.reset();
    m.add(1);
    m.add(2);
    expect(m.value()).toBe(1.5);
  });
});

describe('VarianceAccumulator (stddev, stdvar)', () => {
  it('computes population variance and deviation', () => {
    const all = variance([100, 200, 300, 400, 500, 600, 700, 800]);
    expectClose(all.variance(), 52500);
    expectClose(all.stddev(), 229.12878474779);
    const instance0 = variance([100, 300, 500, 700]);
    expectClose(instance0.variance(), 50000);
    expectClose(instance0.stddev(), 223.60679774998);
    expect(variance([1, 2]).variance()).toBe(0.25);
    expect(variance([1, 2]).stddev()).toBe(0.5);
    expect(variance([5]).stddev()).toBe(0);
  });

  it('gives exactly 0 for identical values', () => {
    const v = 0 + 1.33 * 10;
    expect(variance([v, v, v]).variance()).toBe(0);
  });

  it('is NaN with a NaN or infinite value, wherever it occurs', () => {
    for (const values of [[1, 2, NaN], [NaN, 1, 2], [NaN], [1, 2, Infinity], [Infinity, 1, 2], [Infinity]]) {
      expect(variance(values).variance()).toBeNaN();
    }
    expect(new VarianceAccumulator().variance()).toBeNaN();
  });
});

describe('quantile', () => {
  it.each([
    // aggregators.test quantile without(point)(0.8, data)
    [[0, 1], 0.8],
    [[0, 1, 2], 1.6],
    [[4, 0, 1], 2.8],
  ])('0.8-quantile of %j', (values, want) => {
    expectClose(quantile(0.8, values), want);
  });

  it('returns NaN / ±Inf for NaN / out-of-range q and NaN without values', () => {
    expect(quantile(NaN, [0, 1])).toBeNaN();
    expect(quantile(-1, [0, 1])).toBe(-Infinity);
    expect(quantile(2, [0, 1])).toBe(Infinity);
    expect(quantile(0.5, [])).toBeNaN();
  });

  it('sorts NaN before numbers and does not modify its input', () => {
    const values = [2, NaN, 1];
    expect(quantile(0.5, values)).toBe(1);
    expect(quantile(0, values)).toBeNaN();
    expect(quantile(1, values)).toBe(2);
    expect(values).toEqual([2, NaN, 1]);
  });

  it('multiplies an infinite neighbour by a zero weight (NaN), as Prometheus', () => {
    expect(quantile(0, [1, Infinity])).toBeNaN();
    // At q = 1 lower and upper are both the last value: Inf·1 + Inf·0 is NaN too.
    expect(quantile(1, [1, Infinity])).toBeNaN();
    // Even an exact rank: the median of 1 3 Inf is 3·1 + Inf·0.
    expect(quantile(0.5, [1, 3, Infinity])).toBeNaN();
    expect(quantile(0.5, [1, 3, 5, Infinity])).toBe(4);
  });

  it('handles a sub-range and large inputs', () => {
    const values = Array.from({ length: 1001 }, (_, i) => 1000 - i);
    expect(quantile(0.5, values)).toBe(500);
    expect(quantile(0.5, [9, 1, 2, 3, 9], 1, 4)).toBe(2);
    expect(medianAbsoluteDeviation([6, 2, 1, 999, 1, 2])).toBe(1);
  });
});

function select(values: number[], k: number, bottom: boolean): number[] {
  const s = new TopKSelector();
  s.reset(k, bottom);
  values.forEach((v, i) => s.add(v, i));
  return s.drain([]).map((i) => values[i]!);
}

describe('TopKSelector', () => {
  it('orders topk descending and bottomk ascending, NaN last', () => {
    const values = [100, 200, NaN, 300, 400, 500, 600, 700, 800];
    expect(select(values, 3, false)).toEqual([800, 700, 600]);
    expect(select(values, 3, true)).toEqual([100, 200, 300]);
    expect(select([100, 200, NaN], 3, false)).toEqual([200, 100, NaN]);
    expect(select([100, 200, NaN], 3, true)).toEqual([100, 200, NaN]);
    expect(select([NaN, 100, 200], 5, false)).toEqual([200, 100, NaN]);
  });

  it('keeps NaN only when nothing better arrives', () => {
    expect(select([NaN, 5], 1, false)).toEqual([5]);
    expect(select([NaN, 5], 1, true)).toEqual([5]);
    expect(select([NaN], 1, false)).toEqual([NaN]);
  });

  it('keeps the first of equal values, in input order', () => {
    const s = new TopKSelector();
    s.reset(2, false);
    for (let i = 0; i < 5; i++) s.add(52, i);
    expect(s.drain([])).toEqual([0, 1]);
  });

  it('agrees with a full sort on larger inputs', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 1000;
    const values = Array.from({ length: 500 }, () => Math.floor(rnd()));
    const sortedDesc = [...values].sort((a, b) => b - a);
    expect(select(values, 50, false)).toEqual(sortedDesc.slice(0, 50));
    expect(select(values, 50, true)).toEqual([...sortedDesc].reverse().slice(0, 50));
    expect(select(values, 500, false)).toEqual(sortedDesc);
  });
});

describe('aggregationK', () => {
  it('truncates towards zero', () => {
    expect(aggregationK(3.7)).toBe(3);
    expect(aggregationK(-1.5)).toBe(-1);
    expect(aggregationK(9999999999)).toBe(9999999999);
  });

  it('rejects NaN and values beyond int64 with Prometheus texts', () => {
    expect(() => aggregationK(NaN)).toThrow('Scalar value NaN overflows int64');
    expect(() => aggregationK(1e19)).toThrow('Scalar value 1e+19 overflows int64');
    expect(() => aggregationK(-Infinity)).toThrow('Scalar value -Inf overflows int64');
    try {
      aggregationK(Infinity);
    } catch (e) {
      expect(FunctionError.is(e) && e.code).toBe('scalar-overflows-int64');
    }
  });
});
