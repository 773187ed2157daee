/**
 * BlockFlusher: moves the ingester's older data from the heads to the bucket — every
 * head-compaction interval it cuts the ranges the cut rule allows into local blocks, every ship
 * interval (and right after a cut) it uploads them and lets the heads drop what the bucket holds;
 * on a clean stop it can flush everything (see tenant-blocks.ts for the per-tenant steps and why
 * a crash at any point loses nothing).
 *
 * Concurrency: one cycle (cut, ship or flush) runs at a time; the others queue behind it. Pushes
 * and reads go on meanwhile: a cut snapshots the head synchronously, and head truncation is
 * synchronous.
 */
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { Bucket } from '@tessera/objstore';
import type { Logger } from '@tessera/server';
import type { Head } from '@tessera/tsdb';
import { FlushMetrics } from './flush-metrics.ts';
import type { FlushConfig } from './options.ts';
import { TenantBlocks } from './tenant-blocks.ts';

/** Configuration of a {@link BlockFlusher}. */
export interface BlockFlusherConfig extends FlushConfig {
  /** `<dataDir>/tsdb`: one directory per tenant. */
  tsdbDir: string;
  blockRangeMs: number;
}

/** What a {@link BlockFlusher} is given. */
export interface BlockFlusherDeps {
  /** Where blocks go; null: no shipping at all. */
  bucket: Bucket | null;
  logger: Logger;
  registry: Registry;
  now: () => number;
  /** The ingester's heads by tenant (read at every cycle: tenants appear with their first push). */
  heads: () => ReadonlyMap<string, Head>;
}

/** See the module comment. */
export class BlockFlusher {
  readonly #cfg: BlockFlusherConfig;
  readonly #deps: BlockFlusherDeps;
  readonly #log: Logger;
  readonly #metrics: FlushMetrics;
  readonly #tenants = new Map<string, TenantBlocks>();
  #chain: Promise<void> = Promise.resolve();
  #timers: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(cfg: BlockFlusherConfig, deps: BlockFlusherDeps) {
    this.#cfg = cfg;
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'ingester-shipper' });
    const tenants = this.#tenants;
    this.#metrics = new FlushMetrics(deps.registry, () => {
      let n = 0;
      for (const t of tenants.values()) n += t.pending;
      return n;
    });
  }

  /** True when heads are cut and shipped periodically (a bucket and a non-zero ship interval). */
  get enabled(): boolean {
    return this.#deps.bucket !== null && this.#cfg.shipIntervalMs > 0;
  }

  /**
   * Loads the local blocks of every tenant whose head is open (after the WAL replay), uploads
   * those a crash left behind, and starts the timers. The first upload runs in the background.
   */
  async start(): Promise<void> {
    if (this.#deps.bucket === null) {
      if (this.#cfg.flushOnShutdown) this.#log.warn({}, 'flush on shutdown is enabled but there is no bucket: nothing will be flushed');
      return;
    }
    await this.#serial(async () => {
      for (const [tenant, head] of this.#deps.heads()) await this.#tenant(tenant, head);
    });
    if (!this.enabled) return;
    const every = (ms: number, fn: () => Promise<void>): void => {
      const t = setInterval(() => void fn(), ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.#cfg.headCompactionIntervalMs, () => this.cutCycle());
    every(this.#cfg.shipIntervalMs, () => this.shipCycle());
    void this.shipCycle();
  }

  /**
   * Stops the timers and waits for the running cycle; with `flush` (and a bucket), then cuts
   * everything the heads hold, uploads it and empties the heads of what was uploaded. The caller
   * must have stopped accepting writes.
   */
  async stop(flush: boolean): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    if (flush && this.#deps.bucket !== null) {
      await this.#serial(() => this.#flushAll(), true);
    } else {
      await this.#chain;
    }
  }

  /** One head-compaction check: cuts what is ready, then ships at once when anything was cut. */
  cutCycle(): Promise<void> {
    return this.#serial(async () => {
      let cut = 0;
      for (const [tenant, head] of this.#deps.heads()) {
        const tb = await this.#tenant(tenant, head);
        cut += await tb.cutReady(head, this.#cfg.blockRangeMs);
      }
      if (cut > 0) await this.#shipAll(this.#cfg.keepShippedMs);
    });
  }

  /** One ship interval: uploads pending blocks and truncates the heads. */
  shipCycle(): Promise<void> {
    return this.#serial(() => this.#shipAll(this.#cfg.keepShippedMs));
  }

  /** Local blocks not uploaded yet, over all tenants. */
  get pendingBlocks(): number {
    let n = 0;
    for (const t of this.#tenants.values()) n += t.pending;
    return n;
  }

  async #flushAll(): Promise<void> {
    const started = Date.now();
    for (const [tenant, head] of this.#deps.heads()) {
      const tb = await this.#tenant(tenant, head);
      await tb.cutAll(head, this.#cfg.blockRangeMs);
    }
    // The process is going away: nothing needs to stay in the heads once it is in the bucket.
    await this.#shipAll(0);
    const pending = this.pendingBlocks;
    if (pending > 0) this.#log.error({ pending }, 'flush on shutdown: some blocks could not be uploaded; they stay on local disk and are uploaded at the next start');
    else this.#log.info({ durationMs: Date.now() - started }, 'flush on shutdown: every head is in the bucket');
  }

  async #shipAll(keepShippedMs: number): Promise<void> {
    const bucket = this.#deps.bucket;
    if (bucket === null) return;
    for (const [tenant, head] of this.#deps.heads()) {
      const tb = await this.#tenant(tenant, head);
      await tb.ship(bucket, this.#deps.now);
      try {
        await tb.truncateShipped(head, this.#deps.now(), keepShippedMs);
      } catch (err) {
        this.#log.error({ err, tenant }, 'dropping shipped data from the head failed');
      }
    }
  }

  async #tenant(tenant: string, head: Head): Promise<TenantBlocks> {
    let tb = this.#tenants.get(tenant);
    if (tb === undefined) {
      tb = await TenantBlocks.load(tenant, join(this.#cfg.tsdbDir, tenant), head, this.#deps.now(), this.#log, this.#metrics);
      this.#tenants.set(tenant, tb);
    }
    return tb;
  }

  /**
   * Runs `fn` after the cycles queued before it. Errors are logged, never thrown (timers call
   * this). Once stopped, only the final flush (`final`) still runs.
   */
  #serial(fn: () => Promise<void>, final = false): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#stopped && !final) return;
      try {
        await fn();
      } catch (err) {
        this.#log.error({ err }, 'block cycle failed');
      }
    };
    const p = this.#chain.then(run);
    this.#chain = p;
    return p;
  }
}
