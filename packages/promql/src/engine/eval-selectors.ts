/**
 * Selectors: instant vector selectors with lookback, range vector selectors, and the `offset`
 * and `@` modifiers, with Prometheus 3 semantics.
 *
 * - Instant selector at reference time T (= step time − offset, or the `@` time − offset): the
 *   newest sample in the left-open window (T − lookback, T]; none when that sample is a staleness
 *   marker (the series ended). Other NaN values are ordinary values.
 * - Range selector `[r]` at T: every sample in (T − r, T], staleness markers dropped.
 *
 * Each selector reads its series once for all steps (one pass per series, seeking over gaps),
 * never once per step.
 */
import type { Labels, Matcher } from '@tessera/model';
import type { AtModifier, MatrixSelector, VectorSelector } from '../parser/ast.ts';
import { ChunkListIterator } from '../chunk-list-iterator.ts';
import type { SampleIterator, SelectHints, StorageSeries } from '../storage.ts';
import { isStaleNaN, type Series } from '../value.ts';
import type { EvalContext, StepRange } from './eval-context.ts';
import { toArray, Scratch } from './dense-arrays.ts';
import { PromQLError } from './errors.ts';

/** Resolves an `@` modifier to an absolute time (ms), or null when there is none. */
export function resolveAt(ctx: EvalContext, at: AtModifier): number | null {
  if (at === null) return null;
  if (at === 'start') return ctx.queryStart;
  if (at === 'end') return ctx.queryEnd;
  return at;
}

/** The reference time of step i of a selector: the `@` time or the step time, minus the offset. */
export function refTime(range: StepRange, i: number, at: number | null, offset: number): number {
  return (at ?? range.start + i * range.interval) - offset;
}

function hints(mint: number, maxt: number, range: StepRange, rangeMs: number, func: string): SelectHints {
  return { start: mint, end: maxt, step: range.n > 1 ? range.interval : 0, range: rangeMs, func };
}

function iteratorError(it: SampleIterator): void {
  if (it.err !== null) throw new PromQLError('execution', 'storage', it.err.message, { cause: it.err });
}

/**
 * Evaluates an instant vector selector at every step. With `sampleTimes`, each point's value is
 * the timestamp (in seconds) of the sample found instead of its value (for `timestamp()`).
 * Series without any point are left out.
 */
export function evalVectorSelector(
  ctx: EvalContext,
  sel: VectorSelector,
  range: StepRange,
  func: string,
  sampleTimes = false,
): Series[] {
  const at = resolveAt(ctx, sel.at);
  const lookback = ctx.lookbackDelta;
  const first = refTime(range, 0, at, sel.offsetMs);
  const last = refTime(range, range.n - 1, at, sel.offsetMs);
  const mint = first - lookback + 1;
  const selected = ctx.select(sel.matchers, mint, last, hints(mint, last, range, 0, func));
  const out: Series[] = [];
  for (const s of selected) {
    const series = at === null
      ? walkSteps(ctx, s, range, sel.offsetMs, lookback, sampleTimes)
      : fixedTime(s, range, first, lookback, sampleTimes);
    if (series === null) continue;
    ctx.totalSamples += series.ts.length;
    ctx.addSamples(series.ts.length);
    out.push(series);
  }
  return out;
}

/** One pass over a series for all steps; see the file comment for the window rule. */
function walkSteps(
  ctx: EvalContext,
  s: StorageSeries,
  range: StepRange,
  offset: number,
  lookback: number,
  sampleTimes: boolean,
): Series | null {
  const it = s.iterator();
  const ts: number[] = [];
  const vs: number[] = [];
  let have = it.next();
  // The newest sample at or before the current reference time (lastT = -Infinity: none yet).
  let lastT = -Infinity;
  let lastV = 0;
  for (let i = 0; i < range.n; i++) {
    ctx.tick();
    const stepT = range.start + i * range.interval;
    const ref = stepT - offset;
    const windowStart = ref - lookback; // exclusive
    if (have && it.t <= windowStart) {
      // Everything up to the window start is irrelevant for this and all later steps.
      have = it.seek(windowStart + 1);
      lastT = -Infinity;
    }
    while (have && it.t <= ref) {
      lastT = it.t;
      lastV = it.v;
      have = it.next();
    }
    if (lastT > windowStart && !isStaleNaN(lastV)) {
      ts.push(stepT);
      vs.push(sampleTimes ? lastT / 1000 : lastV);
    }
    if (!have && lastT <= windowStart) break;
  }
  iteratorError(it);
  return ts.length === 0 ? null : { metric: s.labels, ts, vs };
}

/** A series under `@`: one lookup at the fixed reference time, repeated at every step. */
function fixedTime(s: StorageSeries, range: StepRange, ref: number, lookback: number, sampleTimes: boolean): Series | null {
  const it = s.iterator();
  let have = it.seek(ref - lookback + 1);
  let lastT = -Infinity;
  let lastV = 0;
  while (have && it.t <= ref) {
    lastT = it.t;
    lastV = it.v;
    have = it.next();
  }
  iteratorError(it);
  if (lastT <= ref - lookback || isStaleNaN(lastV)) return null;
  const v = sampleTimes ? lastT / 1000 : lastV;
  const ts = new Array<number>(range.n);
  const vs = new Array<number>(range.n);
  for (let i = 0; i < range.n; i++) {
    ts[i] = range.start + i * range.interval;
    vs[i] = v;
  }
  return { metric: s.labels, ts, vs };
}

