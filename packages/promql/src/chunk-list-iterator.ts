/**
 * ChunkListIterator: the samples of one series' time-ordered XOR chunks restricted to a time
 * range. Used by every Queryable that reads encoded chunks: the head's, and the querier's views
 * over chunks fetched from ingesters.
 *
 * It allocates nothing per sample: one XorIterator is reset from chunk to chunk, and values are
 * passed through as the decoder produced them, so that staleness markers (see `isStaleNaN`)
 * reach the engine unchanged.
 */
import { XorIterator, xorChunkNumSamples } from '@tessera/chunkenc';
import type { SampleIterator } from './storage.ts';
import { isStaleNaN } from './value.ts';

/**
 * Iterates the samples of time-ordered, non-overlapping XOR chunks that lie in [mint, maxt]
 * (inclusive). Chunks may extend beyond the range: samples outside it are skipped, and chunks
 * entirely outside it are never decoded.
 */
export class ChunkListIterator implements SampleIterator {
  t = 0;
  v = 0;
  err: Error | null = null;
  readonly #chunks: readonly Uint8Array[];
  /** Timestamp of each chunk's last sample, to skip whole chunks on seek. */
  readonly #maxTs: ArrayLike<number>;
  readonly #mint: number;
  readonly #maxt: number;
  readonly #it = new XorIterator();
  /** Index of the first chunk that ends at or after mint. */
  readonly #first: number;
  /** One past the last chunk that starts at or before maxt. */
  readonly #end: number;
  /**
   * Index of the chunk loaded in the decoder: `#first − 1` before the start (nothing loaded),
   * `#end` once exhausted. Only moves forward.
   */
  #ci: number;
  /** True while t/v hold a sample (after next()/seek() returned true). */
  #hasCurrent = false;

  /** `minTs[i]`/`maxTs[i]` are the first and last timestamps of `chunks[i]`. */
  constructor(chunks: readonly Uint8Array[], minTs: ArrayLike<number>, maxTs: ArrayLike<number>, mint: number, maxt: number) {
    this.#chunks = chunks;
    this.#maxTs = maxTs;
    this.#mint = mint;
    this.#maxt = maxt;
    let lo = 0;
    while (lo < chunks.length && maxTs[lo]! < mint) lo++;
    let hi = chunks.length;
    while (hi > lo && minTs[hi - 1]! > maxt) hi--;
    this.#first = lo;
    this.#end = hi;
    this.#ci = lo - 1;
  }

  next(): boolean {
    const it = this.#it;
    const end = this.#end;
    while (this.#ci < end) {
      if (this.#ci >= this.#first) {
        if (it.next()) {
          const t = it.t;
          if (t < this.#mint) continue;
          if (t > this.#maxt) break;
          this.t = t;
          this.v = it.v;
          this.#hasCurrent = true;
          return true;
        }
        if (it.err !== null) {
          this.err = it.err;
          break;
        }
      }
      if (++this.#ci < end) it.reset(this.#chunks[this.#ci]!);
    }
    this.#ci = end;
    this.#hasCurrent = false;
    return false;
  }

  /**
   * The most samples {@link readAll} can return: those of the chunks overlapping the range
   * (taken from the chunks' headers).
   */
  readCapacity(): number {
    let n = 0;
    for (let ci = this.#first; ci < this.#end; ci++) n += xorChunkNumSamples(this.#chunks[ci]!);
    return n;
  }

  /**
   * Bulk alternative to next() on a fresh iterator: writes every sample of the range that is
   * not a staleness marker into `ts`/`vs` from index 0 (room for {@link readCapacity} samples
   * needed) and returns their number; the iterator is exhausted afterwards. On a corrupt chunk
   * it stops there with `err` set, like next().
   */
  readAll(ts: Float64Array, vs: Float64Array): number {
    if (this.#ci !== this.#first - 1) throw new Error('readAll on an iterator already in use');
    const it = this.#it;
    const mint = this.#mint;
    const maxt = this.#maxt;
    let n = 0;
    chunks: for (let ci = this.#first; ci < this.#end; ci++) {
      it.reset(this.#chunks[ci]!);
      while (it.next()) {
        const t = it.t;
        if (t < mint) continue;
        if (t > maxt) break chunks;
        const v = it.v;
        if (isStaleNaN(v)) continue;
        ts[n] = t;
        vs[n] = v;
        n++;
      }
      if (it.err !== null) {
        this.err = it.err;
        break;
      }
    }
    this.#ci = this.#end;
    this.#hasCurrent = false;
    return n;
  }

  seek(t: number): boolean {
    if (this.#hasCurrent && this.t >= t) return true;
    const end = this.#end;
    if (this.#ci >= end) return false;
    // Skip whole chunks that end before t (the current one included) without decoding them.
    if (this.#ci < this.#first || this.#maxTs[this.#ci]! < t) {
      let k = this.#ci + 1;
      while (k < end && this.#maxTs[k]! < t) k++;
      if (k >= end) {
        this.#ci = end;
        this.#hasCurrent = false;
        return false;
      }
      this.#ci = k;
      this.#it.reset(this.#chunks[k]!);
    }
    while (this.next()) {
      if (this.t >= t) return true;
    }
    return false;
  }
}
