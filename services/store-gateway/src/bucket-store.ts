/**
 * BucketStore: the store read path. It keeps a bucket index per tenant (the blocks listed from
 * `<tenant>/` in the bucket, refreshed every sync interval and on demand when a query finds it
 * older than that), caches each queried block's index under the sync dir, reads chunks with
 * ranged gets, and answers the querier's reads — ChunkReader (`queryChunks`) and IngesterReader
 * (`series`, `labelNames`, `labelValues`) — so that the query path merges it with the ingesters.
 *
 * Several blocks may hold the same series (consecutive ranges, or the replicas' copies of one
 * range before the compactor merged them): each series is answered once, with one time-ordered,
 * non-overlapping chunk list (see merge-chunks.ts).
 */
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { listTenants, mapLimit } from '@tessera/blockstore';
import type { ChunkData, ChunkSeries } from '@tessera/ingester';
import { Labels, compareUtf8, type Matcher } from '@tessera/model';
import { isObjectNotFound, type Bucket } from '@tessera/objstore';
import { TesseraError, type Logger, type Service } from '@tessera/server';
import type { BlockReader } from '@tessera/tsdb';
import { mergeChunkLists } from './merge-chunks.ts';
import { BucketStoreMetrics } from './metrics.ts';
import { TenantBlocks, type StoreBlock } from './tenant-blocks.ts';

/** Settings of a {@link BucketStore} (see options.ts). */
export interface BucketStoreSettings {
  syncIntervalMs: number;
  syncDir: string;
  ignoreDeletionMarksDelayMs: number;
}

/** What a BucketStore is given. */
export interface BucketStoreDeps {
  bucket: Bucket;
  logger: Logger;
  registry?: Registry;
  now?: () => number;
}

/** Blocks read concurrently by one query. */
const BLOCK_CONCURRENCY = 8;

