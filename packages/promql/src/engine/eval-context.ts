/**
 * The state of one running query, shared by every evaluator: the storage, the query's time
 * bounds (for `@ start()` / `@ end()`), the lookback delta, the sample accounting behind the
 * max-samples limit and the query statistics, the deadline and the abort signal, and the
 * annotations collected so far.
 *
 * Evaluation is vectorised over steps, as Prometheus does it: every expression is evaluated once
 * for all the steps of a {@link StepRange} and yields one of the {@link EvalResult} kinds below.
 */
import type { Matcher } from '@tessera/model';
import type { Querier, Queryable, SelectHints, StorageSeries } from '../storage.ts';
import { Annotations, type Series } from '../value.ts';
import { PromQLError, tooManySamplesError } from './errors.ts';

/**
 * The evaluation steps: start, start + interval, …, up to end (inclusive). `n` is the number of
 * steps (≥ 1). An instant evaluation is a range with start = end and n = 1; its interval is
 * still set (to the query's step or 1) so arithmetic on it never divides by zero.
 */
export interface StepRange {
  readonly start: number;
  readonly end: number;
  readonly interval: number;
  readonly n: number;
}

/** Makes the step range [start, end] with `interval`; end is rounded down onto the step grid. */
export function stepRange(start: number, end: number, interval: number): StepRange {
  const n = end < start ? 0 : Math.floor((end - start) / interval) + 1;
  return { start, end: start + (n - 1) * interval, interval, n };
}

/**
 * What an expression evaluates to over a step range.
 * - scalar: one value per step (`vs[i]` at step i; scalars always have a value).
 * - string: one constant string.
 * - vector: an instant vector at every step, stored as series whose `ts` are step timestamps
 *   (a subset of the steps, ascending) — a step without a sample of a series has no point.
 * - matrix: a range vector (only a bare range selector or subquery in an instant query yields
 *   one as a result); `ts` are the samples' own timestamps.
 */
export type EvalResult =
  | { readonly kind: 'scalar'; readonly vs: Float64Array }
  | { readonly kind: 'string'; readonly v: string }
  | { readonly kind: 'vector'; readonly series: Series[] }
  | { readonly kind: 'matrix'; readonly series: Series[] };

/** Settings of one query, fixed when it starts. */
export interface EvalContextOptions {
  queryable: Queryable;
  /** The query's own start and end (equal for an instant query), for `@ start()` / `@ end()`. */
  queryStart: number;
  queryEnd: number;
  lookbackDelta: number;
  /** The step of a subquery written without one (`x[5m:]`). */
  defaultSubqueryStep: number;
  maxSamples: number;
  /** Absolute deadline (Date.now() scale). */
  deadline: number;
  signal: AbortSignal | undefined;
}

/** How many loop iterations pass between two looks at the clock and the abort signal. */
const CHECK_EVERY = 1024;

/** EvalContext holds the mutable state of one query; see the file comment. */
export class EvalContext {
  readonly queryable: Queryable;
  readonly queryStart: number;
  readonly queryEnd: number;
  readonly lookbackDelta: number;
  readonly defaultSubqueryStep: number;
  readonly maxSamples: number;
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  readonly annotations = new Annotations();

  /** Samples currently held in memory by evaluated results and loaded windows. */
  currentSamples = 0;
  /** The most samples held at once. */
  peakSamples = 0;
  /** Samples read from storage: one per step for instant selectors, the window size per step for range selectors. */
  totalSamples = 0;

  readonly #queriers: Querier[] = [];
  #ticks = 0;

  constructor(o: EvalContextOptions) {
    this.queryable = o.queryable;
    this.queryStart = o.queryStart;
    this.queryEnd = o.queryEnd;
    this.lookbackDelta = o.lookbackDelta;
    this.defaultSubqueryStep = o.defaultSubqueryStep;
    this.maxSamples = o.maxSamples;
    this.deadline = o.deadline;
    this.signal = o.signal;
  }

  /**
   * Selects the series matching `matchers` with samples in [mint, maxt] (inclusive). Queriers
   * stay open until {@link close}, so iterators remain valid for the whole query.
   */
  select(matchers: readonly Matcher[], mint: number, maxt: number, hints: SelectHints): StorageSeries[] {
    this.checkNow();
    const q = this.queryable.querier(mint, maxt);
    this.#queriers.push(q);
    try {
      return q.select(matchers, hints, this.signal);
    } catch (e) {
      if (PromQLError.is(e)) throw e;
      this.checkNow(); // an abort shows up as canceled, not as a storage failure
      throw new PromQLError('execution', 'storage', e instanceof Error ? e.message : String(e), { cause: e });
    }
  }

  /** Closes every querier opened by this query. */
  close(): void {
    for (const q of this.#queriers) q.close();
    this.#queriers.length = 0;
  }

  /** Counts `n` more samples as held; throws when that exceeds the max-samples limit. */
  addSamples(n: number): void {
    this.currentSamples += n;
    if (this.currentSamples > this.peakSamples) this.peakSamples = this.currentSamples;
    if (this.currentSamples > this.maxSamples) throw tooManySamplesError();
  }

  /** Cheap periodic check of deadline and cancellation for inner loops. */
  tick(): void {
    if ((++this.#ticks & (CHECK_EVERY - 1)) === 0) this.checkNow();
  }

  /** {@link tick} for `n` iterations at once. */
  ticks(n: number): void {
    const before = this.#ticks;
    this.#ticks = before + n;
    if (Math.floor(before / CHECK_EVERY) !== Math.floor(this.#ticks / CHECK_EVERY)) this.checkNow();
  }

  /** Throws when the query was canceled or ran out of time. */
  checkNow(): void {
    if (this.signal?.aborted === true) {
      throw new PromQLError('canceled', 'query-canceled', 'query was canceled in query execution', {
        cause: this.signal.reason,
      });
    }
    if (Date.now() > this.deadline) {
      throw new PromQLError('timeout', 'query-timeout', 'query timed out in query execution');
    }
  }
}

/** Counts the points of a list of series. */
export function countPoints(series: readonly Series[]): number {
  let n = 0;
  for (const s of series) n += s.ts.length;
  return n;
}

/** The number of samples a result holds (a scalar holds one per step). */
export function resultSamples(r: EvalResult): number {
  switch (r.kind) {
    case 'scalar':
      return r.vs.length;
    case 'string':
      return 0;
    default:
      return countPoints(r.series);
  }
}
