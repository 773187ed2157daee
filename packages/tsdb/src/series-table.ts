/**
 * SeriesTable: an open-addressing hash table from a series' canonical label bytes to its ref.
 *
 * The write path looks every incoming series up by hashing the raw label bytes of the request and
 * comparing them with the stored canonical key, without building a single string. Lookups are
 * bound by memory latency, so the table keeps hashes and refs in two flat Int32Arrays (one probe
 * touches two cache lines at most before it reaches a candidate series) rather than a Map.
 *
 * Invariants: capacity is a power of two; load factor stays at or below 1/2; slot value 0 means
 * empty (refs start at 1); deletion is by rebuilding ({@link SeriesTable.rebuild}), which the head
 * does rarely (after garbage-collecting series).
 */

/** What the table needs to know of a series to compare keys. */
export interface KeyedSeries {
  readonly ref: number;
  readonly hash: number;
  readonly key: Uint8Array;
}

const nativeCompare = Buffer.prototype.compare;

/**
 * Byte equality of `key` with `buf[start, end)`. Keys are ~100–300 bytes: native memcmp
 * (Buffer.prototype.compare, which accepts plain Uint8Arrays) is 2–3× faster than a JS loop there;
 * short keys stay in JS, where the call would cost more than the loop.
 */
export function keyEquals(key: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (key.length !== n) return false;
  if (n > 48) return nativeCompare.call(buf, key, 0, n, start, end) === 0;
  for (let i = 0; i < n; i++) {
    if (key[i] !== buf[start + i]) return false;
  }
  return true;
}

/** Open-addressing map from canonical label bytes to series. */
export class SeriesTable<S extends KeyedSeries> {
  #hashes: Int32Array;
  #refs: Int32Array;
  #mask: number;
  #size = 0;
  readonly #byRef: (ref: number) => S | undefined;

  /** `byRef` resolves a ref stored in the table to its series. */
  constructor(byRef: (ref: number) => S | undefined, initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.#hashes = new Int32Array(cap);
    this.#refs = new Int32Array(cap);
    this.#mask = cap - 1;
    this.#byRef = byRef;
  }

  /** Number of series in the table. */
  get size(): number {
    return this.#size;
  }

  /** Finds the series whose key equals `buf[start, end)`, whose hash is `hash`. */
  get(hash: number, buf: Uint8Array, start: number, end: number): S | undefined {
    const hashes = this.#hashes;
    const refs = this.#refs;
    const mask = this.#mask;
    const h = hash | 0;
    let i = h & mask;
    for (;;) {
      const ref = refs[i]!;
      if (ref === 0) return undefined;
      if (hashes[i] === h) {
        const s = this.#byRef(ref);
        if (s !== undefined && keyEquals(s.key, buf, start, end)) return s;
      }
      i = (i + 1) & mask;
    }
  }

  /** Adds a series; the caller guarantees its key is not in the table yet. */
  add(s: S): void {
    if ((this.#size + 1) * 2 > this.#refs.length) this.#grow(this.#refs.length * 2);
    this.#insert(s.hash | 0, s.ref);
    this.#size++;
  }

  /** Rebuilds the table from the given series (used after series are deleted). */
  rebuild(all: Iterable<S>, count: number): void {
    let cap = 16;
    while (cap < count * 2 + 2) cap <<= 1;
    this.#hashes = new Int32Array(cap);
    this.#refs = new Int32Array(cap);
    this.#mask = cap - 1;
    this.#size = 0;
    for (const s of all) {
      this.#insert(s.hash | 0, s.ref);
      this.#size++;
    }
  }

  #insert(h: number, ref: number): void {
    const mask = this.#mask;
    let i = h & mask;
    while (this.#refs[i] !== 0) i = (i + 1) & mask;
    this.#hashes[i] = h;
    this.#refs[i] = ref;
  }

  #grow(cap: number): void {
    const oldHashes = this.#hashes;
    const oldRefs = this.#refs;
    this.#hashes = new Int32Array(cap);
    this.#refs = new Int32Array(cap);
    this.#mask = cap - 1;
    for (let i = 0; i < oldRefs.length; i++) {
      const ref = oldRefs[i]!;
      if (ref !== 0) this.#insert(oldHashes[i]!, ref);
    }
  }
}
