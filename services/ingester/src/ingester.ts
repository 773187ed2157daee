/**
 * Ingester: holds one {@link Head} per tenant under `<dataDir>/tsdb/<tenant>/wal` (its completed
 * chunks spilled to `<tenant>/chunks_head`), appends what the distributor pushes, and answers
 * reads of recent data. With a bucket, older ranges are cut
 * into blocks under `<dataDir>/tsdb/<tenant>/blocks`, shipped to the bucket and then dropped from
 * the heads (block-flusher.ts); without one (or with shipping disabled) the heads keep the
 * retention window and drop older data, truncating the WAL by checkpoint.
 *
 * Concurrency: everything runs on the event-loop thread; `push` is synchronous from the first
 * series to the WAL write, so no two appends to a head interleave.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Matcher, Labels } from '@tessera/model';
import type { Bucket } from '@tessera/objstore';
import { TesseraError, type Logger, type Service } from '@tessera/server';
import { Head, type AppendBatch, type AppendResult, type NewSeriesValidator, type SeriesLimits } from '@tessera/tsdb';
import { BlockFlusher } from './block-flusher.ts';
import { IngestionRates } from './ingestion-rate.ts';
import type { UserStats } from './user-stats.ts';
import { MetadataStore, type MetricMetadata } from './metadata.ts';
import type { FlushConfig } from './options.ts';
import { queryHeadChunks, type ChunkSeries } from './query-chunks.ts';

/** Configuration of the ingester. */
export interface IngesterConfig {
  /** Root data directory; heads live under `<dataDir>/tsdb/<tenant>`. */
  dataDir: string;
  blockRangeMs: number;
  /** How long samples stay in memory (and in the WAL) before they are dropped. */
  retentionMs: number;
  /** How often the retention check runs. */
  truncateIntervalMs: number;
  walSegmentBytes: number;
  walFsyncIntervalMs: number;
  /** Block cutting and shipping (options.ts); default: no shipping, no flush on shutdown. */
  flush?: FlushConfig;
}

/** The default of {@link IngesterConfig.flush}: nothing is cut or shipped. */
const NO_FLUSH: FlushConfig = { shipIntervalMs: 0, headCompactionIntervalMs: 60_000, flushOnShutdown: false, keepShippedMs: 0 };

/** What the ingester needs besides its config. */
export interface IngesterDeps {
  logger: Logger;
  registry: Registry;
  /** The tenant's series limits, read at every push so runtime overrides apply at once. */
  seriesLimits: (tenant: string) => SeriesLimits;
  /** Where blocks are shipped; null or absent: nowhere (the heads keep the retention window). */
  bucket?: Bucket | null;
  /** The clock (ms); default Date.now. */
  now?: () => number;
}

/** A series as the read path returns it. */
export interface SeriesEntry {
  labels: Labels;
}

/** The ingester service. */
export class Ingester implements Service {
  readonly name = 'ingester';
  /** The head validates (through the distributor's callback) only the series it does not hold. */
  readonly validatesNewSeriesOnly = true;
  readonly #cfg: IngesterConfig;
  readonly #deps: IngesterDeps;
  readonly #log: Logger;
  readonly #heads = new Map<string, Head>();
  readonly #metadata = new MetadataStore();
  readonly #flusher: BlockFlusher;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  /** False once shutdown began: pushes are refused with 503 while reads still work. */
  #acceptingWrites = true;
  readonly #appended: Counter<'tenant'>;
  readonly #rates = new IngestionRates();
  #rateTimer: NodeJS.Timeout | null = null;

