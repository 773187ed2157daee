/**
 * String keys for label sets and their subsets, used to group and match series: the identity of
 * a whole label set, the matching signature of vector matching (`on (…)` / `ignoring (…)`), and
 * the grouping labels of aggregations (`by (…)` / `without (…)`).
 *
 * A key joins names and values with a lone surrogate (U+D800) as separator; it cannot occur in a
 * label name or value (those are valid UTF-8, decoded to well-formed strings), so different label
 * sets never produce the same key.
 */
import { Labels, METRIC_NAME_LABEL } from '@tessera/model';

const SEP = '\ud800';

/** Returns the identity key of a whole label set. */
export function labelsKey(l: Labels): string {
  return l.toFlat().join(SEP);
}

/**
 * Returns the matching signature of `l`: with `on`, the values of exactly `names` (absent
 * labels count as empty); without, every label except `names` and the metric name.
 * `names` must be sorted and free of duplicates when `on` is true.
 */
export function matchingKey(l: Labels, on: boolean, names: readonly string[]): string {
  if (on) {
    let key = '';
    for (const n of names) key += l.get(n) + SEP;
    return key;
  }
  const f = l.toFlat();
  let key = '';
  for (let i = 0; i < f.length; i += 2) {
    const n = f[i]!;
    if (n === METRIC_NAME_LABEL || names.includes(n)) continue;
    key += n + SEP + f[i + 1]! + SEP;
  }
  return key;
}

/** Returns the labels that a matching signature is made of (for error messages). */
export function matchingLabels(l: Labels, on: boolean, names: readonly string[]): Labels {
  if (on) return keepLabels(l, names);
  return l.without(METRIC_NAME_LABEL, ...names);
}

/** Returns only the labels of `l` named in `names`. */
export function keepLabels(l: Labels, names: readonly string[]): Labels {
  const f = l.toFlat();
  const out: string[] = [];
  for (let i = 0; i < f.length; i += 2) {
    if (names.includes(f[i]!)) out.push(f[i]!, f[i + 1]!);
  }
  return out.length === f.length ? l : Labels.fromSortedFlat(out);
}

/**
 * Returns the output labels of an aggregation group for a series: with `without`, the series'
 * labels minus `grouping` and the metric name; otherwise only the `grouping` labels.
 */
export function groupingLabels(l: Labels, grouping: readonly string[], without: boolean): Labels {
  if (without) return l.without(METRIC_NAME_LABEL, ...grouping);
  if (grouping.length === 0) return Labels.EMPTY;
  return keepLabels(l, grouping);
}

/** Returns the group key of a series for an aggregation (see {@link groupingLabels}). */
export function groupingKey(l: Labels, grouping: readonly string[], without: boolean): string {
  if (without) return matchingKey(l, false, grouping);
  let key = '';
  for (const n of grouping) key += l.get(n) + SEP;
  return key;
}

/** Returns the sorted, duplicate-free copy of a list of label names. */
export function sortedNames(names: readonly string[]): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
