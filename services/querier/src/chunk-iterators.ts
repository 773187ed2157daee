/**
 * Sample iterators over fetched chunks: {@link ChunkListIterator} decodes one source's
 * time-ordered XOR chunks restricted to a time range; {@link MergeIterator} merges the
 * iterators of the replicas of one series (one per ingester), yielding each timestamp once.
 *
 * Neither allocates per sample: one XorIterator is reset from chunk to chunk, and values are
 * passed through as the decoder produced them, so that staleness markers (a NaN with a specific
 * payload, see `isStaleNaN` in @tessera/promql) reach the engine unchanged.
 */
import { XorIterator } from '@tessera/chunkenc';
import type { SampleIterator } from '@tessera/promql';

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

/**
 * Merges the iterators of several replicas of one series in time order; a timestamp present in
 * several of them is yielded once, with the value of the first iterator (in the given order)
 * that holds it. Replicas of a series normally agree, so which one wins does not matter;
 * the order keeps the choice deterministic.
 */
export class MergeIterator implements SampleIterator {
  t = 0;
  v = 0;
  err: Error | null = null;
  readonly #its: readonly SampleIterator[];
  /** has[i] = 1 while iterator i is positioned on a sample. */
  readonly #has: Uint8Array;
  #started = false;
  #hasCurrent = false;

  constructor(its: readonly SampleIterator[]) {
    this.#its = its;
    this.#has = new Uint8Array(its.length);
  }

  next(): boolean {
    const its = this.#its;
    const has = this.#has;
    if (!this.#started) {
      this.#started = true;
      for (let i = 0; i < its.length; i++) has[i] = its[i]!.next() ? 1 : 0;
    } else if (this.#hasCurrent) {
      // Move every iterator sitting on the current timestamp past it (de-duplication).
      const t = this.t;
      for (let i = 0; i < its.length; i++) {
        if (has[i] === 1 && its[i]!.t === t) has[i] = its[i]!.next() ? 1 : 0;
      }
    } else {
      return false;
    }
    return this.#pick();
  }

  seek(t: number): boolean {
    if (this.#hasCurrent && this.t >= t) return true;
    if (this.#started && !this.#hasCurrent) return false;
    const its = this.#its;
    const has = this.#has;
    if (!this.#started) {
      this.#started = true;
      for (let i = 0; i < its.length; i++) has[i] = its[i]!.seek(t) ? 1 : 0;
    } else {
      for (let i = 0; i < its.length; i++) {
        if (has[i] === 1 && its[i]!.t < t) has[i] = its[i]!.seek(t) ? 1 : 0;
      }
    }
    return this.#pick();
  }

  /** Makes the smallest current timestamp the merged sample; false when all are exhausted. */
  #pick(): boolean {
    const its = this.#its;
    const has = this.#has;
    let best = -1;
    let bestT = Infinity;
    for (let i = 0; i < its.length; i++) {
      const it = its[i]!;
      if (has[i] === 0) {
        if (it.err !== null) {
          this.err = it.err;
          this.#hasCurrent = false;
          return false;
        }
        continue;
      }
      if (it.t < bestT) {
        bestT = it.t;
        best = i;
      }
    }
    if (best < 0) {
      this.#hasCurrent = false;
      return false;
    }
    this.t = bestT;
    this.v = its[best]!.v;
    this.#hasCurrent = true;
    return true;
  }
}

/** The chunks of one replica of a series, oldest first: parallel arrays of bytes and bounds. */
export interface SourceChunks {
  readonly chunks: readonly Uint8Array[];
  readonly minTs: ArrayLike<number>;
  readonly maxTs: ArrayLike<number>;
}

/**
 * An iterator over a series held by one or more replicas, restricted to [mint, maxt]: a plain
 * {@link ChunkListIterator} for one replica, a {@link MergeIterator} over several.
 */
export function seriesIterator(sources: readonly SourceChunks[], mint: number, maxt: number): SampleIterator {
  if (sources.length === 1) {
    const s = sources[0]!;
    return new ChunkListIterator(s.chunks, s.minTs, s.maxTs, mint, maxt);
  }
  return new MergeIterator(sources.map((s) => new ChunkListIterator(s.chunks, s.minTs, s.maxTs, mint, maxt)));
}

/** Whether any replica holds a chunk overlapping [mint, maxt] (the head's selection rule). */
export function overlapsRange(sources: readonly SourceChunks[], mint: number, maxt: number): boolean {
  for (const s of sources) {
    for (let i = 0; i < s.chunks.length; i++) {
      if (s.maxTs[i]! >= mint && s.minTs[i]! <= maxt) return true;
    }
  }
  return false;
}
