/**
 * MemSeries: one series in the head, as the read path and the WAL see it — its ref, its canonical
 * key, its time bounds and its chunks.
 *
 * The state itself lives in the head's {@link SeriesStore} columns; a MemSeries is a small handle
 * (ref, slot, store) whose getters read them. The head keeps one handle per live series, so a
 * series keeps its identity for as long as it lives.
 *
 * Invariants: `key` is the canonical label encoding (see `Labels.encode` in @tessera/model) and
 * never changes; completed chunks are ordered by time and do not overlap; `lastT` is the
 * timestamp of the newest sample (or -Infinity when there is none) and `lastHi`/`lastLo` are the
 * raw bits of its value.
 */
import { hashBytes } from '@tessera/model';
import type { SeriesStore } from './series-store.ts';

/** What a series' open chunk exposes: how many samples it holds. */
export interface OpenChunkInfo {
  readonly numSamples: number;
}

/** A series held in memory. */
export class MemSeries {
  readonly ref: number;
  /** Index of the series in the store's columns. */
  readonly slot: number;
  readonly #store: SeriesStore;

  constructor(ref: number, slot: number, store: SeriesStore) {
    this.ref = ref;
    this.slot = slot;
    this.#store = store;
  }

  /** The canonical label encoding (a view of immutable memory; allocates the view). */
  get key(): Uint8Array {
    return this.#store.key(this.slot);
  }

  /** Hash of the key, as the series table files it. */
  get hash(): number {
    const key = this.key;
    return hashBytes(key, 0, key.length);
  }

  /** Timestamp of the oldest sample still held, or +Infinity when there is none. */
  get minT(): number {
    return this.#live() ? this.#store.minT(this.slot) : Infinity;
  }

  /** Timestamp of the newest sample, or -Infinity when there is none. */
  get lastT(): number {
    return this.#live() ? this.#store.lastT[this.slot]! : -Infinity;
  }

  /** High and low 32 bits of the newest sample's value. */
  get lastHi(): number {
    return this.#store.lastHi[this.slot]!;
  }

  get lastLo(): number {
    return this.#store.lastLo[this.slot]!;
  }

  /** The chunk being appended to, or null. */
  get open(): OpenChunkInfo | null {
    const st = this.#store;
    return st.openSlab[this.slot]! < 0 ? null : { numSamples: st.numSamples(this.slot) };
  }

  /** Timestamp of the first sample of the open chunk (meaningless when there is none). */
  get openMinT(): number {
    return this.#store.openMinT[this.slot]!;
  }

  /** Whether the chunk starting at `minT` is the open one (whose bytes are a live view). */
  isOpenChunk(minT: number): boolean {
    const st = this.#store;
    return st.openSlab[this.slot]! >= 0 && st.openMinT[this.slot] === minT;
  }

  /** True once the series record is in the WAL. */
  get walLogged(): boolean {
    return this.#store.walLogged(this.slot);
  }

  set walLogged(logged: boolean) {
    this.#store.setWalLogged(this.slot, logged);
  }

  /**
   * Appends a sample whose timestamp is greater than `lastT` (checked by the caller); its value
   * bits are `hi:lo` (`values[index]`, kept for callers that pass the array). Cuts the open chunk
   * at 120 samples or at the block range end.
   */
  append(t: number, _values: Float64Array, _index: number, hi: number, lo: number, rangeMs: number, _arena?: unknown): void {
    this.#store.append(this.slot, t, hi, lo, rangeMs);
  }

  /** Number of chunks, the open one included. */
  chunkCount(): number {
    const st = this.#store;
    return st.chunkCount[this.slot]! + (st.openSlab[this.slot]! >= 0 ? 1 : 0);
  }

  /**
   * Calls `fn` for every chunk overlapping [mint, maxt], oldest first. Completed chunks' bytes
   * are immutable; the open chunk's bytes are a view valid only during the call (`open` is true
   * for it).
   */
  forEachChunk(mint: number, maxt: number, fn: (bytes: Uint8Array, minT: number, maxT: number, open: boolean) => void): void {
    if (this.#live()) this.#store.forEachChunk(this.slot, mint, maxt, fn);
  }

  /** Drops completed chunks that end before `mint`; returns how many were dropped. */
  truncateBefore(mint: number): number {
    return this.#live() ? this.#store.truncateBefore(this.slot, mint) : 0;
  }

  /**
   * Whether the series is still in the head. A handle kept past the series' deletion must not
   * read the columns: its slot may hold another series by then. Such a handle reads as empty.
   */
  #live(): boolean {
    return this.#store.refOf[this.slot] === this.ref;
  }
}
