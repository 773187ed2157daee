/**
 * SeriesTable: an open-addressing hash table from a series' canonical label bytes to its ref.
 * The keys themselves stay in the head's series store; the table compares through a callback.
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

/** Whether series `ref`'s key equals `buf[start, end)`. */
export type KeyEquals = (ref: number, buf: Uint8Array, start: number, end: number) => boolean;

/** Open-addressing map from canonical label bytes to series refs. */
export class SeriesTable<S> {
  #hashes: Int32Array;
  #refs: Int32Array;
  #mask: number;
  #size = 0;
  readonly #byRef: (ref: number) => S | undefined;
  readonly #equals: KeyEquals;

  /** `byRef` resolves a ref stored in the table to its series; `equals` compares a ref's key. */
  constructor(byRef: (ref: number) => S | undefined, equals: KeyEquals, initialCapacity = 64) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.#hashes = new Int32Array(cap);
    this.#refs = new Int32Array(cap);
    this.#mask = cap - 1;
    this.#byRef = byRef;
    this.#equals = equals;
  }

  /** Number of series in the table. */
  get size(): number {
    return this.#size;
  }

  /** The ref of the series whose key equals `buf[start, end)`, whose hash is `hash`; 0 if none. */
  find(hash: number, buf: Uint8Array, start: number, end: number): number {
    const hashes = this.#hashes;
    const refs = this.#refs;
    const mask = this.#mask;
    const h = hash | 0;
    let i = h & mask;
    for (;;) {
      const ref = refs[i]!;
      if (ref === 0) return 0;
      if (hashes[i] === h && this.#equals(ref, buf, start, end)) return ref;
      i = (i + 1) & mask;
    }
  }

  /** The series whose key equals `buf[start, end)`, whose hash is `hash`. */
  get(hash: number, buf: Uint8Array, start: number, end: number): S | undefined {
    const ref = this.find(hash, buf, start, end);
    return ref === 0 ? undefined : this.#byRef(ref);
  }

  /** Adds series `ref` with key hash `hash`; the caller guarantees its key is not in the table yet. */
  add(hash: number, ref: number): void {
    if ((this.#size + 1) * 2 > this.#refs.length) this.#grow(this.#refs.length * 2);
    this.#insert(hash | 0, ref);
    this.#size++;
  }

  /** Rebuilds the table from `[hash, ref]` pairs (used after series are deleted). */
  rebuild(all: Iterable<readonly [number, number]>, count: number): void {
    let cap = 16;
    while (cap < count * 2 + 2) cap <<= 1;
    this.#hashes = new Int32Array(cap);
    this.#refs = new Int32Array(cap);
    this.#mask = cap - 1;
    this.#size = 0;
    for (const [hash, ref] of all) {
      this.#insert(hash | 0, ref);
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
