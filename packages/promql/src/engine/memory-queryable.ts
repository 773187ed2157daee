/**
 * An in-memory {@link Queryable} over a fixed list of series, for the engine's tests and for
 * examples: no chunks, no index, a linear scan per select. Selection follows the storage
 * contract: series matching all matchers with samples in the querier's [mint, maxt], sorted by
 * labels, iterators restricted to that range.
 */
import { Labels } from '@tessera/model';
import type { Matcher } from '@tessera/model';
import type { Querier, Queryable, SampleIterator, SelectHints, StorageSeries } from '../storage.ts';

/** One series of a {@link MemoryQueryable}: labels and samples in ascending time order. */
export interface MemorySeries {
  labels: Labels;
  ts: readonly number[];
  /** Values; a Float64Array keeps the payload of staleness-marker NaNs, which plain arrays may not. */
  vs: ArrayLike<number>;
}

/** A Queryable over in-memory series; records the hints of every select (for tests). */
export class MemoryQueryable implements Queryable {
  readonly series: MemorySeries[];
  /** The hints passed to every select, in call order. */
  readonly selects: SelectHints[] = [];
  /** Called at every select (tests use it to simulate slow storage or a cancellation). */
  onSelect: (() => void) | null = null;

  constructor(series: MemorySeries[]) {
    this.series = series.slice().sort((a, b) => Labels.compare(a.labels, b.labels));
  }

  querier(mint: number, maxt: number): Querier {
    return {
      select: (matchers: readonly Matcher[], hints: SelectHints, signal?: AbortSignal): StorageSeries[] => {
        this.onSelect?.();
        signal?.throwIfAborted();
        this.selects.push(hints);
        const out: StorageSeries[] = [];
        for (const s of this.series) {
          if (!matchers.every((m) => m.matches(s.labels.get(m.name)))) continue;
          if (!s.ts.some((t) => t >= mint && t <= maxt)) continue;
          out.push({ labels: s.labels, iterator: () => new ArrayIterator(s, mint, maxt) });
        }
        return out;
      },
      close: () => {},
    };
  }
}

/** Iterates the samples of a MemorySeries within [mint, maxt]. */
class ArrayIterator implements SampleIterator {
  t = 0;
  v = 0;
  readonly err = null;
  readonly #s: MemorySeries;
  readonly #maxt: number;
  #i: number;

  constructor(s: MemorySeries, mint: number, maxt: number) {
    this.#s = s;
    this.#maxt = maxt;
    let i = 0;
    while (i < s.ts.length && s.ts[i]! < mint) i++;
    this.#i = i - 1;
  }

  next(): boolean {
    const i = ++this.#i;
    if (i >= this.#s.ts.length || this.#s.ts[i]! > this.#maxt) {
      this.#i = this.#s.ts.length;
      return false;
    }
    this.t = this.#s.ts[i]!;
    this.v = this.#s.vs[i]!;
    return true;
  }

  seek(t: number): boolean {
    if (this.#i >= 0 && this.#i < this.#s.ts.length && this.t >= t) return true;
    while (this.next()) if (this.t >= t) return true;
    return false;
  }
}
