/**
 * The head's read path: series selection by matchers over a time range, label names and values,
 * and chunk access for the query engine.
 */
import { Labels, type Matcher } from '@tessera/model';
import type { MemSeries } from './mem-series.ts';
import type { HeadState } from './head.ts';

/** True when the series holds a sample in [mint, maxt]. */
function overlaps(s: MemSeries, mint: number, maxt: number): boolean {
  return s.minT <= maxt && s.lastT >= mint;
}

/** The series matching every matcher with samples in [mint, maxt], in ref order. */
export function selectSeries(head: HeadState, matchers: readonly Matcher[], mint: number, maxt: number): MemSeries[] {
  const refs = head.postings.select(matchers);
  const out: MemSeries[] = [];
  for (const ref of refs) {
    const s = head.series[ref];
    if (s !== undefined && overlaps(s, mint, maxt)) out.push(s);
  }
  return out;
}

/** Every series with samples in [mint, maxt] when no matcher set is given, else the union of the sets. */
function seriesForSets(head: HeadState, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Iterable<MemSeries> {
  if (sets.length === 0) {
    return (function* () {
      for (const s of head.liveSeries()) if (overlaps(s, mint, maxt)) yield s;
    })();
  }
  const seen = new Map<number, MemSeries>();
  for (const ms of sets) for (const s of selectSeries(head, ms, mint, maxt)) seen.set(s.ref, s);
  return seen.values();
}

/** Whether the head's whole time range falls inside [mint, maxt] (indexes can then answer alone). */
function coversHead(head: HeadState, mint: number, maxt: number): boolean {
  return head.minT >= mint && head.maxT <= maxt;
}

/** Sorted label names of the series matching any of the matcher sets, with samples in [mint, maxt]. */
export function labelNames(head: HeadState, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] {
  const names = new Set<string>();
  if (sets.length === 0 && coversHead(head, mint, maxt)) {
    for (const n of head.postings.labelNames()) names.add(n);
  } else {
    for (const s of seriesForSets(head, sets, mint, maxt)) Labels.decode(s.key).forEach((n) => names.add(n));
  }
  return [...names].sort();
}

/** Sorted values of a label over the series matching any of the matcher sets in [mint, maxt]. */
export function labelValues(
  head: HeadState,
  name: string,
  sets: readonly (readonly Matcher[])[],
  mint: number,
  maxt: number,
): string[] {
  const values = new Set<string>();
  if (sets.length === 0 && coversHead(head, mint, maxt)) {
    for (const v of head.postings.labelValues(name)) values.add(v);
  } else {
    for (const s of seriesForSets(head, sets, mint, maxt)) {
      const v = Labels.decode(s.key).get(name);
      if (v !== '') values.add(v);
    }
  }
  return [...values].sort();
}
