/**
 * Labels: the identity of a series, an immutable set of name/value pairs.
 *
 * Invariants of every Labels value: pairs are sorted by name in UTF-8 byte order (Go's string
 * order, the order remote-write requires), names are unique, and no value is empty (an empty
 * value means "label absent" in Prometheus). Storage is one flat `readonly string[]`
 * [n0, v0, n1, v1, …]: one object and one array per label set, no per-label objects.
 */
import { ModelError } from './errors.ts';
import {
  decodeFlatLabels,
  encodeFlatLabelsInto,
  flatLabelsByteLength,
  flatLabelsMaxByteLength,
} from './label-encoding.ts';
import { hashBytes } from './hash.ts';
import { quoteGo } from './go-quote.ts';
import { compareUtf8 } from './utf8.ts';
import { isValidLabelName, isValidMetricName } from './validation.ts';

/** The label that holds the metric name. */
export const METRIC_NAME_LABEL = '__name__';

/** Label sets up to this many pairs are searched linearly; larger ones by bisection. */
const LINEAR_SEARCH_MAX_LABELS = 12;

// Scratch buffer for hashing without allocating; grown on demand, never shrunk. Safe because
// JavaScript is single-threaded and hash() does not re-enter.
let scratch = new Uint8Array(4096);

function comparePairs(a: readonly [string, string], b: readonly [string, string]): number {
  return compareUtf8(a[0], b[0]);
}

/**
 * Labels is an immutable, sorted, duplicate-free set of label pairs identifying a series; its
 * hash is cached, its binary form is the canonical remote-write encoding.
 */
export class Labels {
  /** The empty label set. */
  static readonly EMPTY: Labels = new Labels([]);

  readonly #flat: readonly string[];
  /** Cached hash(); -1 until computed (hashes are unsigned 32-bit). */
  #hash = -1;

  private constructor(flat: readonly string[]) {
    this.#flat = flat;
  }

  /**
   * Builds a label set from pairs in any order: sorts them and drops pairs with an empty value.
   *
   * @throws ModelError `duplicate-label-name` when a name occurs twice (even with an empty value).
   */
  static fromPairs(pairs: Iterable<readonly [string, string]>): Labels {
    const arr = Array.from(pairs);
    arr.sort(comparePairs);
    const flat: string[] = [];
    for (let i = 0; i < arr.length; i++) {
      const [name, value] = arr[i]!;
      if (i > 0 && arr[i - 1]![0] === name) {
        throw new ModelError('duplicate-label-name', `duplicate label name: ${quoteGo(name)}`);
      }
      if (value !== '') flat.push(name, value);
    }
    return flat.length === 0 ? Labels.EMPTY : new Labels(flat);
  }

  /** Builds a label set from an object's own enumerable properties; empty values are dropped. */
  static fromObject(o: Readonly<Record<string, string>>): Labels {
    return Labels.fromPairs(Object.entries(o));
  }

  /**
   * Wraps a flat [n0, v0, n1, v1, …] array without copying or checking it. The caller promises the
   * Labels invariants (sorted by UTF-8 name order, unique names, no empty values) and never to
   * modify the array afterwards.
   */
  static fromSortedFlat(flat: string[]): Labels {
    return new Labels(flat);
  }

  /**
   * Decodes the canonical encoding (see label-encoding.ts) from `bytes[start, end)`. Input that is
   * valid protobuf but not canonical is accepted: labels with empty values are dropped and
   * unsorted labels are sorted.
   *
   * @throws ModelError `invalid-label-encoding` on malformed bytes, `duplicate-label-name` on
   *   duplicate names.
   */
  static decode(bytes: Uint8Array, start = 0, end = bytes.length): Labels {
    const flat = decodeFlatLabels(bytes, start, end);
    let canonical = true;
    for (let i = 0; i < flat.length && canonical; i += 2) {
      if (flat[i + 1] === '' || (i > 0 && compareUtf8(flat[i - 2]!, flat[i]!) >= 0)) canonical = false;
    }
    if (canonical) return flat.length === 0 ? Labels.EMPTY : new Labels(flat);
    const pairs: [string, string][] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
    return Labels.fromPairs(pairs);
  }

  /**
   * Compares two label sets as Prometheus's labels.Compare does: pair by pair, first by name then
   * by value (UTF-8 byte order); a set that is a prefix of the other sorts first. Returns a
   * negative number, zero or a positive number.
   */
  static compare(a: Labels, b: Labels): number {
    const fa = a.#flat;
    const fb = b.#flat;
    const n = fa.length < fb.length ? fa.length : fb.length;
    for (let i = 0; i < n; i++) {
      // Even i compares names, odd i values: exactly the name-then-value order.
      const c = compareUtf8(fa[i]!, fb[i]!);
      if (c !== 0) return c;
    }
    return (fa.length - fb.length) / 2;
  }

  /** The number of labels. */
  get size(): number {
    return this.#flat.length >> 1;
  }

  /** Returns the name of the `i`-th label in sorted order (undefined behaviour out of range). */
  name(i: number): string {
    return this.#flat[2 * i]!;
  }

  /** Returns the value of the `i`-th label in sorted order. */
  value(i: number): string {
    return this.#flat[2 * i + 1]!;
  }

