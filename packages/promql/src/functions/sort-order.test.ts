import { describe, expect, it } from 'vitest';
import { compareNatural, compareValuesAsc, compareValuesDesc } from './sort-order.ts';

describe('compareNatural (sort_by_label)', () => {
  it.each([
    // functions.test sort_by_label cases.
    [['100', '21', '20', '12', '11', '10', '3', '2', '1', '0'], ['0', '1', '2', '3', '10', '11', '12', '20', '21', '100']],
    [['4m600', '4m5', '4m1000'], ['4m5', '4m600', '4m1000']],
    [['1.2.3', '1.11.3', '1.111.3'].reverse(), ['1.2.3', '1.11.3', '1.111.3']],
    [['b', 'a10', 'a2', 'a'], ['a', 'a2', 'a10', 'b']],
    [['x99999999999999999999', 'x100000000000000000000', 'x5'], ['x100000000000000000000', 'x5', 'x99999999999999999999']],
  ])('sorts %j', (input, want) => {
    expect([...input].sort(compareNatural)).toEqual(want);
  });

  it('returns 0 only for equal strings and orders prefixes first', () => {
    expect(compareNatural('abc', 'abc')).toBe(0);
    expect(compareNatural('abc', 'abc1')).toBeLessThan(0);
    expect(compareNatural('abc1', 'abc')).toBeGreaterThan(0);
    expect(compareNatural('a2b', 'a10a')).toBeLessThan(0);
  });
});

describe('value orderings (sort, sort_desc)', () => {
  it('put NaN last in both directions', () => {
    const values = [300, NaN, 100, 800, 200];
    expect([...values].sort(compareValuesAsc)).toEqual([100, 200, 300, 800, NaN]);
    expect([...values].sort(compareValuesDesc)).toEqual([800, 300, 200, 100, NaN]);
  });
});
