/**
 * Compactor: the service that keeps each tenant's blocks in the bucket few, large and
 * de-duplicated, and removes what is past retention.
 *
 * Two loops, run one at a time (a single chain, so a cleanup never deletes a block a compaction
 * is reading, and vice versa):
 * - compaction (every `-compactor.compaction-interval`, and at start): per tenant, mark redundant
 *   blocks, then repeatedly plan (planner.ts) and run one merge — download the inputs into
 *   `<compactor.data-dir>/<tenant>/`, write the merged block there (merge-blocks.ts), upload it
 *   (meta.json last), and only then mark the inputs for deletion. A crash before the marks leaves
 *   the inputs and the output side by side; the next run sees the inputs are redundant and marks
 *   them. Queries de-duplicate samples meanwhile, so answers never change. A block that cannot
 *   be read (corrupt index or chunk) gets a `no-compact-mark.json` and is left out from then on,
 *   so that it does not hold back the tenant's other blocks; blocks carrying that mark (also set
 *   by hand, as in Mimir) are never compacted. Other failures skip the merge until the next run.
 * - cleanup (every `-compactor.cleanup-interval`, and at start): per tenant, mark the blocks past
 *   the tenant's `compactor_blocks_retention_period`, then delete blocks (and interrupted
 *   deletions) whose mark is older than `-compactor.deletion-delay`, and partial blocks (failed
 *   uploads: no meta.json, no mark) last written longer than
 *   `-compactor.partial-block-deletion-delay` ago (partial-blocks.ts).
 *
 * One compactor per bucket: there is no sharding or locking between compactors.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import {
  blockObject,
  deleteBlock,
  downloadBlock,
  listBlocks,
  listBlockUlids,
  listTenants,
  mapLimit,
  markBlockForDeletion,
  NO_COMPACT_MARK_FILE,
  readDeletionMark,
  uploadBlock,
  type BucketBlock,
} from '@tessera/blockstore';
import type { Bucket } from '@tessera/objstore';
import { ConfigError, type Logger, type Service } from '@tessera/server';
import { BlockError, BlockReader, newUlid, type BlockMeta } from '@tessera/tsdb';
import { BrokenBlockError, compactBlocks } from './merge-blocks.ts';
import { CompactorMetrics, type DeletionReason } from './metrics.ts';
import { checkSamplesPerChunk, DEFAULT_PARTIAL_BLOCK_DELETION_DELAY_MS, type CompactorConfig } from './options.ts';
import { expiredPartialBlocks } from './partial-blocks.ts';
import { blocksPastRetention, blocksToDelete, markExpired, planCompaction, redundantBlocks, type CompactionJob } from './planner.ts';

/** What the compactor is given. */
export interface CompactorDeps {
  bucket: Bucket;
  logger: Logger;
  registry: Registry;
  /** The tenant's retention period in ms (`compactor_blocks_retention_period`); 0 keeps everything. */
  retentionMs: (tenant: string) => number;
  /** The clock (ms); Date.now by default. */
  now?: () => number;
}

/** Most merges one tenant gets per run, so that one tenant cannot hold the others back forever. */
const MAX_JOBS_PER_TENANT = 100;

/** The compactor service. */
export class Compactor implements Service {
  readonly name = 'compactor';
  readonly metrics: CompactorMetrics;
  readonly #cfg: CompactorConfig;
  readonly #bucket: Bucket;
  readonly #logger: Logger;
  readonly #retentionMs: (tenant: string) => number;
  readonly #now: () => number;
  #chain: Promise<void> = Promise.resolve();
  #pending = new Set<'compaction' | 'cleanup'>();
  #timers: NodeJS.Timeout[] = [];
  #stopping = false;

  /** @throws ConfigError when `cfg.samplesPerChunk` is out of range. */
  constructor(cfg: CompactorConfig, deps: CompactorDeps) {
    const spc = checkSamplesPerChunk(cfg.samplesPerChunk);
    if (spc !== undefined) throw new ConfigError(`invalid value ${cfg.samplesPerChunk} for -compactor.samples-per-chunk: ${spc}`);
    this.#cfg = cfg;
    this.#bucket = deps.bucket;
    this.#logger = deps.logger.child({ component: 'compactor' });
    this.#retentionMs = deps.retentionMs;
    this.#now = deps.now ?? Date.now;
    this.metrics = new CompactorMetrics(deps.registry);
  }

