/**
 * Head: one tenant's in-memory time series database — series, their XOR chunks, the postings
 * index — made durable by a write-ahead log.
 *
 * Concurrency: a Head is used from one thread; every method runs to completion synchronously, so
 * a batch is appended atomically with respect to reads and other batches.
 *
 * Durability: {@link Head.appendBatch} writes the batch's new series and accepted samples to the
 * WAL (a write syscall, i.e. into the OS page cache) before it returns, so a caller that
 * acknowledges afterwards never acknowledges a sample a process crash could lose. On open the WAL
 * is replayed; a torn tail is cut off by the WAL.
 *
 * The split of concerns follows Prometheus's head: this file holds the state and the series
 * lifecycle, `head-append.ts` the write path, `head-read.ts` the read path, `head-wal.ts` the log.
 */
import { Labels, hashBytes } from '@tessera/model';
import { MemSeries } from './mem-series.ts';
import { MemPostings } from './postings.ts';
import { SeriesStore } from './series-store.ts';
import { SeriesTable } from './series-table.ts';
import type { SlabSpill } from './chunk-spill.ts';

/** Minimal logger interface (pino-compatible). */
export interface HeadLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Configuration of a head. */
export interface HeadOptions {
  /** Directory of this head's WAL. */
  walDir: string;
  /** Block range: chunks are cut at its boundaries; samples older than maxT − range/2 are too old. Default 2h. */
  blockRangeMs?: number;
  /** WAL segment size in bytes (default 128 MiB). */
  walSegmentBytes?: number;
  /** WAL fsync period in ms (default 1000; 0 = on every append). */
  walFsyncIntervalMs?: number;
  /**
   * Directory for completed chunks (Prometheus's `chunks_head`): when set, full 1 MiB slabs of
   * completed chunks are written there and dropped from memory (chunk-spill.ts). Emptied on
   * open: the WAL replay rebuilds every chunk. Unset: every chunk stays in memory.
   */
  chunksDir?: string;
  logger: HeadLogger;
}

const DEFAULT_BLOCK_RANGE_MS = 2 * 3600 * 1000;

/** Shared state of a head, read by the append, read and WAL halves. */
export class HeadState {
  readonly blockRangeMs: number;
  readonly logger: HeadLogger;
  /** Series state, keys and chunks as columns (see series-store.ts). */
  readonly store: SeriesStore;
  /** Where completed chunks are spilled, or null. */
  readonly spill: SlabSpill | null;
  readonly postings = new MemPostings();
  /** Series by ref; refs start at 1; holes where series were garbage-collected. */
  readonly series: (MemSeries | undefined)[] = [undefined];
  readonly table: SeriesTable<MemSeries>;
  /** Number of series per metric name, for the per-metric limit. */
  readonly perMetric = new Map<string, number>();
  nextRef = 1;
  numSeries = 0;
  /** Newest and oldest sample timestamps held (±Infinity when empty). */
  maxT = -Infinity;
  minT = Infinity;
  /** Samples appended since start (replay included). */
  samplesAppended = 0;

  constructor(blockRangeMs: number, logger: HeadLogger, spill: SlabSpill | null = null) {
    this.blockRangeMs = blockRangeMs;
    this.logger = logger;
    this.spill = spill;
    const store = (this.store = new SeriesStore(64, spill));
    this.table = new SeriesTable<MemSeries>(
      (ref) => this.series[ref],
      (ref, buf, start, end) => store.keyEquals(store.slotOfRef[ref]! - 1, buf, start, end),
    );
  }

  /** The store, under the name the WAL replay passes to {@link MemSeries.append}. */
  get arena(): SeriesStore {
    return this.store;
  }

  /** Oldest timestamp a new sample may have: samples before it are "too old" (out of bounds). */
  minValidTime(): number {
    return this.maxT === -Infinity ? -Infinity : this.maxT - this.blockRangeMs / 2;
  }

  /**
   * Creates a series with the given canonical labels. `ref` is given on WAL replay, else the next
   * free ref is used. The caller has checked that the key is not present.
   */
  createSeries(labels: Labels, key: Uint8Array, hash: number, ref = this.nextRef): MemSeries {
    const names: string[] = [];
    const values: string[] = [];
    labels.forEach((n, v) => {
      names.push(n);
      values.push(v);
    });
    const metric = labels.get('__name__');
    const s = new MemSeries(ref, this.store.create(ref, key, 0, key.length), this.store);
    while (this.series.length <= ref) this.series.push(undefined);
    this.series[ref] = s;
    if (ref >= this.nextRef) this.nextRef = ref + 1;
    this.table.add(hash, ref);
    this.postings.add(ref, names, values);
    this.perMetric.set(metric, (this.perMetric.get(metric) ?? 0) + 1);
    this.numSeries++;
    return s;
  }

  /** Removes series (already dropped from use) from every index. */
  deleteSeries(refs: ReadonlySet<number>): void {
    if (refs.size === 0) return;
    for (const ref of refs) {
      const s = this.series[ref];
      if (s === undefined) continue;
      this.series[ref] = undefined;
      const metric = Labels.decode(s.key).get('__name__');
      const n = (this.perMetric.get(metric) ?? 1) - 1;
      if (n === 0) this.perMetric.delete(metric);
      else this.perMetric.set(metric, n);
      this.store.delete(s.slot);
      this.numSeries--;
    }
    this.postings.remove(refs);
    const store = this.store;
    this.table.rebuild(
      (function* (live: IterableIterator<MemSeries>) {
        for (const s of live) {
          const slot = s.slot;
          yield [hashBytes(store.keys.slabs[store.keySlab[slot]!]!, store.keyOff[slot]!, store.keyOff[slot]! + store.keyLen[slot]!), s.ref] as const;
        }
      })(this.liveSeries()),
      this.numSeries,
    );
  }

  /** Iterates live series in ref order. */
  *liveSeries(): IterableIterator<MemSeries> {
    for (const s of this.series) if (s !== undefined) yield s;
  }
}

export { DEFAULT_BLOCK_RANGE_MS };
