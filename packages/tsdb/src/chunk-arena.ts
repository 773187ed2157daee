/**
 * Compact storage of immutable byte strings (series keys, completed chunks) and of the completed
 * chunks' records, without one JavaScript object per chunk or per key.
 *
 * - {@link ByteSlabs}: bump allocation into 1 MiB slabs. Each slab counts the bytes still in use;
 *   a slab whose count drops to 0 (and that is not the one being filled) is dropped, and its index
 *   is reused. Memory in a slab is never reused while the slab lives, so a view handed out earlier
 *   (e.g. a chunk in a block being written) keeps its bytes even after the head released them: the
 *   view keeps the old slab's ArrayBuffer alive.
 * - {@link ChunkStore}: completed chunks as records in parallel typed arrays (struct of arrays):
 *   minT, maxT, where the bytes are, and the next record of the same series (a singly linked list,
 *   oldest first). A record id is an index into the columns; freed ids are reused.
 *
 * - With a {@link SlabSpill} (the completed-chunk store of a head opened with `chunksDir`), a slab
 *   is written to a file when the next one is started, and its memory is dropped once the write
 *   finished: `slabs[i]` is then null while the slab lives, and reads come from the file.
 *   The memory of a written (or dropped) slab is reused for the next slab instead of being left
 *   to the garbage collector: a 1 MiB buffer is old-generation and external, so only a full
 *   mark-sweep would give it back, and that may not come for minutes. Because slab memory is
 *   reused, reads of chunks in memory are copies in this mode (reads from disk are views of
 *   cached file pages, which are never reused). Slabs of their own (strings over a quarter of a
 *   slab: never a chunk) are neither spilled nor reused.
 *
 * Why: one `Uint8Array` view per chunk plus three JS arrays per series cost ~860 bytes a series at
 * 100k series (heap snapshot); a record here costs 32 bytes.
 */

import type { ChunkBytes, SlabSpill } from './chunk-spill.ts';

/** Slab size; a string longer than a quarter of it gets a slab of its own. */
const SLAB_BYTES = 1 << 20;

/** Bump allocator of immutable byte strings in shared slabs (see the file comment). */
export class ByteSlabs {
  /**
   * Slabs by index; null where a dead slab was dropped (its index is in #freeIndexes) or where a
   * live slab is on disk only (see the file comment).
   */
  readonly slabs: (Uint8Array | null)[] = [];
  readonly #live: number[] = [];
  readonly #freeIndexes: number[] = [];
  /** Index of the slab being filled, -1 before the first allocation. */
  #current = -1;
  #used = 0;
  /** Bytes currently held (allocated and not released), for metrics and tests. */
  liveBytes = 0;
  readonly #spill: SlabSpill | null;

  constructor(spill: SlabSpill | null = null) {
    this.#spill = spill;
  }

