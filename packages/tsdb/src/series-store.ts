/**
 * SeriesStore: the state of a head's series as columns (struct of arrays) indexed by a slot
 * number, instead of one JavaScript object graph per series.
 *
 * Per slot: the series ref, where its canonical key is (bytes in {@link ByteSlabs}), its newest
 * sample (timestamp and value bits), its open chunk (a slot of {@link OpenChunkPool} plus the XOR
 * encoder's state) and the list of its completed chunks ({@link ChunkStore} records, oldest first).
 * That is ~90 bytes of typed-array memory a series, none of it traced by the garbage collector;
 * the object graph it replaces (MemSeries, XorAppender, their boxed numbers, a Uint8Array and an
 * ArrayBuffer per open chunk, a view per completed chunk, three arrays) took ~1,800 bytes plus
 * the heap's slack at 100k series.
 *
 * Slots of deleted series are reused; refs never are (the WAL names series by ref), so ref → slot
 * goes through `slotOfRef` (4 bytes per ref ever handed out, like the head's series array).
 *
 * Invariants per live slot: `openSlab < 0` iff there is no open chunk, and an open chunk holds at
 * least one sample; completed chunks are ordered by time, do not overlap and end before the open
 * chunk starts; `lastT` is -Infinity until the first sample, and `lastHi`/`lastLo` are the raw
 * bits of the newest sample's value (so a resent sample is recognised bit for bit, NaN included).
 */
import { MAX_SAMPLES_PER_CHUNK } from '@tessera/chunkenc';
import { ByteSlabs, ChunkStore, NO_CHUNK, grown } from './chunk-arena.ts';
import type { SlabSpill } from './chunk-spill.ts';
import { OpenChunkPool } from './open-chunks.ts';
import { MAX_SAMPLE_BYTES, NO_WINDOW, XOR_HEADER_BYTES, XorSlotWriter } from './xor-slot-writer.ts';

/**
 * Slot sizing. A 120-sample chunk takes from about 100 bytes (a constant) to 800 (a noisy gauge).
 * A series' first chunk starts in the smallest slot; when that is full, the chunk moves (a copy)
 * to a slot sized for 120 samples at the bytes per sample seen so far, plus a margin. Later
 * chunks start in a slot holding the series' previous chunk plus the margin, and a cut keeps
 * the slot for the next chunk when it is of that size. So a chunk moves about once in its
 * series' life, and few freed slots are left behind in classes no chunk asks for. (Growing in
 * 1.25× steps instead keeps half-full chunks in smaller slots, but measured 5–18% more RSS at
 * 10k–100k series with full chunks: the freed slots of the smaller classes stay resident.)
 */
const FIRST_CHUNK_BYTES = 64;
const CHUNK_MARGIN = 24;
/** Header and first sample of a typical chunk (a 6-byte varint timestamp and 8 value bytes). */
const FIRST_SAMPLE_BYTES = 16;

/** `flags` bits. */
const WAL_LOGGED = 2;

/**
 * `enc` packs the XOR writer's small fields: sample count (bits 0–15), leading zeros of the XOR
 * window (16–23, NO_WINDOW before the first), trailing zeros (24–29), padding byte (30). One
 * load and one store a sample instead of four.
 */
const NUM_MASK = 0xffff;
const PAD_BIT = 1 << 30;

const nativeCompare = Buffer.prototype.compare;

/** Columns of the head's series (see the file comment). */
export class SeriesStore {
  readonly keys = new ByteSlabs();
  readonly chunks: ChunkStore;
  readonly pool = new OpenChunkPool();
  readonly #w = new XorSlotWriter();

  /** Slot + 1 by ref (0: no such series). */
  slotOfRef = new Int32Array(64);
  /** Ref by slot (0: free slot). */
  refOf: Int32Array;
  keySlab: Uint32Array;
  keyOff: Uint32Array;
  keyLen: Uint32Array;
  lastT: Float64Array;
  lastHi: Uint32Array;
  lastLo: Uint32Array;
  /** Open chunk: slab in the pool (-1: none), offset, size class, first timestamp, range end. */
  openSlab: Int32Array;
  openOff: Uint32Array;
  openCls: Uint8Array;
  openMinT: Float64Array;
  openRangeEnd: Float64Array;
  /** XOR encoder state of the open chunk (XorSlotWriter's fields). */
  tDelta: Float64Array;
  bitLen: Uint32Array;
  enc: Uint32Array;
  /** WAL_LOGGED. */
  flags: Uint8Array;
  /** Completed chunks: first and last record, count. */
  firstChunk: Int32Array;
  lastChunk: Int32Array;
  chunkCount: Uint32Array;

