/**
 * Compensated (Kahan–Babuška / Neumaier) summation, the way PromQL sums floats in `sum`, `avg`,
 * `sum_over_time`, `avg_over_time`, `stddev*` and the linear regression of `deriv` /
 * `predict_linear`.
 *
 * Invariants of the pair (sum, c): the exact running total is approximately `sum + c`, where `c`
 * collects the low-order bits lost by each floating-point addition. Once `sum` becomes ±Inf the
 * compensation is reset to 0 (an infinite sum cannot be compensated, and keeping a finite `c`
 * would turn `Inf + c` into garbage); a NaN input poisons both halves, so the result stays NaN.
 */

/**
 * A compensated running sum. Allocation-free after construction; reuse one instance per
 * accumulation with {@link KahanSum.reset}.
 */
export class KahanSum {
  /** The naive running sum. */
  sum = 0;
  /** The accumulated compensation (low-order bits lost by `sum`). */
  c = 0;

  /** Adds `x` to the sum. */
  add(x: number): void {
    const s = this.sum;
    const t = s + x;
    if (t === Infinity || t === -Infinity) {
      this.c = 0;
    } else if (Math.abs(s) >= Math.abs(x)) {
      // Neumaier's variant: the smaller operand's lost bits are (big − t) + small.
      this.c += s - t + x;
    } else {
      this.c += x - t + s;
    }
    this.sum = t;
  }

  /** The compensated total: `sum + c`, or `sum` alone once it is infinite. */
  value(): number {
    const s = this.sum;
    if (s === Infinity || s === -Infinity) return s;
    return s + this.c;
  }

  /** Sets the sum back to zero. */
  reset(): void {
    this.sum = 0;
    this.c = 0;
  }
}

/**
 * Sums `vs[lo..hi-1]` with compensation, as `sum_over_time` does; 0 for an empty range.
 * Allocation-free.
 */
export function kahanSumRange(vs: ArrayLike<number>, lo: number, hi: number): number {
  let sum = 0;
  let c = 0;
  for (let i = lo; i < hi; i++) {
    const x = vs[i]!;
    const t = sum + x;
    if (t === Infinity || t === -Infinity) c = 0;
    else if (Math.abs(sum) >= Math.abs(x)) c += sum - t + x;
    else c += x - t + sum;
    sum = t;
  }
  if (sum === Infinity || sum === -Infinity) return sum;
  return sum + c;
}