  /**
   * Copies `src[start, end)` into a slab; returns the slab index. The offset is {@link lastOffset}
   * (two results without an allocated object).
   */
  add(src: Uint8Array, start: number, end: number): number {
    const n = end - start;
    let slab: number;
    let off: number;
    if (n > SLAB_BYTES / 4) {
      slab = this.#newSlab(n);
      off = 0;
    } else {
      if (this.#current < 0 || this.#used + n > SLAB_BYTES) {
        const old = this.#current;
        const oldUsed = this.#used;
        this.#current = this.#newSlab(SLAB_BYTES);
        this.#used = 0;
        if (old >= 0 && this.#live[old] === 0) this.#drop(old);
        else if (old >= 0 && this.#spill !== null) this.#spill.seal(this.slabs, old, oldUsed);
      }
      slab = this.#current;
      off = this.#used;
      this.#used += n;
    }
    this.slabs[slab]!.set(src.subarray(start, end), off);
    this.#live[slab]! += n;
    this.liveBytes += n;
    this.lastOffset = off;
    return slab;
  }

  /** Offset of the bytes placed by the last {@link add}. */
  lastOffset = 0;

  /** Releases `n` bytes of slab `slab`; drops the slab when nothing in it is used any more. */
  release(slab: number, n: number): void {
    const left = this.#live[slab]! - n;
    this.#live[slab] = left;
    this.liveBytes -= n;
    if (left === 0 && slab !== this.#current) this.#drop(slab);
  }

  /**
   * `n` bytes at `off` in slab `slab`, immutable, valid for as long as they are referenced
   * (allocates: read path only). Without a spill, a view of the slab; with one, a copy of
   * memory (slab memory is reused) or a view of a cached file page (see the file comment).
   */
  view(slab: number, off: number, n: number): Uint8Array {
    const mem = this.slabs[slab];
    if (mem !== null && mem !== undefined) return this.#spill === null ? mem.subarray(off, off + n) : mem.slice(off, off + n);
    return this.#spill!.read(slab, off, n);
  }

  /** Live bytes in memory and on disk, and the spill's read cache (see {@link ChunkBytes}). */
  bytesByLocation(): ChunkBytes {
    let onDisk = 0;
    const spill = this.#spill;
    if (spill !== null) for (let i = 0; i < this.slabs.length; i++) if (spill.onDisk(i)) onDisk += this.#live[i]!;
    return { inMemory: this.liveBytes - onDisk, onDisk, cache: spill?.cacheBytes ?? 0 };
  }

  /** Number of slabs held (for tests). */
  get slabCount(): number {
    return this.slabs.length - this.#freeIndexes.length;
  }

  #newSlab(bytes: number): number {
    const slab = (bytes === SLAB_BYTES ? this.#spill?.takeSpare() : undefined) ?? new Uint8Array(bytes);
    const i = this.#freeIndexes.pop();
    if (i !== undefined) {
      this.slabs[i] = slab;
      this.#live[i] = 0;
      return i;
    }
    this.slabs.push(slab);
    this.#live.push(0);
    return this.slabs.length - 1;
  }

  #drop(slab: number): void {
    const mem = this.slabs[slab];
    this.#spill?.drop(slab, mem !== null && mem !== undefined && mem.length === SLAB_BYTES ? mem : null);
    this.slabs[slab] = null;
    this.#freeIndexes.push(slab);
  }
}

/** End of a chunk list. */
export const NO_CHUNK = -1;

/**
 * Completed chunks: bytes in {@link ByteSlabs}, records in columns (see the file comment).
 * Invariant: a live record's `next` is another live record of the same series or NO_CHUNK; a
 * free record's `next` links the free list.
 */
export class ChunkStore {
  readonly bytes: ByteSlabs;
  minT: Float64Array;
  maxT: Float64Array;
  slab: Uint32Array;
  off: Uint32Array;
  len: Uint32Array;
  next: Int32Array;
  #size = 0;
  #free = NO_CHUNK;
  /** Live records. */
  count = 0;

  /** `spill`: where sealed slabs go (null: they stay in memory). */
  constructor(initialCapacity = 256, spill: SlabSpill | null = null) {
    this.bytes = new ByteSlabs(spill);
    this.minT = new Float64Array(initialCapacity);
    this.maxT = new Float64Array(initialCapacity);
    this.slab = new Uint32Array(initialCapacity);
    this.off = new Uint32Array(initialCapacity);
    this.len = new Uint32Array(initialCapacity);
    this.next = new Int32Array(initialCapacity);
  }

  /** Stores a copy of `src[start, end)` as a chunk spanning [minT, maxT]; returns its id (next = NO_CHUNK). */
  add(src: Uint8Array, start: number, end: number, minT: number, maxT: number): number {
    let id = this.#free;
    if (id !== NO_CHUNK) this.#free = this.next[id]!;
    else {
      if (this.#size === this.next.length) this.#grow();
      id = this.#size++;
    }
    const slab = this.bytes.add(src, start, end);
    this.slab[id] = slab;
    this.off[id] = this.bytes.lastOffset;
    this.len[id] = end - start;
    this.minT[id] = minT;
    this.maxT[id] = maxT;
    this.next[id] = NO_CHUNK;
    this.count++;
    return id;
  }

  /** Frees a record and its bytes; returns its `next`. */
  release(id: number): number {
    const next = this.next[id]!;
    this.bytes.release(this.slab[id]!, this.len[id]!);
    this.next[id] = this.#free;
    this.#free = id;
    this.count--;
    return next;
  }

  /** The chunk's bytes: a view of immutable memory, valid for as long as it is referenced. */
  view(id: number): Uint8Array {
    return this.bytes.view(this.slab[id]!, this.off[id]!, this.len[id]!);
  }

  #grow(): void {
    const n = this.next.length * 2;
    this.minT = grown(this.minT, new Float64Array(n));
    this.maxT = grown(this.maxT, new Float64Array(n));
    this.slab = grown(this.slab, new Uint32Array(n));
    this.off = grown(this.off, new Uint32Array(n));
    this.len = grown(this.len, new Uint32Array(n));
    this.next = grown(this.next, new Int32Array(n));
  }
}

/** Copies `old` into the front of `to` and returns `to`. */
export function grown<T extends { set(a: ArrayLike<number>): void }>(old: ArrayLike<number>, to: T): T {
  to.set(old);
  return to;
}
