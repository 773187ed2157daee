/**
 * Accumulators behind the aggregation operators (`avg`, `stddev`, `stdvar`, `topk`, `bottomk`)
 * and their `*_over_time` counterparts, and the parameter rules of `topk`/`bottomk`/`limitk`.
 * `sum` uses {@link KahanSum}, `quantile` uses {@link quantile}, `count_values` formats with
 * {@link formatGoFloatF}, `limit_ratio` uses limit-ratio.ts. `min`/`max` need no kernel: keep
 * the first value, then replace it when `v < cur` (min) / `v > cur` (max) or when `cur` is NaN.
 *
 * All accumulators are allocation-free after construction and reusable via `reset()`.
 */
import { FunctionError } from './errors.ts';
import { formatGoFloatG } from './go-float.ts';

/**
 * The arithmetic mean as Prometheus 3.5 computes `avg` and `avg_over_time`: a compensated
 * (Kahan–Neumaier) direct sum divided by the count, which is exact for equal inputs; if the
 * running sum would overflow to ±Inf, it switches for the remaining values to an incremental mean
 * (`mean += x/n − mean/n`, also compensated), which cannot overflow.
 *
 * Infinities: once the incremental mean is ±Inf, finite values and infinities of the same sign
 * leave it unchanged; an infinity of the other sign or a NaN makes it NaN. A NaN input makes the
 * result NaN.
 */
export class MeanAccumulator {
  /** Number of values added. */
  count = 0;
  #sum = 0;
  #c = 0;
  #mean = 0;
  #incremental = false;

  /** Forgets all values. */
  reset(): void {
    this.count = 0;
    this.#sum = 0;
    this.#c = 0;
    this.#mean = 0;
    this.#incremental = false;
  }

