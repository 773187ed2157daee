/**
 * MemSeries: one series in the head — its canonical key, its open chunk and its completed chunks.
 *
 * Invariants: `key` is the canonical label encoding (see `Labels.encode` in @tessera/model) and
 * never changes; completed chunks are ordered by time and do not overlap; `lastT` is the timestamp
 * of the newest sample (or -Infinity when there is none) and `lastHi`/`lastLo` are the raw bits of
 * its value, so that a resent sample is recognised as a duplicate bit for bit (NaN included).
 */
import { XorAppender, MAX_SAMPLES_PER_CHUNK } from '@tessera/chunkenc';
import type { ChunkArena } from './chunk-arena.ts';

/**
 * Initial size of a series' first open chunk. A 120-sample chunk takes from about 100 bytes (a
 * constant) to 800 (a noisy gauge); later chunks start at the size of the series' previous
 * chunk plus a margin, so that a chunk buffer rarely has to grow (each growth is a copy).
 */
const OPEN_CHUNK_BYTES = 192;
const OPEN_CHUNK_MARGIN = 24;

/** A series held in memory. */
export class MemSeries {
  readonly ref: number;
  readonly hash: number;
  readonly key: Uint8Array;
  /** Timestamp of the oldest sample still held, or +Infinity when there is none. */
  minT = Infinity;
  /** Timestamp of the newest sample, or -Infinity when there is none. */
  lastT = -Infinity;
  /** High and low 32 bits of the newest sample's value. */
  lastHi = 0;
  lastLo = 0;
  /** The chunk being appended to, or null. */
  open: XorAppender | null = null;
  /** Timestamp of the first sample of the open chunk. */
  openMinT = 0;
  /** End (exclusive) of the block range the open chunk belongs to: the chunk is cut there. */
  openRangeEnd = 0;
  /** Completed chunks, oldest first, with their time bounds (inclusive). */
  chunks: Uint8Array[] | null = null;
  chunkMinT: number[] | null = null;
  chunkMaxT: number[] | null = null;
  /** True once the series record is in the WAL. */
  walLogged = false;
  /** Metric name (for the per-metric series limit and metadata). */
  readonly metricName: string;

  constructor(ref: number, hash: number, key: Uint8Array, metricName: string) {
    this.ref = ref;
    this.hash = hash;
    this.key = key;
    this.metricName = metricName;
  }

  /**
   * Appends a sample whose timestamp is greater than `lastT` (checked by the caller). The value is
   * `values[index]`, read by its bits. Cuts the open chunk at 120 samples or at the block range end.
   */
  append(t: number, values: Float64Array, index: number, hi: number, lo: number, rangeMs: number, arena: ChunkArena): void {
    let open = this.open;
    if (open !== null && (open.numSamples >= MAX_SAMPLES_PER_CHUNK || t >= this.openRangeEnd)) {
      this.#cut(open, arena);
      open = null;
    }
    if (open === null) {
      const last = this.chunks === null ? null : this.chunks[this.chunks.length - 1]!;
      open = new XorAppender(last === null ? OPEN_CHUNK_BYTES : last.length + OPEN_CHUNK_MARGIN);
      this.open = open;
      this.openMinT = t;
      this.openRangeEnd = (Math.floor(t / rangeMs) + 1) * rangeMs;
    }
    open.appendFrom(t, values, index);
    if (t < this.minT) this.minT = t;
    this.lastT = t;
    this.lastHi = hi;
    this.lastLo = lo;
  }

  /** Moves the open chunk into the completed list, copying its bytes into the arena. */
  #cut(open: XorAppender, arena: ChunkArena): void {
    if (this.chunks === null) {
      this.chunks = [];
      this.chunkMinT = [];
      this.chunkMaxT = [];
    }
    this.chunks.push(arena.copy(open.bytes()));
    this.chunkMinT!.push(this.openMinT);
    this.chunkMaxT!.push(open.lastTimestamp());
    this.open = null;
  }

  /** Number of chunks, the open one included. */
  chunkCount(): number {
    return (this.chunks?.length ?? 0) + (this.open === null ? 0 : 1);
  }

  /**
   * Calls `fn` for every chunk overlapping [mint, maxt], oldest first. The open chunk's bytes are
   * a view valid only during the call.
   */
  forEachChunk(mint: number, maxt: number, fn: (bytes: Uint8Array, minT: number, maxT: number) => void): void {
    const chunks = this.chunks;
    if (chunks !== null) {
      for (let i = 0; i < chunks.length; i++) {
        const cmin = this.chunkMinT![i]!;
        const cmax = this.chunkMaxT![i]!;
        if (cmax >= mint && cmin <= maxt) fn(chunks[i]!, cmin, cmax);
      }
    }
    const open = this.open;
    if (open !== null && open.numSamples > 0 && this.lastT >= mint && this.openMinT <= maxt) {
      fn(open.bytes(), this.openMinT, this.lastT);
    }
  }

  /** Drops completed chunks that end before `mint`; returns how many were dropped. */
  truncateBefore(mint: number): number {
    const chunks = this.chunks;
    if (chunks === null) return 0;
    let n = 0;
    while (n < chunks.length && this.chunkMaxT![n]! < mint) n++;
    if (n > 0) {
      chunks.splice(0, n);
      this.chunkMinT!.splice(0, n);
      this.chunkMaxT!.splice(0, n);
      this.minT = chunks.length > 0 ? this.chunkMinT![0]! : this.open !== null ? this.openMinT : Infinity;
    }
    return n;
  }
}
