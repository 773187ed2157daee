/**
 * Sample iterators over fetched chunks: {@link ChunkListIterator} decodes one source's
 * time-ordered XOR chunks restricted to a time range; {@link MergeIterator} merges the
 * iterators of the replicas of one series (one per ingester), yielding each timestamp once.
 *
 * Neither allocates per sample: one XorIterator is reset from chunk to chunk, and values are
 * passed through as the decoder produced them, so that staleness markers (a NaN with a specific
 * payload, see `isStaleNaN` in @tessera/promql) reach the engine unchanged.
 */
import { ChunkListIterator, type SampleIterator } from '@tessera/promql';

export { ChunkListIterator };

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