  /** Adds one value. */
  add(x: number): void {
    const n = ++this.count;
    if (n === 1) {
      this.#sum = x;
      this.#c = 0;
      return;
    }
    if (!this.#incremental) {
      const s = this.#sum;
      const t = s + x;
      if (t !== Infinity && t !== -Infinity) {
        if (Math.abs(s) >= Math.abs(x)) this.#c += s - t + x;
        else this.#c += x - t + s;
        this.#sum = t;
        return;
      }
      // The direct sum would overflow: continue with the mean of the values so far.
      this.#incremental = true;
      this.#mean = this.#sum / (n - 1);
      this.#c /= n - 1;
    }
    const mean = this.#mean;
    if (mean === Infinity || mean === -Infinity) {
      // Inf − Inf would turn a well-defined infinite mean into NaN.
      if (x === mean || (x === x && x !== Infinity && x !== -Infinity)) return;
    }
    // Divide both terms by n separately so that neither can overflow.
    const inc = x / n - (mean + this.#c) / n;
    const t = mean + inc;
    if (t === Infinity || t === -Infinity) this.#c = 0;
    else if (Math.abs(mean) >= Math.abs(inc)) this.#c += mean - t + inc;
    else this.#c += inc - t + mean;
    this.#mean = t;
  }

  /** The mean of the values added; NaN when there are none. */
  value(): number {
    if (this.count === 0) return NaN;
    if (this.#incremental) return this.#mean + this.#c;
    return this.#sum / this.count + this.#c / this.count;
  }
}

/**
 * Population variance and standard deviation as Prometheus computes `stdvar`/`stddev` and their
 * `_over_time` forms: Welford's online algorithm with the running mean and the sum of squared
 * deviations each kept as a compensated sum. An infinite or NaN input makes the result NaN.
 */
export class VarianceAccumulator {
  /** Number of values added. */
  count = 0;
  #mean = 0;
  #cMean = 0;
  #aux = 0;
  #cAux = 0;

  /** Forgets all values. */
  reset(): void {
    this.count = 0;
    this.#mean = 0;
    this.#cMean = 0;
    this.#aux = 0;
    this.#cAux = 0;
  }

  /** Adds one value. */
  add(x: number): void {
    const n = ++this.count;
    const delta = x - (this.#mean + this.#cMean);
    // mean += delta / n, compensated.
    let inc = delta / n;
    let s = this.#mean;
    let t = s + inc;
    if (t === Infinity || t === -Infinity) this.#cMean = 0;
    else if (Math.abs(s) >= Math.abs(inc)) this.#cMean += s - t + inc;
    else this.#cMean += inc - t + s;
    this.#mean = t;
    // aux += delta · (x − new mean), compensated.
    inc = delta * (x - (this.#mean + this.#cMean));
    s = this.#aux;
    t = s + inc;
    if (t === Infinity || t === -Infinity) this.#cAux = 0;
    else if (Math.abs(s) >= Math.abs(inc)) this.#cAux += s - t + inc;
    else this.#cAux += inc - t + s;
    this.#aux = t;
  }

  /** The population variance; NaN when no values were added. */
  variance(): number {
    return this.count === 0 ? NaN : (this.#aux + this.#cAux) / this.count;
  }

  /** The population standard deviation; NaN when no values were added. */
  stddev(): number {
    return Math.sqrt(this.variance());
  }
}

// Float64 bounds of Go's convertibleToInt64: the largest float64 ≤ MaxInt64 is 2^63 − 1024.
const MAX_INT64_FLOAT = 9223372036854774784;
const MIN_INT64_FLOAT = -9223372036854775808;

/**
 * Converts the `k` parameter of `topk`, `bottomk` and `limitk` as Prometheus does: truncated
 * towards zero. The caller then caps it at the input size and outputs nothing when it is < 1.
 *
 * @throws FunctionError `scalar-overflows-int64` ("Scalar value 1e+19 overflows int64") when the
 *   value is NaN or outside the int64 range.
 */
export function aggregationK(param: number): number {
  if (!(param <= MAX_INT64_FLOAT && param >= MIN_INT64_FLOAT)) {
    throw new FunctionError('scalar-overflows-int64', `Scalar value ${formatGoFloatG(param)} overflows int64`);
  }
  return Math.trunc(param);
}

/**
 * Selects the k largest (`topk`) or smallest (`bottomk`) values of one group with Prometheus's
 * algorithm, so that ties and NaNs resolve the same way: a binary heap of at most k entries in
 * Go `container/heap` order, keyed so NaN counts as smaller than everything for topk and larger
 * than everything for bottomk (NaNs are only kept when nothing better arrives), then sorted into
 * output order (topk descending, bottomk ascending, NaNs last).
 *
 * Entries are identified by caller-chosen integer ids (e.g. input indexes).
 */
export class TopKSelector {
  #k = 0;
  #bottom = false;
  #vals: number[] = [];
  #ids: number[] = [];

  /** Starts a new selection of at most `k` (≥ 1) entries; `bottom` selects the smallest. */
  reset(k: number, bottom: boolean): void {
    this.#k = k;
    this.#bottom = bottom;
    this.#vals.length = 0;
    this.#ids.length = 0;
  }

  /** The number of entries currently held. */
  get size(): number {
    return this.#vals.length;
  }

  /** Offers one value. */
  add(value: number, id: number): void {
    const vals = this.#vals;
    if (vals.length < this.#k) {
      vals.push(value);
      this.#ids.push(id);
      this.#up(vals.length - 1);
      return;
    }
    const top = vals[0]!;
    const better = this.#bottom ? top > value : top < value;
    if (better || (top !== top && value === value)) {
      vals[0] = value;
      this.#ids[0] = id;
      if (this.#k > 1) this.#down(0, vals.length);
    }
  }

  /**
   * Writes the selected ids into `out` (cleared first) in output order and returns it. The
   * selector must be reset before reuse.
   */
  drain(out: number[]): number[] {
    out.length = 0;
    const n = this.#vals.length;
    // Output order is the heap order reversed: element i before j when heapLess(j, i).
    if (n <= 12) {
      // Go's sort.Sort uses insertion sort for up to 12 elements: replicate it for equal ties.
      for (let i = 1; i < n; i++) {
        for (let j = i; j > 0 && this.#less(j - 1, j); j--) this.#swap(j, j - 1);
      }
      for (let i = 0; i < n; i++) out.push(this.#ids[i]!);
      return out;
    }
    const order: number[] = [];
    for (let i = 0; i < n; i++) order.push(i);
    const vals = this.#vals;
    const bottom = this.#bottom;
    order.sort((a, b) => {
      const va = vals[a]!;
      const vb = vals[b]!;
      const aNaN = va !== va;
      const bNaN = vb !== vb;
      if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
      if (va === vb) return 0;
      return (bottom ? va < vb : va > vb) ? -1 : 1;
    });
    for (const i of order) out.push(this.#ids[i]!);
    return out;
  }

  /** Heap order: the root is the entry to evict first. NaN is always "less" (evicted first). */
  #less(i: number, j: number): boolean {
    const vi = this.#vals[i]!;
    if (vi !== vi) return true;
    const vj = this.#vals[j]!;
    return this.#bottom ? vi > vj : vi < vj;
  }

  #swap(i: number, j: number): void {
    const vals = this.#vals;
    const ids = this.#ids;
    const v = vals[i]!;
    vals[i] = vals[j]!;
    vals[j] = v;
    const id = ids[i]!;
    ids[i] = ids[j]!;
    ids[j] = id;
  }

  #up(j: number): void {
    while (j > 0) {
      const parent = (j - 1) >> 1;
      if (!this.#less(j, parent)) break;
      this.#swap(parent, j);
      j = parent;
    }
  }

  #down(i: number, n: number): void {
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      let j = left;
      const right = left + 1;
      if (right < n && this.#less(right, left)) j = right;
      if (!this.#less(j, i)) break;
      this.#swap(i, j);
      i = j;
    }
  }
}