  #capacity: number;
  /** Slots never used yet start here. */
  #fresh = 0;
  readonly #freeSlots: number[] = [];

  /** `spill`: where the completed chunks' sealed slabs go (null: they stay in memory). */
  constructor(initialCapacity = 64, spill: SlabSpill | null = null) {
    this.chunks = new ChunkStore(256, spill);
    const n = (this.#capacity = initialCapacity);
    this.refOf = new Int32Array(n);
    this.keySlab = new Uint32Array(n);
    this.keyOff = new Uint32Array(n);
    this.keyLen = new Uint32Array(n);
    this.lastT = new Float64Array(n);
    this.lastHi = new Uint32Array(n);
    this.lastLo = new Uint32Array(n);
    this.openSlab = new Int32Array(n);
    this.openOff = new Uint32Array(n);
    this.openCls = new Uint8Array(n);
    this.openMinT = new Float64Array(n);
    this.openRangeEnd = new Float64Array(n);
    this.tDelta = new Float64Array(n);
    this.bitLen = new Uint32Array(n);
    this.enc = new Uint32Array(n);
    this.flags = new Uint8Array(n);
    this.firstChunk = new Int32Array(n);
    this.lastChunk = new Int32Array(n);
    this.chunkCount = new Uint32Array(n);
  }

  /** Creates series `ref` (not present) with the canonical key `key[start, end)`; returns its slot. */
  create(ref: number, key: Uint8Array, start: number, end: number): number {
    let slot = this.#freeSlots.pop();
    if (slot === undefined) {
      if (this.#fresh === this.#capacity) this.#grow();
      slot = this.#fresh++;
    }
    while (ref >= this.slotOfRef.length) this.slotOfRef = grown(this.slotOfRef, new Int32Array(this.slotOfRef.length * 2));
    this.slotOfRef[ref] = slot + 1;
    this.refOf[slot] = ref;
    this.keySlab[slot] = this.keys.add(key, start, end);
    this.keyOff[slot] = this.keys.lastOffset;
    this.keyLen[slot] = end - start;
    this.lastT[slot] = -Infinity;
    this.lastHi[slot] = 0;
    this.lastLo[slot] = 0;
    this.openSlab[slot] = -1;
    this.flags[slot] = 0;
    this.firstChunk[slot] = NO_CHUNK;
    this.lastChunk[slot] = NO_CHUNK;
    this.chunkCount[slot] = 0;
    return slot;
  }

  /** Frees a slot and everything its series holds. */
  delete(slot: number): void {
    this.truncateBefore(slot, Infinity);
    const open = this.openSlab[slot]!;
    if (open >= 0) this.pool.free(this.openCls[slot]!, open, this.openOff[slot]!);
    this.openSlab[slot] = -1;
    this.keys.release(this.keySlab[slot]!, this.keyLen[slot]!);
    this.slotOfRef[this.refOf[slot]!] = 0;
    this.refOf[slot] = 0;
    this.#freeSlots.push(slot);
  }

  /** Slot of series `ref`, or -1. */
  slotOf(ref: number): number {
    return ref < this.slotOfRef.length ? this.slotOfRef[ref]! - 1 : -1;
  }

  /** Whether the slot's key equals `buf[start, end)`. */
  keyEquals(slot: number, buf: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (this.keyLen[slot] !== n) return false;
    const key = this.keys.slabs[this.keySlab[slot]!]!;
    const off = this.keyOff[slot]!;
    // Keys are ~100–300 bytes: native memcmp is 2–3× faster there; short keys stay in JS.
    if (n > 48) return nativeCompare.call(buf, key, off, off + n, start, end) === 0;
    for (let i = 0; i < n; i++) if (key[off + i] !== buf[start + i]) return false;
    return true;
  }

  /** A view of the slot's key (allocates the view). */
  key(slot: number): Uint8Array {
    return this.keys.view(this.keySlab[slot]!, this.keyOff[slot]!, this.keyLen[slot]!);
  }

  /** Oldest sample's timestamp, +Infinity when none. */
  minT(slot: number): number {
    const first = this.firstChunk[slot]!;
    if (first !== NO_CHUNK) return this.chunks.minT[first]!;
    return this.openSlab[slot]! >= 0 ? this.openMinT[slot]! : Infinity;
  }

  walLogged(slot: number): boolean {
    return (this.flags[slot]! & WAL_LOGGED) !== 0;
  }

  setWalLogged(slot: number, logged: boolean): void {
    this.flags[slot] = logged ? this.flags[slot]! | WAL_LOGGED : this.flags[slot]! & ~WAL_LOGGED;
  }

  /**
   * Appends the sample `(t, hi:lo)`, `t` greater than the series' last timestamp (checked by the
   * caller). Cuts the open chunk at 120 samples or at the end of its block range. No allocation
   * unless a slab or column must grow.
   */
  append(slot: number, t: number, hi: number, lo: number, rangeMs: number): void {
    const pool = this.pool;
    const w = this.#w;
    let slab = this.openSlab[slot]!;
    let fresh = slab < 0;
    if (!fresh && ((this.enc[slot]! & NUM_MASK) >= MAX_SAMPLES_PER_CHUNK || t >= this.openRangeEnd[slot]!)) {
      slab = this.#cut(slot);
      fresh = true;
    }
    let off: number;
    if (fresh) {
      if (slab < 0) {
        const last = this.lastChunk[slot]!;
        const cls = pool.classFor(last === NO_CHUNK ? FIRST_CHUNK_BYTES : this.chunks.len[last]! + CHUNK_MARGIN);
        slab = pool.alloc(cls);
        this.openSlab[slot] = slab;
        this.openOff[slot] = pool.lastOffset;
        this.openCls[slot] = cls;
      }
      off = this.openOff[slot]!;
      this.openMinT[slot] = t;
      this.openRangeEnd[slot] = (Math.floor(t / rangeMs) + 1) * rangeMs;
      w.bitLen = XOR_HEADER_BYTES * 8;
      w.num = 0;
      w.tDelta = 0;
      w.leading = NO_WINDOW;
      w.trailing = 0;
      w.pad = false;
    } else {
      off = this.openOff[slot]!;
      const bitLen = this.bitLen[slot]!;
      if (((bitLen + 7) >>> 3) + MAX_SAMPLE_BYTES > pool.slotSize(this.openCls[slot]!)) {
        slab = this.#moveToLargerSlot(slot, (bitLen + 7) >>> 3);
        off = this.openOff[slot]!;
      }
      const enc = this.enc[slot]!;
      w.bitLen = bitLen;
      w.num = enc & NUM_MASK;
      w.leading = (enc >>> 16) & 0xff;
      w.trailing = (enc >>> 24) & 0x3f;
      w.pad = (enc & PAD_BIT) !== 0;
      w.tDelta = this.tDelta[slot]!;
      w.t = this.lastT[slot]!;
      w.vHi = this.lastHi[slot]!;
      w.vLo = this.lastLo[slot]!;
    }
    w.buf = pool.slabs[slab]!;
    w.base = off;
    w.append(t, hi, lo);
    this.bitLen[slot] = w.bitLen;
    this.enc[slot] = w.num | (w.leading << 16) | (w.trailing << 24) | (w.pad ? PAD_BIT : 0);
    this.tDelta[slot] = w.tDelta;
    this.lastT[slot] = t;
    this.lastHi[slot] = hi;
    this.lastLo[slot] = lo;
  }

  /** Copies the open chunk into a larger slot (see FIRST_CHUNK_BYTES); returns its slab. */
  #moveToLargerSlot(slot: number, used: number): number {
    const pool = this.pool;
    const cls = this.openCls[slot]!;
    const num = this.numSamples(slot);
    // Bytes per sample after the first (header and first sample take ~FIRST_SAMPLE_BYTES).
    const perSample = num > 1 ? (used - FIRST_SAMPLE_BYTES) / (num - 1) : MAX_SAMPLE_BYTES;
    const predicted = Math.ceil(FIRST_SAMPLE_BYTES + perSample * (MAX_SAMPLES_PER_CHUNK - 1)) + CHUNK_MARGIN;
    const next = pool.classFor(Math.max(used + MAX_SAMPLE_BYTES, predicted));
    if (pool.slotSize(next) < used + MAX_SAMPLE_BYTES) throw new Error(`tsdb: open chunk of ${used} bytes exceeds the largest slot`);
    const oldSlab = this.openSlab[slot]!;
    const oldOff = this.openOff[slot]!;
    const slab = pool.alloc(next);
    const off = pool.lastOffset;
    pool.slabs[slab]!.set(pool.slabs[oldSlab]!.subarray(oldOff, oldOff + used), off);
    pool.free(cls, oldSlab, oldOff);
    this.openSlab[slot] = slab;
    this.openOff[slot] = off;
    this.openCls[slot] = next;
    return slab;
  }

  /** Bytes of the open chunk, header and padding byte included. */
  #openSize(slot: number): number {
    return ((this.bitLen[slot]! + 7) >>> 3) + ((this.enc[slot]! & PAD_BIT) !== 0 ? 1 : 0);
  }

