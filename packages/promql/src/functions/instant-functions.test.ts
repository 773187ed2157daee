import { describe, expect, it } from 'vitest';
import {
  ELEMENT_FUNCTIONS,
  abs,
  ceil,
  clamp,
  clampMax,
  clampMin,
  clampYieldsNothing,
  floor,
  pi,
  round,
  sgn,
} from './instant-functions.ts';
import { almostEqual } from './test-fixtures.ts';

function fn(name: string): (v: number) => number {
  const f = ELEMENT_FUNCTIONS.get(name);
  if (f === undefined) throw new Error(`no element function ${name}`);
  return f;
}

describe('abs, ceil, floor, round on special values', () => {
  // functions.test "Test for abs, ceil(), floor(), round()": input, abs, ceil, floor, round.
  it.each([
    [2.5, 2.5, 3, 2, 3],
    [2, 2, 2, 2, 2],
    [-2.5, 2.5, -2, -3, -2],
    [-2, 2, -2, -2, -2],
    [0, 0, 0, 0, 0],
    [-0, 0, -0, -0, 0],
    [Infinity, Infinity, Infinity, Infinity, Infinity],
    [-Infinity, Infinity, -Infinity, -Infinity, -Infinity],
    [NaN, NaN, NaN, NaN, NaN],
  ])('%d', (v, a, c, f, r) => {
    expect(abs(v)).toBe(a);
    expect(ceil(v)).toBe(c);
    expect(floor(v)).toBe(f);
    expect(round(v)).toBe(r);
  });
});

describe('round', () => {
  it.each([
    // aggregators.test: values are k · http_requests for 100 and 200; ties go up.
    [0.004 * 100, 1, 0],
    [0.004 * 200, 1, 1],
    [-1 * (0.004 * 100), 1, 0],
    [-1 * (0.004 * 200), 1, -1],
    [0.005 * 100, 1, 1],
    [0.005 * 200, 1, 1],
    [-1 * (0.005 * 100), 1, 0],
    [-1 * (0.005 * 200), 1, -1],
    [1 + 0.005 * 100, 1, 2],
    [-1 * (1 + 0.005 * 100), 1, -1],
    [-1 * (1 + 0.005 * 200), 1, -2],
    [0.0005 * 100, 0.1, 0.1],
    [0.0005 * 200, 0.1, 0.1],
    [2.1 + 0.0005 * 100, 0.1, 2.2],
    [2.1 + 0.0005 * 200, 0.1, 2.2],
    [5.2 + 0.0005 * 100, 0.1, 5.3],
    [-1 * (5.2 + 0.0005 * 100), 0.1, -5.2],
    [-1 * (5.2 + 0.0005 * 200), 0.1, -5.3],
    [0.025 * 100, 5, 5],
    [0.025 * 200, 5, 5],
    [0.045 * 100, 5, 5],
    [0.045 * 200, 5, 10],
  ])('round(%d, %d) = %d', (v, toNearest, want) => {
    expect(almostEqual(round(v, toNearest), want), `${round(v, toNearest)}`).toBe(true);
  });
});

describe('clamp family and sgn', () => {
  it('clamps like the functions.test cases', () => {
    expect([-50, 0, 100].map((v) => clampMax(v, 75))).toEqual([-50, 0, 75]);
    expect([-50, 0, 100].map((v) => clampMin(v, -25))).toEqual([-25, 0, 100]);
    expect([-50, 0, 100].map((v) => clamp(v, -25, 75))).toEqual([-25, 0, 75]);
    expect([-50, 0, 100].map((v) => clamp(v, 0, NaN))).toEqual([NaN, NaN, NaN]);
    expect([-50, 0, 100].map((v) => clamp(v, NaN, 0))).toEqual([NaN, NaN, NaN]);
    expect(clampYieldsNothing(5, -5)).toBe(true);
    expect(clampYieldsNothing(0, NaN)).toBe(false);
    expect(clampYieldsNothing(-25, 75)).toBe(false);
  });

  it('sgn maps to −1, 0, 1 and keeps NaN', () => {
    expect([-Infinity, Infinity, NaN, -50, 0, 100].map(sgn)).toEqual([-1, 1, NaN, -1, 0, 1]);
  });
});

describe('exponential, logarithmic and trigonometric functions', () => {
  it.each([
    // functions.test and trig_functions.test expectations.
    ['exp', 10, 22026.465794806718],
    ['exp', 20, 485165195.4097903],
    ['exp', -10, 4.5399929762484854e-5],
    ['exp', 0, 1],
    ['ln', 10, 2.302585092994046],
    ['ln', 20, 2.995732273553991],
    ['ln', 0, -Infinity],
    ['ln', -10, NaN],
    ['sqrt', 10, 3.1622776601683795],
    ['sqrt', 20, 4.47213595499958],
    ['log2', 10, 3.3219280948873626],
    ['log2', 20, 4.321928094887363],
    ['log2', 0, -Infinity],
    ['log2', -10, NaN],
    ['log10', 10, 1],
    ['log10', 20, 1.301029995663981],
    ['log10', 0, -Infinity],
    ['sin', 10, -0.5440211108893699],
    ['sin', 20, 0.9129452507276277],
    ['cos', 10, -0.8390715290764524],
    ['cos', 20, 0.40808206181339196],
    ['tan', 10, 0.6483608274590867],
    ['tan', 20, 2.2371609442247427],
    ['asin', 10 - 10.1, -0.10016742116155944],
    ['asin', 20 - 10.1, NaN],
    ['acos', 10 - 10.1, 1.670963747956456],
    ['acos', 20 - 10.1, NaN],
    ['atan', 10, 1.4711276743037345],
    ['atan', 20, 1.5208379310729538],
    ['sinh', 10, 11013.232920103324],
    ['sinh', 20, 2.4258259770489514e8],
    ['cosh', 10, 11013.232920103324],
    ['tanh', 10, 0.9999999958776927],
    ['tanh', 20, 1],
    ['asinh', 10, 2.99822295029797],
    ['asinh', 20, 3.6895038689889055],
    ['acosh', 10, 2.993222846126381],
    ['acosh', 20, 3.6882538673612966],
    ['atanh', 10 - 10.1, -0.10033534773107522],
    ['atanh', 20 - 10.1, NaN],
    ['atanh', 1, Infinity],
    ['rad', 10, 0.17453292519943295],
    ['rad', 20, 0.3490658503988659],
    ['deg', 10, 572.9577951308232],
    ['deg', 20, 1145.9155902616465],
    ['deg', -10, -572.9577951308232],
    ['sin', NaN, NaN],
  ])('%s(%d) = %d', (name, v, want) => {
    expect(almostEqual(fn(name)(v), want), `${fn(name)(v)}`).toBe(true);
  });

  it('pi() is π', () => {
    expect(pi()).toBe(3.141592653589793);
  });
});