  /** Returns the index of `name`, or -1. */
  #indexOf(name: string): number {
    const f = this.#flat;
    if (f.length <= 2 * LINEAR_SEARCH_MAX_LABELS) {
      for (let i = 0; i < f.length; i += 2) if (f[i] === name) return i;
      return -1;
    }
    let lo = 0;
    let hi = f.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareUtf8(f[2 * mid]!, name);
      if (c === 0) return 2 * mid;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  /** Returns the value of label `name`, or '' when absent (Prometheus's convention). */
  get(name: string): string {
    const i = this.#indexOf(name);
    return i < 0 ? '' : this.#flat[i + 1]!;
  }

  /** Reports whether label `name` is present. */
  has(name: string): boolean {
    return this.#indexOf(name) >= 0;
  }

  /** Calls `fn` for each label in sorted order. */
  forEach(fn: (name: string, value: string) => void): void {
    const f = this.#flat;
    for (let i = 0; i < f.length; i += 2) fn(f[i]!, f[i + 1]!);
  }

  /** Returns the label names in sorted order (a new array). */
  names(): string[] {
    const f = this.#flat;
    const out = new Array<string>(f.length >> 1);
    for (let i = 0; i < f.length; i += 2) out[i >> 1] = f[i]!;
    return out;
  }

  /** Returns the backing flat [n0, v0, n1, v1, …] array itself (not a copy); do not modify it. */
  toFlat(): readonly string[] {
    return this.#flat;
  }

  /**
   * Reports whether both sets hold the same pairs. Cheap rejections first: different sizes, then
   * different hashes when both are already cached; then element by element.
   */
  equals(other: Labels): boolean {
    if (this === other) return true;
    const a = this.#flat;
    const b = other.#flat;
    if (a.length !== b.length) return false;
    if (this.#hash !== -1 && other.#hash !== -1 && this.#hash !== other.#hash) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /**
   * Returns the series hash: {@link hashBytes} over {@link Labels.encode}'s bytes, so hashing the
   * raw label bytes of a canonical remote-write TimeSeries gives the same number. Cached.
   */
  hash(): number {
    if (this.#hash !== -1) return this.#hash;
    const max = flatLabelsMaxByteLength(this.#flat);
    if (max > scratch.length) scratch = new Uint8Array(Math.max(max, 2 * scratch.length));
    const len = encodeFlatLabelsInto(this.#flat, scratch, 0);
    this.#hash = hashBytes(scratch, 0, len);
    return this.#hash;
  }

  /**
   * Returns the canonical binary encoding (see label-encoding.ts) in a new buffer. Allocating a
   * typed array costs more than encoding a typical set: on hot paths, encode into a reused
   * buffer with encodeLabelsInto instead.
   */
  encode(): Uint8Array {
    const out = new Uint8Array(flatLabelsByteLength(this.#flat));
    encodeFlatLabelsInto(this.#flat, out, 0);
    return out;
  }

  /** Returns the labels as a plain object (name → value). */
  toObject(): Record<string, string> {
    const o: Record<string, string> = {};
    const f = this.#flat;
    for (let i = 0; i < f.length; i += 2) {
      // defineProperty so that a label named "__proto__" becomes an own property.
      Object.defineProperty(o, f[i]!, { value: f[i + 1]!, enumerable: true, writable: true, configurable: true });
    }
    return o;
  }

  /**
   * Formats the set as Prometheus prints a metric: `up{instance="a", job="b"}`, `up` when only the
   * name is set, `{}` when empty. Values are quoted as Go's %q does; a metric name or label name
   * that is not a legacy identifier is quoted too (`{"my.metric", "my.label"="x"}`).
   */
  toString(): string {
    const f = this.#flat;
    const metric = this.get(METRIC_NAME_LABEL);
    const legacyName = metric !== '' && isValidMetricName(metric);
    let out = legacyName ? metric : '';
    let inner = metric !== '' && !legacyName ? quoteGo(metric) : '';
    for (let i = 0; i < f.length; i += 2) {
      const name = f[i]!;
      if (name === METRIC_NAME_LABEL) continue;
      if (inner !== '') inner += ', ';
      inner += (isValidLabelName(name) ? name : quoteGo(name)) + '=' + quoteGo(f[i + 1]!);
    }
    if (inner !== '' || !legacyName) out += '{' + inner + '}';
    return out;
  }

  /** Returns this set without the given labels (this same object when none was present). */
  without(...names: string[]): Labels {
    const f = this.#flat;
    let out: string[] | undefined;
    for (let i = 0; i < f.length; i += 2) {
      if (names.includes(f[i]!)) {
        out ??= f.slice(0, i);
      } else if (out !== undefined) {
        out.push(f[i]!, f[i + 1]!);
      }
    }
    if (out === undefined) return this;
    return out.length === 0 ? Labels.EMPTY : new Labels(out);
  }

  /** Returns this set with label `name` set to `value`; an empty value removes the label. */
  with(name: string, value: string): Labels {
    if (value === '') return this.without(name);
    const f = this.#flat;
    let i = 0;
    while (i < f.length && compareUtf8(f[i]!, name) < 0) i += 2;
    if (f[i] === name) {
      if (f[i + 1] === value) return this;
      const out = f.slice();
      out[i + 1] = value;
      return new Labels(out);
    }
    const out = f.slice(0, i);
    out.push(name, value);
    for (let j = i; j < f.length; j++) out.push(f[j]!);
    return new Labels(out);
  }
}
