import { describe, expect, it } from 'vitest';
import { formatGoFloatF, formatGoFloatFixed, formatGoFloatG, parseGoFloat } from './go-float.ts';

describe("formatGoFloatF (strconv.FormatFloat(v, 'f', -1, 64))", () => {
  it.each([
    [6, '6'],
    [0.1, '0.1'],
    [123.456, '123.456'],
    [-2.5, '-2.5'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [1e-7, '0.0000001'],
    [0.30000000000000004, '0.30000000000000004'],
    [1.5e300, '15' + '0'.repeat(299)],
    [0.0015, '0.0015'],
    [1500, '1500'],
    [-0, '-0'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('%d → %s', (v, want) => {
    expect(formatGoFloatF(v)).toBe(want);
  });

  it('writes the smallest denormal in full', () => {
    expect(formatGoFloatF(5e-324)).toBe(`0.${'0'.repeat(323)}5`);
  });
});

describe('formatGoFloatG (%g, %v)', () => {
  it.each([
    [2, '2'],
    [-1, '-1'],
    [1.5, '1.5'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e21, '1e+21'],
    [1e100, '1e+100'],
    [-9.988465674311579e307, '-9.98846567431158e+307'], // the same double: shortest digits
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [123456.7, '123456.7'],
    [0.00012345, '0.00012345'],
    [5e-324, '5e-324'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('%d → %s', (v, want) => {
    expect(formatGoFloatG(v)).toBe(want);
  });
});

describe('formatGoFloatFixed (%f)', () => {
  it.each([
    [1, 6, '1.000000'],
    [-0.25, 6, '-0.250000'],
    [0.1, 6, '0.100000'],
    [0.0078125, 6, '0.007812'], // exact tie: to even (JavaScript's toFixed gives 0.007813)
    [0.0234375, 6, '0.023438'],
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [1e21, 6, '1000000000000000000000.000000'],
    [NaN, 6, 'NaN'],
    [-Infinity, 6, '-Inf'],
  ])('%d with %d decimals → %s', (v, prec, want) => {
    expect(formatGoFloatFixed(v, prec)).toBe(want);
  });
});

describe('parseGoFloat (strconv.ParseFloat)', () => {
  it('accepts Go syntax', () => {
    expect(parseGoFloat('1e3')).toBe(1000);
    expect(parseGoFloat('+.5')).toBe(0.5);
    expect(parseGoFloat('-0')).toBe(-0);
    expect(parseGoFloat('INF')).toBe(Infinity);
    expect(parseGoFloat('-infinity')).toBe(-Infinity);
    expect(parseGoFloat('nAn')).toBeNaN();
    expect(parseGoFloat('0x_1p4')).toBe(16);
    expect(parseGoFloat('-0x1.8p-1')).toBe(-0.75);
    expect(parseGoFloat('1e-400')).toBe(0);
  });

  it('rejects what Go rejects', () => {
    for (const s of ['', ' 1', '1,5', '0b101', '1__0', '-nan', 'inf1', '0x1.p', '0x1p', '1e+', '1e400', '-1e400', '0x1p2000']) {
      expect(parseGoFloat(s), s).toBeUndefined();
    }
  });
});