  /** Samples in the open chunk (0 when there is none). */
  numSamples(slot: number): number {
    return this.openSlab[slot]! < 0 ? 0 : this.enc[slot]! & NUM_MASK;
  }

  /**
   * Moves the open chunk into the completed list (its bytes copied into the chunk store). The
   * slot is kept, zeroed, for the next chunk when its size class suits that chunk (the one the
   * chunk just cut asks for, or one larger): returns its slab then, else frees it and returns -1.
   */
  #cut(slot: number): number {
    const slab = this.openSlab[slot]!;
    const off = this.openOff[slot]!;
    const chunks = this.chunks;
    const id = chunks.add(this.pool.slabs[slab]!, off, off + this.#openSize(slot), this.openMinT[slot]!, this.lastT[slot]!);
    const last = this.lastChunk[slot]!;
    if (last === NO_CHUNK) this.firstChunk[slot] = id;
    else chunks.next[last] = id;
    this.lastChunk[slot] = id;
    this.chunkCount[slot]!++;
    const pool = this.pool;
    const cls = this.openCls[slot]!;
    const want = pool.classFor(chunks.len[id]! + CHUNK_MARGIN);
    if (cls === want || cls === want + 1) {
      pool.slabs[slab]!.fill(0, off, off + chunks.len[id]!); // the rest of the slot is zero already
      return slab;
    }
    pool.free(cls, slab, off);
    this.openSlab[slot] = -1;
    return -1;
  }

