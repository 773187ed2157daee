/**
 * Go number formatting: the exact-decimal float formatter against JavaScript's own (which agrees
 * except on exact ties, where Go rounds half to even), and fmt's verbs on edge values.
 */
import { describe, expect, it } from 'vitest';
import { formatFloat } from './float-format.ts';
import { sprint, sprintf } from './fmt.ts';
import { GoMap, GoSlice } from './values.ts';

/** Deterministic doubles over many magnitudes (xorshift, fixed seed). */
function* doubles(n: number): Generator<number> {
  let s = 0x9e3779b9;
  const next = (): number => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < n; i++) {
    const v = (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
    yield i % 7 === 0 ? Math.round(v) : v;
  }
}

describe('formatFloat', () => {
  it('matches toFixed/toExponential away from exact ties, and round-trips shortest forms', () => {
    for (const x of doubles(5000)) {
      const sign = Object.is(x, -0) ? '-' : ''; // Go keeps the sign of -0; JavaScript drops it
      for (const p of [0, 1, 2, 3, 6, 10]) {
        // An exact tie shows as a 5 followed only by zeros in the longer exact expansion.
        const tie = (long: string): boolean => /^50*$/.test(long);
        const fLong = formatFloat(x, 'f', p + 40);
        const fRest = fLong.slice(fLong.length - 40);
        if (Math.abs(x) < 1e21 && !tie(fRest)) expect(formatFloat(x, 'f', p), `${x} %.${p}f`).toBe(sign + x.toFixed(p));
        const eLong = formatFloat(x, 'e', p + 40);
        const eRest = eLong.slice(eLong.indexOf('e') - 40, eLong.indexOf('e'));
        const js = sign + x.toExponential(p).replace(/e([+-])(\d)$/, 'e$10$2');
        if (!tie(eRest)) expect(formatFloat(x, 'e', p), `${x} %.${p}e`).toBe(js);
      }
      expect(Number(formatFloat(x, 'g', -1))).toBe(x);
      expect(Number(formatFloat(x, 'e', -1))).toBe(x);
    }
  });

  it('rounds exact ties half to even, as Go does', () => {
    expect(formatFloat(0.5, 'f', 0)).toBe('0');
    expect(formatFloat(1.5, 'f', 0)).toBe('2');
    expect(formatFloat(2.5, 'f', 0)).toBe('2');
    expect(formatFloat(0.125, 'f', 2)).toBe('0.12');
    expect(formatFloat(0.375, 'f', 2)).toBe('0.38');
    expect(formatFloat(1.25, 'e', 1)).toBe('1.2e+00');
    expect(formatFloat(1234.5, 'g', 4)).toBe('1234');
    expect(formatFloat(1235.5, 'g', 4)).toBe('1236');
  });

  it('formats %g as Go: exponent below 1e-4 and from the precision (21 digits never)', () => {
    expect(formatFloat(123456, 'g', -1)).toBe('123456');
    expect(formatFloat(1234567, 'g', -1)).toBe('1.234567e+06');
    expect(formatFloat(0.0001, 'g', -1)).toBe('0.0001');
    expect(formatFloat(0.00001, 'g', -1)).toBe('1e-05');
    expect(formatFloat(1e100, 'g', -1)).toBe('1e+100');
    expect(formatFloat(5e-324, 'g', -1)).toBe('5e-324');
    expect(formatFloat(1.7976931348623157e308, 'g', -1)).toBe('1.7976931348623157e+308');
    expect(formatFloat(999.95, 'g', 4)).toBe('1000');
    expect(formatFloat(0, 'g', 4)).toBe('0');
    expect(formatFloat(-0, 'g', -1)).toBe('-0');
    expect(formatFloat(NaN, 'g', 4)).toBe('NaN');
    expect(formatFloat(Infinity, 'f', 2)).toBe('+Inf');
  });
});

describe('fmt', () => {
  it('prints ints and floats apart, as Go keeps int and float64 apart', () => {
    expect(sprint([1n, 1, 1.5])).toBe('1 1 1.5');
    expect(sprintf('%d|%d', [3n, 3])).toBe('3|%!d(float64=3)');
    expect(sprintf('%v', [-9223372036854775808n])).toBe('-9223372036854775808');
  });

  it('prints maps sorted by key and slices in order, applying the verb to elements', () => {
    const m = new GoMap('string', new Map([['b', '2'], ['a', '1'], ['é', '3'], ['Z', '0']]));
    expect(sprint([m])).toBe('map[Z:0 a:1 b:2 é:3]');
    expect(sprintf('%q', [m])).toBe('map["Z":"0" "a":"1" "b":"2" "é":"3"]');
    expect(sprintf('%v', [new GoSlice('[]interface {}', 'interface {}', [1n, 'x', undefined])])).toBe('[1 x <nil>]');
  });

  it('pads by runes, not bytes or UTF-16 units', () => {
    expect(sprintf('%5s|%-5s|', ['é', '😀'])).toBe('    é|😀    |');
    expect(sprintf('%.2s', ['😀é😀'])).toBe('😀é');
  });
});
