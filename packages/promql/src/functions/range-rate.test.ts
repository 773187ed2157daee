import { describe, expect, it } from 'vitest';
import { changes, delta, idelta, increase, irate, rate, resets } from './range-rate.ts';
import type { RangeFunction } from './range-types.ts';
import { MIN, SEC, almostEqual, loadSeries, selectWindow } from './test-fixtures.ts';

/** Evaluates `fn(series[range] offset o)` at `evalMs`. */
function at(fn: RangeFunction, interval: number, spec: string, evalMs: number, rangeMs: number, offsetMs = 0): number | undefined {
  const w = selectWindow(loadSeries(interval, spec), evalMs, rangeMs, { offsetMs });
  return fn(w.ts, w.vs, w.lo, w.hi, w.ctx);
}

function expectValue(actual: number | undefined, expected: number | undefined): void {
  if (expected === undefined) {
    expect(actual).toBeUndefined();
    return;
  }
  expect(almostEqual(actual, expected), `got ${actual}, want ${expected}`).toBe(true);
}

// functions.test: "Testdata for resets() and changes()", load 5m, evaluated at 50m.
const FOO = '1 2 3 0 1 0 0 1 2 0';
const BAR = '1 2 3 4 5 1 2 3 4 5';
const BIZ = '0 0 0 0 0 1 1 1 1 1';

describe('resets', () => {
  it.each([
    // range, foo, bar, biz; undefined = no output (empty window)
    [5 * MIN, undefined, undefined, undefined],
    [10 * MIN, 0, 0, 0],
    [600 * SEC, 0, 0, 0],
    [20 * MIN, 1, 0, 0],
    [30 * MIN, 1, 0, 0],
    [32 * MIN, 2, 1, 0],
    [50 * MIN, 3, 1, 0],
  ])('resets(x[%dms]) at 50m', (range, foo, bar, biz) => {
    expect(at(resets, 5 * MIN, FOO, 50 * MIN, range)).toBe(foo);
    expect(at(resets, 5 * MIN, BAR, 50 * MIN, range)).toBe(bar);
    expect(at(resets, 5 * MIN, BIZ, 50 * MIN, range)).toBe(biz);
  });
});

describe('changes', () => {
  it.each([
    [5 * MIN, undefined, undefined, undefined],
    [6 * MIN, 0, 0, 0],
    [20 * MIN, 2, 2, 0],
    [30 * MIN, 3, 4, 0],
    [50 * MIN, 7, 8, 1],
  ])('changes(x[%dms]) at 50m', (range, foo, bar, biz) => {
    expect(at(changes, 5 * MIN, FOO, 50 * MIN, range)).toBe(foo);
    expect(at(changes, 5 * MIN, BAR, 50 * MIN, range)).toBe(bar);
    expect(at(changes, 5 * MIN, BIZ, 50 * MIN, range)).toBe(biz);
  });

  it('treats consecutive NaNs as unchanged but NaN ↔ number as a change', () => {
    expect(at(changes, 5 * MIN, 'NaN NaN NaN', 15 * MIN, 20 * MIN)).toBe(0);
    expect(at(changes, 5 * MIN, '0 NaN 0', 15 * MIN, 20 * MIN)).toBe(2);
  });
});

describe('increase', () => {
  it.each([
    // functions.test "Tests for increase()": extrapolation to the window start is cut at the
    // counter's zero point (bumms: 30 s before the first sample), or limited to half an interval.
    ['0+10x10', 50 * MIN, 100, 100],
    ['0+18x5 0+18x5', 50 * MIN, 160, 162],
    ['10+10x10', 50 * MIN, 100, 105],
    ['1+10x10', 50 * MIN, 100, 101],
  ])('increase(%s) over 50m and 100m', (spec, _eval, over50m, over100m) => {
    expectValue(at(increase, 5 * MIN, spec, 50 * MIN, 50 * MIN), over50m);
    expectValue(at(increase, 5 * MIN, spec, 50 * MIN, 100 * MIN), over100m);
  });

  it('treats a decrease as a reset to zero (3 2 counts as 3 0 1 2)', () => {
    expectValue(at(increase, 5 * MIN, '0 1 2 3 2 3 4', 30 * MIN, 30 * MIN), 7);
  });

  it('needs two samples', () => {
    expect(at(increase, 5 * MIN, '5', 0, 5 * MIN)).toBeUndefined();
  });
});