  /**
   * Calls `fn` for every chunk overlapping [mint, maxt], oldest first. Completed chunks' bytes
   * are immutable views; the open chunk's bytes are a view valid only during the call (`open`
   * says which).
   */
  forEachChunk(slot: number, mint: number, maxt: number, fn: (bytes: Uint8Array, minT: number, maxT: number, open: boolean) => void): void {
    const chunks = this.chunks;
    for (let id = this.firstChunk[slot]!; id !== NO_CHUNK; id = chunks.next[id]!) {
      const cmin = chunks.minT[id]!;
      const cmax = chunks.maxT[id]!;
      if (cmax >= mint && cmin <= maxt) fn(chunks.view(id), cmin, cmax, false);
    }
    const slab = this.openSlab[slot]!;
    if (slab >= 0 && this.lastT[slot]! >= mint && this.openMinT[slot]! <= maxt) {
      const off = this.openOff[slot]!;
      fn(this.pool.slabs[slab]!.subarray(off, off + this.#openSize(slot)), this.openMinT[slot]!, this.lastT[slot]!, true);
    }
  }

  /** Drops completed chunks that end before `mint`; returns how many were dropped. */
  truncateBefore(slot: number, mint: number): number {
    const chunks = this.chunks;
    let id = this.firstChunk[slot]!;
    let n = 0;
    while (id !== NO_CHUNK && chunks.maxT[id]! < mint) {
      id = chunks.release(id);
      n++;
    }
    if (n > 0) {
      this.firstChunk[slot] = id;
      if (id === NO_CHUNK) this.lastChunk[slot] = NO_CHUNK;
      this.chunkCount[slot]! -= n;
    }
    return n;
  }

  #grow(): void {
    const n = (this.#capacity *= 2);
    this.refOf = grown(this.refOf, new Int32Array(n));
    this.keySlab = grown(this.keySlab, new Uint32Array(n));
    this.keyOff = grown(this.keyOff, new Uint32Array(n));
    this.keyLen = grown(this.keyLen, new Uint32Array(n));
    this.lastT = grown(this.lastT, new Float64Array(n));
    this.lastHi = grown(this.lastHi, new Uint32Array(n));
    this.lastLo = grown(this.lastLo, new Uint32Array(n));
    this.openSlab = grown(this.openSlab, new Int32Array(n));
    this.openOff = grown(this.openOff, new Uint32Array(n));
    this.openCls = grown(this.openCls, new Uint8Array(n));
    this.openMinT = grown(this.openMinT, new Float64Array(n));
    this.openRangeEnd = grown(this.openRangeEnd, new Float64Array(n));
    this.tDelta = grown(this.tDelta, new Float64Array(n));
    this.bitLen = grown(this.bitLen, new Uint32Array(n));
    this.enc = grown(this.enc, new Uint32Array(n));
    this.flags = grown(this.flags, new Uint8Array(n));
    this.firstChunk = grown(this.firstChunk, new Int32Array(n));
    this.lastChunk = grown(this.lastChunk, new Int32Array(n));
    this.chunkCount = grown(this.chunkCount, new Uint32Array(n));
  }
}
