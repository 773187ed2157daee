/**
 * OpenChunkPool: the buffers of the chunks being appended to, as fixed-size slots carved from
 * shared 64 KiB slabs, one free list per size class.
 *
 * A series' open chunk used to be an `XorAppender` with its own `Uint8Array` and `ArrayBuffer`
 * (about 350 bytes of objects and allocator overhead a series besides the bytes, and a freed
 * buffer for the garbage collector at every chunk cut). Here a slot is named by two integers,
 * its slab and its offset, that the series keeps in its columns. A chunk grows by moving to a
 * slot of a larger class (a copy); a cut returns its slot to its class's free list.
 *
 * Growing through the classes leaves freed slots behind in the smaller classes, all at once
 * when many series start together. So a slab none of whose slots is in use goes back to a
 * shared list of empty slabs, for any class to carve: the pool's memory follows the bytes the
 * open chunks hold, not the largest number of slots a class ever had. Finding empty slabs means
 * filtering a class's free list; that is done when empty slabs hold at least a quarter of it,
 * so the work is constant per freed slot, amortised.
 *
 * Invariant: a slot handed out by {@link OpenChunkPool.alloc} is zero-filled (the XOR bit writer
 * ORs bits into the partly written byte, so the bytes past its end must be zero).
 */
import { grown } from './chunk-arena.ts';

/**
 * Slot sizes in bytes, about 1.25× apart, so that a chunk wastes under a fifth of its slot. The
 * largest holds any 120-sample chunk (at most ~2,200 bytes plus the writer's reserve).
 */
export const SLOT_SIZES: readonly number[] = [
  64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 4096,
];

/** Bytes per slab (every class's slots fit a slab with at most one slot's waste). */
const SLAB_BYTES = 64 * 1024;
/** Free-list entries are slab × LOC_SCALE + offset (offsets are below the slab size). */
const LOC_SCALE = 65536;

/** Slots of one size. */
class SlotClass {
  readonly size: number;
  readonly perSlab: number;
  /** Free slots as slab × LOC_SCALE + offset. */
  free = new Float64Array(64);
  freeCount = 0;
  /** Slabs of this class with no slot in use, whose slots are still on the free list. */
  emptySlabs = 0;
  /** Slab being carved and the next fresh slot in it (perSlab when full). */
  slab = -1;
  next = 0;

  constructor(size: number) {
    this.size = size;
    this.perSlab = Math.floor(SLAB_BYTES / size);
    this.next = this.perSlab;
  }
}

/** Size-class slot allocator for open chunk buffers (see the file comment). */
export class OpenChunkPool {
  /** Slabs by index, each serving one class at a time. */
  readonly slabs: Uint8Array[] = [];
  /** Slots in use per slab. */
  #live = new Int32Array(16);
  /** Slabs no class uses, ready to be zeroed and carved. */
  readonly #spare: number[] = [];
  readonly #classes = SLOT_SIZES.map((s) => new SlotClass(s));
  /** Offset of the slot returned by the last {@link alloc}. */
  lastOffset = 0;

  /** The smallest class whose slots hold `bytes` bytes (the largest class if none does). */
  classFor(bytes: number): number {
    for (let c = 0; c < SLOT_SIZES.length; c++) if (SLOT_SIZES[c]! >= bytes) return c;
    return SLOT_SIZES.length - 1;
  }

  /** Size in bytes of the slots of class `cls`. */
  slotSize(cls: number): number {
    return SLOT_SIZES[cls]!;
  }

  /** Takes a zero-filled slot of class `cls`; returns its slab, its offset in {@link lastOffset}. */
  alloc(cls: number): number {
    const c = this.#classes[cls]!;
    let slab: number;
    let off: number;
    if (c.freeCount > 0) {
      const loc = c.free[--c.freeCount]!;
      slab = Math.floor(loc / LOC_SCALE);
      off = loc - slab * LOC_SCALE;
      if (this.#live[slab] === 0) c.emptySlabs--;
      this.slabs[slab]!.fill(0, off, off + c.size);
    } else {
      if (c.next === c.perSlab) {
        c.slab = this.#takeSlab();
        c.next = 0;
      }
      slab = c.slab;
      off = c.next++ * c.size;
    }
    this.#live[slab]!++;
    this.lastOffset = off;
    return slab;
  }

  /** Returns a slot to its class. */
  free(cls: number, slab: number, off: number): void {
    const c = this.#classes[cls]!;
    if (c.freeCount === c.free.length) c.free = grown(c.free, new Float64Array(c.free.length * 2));
    c.free[c.freeCount++] = slab * LOC_SCALE + off;
    if (--this.#live[slab]! === 0 && slab !== c.slab) {
      c.emptySlabs++;
      if (c.emptySlabs * c.perSlab * 4 >= c.freeCount) this.#releaseEmptySlabs(c);
    }
  }

  /** Bytes of slabs in use by some class, for tests and metrics. */
  get reservedBytes(): number {
    return (this.slabs.length - this.#spare.length) * SLAB_BYTES;
  }

  /** Drops the free-list entries of the class's empty slabs and makes those slabs spare. */
  #releaseEmptySlabs(c: SlotClass): void {
    const free = c.free;
    let kept = 0;
    for (let i = 0; i < c.freeCount; i++) {
      const loc = free[i]!;
      const slab = Math.floor(loc / LOC_SCALE);
      if (this.#live[slab] === 0 && slab !== c.slab) {
        // Mark the slab once: -1 until it is carved again.
        this.#live[slab] = -1;
        this.#spare.push(slab);
      } else if (this.#live[slab]! >= 0) {
        free[kept++] = loc;
      }
    }
    c.freeCount = kept;
    c.emptySlabs = 0;
  }

  /** A zeroed slab for a class to carve: a spare one, else a new one. */
  #takeSlab(): number {
    const spare = this.#spare.pop();
    if (spare !== undefined) {
      this.slabs[spare]!.fill(0);
      this.#live[spare] = 0;
      return spare;
    }
    const i = this.slabs.length;
    this.slabs.push(new Uint8Array(SLAB_BYTES));
    if (i === this.#live.length) this.#live = grown(this.#live, new Int32Array(i * 2));
    return i;
  }
}