  /** Empties the data dir and starts both loops (their first runs begin right away, in the background). */
  async start(): Promise<void> {
    this.#stopping = false;
    await rm(this.#cfg.dataDir, { recursive: true, force: true });
    await mkdir(this.#cfg.dataDir, { recursive: true });
    this.#timers = [
      setInterval(() => void this.#schedule('compaction'), this.#cfg.compactionIntervalMs),
      setInterval(() => void this.#schedule('cleanup'), this.#cfg.cleanupIntervalMs),
    ];
    void this.#schedule('compaction');
    void this.#schedule('cleanup');
  }

  /** Stops the loops and waits for the run in progress (it stops after its current merge). */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.#chain;
  }

  /** Queues a run unless one of the same kind is already waiting; resolves when it ran. */
  #schedule(kind: 'compaction' | 'cleanup'): Promise<void> {
    if (this.#pending.has(kind)) return this.#chain;
    this.#pending.add(kind);
    this.#chain = this.#chain.then(async () => {
      this.#pending.delete(kind);
      if (this.#stopping) return;
      if (kind === 'compaction') await this.runCompaction();
      else await this.runCleanup();
    });
    return this.#chain;
  }

  /**
   * One compaction run over every tenant. Call it directly only while the service is not
   * started (tests); the loops call it otherwise. Never rejects: failures are logged and counted.
   */
  async runCompaction(): Promise<void> {
    let failed = false;
    try {
      for (const tenant of await listTenants(this.#bucket)) {
        if (this.#stopping) return;
        try {
          await this.#compactTenant(tenant);
        } catch (e) {
          failed = true;
          this.#logger.error({ tenant, err: e }, 'compaction failed');
        }
      }
    } catch (e) {
      failed = true;
      this.#logger.error({ err: e }, 'compaction run failed to list tenants');
    }
    this.metrics.runs.inc({ outcome: failed ? 'failure' : 'success' });
    if (!failed) this.metrics.lastSuccessfulRun.set(this.#now() / 1000);
  }

  /** One cleanup run over every tenant (same calling rules as {@link runCompaction}). */
  async runCleanup(): Promise<void> {
    let failed = false;
    try {
      for (const tenant of await listTenants(this.#bucket)) {
        if (this.#stopping) return;
        try {
          await this.#cleanTenant(tenant);
        } catch (e) {
          failed = true;
          this.#logger.error({ tenant, err: e }, 'cleanup failed');
        }
      }
    } catch (e) {
      failed = true;
      this.#logger.error({ err: e }, 'cleanup run failed to list tenants');
    }
    this.metrics.cleanupRuns.inc({ outcome: failed ? 'failure' : 'success' });
  }

  /**
   * Lists the tenant's blocks once, then plans and runs merges one after the other, keeping the
   * list up to date itself (inputs out, output in) instead of listing the bucket again.
   */
  async #compactTenant(tenant: string): Promise<void> {
    const listed = (await listBlocks(this.#bucket, tenant)).filter((b) => b.deletionMark === null);
    const noCompact = await mapLimit(listed, 16, (b) => this.#bucket.exists(blockObject(tenant, b.ulid, NO_COMPACT_MARK_FILE)));
    let live = listed.filter((_, i) => !noCompact[i]).map((b) => b.meta);
    const cfg = { blockRanges: this.#cfg.blockRangesMs, firstLevelWaitMs: this.#cfg.firstLevelWaitMs };
    let failure: unknown = null;
    for (let n = 0; n < MAX_JOBS_PER_TENANT && !this.#stopping; n++) {
      const redundant = new Set(redundantBlocks(live).map((m) => m.ulid));
      for (const ulid of redundant) await this.#mark(tenant, ulid, 'redundant');
      live = live.filter((m) => !redundant.has(m.ulid));
      const job = planCompaction(live, cfg, this.#now());
      if (job === null) break;
      const inputs = new Set(job.blocks.map((m) => m.ulid));
      try {
        const out = await this.#runJob(tenant, job);
        live = [...live.filter((m) => !inputs.has(m.ulid)), out];
      } catch (e) {
        if (e instanceof BrokenBlockError) {
          // Retrying cannot repair the block: take it out of compaction for good, and go on
          // with its neighbours (the next plan forms the group again without it).
          await this.#markNoCompact(tenant, e.ulid, e.message);
          live = live.filter((m) => m.ulid !== e.ulid);
        } else {
          // Perhaps transient (the bucket): leave these blocks for the next run, do the rest now.
          failure ??= e;
          this.#logger.warn({ tenant, kind: job.kind, sources: [...inputs], err: e }, 'compaction of blocks failed');
          live = live.filter((m) => !inputs.has(m.ulid));
        }
      }
    }
    if (failure !== null) throw failure;
  }

  /** Writes the block's no-compact-mark.json (Thanos's format, reason "critical"). */
  async #markNoCompact(tenant: string, ulid: string, details: string): Promise<void> {
    const mark = { id: ulid, version: 1, details, no_compact_time: Math.floor(this.#now() / 1000), reason: 'critical' };
    await this.#bucket.upload(blockObject(tenant, ulid, NO_COMPACT_MARK_FILE), new TextEncoder().encode(JSON.stringify(mark)));
    this.metrics.blocksMarkedNoCompact.inc();
    this.#logger.error({ tenant, block: ulid, details }, 'block cannot be compacted: marked no-compact');
  }

  /** Downloads the inputs, merges them, uploads the result, then marks the inputs. */
  async #runJob(tenant: string, job: CompactionJob): Promise<BlockMeta> {
    const started = performance.now();
    const dir = join(this.#cfg.dataDir, tenant, `job-${newUlid()}`);
    await mkdir(dir, { recursive: true });
    try {
      const readers: BlockReader[] = [];
      let out: BlockMeta;
      try {
        for (const m of job.blocks) {
          const path = await downloadBlock(this.#bucket, tenant, m.ulid, join(dir, 'in'));
          try {
            readers.push(await BlockReader.open(path));
          } catch (e) {
            throw BlockError.isBlockError(e) ? new BrokenBlockError(m.ulid, e) : e;
          }
        }
        const { meta, stats } = await compactBlocks(join(dir, 'out'), readers, { samplesPerChunk: this.#cfg.samplesPerChunk });
        out = await uploadBlock(this.#bucket, tenant, join(dir, 'out', meta.ulid));
        this.#logger.info(
          {
            tenant,
            kind: job.kind,
            block: meta.ulid,
            sources: job.blocks.map((m) => m.ulid),
            minTime: meta.minTime,
            maxTime: meta.maxTime,
            level: meta.compaction.level,
            series: meta.stats.numSeries,
            samples: meta.stats.numSamples,
            duplicateSamples: stats.duplicateSamples,
            chunksCopied: stats.copied,
            chunksReencoded: stats.reencoded,
            durationMs: Math.round(performance.now() - started),
          },
          'compacted blocks',
        );
        this.metrics.chunksWritten.inc({ how: 'copied' }, stats.copied);
        this.metrics.chunksWritten.inc({ how: 'reencoded' }, stats.reencoded);
      } finally {
        for (const r of readers) await r.close();
      }
      this.metrics.compactions.inc({ kind: job.kind });
      this.metrics.blocksCompacted.inc(job.blocks.length);
      for (const m of job.blocks) await this.#mark(tenant, m.ulid, 'compaction');
      return out;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async #mark(tenant: string, ulid: string, reason: DeletionReason): Promise<void> {
    await markBlockForDeletion(this.#bucket, tenant, ulid, this.#now());
    this.metrics.blocksMarked.inc({ reason });
    this.#logger.info({ tenant, block: ulid, reason }, 'marked block for deletion');
  }

  async #cleanTenant(tenant: string): Promise<void> {
    const now = this.#now();
    const blocks: BucketBlock[] = await listBlocks(this.#bucket, tenant);
    for (const b of blocksPastRetention(blocks, this.#retentionMs(tenant), now)) {
      await this.#mark(tenant, b.ulid, 'retention');
      b.deletionMark = { id: b.ulid, deletionTime: Math.floor(now / 1000), version: 1 };
    }
    const doomed = blocksToDelete(blocks, this.#cfg.deletionDelayMs, now).map((b) => b.ulid);
    // Directories without a readable meta.json: with a mark, deletions interrupted after
    // meta.json went (finished here); without, partial blocks (partial-blocks.ts).
    const complete = new Set(blocks.map((b) => b.ulid));
    const unmarked: string[] = [];
    for (const ulid of await listBlockUlids(this.#bucket, tenant)) {
      if (complete.has(ulid)) continue;
      const mark = await readDeletionMark(this.#bucket, tenant, ulid);
      if (mark === null) unmarked.push(ulid);
      else if (markExpired(mark.deletionTime, this.#cfg.deletionDelayMs, now)) doomed.push(ulid);
    }
    for (const ulid of doomed) {
      if (this.#stopping) return;
      if (await this.#delete(tenant, ulid)) {
        this.metrics.blocksCleaned.inc();
        this.#logger.info({ tenant, block: ulid }, 'deleted block');
      }
    }
    const partialDelayMs = this.#cfg.partialBlockDeletionDelayMs ?? DEFAULT_PARTIAL_BLOCK_DELETION_DELAY_MS;
    for (const p of await expiredPartialBlocks(this.#bucket, tenant, unmarked, partialDelayMs, now)) {
      if (this.#stopping) return;
      if (await this.#delete(tenant, p.ulid)) {
        this.metrics.partialBlocksDeleted.inc();
        this.#logger.info({ tenant, block: p.ulid, lastWrite: new Date(p.lastWriteMs).toISOString() }, 'deleted partial block');
      }
    }
  }

  /** Deletes the block's objects; false (logged and counted) when that failed: the next cleanup retries. */
  async #delete(tenant: string, ulid: string): Promise<boolean> {
    try {
      await deleteBlock(this.#bucket, tenant, ulid);
      return true;
    } catch (e) {
      this.metrics.cleanupFailures.inc();
      this.#logger.warn({ tenant, block: ulid, err: e }, 'failed to delete block');
      return false;
    }
  }
}
