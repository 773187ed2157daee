/**
 * Postings: the inverted index of the head, label name → label value → sorted series refs, and
 * the set operations that answer a list of matchers with it.
 *
 * Invariants: every list is sorted ascending without duplicates. Refs are handed out in increasing
 * order, so adding a new series appends to each of its lists; removal (after garbage collection)
 * filters the affected lists.
 */
import type { Matcher } from '@tessera/model';

/** A sorted list of series refs. */
export type PostingsList = readonly number[];

/** Intersection of two sorted lists. */
export function intersect(a: PostingsList, b: PostingsList): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

/** Elements of sorted `a` not in sorted `b`. */
export function subtract(a: PostingsList, b: PostingsList): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    while (j < b.length && b[j]! < x) j++;
    if (j < b.length && b[j] === x) continue;
    out.push(x);
  }
  return out;
}

/** Union of many sorted lists (k-way merge by repeated pairwise merging, smallest first). */
export function union(lists: PostingsList[]): number[] {
  if (lists.length === 0) return [];
  if (lists.length === 1) return lists[0]!.slice();
  const work = lists.slice().sort((x, y) => x.length - y.length);
  while (work.length > 1) {
    const a = work.shift()!;
    const b = work.shift()!;
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const x = a[i]!;
      const y = b[j]!;
      if (x === y) {
        out.push(x);
        i++;
        j++;
      } else if (x < y) {
        out.push(x);
        i++;
      } else {
        out.push(y);
        j++;
      }
    }
    while (i < a.length) out.push(a[i++]!);
    while (j < b.length) out.push(b[j++]!);
    // Keep the work list ordered by length so small lists merge first.
    let k = 0;
    while (k < work.length && work[k]!.length < out.length) k++;
    work.splice(k, 0, out);
  }
  return work[0] as number[];
}

/** The in-memory inverted index. */
export class MemPostings {
  readonly #index = new Map<string, Map<string, number[]>>();
  #all: number[] = [];

  /** Adds a series with a ref larger than any added before. */
  add(ref: number, names: readonly string[], values: readonly string[]): void {
    this.#all.push(ref);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      let byValue = this.#index.get(name);
      if (byValue === undefined) {
        byValue = new Map();
        this.#index.set(name, byValue);
      }
      const value = values[i]!;
      const list = byValue.get(value);
      if (list === undefined) byValue.set(value, [ref]);
      else if (list[list.length - 1]! < ref) list.push(ref);
      else insertSorted(list, ref);
    }
  }

  /** Removes a set of refs (sorted) from every list; drops emptied values and names. */
  remove(refs: ReadonlySet<number>): void {
    if (refs.size === 0) return;
    this.#all = this.#all.filter((r) => !refs.has(r));
    for (const [name, byValue] of this.#index) {
      for (const [value, list] of byValue) {
        const kept = list.filter((r) => !refs.has(r));
        if (kept.length === 0) byValue.delete(value);
        else if (kept.length !== list.length) byValue.set(value, kept);
      }
      if (byValue.size === 0) this.#index.delete(name);
    }
  }

  /** Every series ref. */
  all(): PostingsList {
    return this.#all;
  }

  /** The refs of series with `name="value"`. */
  get(name: string, value: string): PostingsList {
    return this.#index.get(name)?.get(value) ?? [];
  }

  /** Every label name, unsorted. */
  labelNames(): IterableIterator<string> {
    return this.#index.keys();
  }

  /** Every value of a label name, unsorted. */
  labelValues(name: string): IterableIterator<string> {
    return (this.#index.get(name) ?? new Map<string, number[]>()).keys();
  }

  /** Number of distinct values of a label name. */
  valueCount(name: string): number {
    return this.#index.get(name)?.size ?? 0;
  }

  /**
   * Answers a list of matchers: the sorted refs of series matching all of them. A matcher that
   * matches the empty string also selects series without the label, as in Prometheus.
   */
  select(matchers: readonly Matcher[]): number[] {
    // Matchers that cannot match empty narrow the set; evaluate them first, smallest first.
    let result: number[] | null = null;
    const subtractive: Matcher[] = [];
    const positive: { m: Matcher; list: number[] }[] = [];
    for (const m of matchers) {
      if (m.matchesEmpty()) subtractive.push(m);
      else positive.push({ m, list: this.#matching(m) });
    }
    positive.sort((x, y) => x.list.length - y.list.length);
    for (const { list } of positive) {
      result = result === null ? list : intersect(result, list);
      if (result.length === 0) return result;
    }
    for (const m of subtractive) {
      // Series with the label whose value does not match are excluded.
      const byValue = this.#index.get(m.name);
      const excluded: number[][] = [];
      if (byValue !== undefined) {
        for (const [value, list] of byValue) if (!m.matches(value)) excluded.push(list);
      }
      const base: PostingsList = result ?? this.#all;
      result = excluded.length === 0 ? base.slice() : subtract(base, union(excluded));
      if (result.length === 0) return result;
    }
    return result ?? this.#all.slice();
  }

  /** Union of the lists of the values of `m.name` that `m` matches (m must not match empty). */
  #matching(m: Matcher): number[] {
    const byValue = this.#index.get(m.name);
    if (byValue === undefined) return [];
    const set = m.setMatches();
    const lists: number[][] = [];
    if (set !== null) {
      for (const v of set) {
        const l = byValue.get(v);
        if (l !== undefined) lists.push(l);
      }
    } else {
      for (const [value, list] of byValue) if (m.matches(value)) lists.push(list);
    }
    return union(lists);
  }
}

function insertSorted(list: number[], ref: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < ref) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] !== ref) list.splice(lo, 0, ref);
}