  constructor(cfg: IngesterConfig, deps: IngesterDeps) {
    this.#cfg = cfg;
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'ingester' });
    const reg = deps.registry;
    this.#appended = new Counter({
      name: 'tessera_ingester_ingested_samples_total',
      help: 'Samples appended to the ingester heads.',
      labelNames: ['tenant'] as const,
      registers: [reg],
    });
    const heads = this.#heads;
    const flush = cfg.flush ?? NO_FLUSH;
    this.#flusher = new BlockFlusher(
      { ...flush, tsdbDir: this.#tsdbDir(), blockRangeMs: cfg.blockRangeMs },
      { bucket: deps.bucket ?? null, logger: this.#log, registry: reg, now: deps.now ?? Date.now, heads: () => heads },
    );
    new Gauge({
      name: 'tessera_ingester_memory_series',
      help: 'Series held in memory (active series), per tenant.',
      labelNames: ['tenant'] as const,
      registers: [reg],
      collect() {
        this.reset();
        for (const [tenant, h] of heads) this.set({ tenant }, h.numSeries);
      },
    });
    new Gauge({
      name: 'tessera_ingester_head_chunk_bytes',
      help: 'Bytes of completed head chunks by where they are: memory, disk (chunks_head files), cache (file pages cached for reads).',
      labelNames: ['location'] as const,
      registers: [reg],
      collect() {
        let inMemory = 0;
        let onDisk = 0;
        let cache = 0;
        for (const h of heads.values()) {
          const b = h.chunkBytes();
          inMemory += b.inMemory;
          onDisk += b.onDisk;
          cache += b.cache;
        }
        this.set({ location: 'memory' }, inMemory);
        this.set({ location: 'disk' }, onDisk);
        this.set({ location: 'cache' }, cache);
      },
    });
    const walCounter = (name: string, help: string, pick: (h: Head) => number): void => {
      new Gauge({
        name,
        help,
        registers: [reg],
        collect() {
          let sum = 0;
          for (const h of heads.values()) sum += pick(h);
          this.set(sum);
        },
      });
    };
    // Counters exposed through collect-time gauges: their sources are plain fields of the WALs.
    walCounter('tessera_ingester_wal_bytes_written_total', 'Bytes written to the WAL.', (h) => h.walStats().bytesWritten);
    walCounter('tessera_ingester_wal_records_written_total', 'Records written to the WAL.', (h) => h.walStats().recordsWritten);
    walCounter('tessera_ingester_wal_fsyncs_total', 'fsync calls on WAL segments.', (h) => h.walStats().fsyncs);
    walCounter('tessera_ingester_wal_fsync_seconds_total', 'Time spent in WAL fsync.', (h) => h.walStats().fsyncSecondsTotal);
    walCounter('tessera_ingester_wal_corruptions_repaired_total', 'Corrupt or torn WAL tails cut off at replay.', (h) => h.walStats().corruptionsRepaired);
    walCounter('tessera_ingester_wal_segments', 'WAL segment files on disk.', (h) => h.walStats().segments);
  }

  /**
   * Replays every tenant's WAL found on disk, reconciles the local blocks with the bucket (blocks
   * a crash left unshipped are uploaded in the background), then starts the timers: block
   * cutting and shipping, or the retention window when nothing is shipped.
   */
  async start(): Promise<void> {
    const root = this.#tsdbDir();
    fs.mkdirSync(root, { recursive: true });
    for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
      if (entry.isDirectory()) this.#openHead(entry.name);
    }
    await this.#flusher.start();
    this.#rateTimer = setInterval(() => this.#rates.tick(), this.#rates.tickMs);
    this.#rateTimer.unref();
    if (!this.#flusher.enabled) {
      this.#timer = setInterval(() => this.truncateAll(Date.now()), this.#cfg.truncateIntervalMs);
      this.#timer.unref();
    }
  }

  /**
   * Stops: further pushes fail with 503; waits for a running cut or upload; with flush on
   * shutdown, cuts and uploads everything the heads hold; then closes every head (its WAL
   * flushed and fsynced).
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#acceptingWrites = false;
    if (this.#timer !== null) clearInterval(this.#timer);
    if (this.#rateTimer !== null) clearInterval(this.#rateTimer);
    await this.#flusher.stop((this.#cfg.flush ?? NO_FLUSH).flushOnShutdown);
    for (const [tenant, h] of this.#heads) {
      try {
        h.close();
      } catch (e) {
        this.#log.error({ err: e, tenant }, 'closing head failed');
      }
    }
  }

  /**
   * Begins shutdown on the write side: from now on every push fails with 503
   * (`ingester-stopping`), so senders retry elsewhere, while reads go on until {@link stop}.
   */
  stopAcceptingWrites(): void {
    this.#acceptingWrites = false;
  }

  /** True until {@link stopAcceptingWrites} or {@link stop} is called. */
  get acceptingWrites(): boolean {
    return this.#acceptingWrites;
  }

  #tsdbDir(): string {
    return path.join(this.#cfg.dataDir, 'tsdb');
  }

  #openHead(tenant: string): Head {
    const head = Head.open({
      walDir: path.join(this.#tsdbDir(), tenant, 'wal'),
      blockRangeMs: this.#cfg.blockRangeMs,
      walSegmentBytes: this.#cfg.walSegmentBytes,
      walFsyncIntervalMs: this.#cfg.walFsyncIntervalMs,
      // Completed chunks go to disk (Prometheus's chunks_head): they are read only by queries.
      chunksDir: path.join(this.#tsdbDir(), tenant, 'chunks_head'),
      logger: this.#log.child({ tenant }),
    });
    this.#heads.set(tenant, head);
    return head;
  }

  /** The tenant's head, created on first use. */
  #headFor(tenant: string): Head {
    return this.#heads.get(tenant) ?? this.#openHead(tenant);
  }

  /**
   * Appends a validated batch for a tenant and writes it to the WAL. `seriesOk`/`sampleOk` mark
   * what validation let through (null: all). Throws a 503 TesseraError once stopping, and a 500
   * when the WAL cannot be written.
   */
  push(
    tenant: string,
    batch: AppendBatch,
    seriesOk: Uint8Array | null,
    sampleOk: Uint8Array | null,
    result: AppendResult,
    validateNew: NewSeriesValidator | null = null,
  ): void {
    if (!this.#acceptingWrites) {
      throw new TesseraError('unavailable', 'ingester-stopping', 'ingester is shutting down; retry');
    }
    const head = this.#headFor(tenant);
    try {
      head.appendBatch(batch, seriesOk, sampleOk, this.#deps.seriesLimits(tenant), result, validateNew);
    } catch (e) {
      throw new TesseraError('internal', 'wal-write-failed', `could not write the WAL: ${(e as Error).message}`, { cause: e });
    }
    if (result.samplesAppended > 0) {
      this.#appended.inc({ tenant }, result.samplesAppended);
      this.#rates.add(tenant, result.samplesAppended);
    }
  }

  /** Records metric metadata sent with remote-write. */
  pushMetadata(tenant: string, entries: readonly MetricMetadata[]): void {
    this.#metadata.add(tenant, entries);
  }

  /** Metadata of a tenant's metrics (for the metadata API). */
  metadata(tenant: string, metric?: string, limit?: number): Map<string, MetricMetadata[]> {
    return this.#metadata.get(tenant, metric, limit);
  }

  /** Labels of the series matching any matcher set, with samples in [mint, maxt]. */
  series(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Labels[] {
    const head = this.#heads.get(tenant);
    if (head === undefined) return [];
    const seen = new Set<number>();
    const out: Labels[] = [];
    for (const ms of sets) {
      for (const s of head.select(ms, mint, maxt)) {
        if (seen.has(s.ref)) continue;
        seen.add(s.ref);
        out.push(head.labelsOf(s));
      }
    }
    return out;
  }

  /** Sorted label names of a tenant's series (restricted by matcher sets when given). */
  labelNames(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] {
    return this.#heads.get(tenant)?.labelNames(sets, mint, maxt) ?? [];
  }

  /** Sorted values of a label over a tenant's series (restricted by matcher sets when given). */
  labelValues(tenant: string, name: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] {
    return this.#heads.get(tenant)?.labelValues(name, sets, mint, maxt) ?? [];
  }

  /**
   * The read RPC of the query path: the tenant's series matching every matcher with chunks
   * overlapping [mint, maxt] (ms, inclusive), sorted by labels, with those chunks (see
   * query-chunks.ts for the snapshot rule).
   */
  queryChunks(tenant: string, matchers: readonly Matcher[], mint: number, maxt: number): ChunkSeries[] {
    const head = this.#heads.get(tenant);
    return head === undefined ? [] : queryHeadChunks(head, matchers, mint, maxt);
  }

  /** The tenant's in-memory series and ingestion rate (samples/s, smoothed over about a minute). */
  userStats(tenant: string): UserStats {
    return { numSeries: this.#heads.get(tenant)?.numSeries ?? 0, ingestionRate: this.#rates.rate(tenant) };
  }

  /** The head of a tenant, if it has one (for the query engine and tests). */
  head(tenant: string): Head | undefined {
    return this.#heads.get(tenant);
  }

  /** Block cutting and shipping (for tests and the status pages). */
  get flusher(): BlockFlusher {
    return this.#flusher;
  }

  /** Applies the retention window to every head as of `now` (ms). */
  truncateAll(now: number): void {
    const mint = now - this.#cfg.retentionMs;
    for (const [tenant, head] of this.#heads) {
      if (head.state.minT >= mint) continue;
      try {
        const r = head.truncate(mint);
        this.#log.info({ tenant, ...r, mint: new Date(mint).toISOString() }, 'head truncated to the retention window');
      } catch (e) {
        this.#log.error({ err: e, tenant }, 'head truncation failed');
      }
    }
  }
}
