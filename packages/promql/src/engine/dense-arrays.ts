/**
 * Building result arrays without `push`: V8 grows a pushed array by reallocating and copying
 * its backing store, which for the per-series arrays of a query is most of what the worker's
 * garbage collector has to do. Points are first written into a reusable Float64Array scratch,
 * then copied once into an array of exactly the right length.
 */

/** Above this length `new Array(n)` would make a slow dictionary-mode array: push instead. */
const MAX_PREALLOCATED = 32_768;

/** A new number[] holding `src[0..n-1]`. */
export function toArray(src: ArrayLike<number>, from: number, to: number): number[] {
  const n = to - from;
  if (n > MAX_PREALLOCATED) {
    const out: number[] = [];
    for (let i = from; i < to; i++) out.push(src[i]!);
    return out;
  }
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = src[from + i]!;
  return out;
}

/** A Float64Array scratch that grows by doubling; contents are lost when it grows unless copied. */
export class Scratch {
  buf: Float64Array;

  constructor(initial = 256) {
    this.buf = new Float64Array(initial);
  }

  /** Makes room for at least `n` values, keeping the first `keep`. */
  ensure(n: number, keep: number): Float64Array {
    if (n > this.buf.length) {
      const b = new Float64Array(Math.max(n, this.buf.length * 2));
      b.set(this.buf.subarray(0, keep));
      this.buf = b;
    }
    return this.buf;
  }
}