describe('rate', () => {
  it('handles a reset in the middle of the range', () => {
    expectValue(at(rate, 5 * MIN, '0+27x4 0+27x5', 50 * MIN, 50 * MIN), 0.08);
  });

  it('yields nothing for one sample and 0 across a reset at the end', () => {
    expect(at(rate, 5 * MIN, '0+10x9 0 10', 50 * MIN, 5 * MIN)).toBeUndefined();
    expectValue(at(rate, 5 * MIN, '0+10x9 0 10', 50 * MIN, 6 * MIN), 0);
  });

  it('is per second and honours offset', () => {
    expectValue(at(rate, 5 * MIN, '0+80x10', 50 * MIN, 50 * MIN), 0.26666666666666666);
    expectValue(at(rate, 5 * MIN, '0+10x10', 50 * MIN, 10 * MIN, 5 * MIN), 0.03333333333333333);
    expectValue(at(rate, 5 * MIN, '0+20x10', 50 * MIN, 10 * MIN, 5 * MIN), 0.06666666666666667);
  });

  it.each([
    // load 4m testcounter_zero_cutoff_total: zero-point cutoff up to half an interval (10m),
    // normal half-interval extrapolation at 50m.
    ['0+240x10', 0.5, 0.6],
    ['60+240x10', 0.55, 0.6],
    ['120+240x10', 0.6, 0.6],
    ['180+240x10', 0.6, 0.6],
    ['240+240x10', 0.6, 0.6],
    ['300+240x10', 0.6, 0.6],
  ])('zero cutoff of %s', (spec, at10m, at50m) => {
    expectValue(at(rate, 4 * MIN, spec, 10 * MIN, 20 * MIN), at10m);
    expectValue(at(rate, 4 * MIN, spec, 50 * MIN, 20 * MIN), at50m);
  });
});

describe('delta', () => {
  it('extrapolates without reset handling', () => {
    expectValue(at(delta, 5 * MIN, '0 50 100 150 200', 20 * MIN, 20 * MIN), 200);
    expectValue(at(delta, 5 * MIN, '200 150 100 50 0', 20 * MIN, 20 * MIN), -200);
  });
});

describe('irate and idelta', () => {
  it('use the last two samples; irate treats a decrease as a reset', () => {
    expectValue(at(irate, 5 * MIN, '0+10x10', 50 * MIN, 50 * MIN), 1 / 30);
    expectValue(at(irate, 5 * MIN, '0+10x5 0+10x5', 50 * MIN, 50 * MIN), 1 / 30);
    expectValue(at(irate, 5 * MIN, '0+10x10', 30 * MIN, 50 * MIN), 1 / 30);
    // Reset: the last value (0) per second.
    expectValue(at(irate, 5 * MIN, '0+10x5 0+10x5', 30 * MIN, 50 * MIN), 0);
    expectValue(at(idelta, 5 * MIN, '0 50 100 150', 20 * MIN, 20 * MIN), 50);
    expectValue(at(idelta, 5 * MIN, '0 50 100 50', 20 * MIN, 20 * MIN), -50);
  });

  it.each([
    // eval range from 0 to 20m step 5m irate/idelta(http_requests_nan[15m1s]) over 1 NaN NaN 5 11
    [0, undefined, undefined],
    [5 * MIN, NaN, NaN],
    [10 * MIN, NaN, NaN],
    [15 * MIN, NaN, NaN],
    [20 * MIN, 0.02, 6],
  ])('propagate NaN at %dms', (t, irateWant, ideltaWant) => {
    const range = 15 * MIN + SEC;
    expectValue(at(irate, 5 * MIN, '1 NaN NaN 5 11', t, range), irateWant);
    expectValue(at(idelta, 5 * MIN, '1 NaN NaN 5 11', t, range), ideltaWant);
  });
});

describe('reset prefix counts (RangeCtx.resetsUpTo)', () => {
  it('give rate and increase the same results as scanning each window for resets', () => {
    // A counter with resets, repeated values and a NaN, every 15 s.
    const ts: number[] = [];
    const vs: number[] = [];
    let c = 5;
    for (let i = 0; i < 400; i++) {
      c = i % 37 === 36 ? i % 5 : i % 11 === 3 ? c : c + (i % 7) * 1.25;
      ts.push(i * 15 * SEC);
      vs.push(i === 200 ? NaN : c);
    }
    const resetsUpTo = new Int32Array(vs.length);
    for (let i = 1; i < vs.length; i++) resetsUpTo[i] = resetsUpTo[i - 1]! + (vs[i]! < vs[i - 1]! ? 1 : 0);
    for (const fn of [rate, increase]) {
      for (let lo = 0; lo < vs.length; lo += 7) {
        for (const len of [1, 2, 3, 20, 41, 120]) {
          const hi = Math.min(vs.length, lo + len);
          const ctx = { rangeStartMs: ts[lo]! - 7 * SEC, rangeEndMs: ts[hi - 1]! + 3 * SEC, evalTimeMs: ts[hi - 1]! + 3 * SEC, rangeMs: 10 * MIN, args: [] };
          expect(Object.is(fn(ts, vs, lo, hi, { ...ctx, resetsUpTo }), fn(ts, vs, lo, hi, ctx))).toBe(true);
        }
      }
    }
  });
});
