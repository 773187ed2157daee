/**
 * Micro-benchmarks of the range-vector kernels over one chunk-sized window (120 samples, 15 s
 * apart, a counter with fixed-seed random increases), the shape the evaluator feeds them.
 * Every op evaluates the kernel once over the whole window.
 *   npx vitest bench --run packages/promql/src/functions
 */
import { test } from 'vitest';
import { RANGE_FUNCTIONS } from './range-functions.ts';
import type { RangeCtx } from './range-types.ts';

const N = 120;
const ts: number[] = [];
const vs: number[] = [];
let seed = 7;
let v = 0;
for (let i = 0; i < N; i++) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  v += seed % 100;
  ts.push(i * 15_000);
  vs.push(v);
}
const ctx: RangeCtx = { rangeStartMs: -1, rangeEndMs: N * 15_000, evalTimeMs: N * 15_000, rangeMs: N * 15_000 + 1, args: [0.9, 0.5] };

const NAMES = [
  'rate', 'irate', 'changes', 'deriv', 'avg_over_time', 'sum_over_time', 'stddev_over_time',
  'max_over_time', 'quantile_over_time', 'mad_over_time', 'double_exponential_smoothing',
];

test(`range kernels over a ${N}-sample window, 1 window per op`, async ({ bench }) => {
  await bench.compare(
    ...NAMES.map((name) => {
      const fn = RANGE_FUNCTIONS.get(name)!;
      return bench(name, () => {
        fn(ts, vs, 0, N, ctx);
      });
    }),
  );
});
