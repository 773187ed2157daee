/**
 * Native histograms are out of scope, so the runner loads only the float samples of a test file.
 * A case must then be skipped (not passed, not failed) whenever Prometheus would have read a
 * native histogram for it: this guard remembers the label sets of every series that has a
 * histogram sample, with the times of those samples (including the histograms `load_with_nhcb`
 * derives from classic ones), and wraps a Queryable so that any select that would have read one
 * of those samples marks the case.
 */
import type { Labels, Matcher } from '@tessera/model';
import { parseGoNumber } from './go-number.ts';
import type { Querier, Queryable, SelectHints, StorageSeries } from '../storage.ts';

/** Series with native histogram samples, and whether the current case read one. */
export class HistogramGuard {
  readonly #series: { labels: Labels; ts: number[] }[] = [];
  /** The first histogram series a select read (as text), or null; reset per case by the runner. */
  touched: string | null = null;

  /** Records a series and the times (ascending) of its native histogram samples. */
  add(labels: Labels, ts: readonly number[]): void {
    if (ts.length === 0) return;
    const known = this.#series.find((s) => s.labels.equals(labels));
    if (known === undefined) this.#series.push({ labels, ts: [...ts] });
    else known.ts = [...new Set([...known.ts, ...ts])].sort((x, y) => x - y);
  }

  /** Forgets every series (on `clear`). */
  clear(): void {
    this.#series.length = 0;
  }

  get size(): number {
    return this.#series.length;
  }

  /** The first series all matchers match with a histogram sample in [mint, maxt], or undefined. */
  firstMatch(matchers: readonly Matcher[], mint: number, maxt: number): Labels | undefined {
    return this.#series.find(
      (s) => s.ts.some((t) => t >= mint && t <= maxt) && matchers.every((m) => m.matches(s.labels.get(m.name))),
    )?.labels;
  }

  /**
   * `inner`, observed: a select whose matchers reach a histogram series with a histogram sample
   * in the querier's time range sets `touched`. (The engine opens a querier per selection, over
   * exactly the range it reads, so this is the data the query depends on.)
   */
  wrap(inner: Queryable): Queryable {
    return {
      querier: (mint: number, maxt: number): Querier => {
        const q = inner.querier(mint, maxt);
        return {
          select: (matchers: readonly Matcher[], hints: SelectHints, signal?: AbortSignal): StorageSeries[] => {
            if (this.touched === null) this.touched = this.firstMatch(matchers, mint, maxt)?.toString() ?? null;
            return q.select(matchers, hints, signal);
          },
          close: () => q.close(),
        };
      },
    };
  }
}

/**
 * The native histogram series `load_with_nhcb` derives from a classic histogram series, or null:
 * `x_bucket{le="…"}` (a parsable, non-NaN bound), `x_count` and `x_sum` all feed `x` with the
 * remaining labels (without `le`).
 */
export function nhcbSeriesOf(labels: Labels): Labels | null {
  const name = labels.get('__name__');
  let base: string;
  if (name.endsWith('_bucket')) {
    const le = parseGoNumber(labels.get('le'));
    if (le === null || Number.isNaN(le)) return null;
    base = name.slice(0, -'_bucket'.length);
  } else if (name.endsWith('_count')) base = name.slice(0, -'_count'.length);
  else if (name.endsWith('_sum')) base = name.slice(0, -'_sum'.length);
  else return null;
  return labels.without('le').with('__name__', base);
}
