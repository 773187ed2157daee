/**
 * TenantBlocks: one tenant's bucket index — the blocks a query may read, refreshed by listing
 * the bucket — and the open BlockReaders over them, each with its index cached on local disk.
 *
 * A block leaves the index when it disappears from the bucket or its deletion mark is older than
 * the ignore delay; its reader closes once no query holds it, and its cache directory goes.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { listBlocks, type BucketBlock } from '@tessera/blockstore';
import type { Bucket } from '@tessera/objstore';
import type { Logger } from '@tessera/server';
import { BlockReader, isUlid } from '@tessera/tsdb';
import { CachedBlockFiles } from './cached-block-files.ts';

/** A block of the index and its reader (opened on first use). */
export class StoreBlock {
  readonly ulid: string;
  readonly block: BucketBlock;
  readonly #open: () => Promise<BlockReader>;
  #reader: Promise<BlockReader> | null = null;
  #refs = 0;
  #dropped = false;
  readonly #onClosed: () => Promise<void>;

  constructor(block: BucketBlock, open: () => Promise<BlockReader>, onClosed: () => Promise<void>) {
    this.ulid = block.ulid;
    this.block = block;
    this.#open = open;
    this.#onClosed = onClosed;
  }

  get minTime(): number {
    return this.block.meta.minTime;
  }
  get maxTime(): number {
    return this.block.meta.maxTime;
  }

  /** True when the block has data in [mint, maxt] (inclusive; the block's maxTime is exclusive). */
  overlaps(mint: number, maxt: number): boolean {
    return this.block.meta.minTime <= maxt && this.block.meta.maxTime > mint;
  }

  /** The reader, opening it (and caching the index) on first use. Pair with {@link release}. */
  reader(): Promise<BlockReader> {
    if (this.#reader === null) {
      const r = this.#open();
      // A failed open is not kept: the next query tries again.
      r.catch(() => {
        if (this.#reader === r) this.#reader = null;
      });
      this.#reader = r;
    }
    return this.#reader;
  }

  acquire(): void {
    this.#refs++;
  }

  async release(): Promise<void> {
    this.#refs--;
    if (this.#refs === 0 && this.#dropped) await this.#close();
  }

  /** The block left the index: closes now or when the last query releases it. */
  async drop(): Promise<void> {
    this.#dropped = true;
    if (this.#refs === 0) await this.#close();
  }

  /** Closes the reader if open, keeping the cache (shutdown). */
  async shutdown(): Promise<void> {
    const r = this.#reader;
    this.#reader = null;
    if (r !== null) {
      try {
        await (await r).close();
      } catch {
        // A reader that failed to open has nothing to close.
      }
    }
  }

  async #close(): Promise<void> {
    const r = this.#reader;
    this.#reader = null;
    if (r !== null) {
      try {
        await (await r).close();
      } catch {
        // A reader that failed to open has nothing to close.
      }
    }
    await this.#onClosed();
  }
}

/** What TenantBlocks needs besides its tenant. */
export interface TenantBlocksDeps {
  bucket: Bucket;
  /** This tenant's cache directory: `<sync-dir>/<tenant>`. */
  cacheDir: string;
  ignoreDeletionMarksDelayMs: number;
  now: () => number;
  logger: Logger;
  /** Called when a cached file had to be downloaded. */
  onDownload?: (file: string) => void;
}

/** One tenant's blocks. */
export class TenantBlocks {
  readonly tenant: string;
  readonly #deps: TenantBlocksDeps;
  #blocks: StoreBlock[] = [];
  /** When the last successful sync started (ms), or -Infinity before the first. */
  lastSync = -Infinity;
  #syncing: Promise<void> | null = null;
  #cacheCleaned = false;

  constructor(tenant: string, deps: TenantBlocksDeps) {
    this.tenant = tenant;
    this.#deps = deps;
  }

  /** The blocks of the index, sorted by minTime then ULID. */
  get blocks(): readonly StoreBlock[] {
    return this.#blocks;
  }

  /** Refreshes the index from the bucket; concurrent callers share one listing. */
  sync(): Promise<void> {
    this.#syncing ??= this.#sync().finally(() => (this.#syncing = null));
    return this.#syncing;
  }

  async #sync(): Promise<void> {
    const { bucket, now, ignoreDeletionMarksDelayMs } = this.#deps;
    const started = now();
    const listed = await listBlocks(bucket, this.tenant);
    const cutoffSec = (started - ignoreDeletionMarksDelayMs) / 1000;
    const keep = listed.filter((b) => b.deletionMark === null || b.deletionMark.deletionTime > cutoffSec);
    const old = new Map(this.#blocks.map((b) => [b.ulid, b]));
    const next: StoreBlock[] = [];
    for (const b of keep) {
      const existing = old.get(b.ulid);
      if (existing !== undefined) {
        old.delete(b.ulid);
        next.push(existing);
      } else {
        next.push(this.#newBlock(b));
      }
    }
    this.#blocks = next;
    for (const gone of old.values()) await gone.drop();
    if (!this.#cacheCleaned) {
      this.#cacheCleaned = true;
      await this.#removeStaleCache(new Set(next.map((b) => b.ulid)));
    }
    this.lastSync = started;
  }

  #newBlock(b: BucketBlock): StoreBlock {
    const dir = join(this.#deps.cacheDir, b.ulid);
    const open = async (): Promise<BlockReader> => {
      const files = new CachedBlockFiles(this.#deps.bucket, this.tenant, b.ulid, dir, this.#deps.onDownload);
      return BlockReader.open(files);
    };
    return new StoreBlock(b, open, () => rm(dir, { recursive: true, force: true }));
  }

  /** At the first sync: removes cached blocks the index no longer has (left by an earlier run). */
  async #removeStaleCache(live: Set<string>): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#deps.cacheDir);
    } catch {
      return;
    }
    for (const n of names) {
      const ulid = n.split('.')[0]!;
      if (isUlid(ulid) && live.has(ulid) && n === ulid) continue;
      await rm(join(this.#deps.cacheDir, n), { recursive: true, force: true });
    }
  }

  /** Closes every reader (the cache stays for the next start). */
  async close(): Promise<void> {
    const blocks = this.#blocks;
    this.#blocks = [];
    for (const b of blocks) await b.shutdown();
  }
}
