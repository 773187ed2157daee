import { describe, expect, it } from 'vitest';
import { FunctionError } from './errors.ts';
import { deriv, doubleExponentialSmoothing, predictLinear } from './range-regression.ts';
import type { RangeFunction } from './range-types.ts';
import { MIN, SEC, almostEqual, loadSeries, selectWindow } from './test-fixtures.ts';

function at(
  fn: RangeFunction,
  interval: number,
  spec: string,
  evalMs: number,
  rangeMs: number,
  opts: { atMs?: number; args?: number[] } = {},
): number | undefined {
  const w = selectWindow(loadSeries(interval, spec), evalMs, rangeMs, opts);
  return fn(w.ts, w.vs, w.lo, w.hi, w.ctx);
}

function expectClose(actual: number | undefined, expected: number): void {
  expect(almostEqual(actual, expected), `got ${actual}, want ${expected}`).toBe(true);
}

const RESET_MIDDLE = '0+10x4 0+10x5';

describe('deriv', () => {
  it('equals rate for a straight counter', () => {
    expectClose(at(deriv, 5 * MIN, '0+80x10', 50 * MIN, 50 * MIN), 0.26666666666666666);
  });

  it('fits a least-squares line through a sawtooth', () => {
    expectClose(at(deriv, 5 * MIN, RESET_MIDDLE, 50 * MIN, 100 * MIN), 0.010606060606060607);
  });

  it('is NaN when ±Inf is in the range, 0 for a constant, NaN for a constant Inf', () => {
    expect(at(deriv, 5 * MIN, '-Inf 0+80x10 Inf', 100 * MIN, 100 * MIN)).toBeNaN();
    expect(at(deriv, 5 * MIN, '7 7 7', 10 * MIN, 20 * MIN)).toBe(0);
    expect(at(deriv, 5 * MIN, 'Inf Inf Inf', 10 * MIN, 20 * MIN)).toBeNaN();
  });

  it('needs two samples', () => {
    expect(at(deriv, 5 * MIN, '1 2', 5 * MIN, 5 * MIN)).toBeUndefined();
  });
});

describe('predict_linear', () => {
  it('predicts t seconds after the evaluation time', () => {
    expectClose(at(predictLinear, 5 * MIN, RESET_MIDDLE, 50 * MIN, 50 * MIN, { args: [3600] }), 70);
  });

  it.each([
    // predict_linear(testcounter_reset_middle_total[55m] @ 3000, 3600): the window is pinned at
    // 3000 s, the intercept follows the evaluation time.
    [50 * MIN, 76.81818181818181],
    [10 * MIN, 51.36363636363637],
    [70 * MIN, 89.54545454545455],
  ])('with @ 3000 evaluated at %dms', (evalMs, want) => {
    expectClose(at(predictLinear, 5 * MIN, RESET_MIDDLE, evalMs, 55 * MIN, { atMs: 3000 * SEC, args: [3600] }), want);
  });

  it('lies on the line through exactly linear data', () => {
    // 0+80x10 at 50m is 800, slope 80/300 per second.
    expectClose(at(predictLinear, 5 * MIN, '0+80x10', 50 * MIN, 50 * MIN, { args: [3600] }), 800 + (80 / 300) * 3600);
  });

  it('is NaN when ±Inf is in the range', () => {
    expect(at(predictLinear, 5 * MIN, '-Inf 0+80x10 Inf', 100 * MIN, 100 * MIN, { args: [6000] })).toBeNaN();
  });
});

describe('double_exponential_smoothing', () => {
  it.each([
    ['0+10x1000 100+30x1000', 8000],
    ['0+20x1000 200+30x1000', 16000],
    ['0+30x1000 300+80x1000', 24000],
    ['0+40x2000', 32000],
    ['8000-10x1000', 0],
    ['0-20x1000', -16000],
    ['0+30x1000 300-80x1000', 24000],
    ['0-40x1000 0+40x1000', -32000],
  ])('smooths %s to %d at 8000s', (spec, want) => {
    expectClose(at(doubleExponentialSmoothing, 10 * SEC, spec, 8000 * SEC, MIN, { args: [0.01, 0.1] }), want);
  });

  it('follows the smoothing recurrence on a short series', () => {
    // s1 = 1, b = 2 (first difference); step 1: s = .5·3 + .5·(1+2) = 3;
    // step 2: b = .5·(3−1) + .5·2 = 2, s = .5·4 + .5·(3+2) = 4.5.
    expect(at(doubleExponentialSmoothing, 10 * SEC, '1 3 4', 20 * SEC, MIN, { args: [0.5, 0.5] })).toBe(4.5);
  });

  it('rejects factors outside (0, 1) with Prometheus error texts', () => {
    const call = (sf: number, tf: number) => () => at(doubleExponentialSmoothing, 10 * SEC, '1 2 3', 20 * SEC, MIN, { args: [sf, tf] });
    expect(call(1, 0.5)).toThrow('invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000');
    expect(call(0.5, 0)).toThrow('invalid trend factor. Expected: 0 < tf < 1, got: 0.000000');
    try {
      call(-0.25, 0.5)();
      expect.unreachable();
    } catch (e) {
      expect(FunctionError.is(e)).toBe(true);
      expect((e as FunctionError).code).toBe('invalid-smoothing-factor');
      expect((e as FunctionError).message).toContain('got: -0.250000');
    }
  });

  it('needs two samples', () => {
    expect(at(doubleExponentialSmoothing, 10 * SEC, '1', 0, MIN, { args: [0.5, 0.5] })).toBeUndefined();
  });
});
