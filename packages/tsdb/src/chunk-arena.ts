/**
 * ChunkArena: bump allocation of completed chunks into large shared ArrayBuffers.
 *
 * One `Uint8Array` per chunk, each with its own backing store, costs the JS heap about three
 * times more per series and multiplies GC work; completed chunks never change, so they are copied
 * into 1 MiB slabs and referenced as views. A slab is freed when no chunk in it is referenced.
 */

const SLAB_BYTES = 1 << 20;

/** Copies immutable byte strings into shared slabs. */
export class ChunkArena {
  #slab = new Uint8Array(SLAB_BYTES);
  #used = 0;
  /** Bytes handed out, for metrics. */
  allocatedBytes = 0;

  /** Returns a view holding a copy of `src`. */
  copy(src: Uint8Array): Uint8Array {
    const n = src.length;
    if (n > SLAB_BYTES / 4) return src.slice();
    if (this.#used + n > SLAB_BYTES) {
      this.#slab = new Uint8Array(SLAB_BYTES);
      this.#used = 0;
    }
    const view = this.#slab.subarray(this.#used, this.#used + n);
    view.set(src);
    this.#used += n;
    this.allocatedBytes += n;
    return view;
  }
}