/** Turns a failure to reach or read the store into a TesseraError a client can act on. */
function storeError(tenant: string, e: unknown): TesseraError {
  // A block deleted under a running query (compacted away): the query can be retried, and a
  // missing object is not the client's 404.
  if (isObjectNotFound(e)) {
    return new TesseraError('unavailable', 'store-block-gone', `a block of tenant ${tenant} was deleted while being read; retry the query`, { cause: e });
  }
  if (TesseraError.is(e)) return e;
  return new TesseraError('internal', 'store-read-failed', `reading blocks of tenant ${tenant}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

/** The bucket store service. */
export class BucketStore implements Service {
  readonly name = 'bucket-store';
  readonly #cfg: BucketStoreSettings;
  readonly #bucket: Bucket;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #metrics: BucketStoreMetrics;
  readonly #tenants = new Map<string, TenantBlocks>();
  #timer: NodeJS.Timeout | undefined;
  #syncingAll: Promise<void> | null = null;

  constructor(cfg: BucketStoreSettings, deps: BucketStoreDeps) {
    this.#cfg = cfg;
    this.#bucket = deps.bucket;
    this.#logger = deps.logger.child({ component: 'bucket-store' });
    this.#now = deps.now ?? Date.now;
    this.#metrics = new BucketStoreMetrics(deps.registry ?? new Registry(), () => {
      let n = 0;
      for (const t of this.#tenants.values()) n += t.blocks.length;
      return n;
    });
  }

  /** Lists every tenant's blocks once (a failure is logged: queries retry on demand), then syncs periodically. */
  async start(): Promise<void> {
    await this.syncAll().catch(() => {});
    this.#timer = setInterval(() => void this.syncAll().catch(() => {}), this.#cfg.syncIntervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#syncingAll?.catch(() => {});
    const tenants = [...this.#tenants.values()];
    this.#tenants.clear();
    for (const t of tenants) await t.close();
  }

  /** Refreshes the index of every tenant in the bucket (and forgets tenants gone from it). */
  syncAll(): Promise<void> {
    this.#syncingAll ??= this.#syncAll().finally(() => (this.#syncingAll = null));
    return this.#syncingAll;
  }

  async #syncAll(): Promise<void> {
    try {
      const tenants = await listTenants(this.#bucket);
      const present = new Set(tenants);
      await mapLimit(tenants, 4, (t) => this.#tenant(t).sync());
      for (const [t, blocks] of this.#tenants) {
        if (!present.has(t) && blocks.lastSync < this.#now() - this.#cfg.syncIntervalMs) {
          this.#tenants.delete(t);
          await blocks.close();
        }
      }
      this.#metrics.syncs.inc({ outcome: 'success' });
      this.#metrics.lastSync.set(this.#now() / 1000);
    } catch (e) {
      this.#metrics.syncs.inc({ outcome: 'failure' });
      this.#logger.warn({ err: e }, 'syncing the bucket index failed; retrying at the next interval');
      throw e;
    }
  }

  /** Forces the next query of `tenant` to refresh its block list (e.g. right after an upload in this process). */
  invalidate(tenant: string): void {
    const t = this.#tenants.get(tenant);
    if (t !== undefined) t.lastSync = -Infinity;
  }

  #tenant(tenant: string): TenantBlocks {
    let t = this.#tenants.get(tenant);
    if (t === undefined) {
      t = new TenantBlocks(tenant, {
        bucket: this.#bucket,
        cacheDir: join(this.#cfg.syncDir, tenant),
        ignoreDeletionMarksDelayMs: this.#cfg.ignoreDeletionMarksDelayMs,
        now: this.#now,
        logger: this.#logger,
        onDownload: () => this.#metrics.indexDownloads.inc(),
      });
      this.#tenants.set(tenant, t);
    }
    return t;
  }

  /** The tenant's index, refreshed first when older than the sync interval. */
  async #fresh(tenant: string): Promise<TenantBlocks> {
    const t = this.#tenant(tenant);
    if (this.#now() - t.lastSync >= this.#cfg.syncIntervalMs) {
      try {
        await t.sync();
      } catch (e) {
        // A stale index still answers; only a tenant never listed fails the query.
        if (t.lastSync === -Infinity) {
          throw new TesseraError('unavailable', 'store-unavailable', `cannot list the blocks of tenant ${tenant} in the bucket: ${(e as Error).message}`, { cause: e });
        }
        this.#logger.warn({ err: e, tenant }, 'refreshing the block list failed; using the previous one');
      }
    }
    return t;
  }

  /** The blocks of `tenant` overlapping [mint, maxt] (for tests and status pages). */
  async blocks(tenant: string, mint = -Infinity, maxt = Infinity): Promise<{ ulid: string; minTime: number; maxTime: number }[]> {
    const t = await this.#fresh(tenant);
    return t.blocks.filter((b) => b.overlaps(mint, maxt)).map((b) => ({ ulid: b.ulid, minTime: b.minTime, maxTime: b.maxTime }));
  }

  /**
   * Runs `fn` over every block of the tenant overlapping [mint, maxt], holding each block
   * meanwhile. A block that vanished from the bucket (deleted by the compactor after this
   * store's last listing) makes it refresh the list and run once more over the blocks there now.
   */
  async #eachBlock<R>(tenant: string, mint: number, maxt: number, fn: (r: BlockReader, b: StoreBlock) => Promise<R>, retried = false): Promise<R[]> {
    if (mint > maxt) return [];
    const t = await this.#fresh(tenant);
    const blocks = t.blocks.filter((b) => b.overlaps(mint, maxt));
    for (const b of blocks) b.acquire();
    let vanished = false;
    try {
      return await mapLimit(blocks, BLOCK_CONCURRENCY, async (b) => {
        this.#metrics.blockQueries.inc();
        return fn(await b.reader(), b);
      });
    } catch (e) {
      if (retried || !isObjectNotFound(e)) throw storeError(tenant, e);
      vanished = true;
      this.#logger.info({ tenant, err: (e as Error).message }, 'a block vanished from the bucket during a query; refreshing the block list and retrying');
    } finally {
      for (const b of blocks) await b.release();
    }
    if (vanished) this.invalidate(tenant);
    return this.#eachBlock(tenant, mint, maxt, fn, true);
  }

  /**
   * ChunkReader: the tenant's series matching every matcher with chunks overlapping [mint, maxt],
   * sorted by labels, each once with a time-ordered, non-overlapping chunk list.
   */
  async queryChunks(tenant: string, matchers: readonly Matcher[], mint: number, maxt: number): Promise<ChunkSeries[]> {
    const perBlock = await this.#eachBlock(tenant, mint, maxt, async (r) => {
      const entries = await r.select(matchers, mint, maxt);
      const refs: number[] = [];
      for (const e of entries) for (const c of e.chunks) refs.push(c.ref);
      const data = await r.chunks(refs);
      let k = 0;
      return entries.map((e): ChunkSeries => ({ labels: e.labels, chunks: e.chunks.map((c) => ({ minT: c.minT, maxT: c.maxT, data: data[k++]! })) }));
    });
    if (perBlock.length === 1) return perBlock[0]!;
    const byKey = new Map<string, { labels: Labels; lists: ChunkData[][] }>();
    for (const list of perBlock) {
      for (const s of list) {
        const key = s.labels.toString();
        const got = byKey.get(key);
        if (got === undefined) byKey.set(key, { labels: s.labels, lists: [s.chunks] });
        else got.lists.push(s.chunks);
      }
    }
    const out: ChunkSeries[] = [];
    for (const { labels, lists } of byKey.values()) out.push({ labels, chunks: mergeChunkLists(lists) });
    return out.sort((a, b) => Labels.compare(a.labels, b.labels));
  }

  /** IngesterReader: series matching any of the sets (every series without sets) in [mint, maxt]. */
  async series(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Promise<Labels[]> {
    const perBlock = await this.#eachBlock(tenant, mint, maxt, async (r) => {
      const out: Labels[] = [];
      for (const ms of sets.length === 0 ? [[]] : sets) for await (const s of r.selectIter(ms, mint, maxt)) out.push(s.labels);
      return out;
    });
    const byKey = new Map<string, Labels>();
    for (const list of perBlock) for (const ls of list) if (!byKey.has(ls.toString())) byKey.set(ls.toString(), ls);
    return [...byKey.values()].sort(Labels.compare);
  }

  /** IngesterReader: label names of the series matching any of the sets in [mint, maxt], sorted. */
  async labelNames(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Promise<string[]> {
    const perBlock = await this.#eachBlock(tenant, mint, maxt, async (r, b) => {
      if (sets.length === 0 && mint <= b.minTime && maxt >= b.maxTime - 1) return r.labelNames();
      const names = new Set<string>();
      for (const ms of sets.length === 0 ? [[]] : sets) {
        for await (const s of r.selectIter(ms, mint, maxt)) s.labels.forEach((n) => names.add(n));
      }
      return [...names];
    });
    return [...new Set(perBlock.flat())].sort(compareUtf8);
  }

  /** IngesterReader: values of label `name` over the series matching any of the sets in [mint, maxt], sorted. */
  async labelValues(tenant: string, name: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Promise<string[]> {
    const perBlock = await this.#eachBlock(tenant, mint, maxt, async (r, b) => {
      if (sets.length === 0 && mint <= b.minTime && maxt >= b.maxTime - 1) return r.labelValues(name);
      const values = new Set<string>();
      for (const ms of sets.length === 0 ? [[]] : sets) {
        for await (const s of r.selectIter(ms, mint, maxt)) {
          const v = s.labels.get(name);
          if (v !== '') values.add(v);
        }
      }
      return [...values];
    });
    return [...new Set(perBlock.flat())].sort(compareUtf8);
  }
}
