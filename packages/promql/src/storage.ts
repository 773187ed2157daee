/**
 * The storage interface the engine reads from: a Queryable hands out Queriers for a time range;
 * a Querier selects series by matchers and returns iterators over their decoded samples.
 * The head implements it (see `head-queryable.ts`); later the stored blocks and the merged view
 * over several ingesters will too.
 */
import type { Labels, Matcher } from '@tessera/model';

/**
 * What the engine knows about a selection, so storage can read less: the time range it will read
 * (already widened by lookback, range and offset), the step of a range query, the range of a
 * range selector, and the function the selection feeds (e.g. `rate`).
 */
export interface SelectHints {
  start: number;
  end: number;
  step: number;
  range: number;
  func: string;
}

/** Iterates the samples of one series in time order. Timestamps in ms. */
export interface SampleIterator {
  /** Advances to the next sample; false at the end (or on error, see `err`). */
  next(): boolean;
  /** Advances to the first sample with timestamp ≥ t (never backwards); false if none. */
  seek(t: number): boolean;
  /** The current sample (valid after next()/seek() returned true). */
  readonly t: number;
  readonly v: number;
  readonly err: Error | null;
}

/** One selected series. */
export interface StorageSeries {
  readonly labels: Labels;
  /** A fresh iterator over the series' samples. */
  iterator(): SampleIterator;
}

/** Reads series within the time range it was created for. */
export interface Querier {
  /**
   * The series matching all matchers with samples in the hinted range, sorted by labels
   * (Labels.compare). Throws when a limit of the storage is exceeded or `signal` is aborted.
   */
  select(matchers: readonly Matcher[], hints: SelectHints, signal?: AbortSignal): StorageSeries[];
  close(): void;
}

/** Something that can be queried: a head, a set of blocks, or a merged view over several. */
export interface Queryable {
  querier(mint: number, maxt: number): Querier;
}
