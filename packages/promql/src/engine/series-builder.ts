/**
 * SeriesBuilder collects output points into series keyed by label set, the way Prometheus's
 * range evaluation gathers the per-step output vectors of an operation into series.
 *
 * Invariant of the result: one series per label set, points in ascending time order, at most
 * one point per timestamp. A second point for the same label set and timestamp means the
 * operation produced two samples with one label set in one vector: that is Prometheus's
 * "vector cannot contain metrics with the same labelset" error.
 */
import type { Labels } from '@tessera/model';
import type { Series } from '../value.ts';
import { duplicateLabelsetError } from './errors.ts';
import { labelsKey } from './label-keys.ts';

/** Gathers points into series by label set; see the file comment. */
export class SeriesBuilder {
  readonly #byKey = new Map<string, Series>();
  readonly #order: Series[] = [];
  /** Series that received a point out of time order; sorted and checked in finish(). */
  readonly #unordered = new Set<Series>();

  /**
   * Returns the series for `metric`, creating it (with `dropName`) when new. Callers that add
   * many points to one series fetch it once and push through {@link push}.
   */
  series(metric: Labels, dropName: boolean): Series {
    const key = labelsKey(metric);
    let s = this.#byKey.get(key);
    if (s === undefined) {
      s = { metric, ts: [], vs: [], dropName };
      this.#byKey.set(key, s);
      this.#order.push(s);
    }
    return s;
  }

  /** Appends a point to `series` (obtained from {@link series}). */
  push(series: Series, t: number, v: number): void {
    const ts = series.ts;
    const n = ts.length;
    if (n > 0 && ts[n - 1]! >= t) {
      if (ts[n - 1] === t) throw duplicateLabelsetError();
      this.#unordered.add(series);
    }
    ts.push(t);
    series.vs.push(v);
  }

  /** Appends one point for `metric`. */
  add(metric: Labels, dropName: boolean, t: number, v: number): void {
    this.push(this.series(metric, dropName), t, v);
  }

  /** Returns the non-empty series in creation order, each sorted by time and checked. */
  finish(): Series[] {
    const out: Series[] = [];
    for (const s of this.#order) {
      if (s.ts.length === 0) continue;
      if (this.#unordered.has(s)) sortPoints(s);
      out.push(s);
    }
    return out;
  }
}

/** Sorts a series' points by time; throws the duplicate-labelset error on a repeated timestamp. */
function sortPoints(s: Series): void {
  const idx = s.ts.map((_, i) => i);
  idx.sort((a, b) => s.ts[a]! - s.ts[b]!);
  const ts = idx.map((i) => s.ts[i]!);
  const vs = idx.map((i) => s.vs[i]!);
  for (let i = 1; i < ts.length; i++) if (ts[i] === ts[i - 1]) throw duplicateLabelsetError();
  s.ts = ts;
  s.vs = vs;
}