/**
 * The input of a range-vector function: series whose samples cover every window, and where the
 * window of each step ends. Window of step i: (end(i) − rangeMs, end(i)], end(i) = `fixedEnd` when
 * set (an `@` modifier), else step time − `offset`.
 *
 * Series are loaded one at a time through {@link RangeSource.load} so that a selector never
 * holds more than one series' raw samples.
 */
export interface RangeSource {
  readonly rangeMs: number;
  readonly offset: number;
  readonly fixedEnd: number | null;
  /** The number of series. */
  readonly length: number;
  labels(i: number): Labels;
  dropName(i: number): boolean;
  /** The samples of series i, ascending, without staleness markers. Valid until the next call. */
  load(i: number): { ts: ArrayLike<number>; vs: ArrayLike<number> };
  /** The selector's matchers when the source is a plain range selector (for absent_over_time). */
  readonly matchers: readonly Matcher[] | null;
}

/** Opens a range selector as a {@link RangeSource} for the steps of `range`. */
export function rangeSelectorSource(
  ctx: EvalContext,
  ms: MatrixSelector,
  range: StepRange,
  func: string,
): RangeSource {
  const sel = ms.vector;
  const at = resolveAt(ctx, sel.at);
  const fixedEnd = at === null ? null : at - sel.offsetMs;
  const firstEnd = refTime(range, 0, at, sel.offsetMs);
  const lastEnd = refTime(range, range.n - 1, at, sel.offsetMs);
  const mint = firstEnd - ms.rangeMs + 1;
  const selected = ctx.select(sel.matchers, mint, lastEnd, hints(mint, lastEnd, range, ms.rangeMs, func));
  // One series' samples at a time, in scratch arrays reused from series to series.
  const tsScratch = new Scratch();
  const vsScratch = new Scratch();
  let held = 0;
  return {
    rangeMs: ms.rangeMs,
    offset: sel.offsetMs,
    fixedEnd,
    length: selected.length,
    matchers: sel.matchers,
    labels: (i) => selected[i]!.labels,
    dropName: () => false,
    load(i) {
      let ts = tsScratch.buf;
      let vs = vsScratch.buf;
      let n = 0;
      const it = selected[i]!.iterator();
      if (it instanceof ChunkListIterator) {
        // Decode the chunks in one go (no per-sample calls through the iterator protocol).
        const cap = it.readCapacity();
        ts = tsScratch.ensure(cap, 0);
        vs = vsScratch.ensure(cap, 0);
        n = it.readAll(ts, vs);
        iteratorError(it);
        ctx.ticks(n);
        // The iterator is bounded by the querier's range, normally [mint, lastEnd]; keep only that.
        let lo = 0;
        while (lo < n && ts[lo]! < mint) lo++;
        while (n > lo && ts[n - 1]! > lastEnd) n--;
        ctx.currentSamples -= held;
        held = n - lo;
        ctx.addSamples(held);
        return { ts: ts.subarray(lo, n), vs: vs.subarray(lo, n) };
      }
      let have = it.seek(mint);
      while (have && it.t <= lastEnd) {
        ctx.tick();
        const v = it.v;
        if (!isStaleNaN(v)) {
          if (n === ts.length) {
            ts = tsScratch.ensure(n + 1, n);
            vs = vsScratch.ensure(n + 1, n);
          }
          ts[n] = it.t;
          vs[n] = v;
          n++;
        }
        have = it.next();
      }
      iteratorError(it);
      // One series' samples are held at a time: swap the previous series' count for this one's.
      ctx.currentSamples -= held;
      held = n;
      ctx.addSamples(held);
      return { ts: ts.subarray(0, n), vs: vs.subarray(0, n) };
    },
  };
}

/** Wraps already evaluated series (a subquery's result) as a {@link RangeSource}. */
export function seriesSource(series: Series[], rangeMs: number, offset: number, fixedEnd: number | null): RangeSource {
  return {
    rangeMs,
    offset,
    fixedEnd,
    length: series.length,
    matchers: null,
    labels: (i) => series[i]!.metric,
    dropName: (i) => series[i]!.dropName === true,
    load: (i) => series[i]!,
  };
}

/**
 * Evaluates a range selector or subquery source as a matrix at one time (an instant query of
 * `x[5m]`): per series, the samples of the window of step 0.
 */
export function windowMatrix(src: RangeSource, range: StepRange): Series[] {
  const end = src.fixedEnd ?? range.start - src.offset;
  const start = end - src.rangeMs;
  const out: Series[] = [];
  for (let i = 0; i < src.length; i++) {
    const { ts, vs } = src.load(i);
    let lo = 0;
    while (lo < ts.length && ts[lo]! <= start) lo++;
    let hi = lo;
    while (hi < ts.length && ts[hi]! <= end) hi++;
    if (hi === lo) continue;
    const s: Series = { metric: src.labels(i), ts: toArray(ts, lo, hi), vs: toArray(vs, lo, hi) };
    if (src.dropName(i)) s.dropName = true;
    out.push(s);
  }
  return out;
}
