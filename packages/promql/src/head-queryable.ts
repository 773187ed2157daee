/**
 * The head as a {@link Queryable}: the engine's view of one tenant's in-memory series.
 *
 * Snapshot rule: `select` captures, for every selected series, the chunks overlapping the
 * querier's range at that moment. Completed chunks are immutable (arena copies), so they are
 * referenced; the open chunk is still being appended to (its header count and its bit stream
 * change, and its buffer may be reallocated), so its bytes are copied. An iterator therefore sees
 * exactly the samples that existed when `select` ran, whatever is appended afterwards.
 *
 * Range rule: like Prometheus's block querier, an iterator yields only the samples inside the
 * querier's [mint, maxt]; chunks straddling a bound are trimmed while iterating. Series with no
 * chunk in the range are not returned.
 */
import { Labels, type Matcher } from '@tessera/model';
import { ChunkListIterator } from './chunk-list-iterator.ts';
import type { Head } from '@tessera/tsdb';
import type { Querier, Queryable, SampleIterator, SelectHints, StorageSeries } from './storage.ts';

/** Returns a Queryable over `head`. Queriers are cheap; `close()` releases nothing. */
export function headQueryable(head: Head): Queryable {
  return {
    querier(mint: number, maxt: number): Querier {
      return new HeadQuerier(head, mint, maxt);
    },
  };
}

/** A querier over the head for the time range [mint, maxt] (inclusive, ms). */
class HeadQuerier implements Querier {
  readonly #head: Head;
  readonly #mint: number;
  readonly #maxt: number;

  constructor(head: Head, mint: number, maxt: number) {
    this.#head = head;
    this.#mint = mint;
    this.#maxt = maxt;
  }

  /**
   * The matching series with chunks in the querier's range, sorted by labels. The hints are
   * advisory; the querier's own range bounds what is read (as Prometheus's head querier does).
   */
  select(matchers: readonly Matcher[], _hints: SelectHints, signal?: AbortSignal): StorageSeries[] {
    signal?.throwIfAborted();
    const head = this.#head;
    const mint = this.#mint;
    const maxt = this.#maxt;
    const out: HeadSeries[] = [];
    for (const s of head.select(matchers, mint, maxt)) {
      const chunks: Uint8Array[] = [];
      const minTs: number[] = [];
      const maxTs: number[] = [];
      s.forEachChunk(mint, maxt, (bytes, minT, maxT) => {
        // Completed chunks end before the open chunk starts, so only the open chunk begins at
        // openMinT. Its bytes are a live view of a growing buffer: copy them.
        const isOpen = s.open !== null && minT === s.openMinT;
        chunks.push(isOpen ? bytes.slice() : bytes);
        minTs.push(minT);
        maxTs.push(maxT);
      });
      if (chunks.length > 0) out.push(new HeadSeries(head.labelsOf(s), chunks, minTs, maxTs, mint, maxt));
    }
    signal?.throwIfAborted();
    out.sort((a, b) => Labels.compare(a.labels, b.labels));
    return out;
  }

  close(): void {}
}

/** One selected series: its labels and a snapshot of its chunks. */
class HeadSeries implements StorageSeries {
  readonly labels: Labels;
  readonly #chunks: readonly Uint8Array[];
  readonly #minTs: readonly number[];
  readonly #maxTs: readonly number[];
  readonly #mint: number;
  readonly #maxt: number;

  constructor(labels: Labels, chunks: readonly Uint8Array[], minTs: readonly number[], maxTs: readonly number[], mint: number, maxt: number) {
    this.labels = labels;
    this.#chunks = chunks;
    this.#minTs = minTs;
    this.#maxTs = maxTs;
    this.#mint = mint;
    this.#maxt = maxt;
  }

  iterator(): SampleIterator {
    return new ChunkListIterator(this.#chunks, this.#minTs, this.#maxTs, this.#mint, this.#maxt);
  }
}

/**
 * Iterates the samples of time-ordered, non-overlapping XOR chunks, restricted to [mint, maxt].
 * Allocates nothing per sample: one XorIterator is reset from chunk to chunk.
 */
