/**
 * The calling convention of range-vector function kernels (`rate`, `avg_over_time`, …).
 *
 * The evaluator selects, for one series and one evaluation step, the samples inside the window
 * (Prometheus 3: left-open, `(rangeStart, rangeEnd]`) and passes them as the slice `lo..hi-1` of
 * two parallel arrays, timestamps ascending. A kernel returns the output value, or `undefined`
 * when Prometheus would produce no sample for this series at this step (e.g. `rate` with fewer
 * than two samples). Kernels never allocate per sample; the few that sort (quantile, mad) reuse a
 * module-level scratch buffer, so kernels are not re-entrant (JavaScript is single-threaded and no
 * kernel calls another evaluator step, so this is safe).
 *
 * Kernels see float samples only: histogram samples (not stored yet) would be filtered out and
 * their annotations added by the evaluator.
 */
import type { Annotations } from '../value.ts';

/**
 * Per-step context of a range-vector function call. The evaluator may keep one object per call
 * and overwrite its fields at every step (kernels do not retain it).
 */
export interface RangeCtx {
  /**
   * Exclusive start of the window, ms: for `f(x[r] offset o)` evaluated at step `t`, `t − o − r`;
   * with `@ a`, `a − o − r`. Only rate/increase/delta use it (extrapolation).
   */
  rangeStartMs: number;
  /** Inclusive end of the window, ms (`t − o`, or `a − o` with `@ a`). */
  rangeEndMs: number;
  /**
   * The step's own evaluation time, ms, unaffected by offset and `@`: `predict_linear` predicts
   * `args[0]` seconds after this instant.
   */
  evalTimeMs: number;
  /** The range of the selector or subquery, ms (`r`); `rate` divides by it. */
  rangeMs: number;
  /**
   * The scalar arguments of the call other than the range vector, in call order, already
   * evaluated for this step: `quantile_over_time(q, v)` → `[q]`; `predict_linear(v, t)` → `[t]`;
   * `double_exponential_smoothing(v, sf, tf)` → `[sf, tf]`; empty for the others.
   */
  args: readonly number[];
  /** Receives warnings/infos (deduplicated); omit to drop them. */
  annotations?: Annotations | undefined;
  /**
   * Optional, for rate/increase: prefix counts of counter resets over the whole arrays the
   * kernel is given (`resetsUpTo[i]` = number of j in 1..i with `vs[j] < vs[j−1]`), so that a
   * window without a reset (`resetsUpTo[hi−1] === resetsUpTo[lo]`) skips its scan for resets.
   */
  resetsUpTo?: Int32Array | undefined;
}

/**
 * A range-vector function kernel over the samples `lo..hi-1` of one series (see the module
 * comment). Returns the output value, or `undefined` for "no output sample".
 */
export type RangeFunction = (
  ts: ArrayLike<number>,
  vs: ArrayLike<number>,
  lo: number,
  hi: number,
  ctx: RangeCtx,
) => number | undefined;
