/**
 * The compactor's side of the 24 h mode: the twelve 2 h blocks of one UTC day, as the ingesters
 * upload them, put into a FilesystemBucket and compacted by the real {@link Compactor} (ranges
 * 2h, 12h, 24h; no first-level wait) until one block covers the day. Its cleanup run then
 * deletes the inputs it marked (deletion delay 0), so the bucket holds what long-term storage
 * would: the one 24 h block.
 */
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { listBlocks, uploadBlock } from '@tessera/blockstore';
import { Compactor } from '@tessera/compactor';
import { FilesystemBucket } from '@tessera/objstore';
import { createLogger } from '@tessera/server';
import { TENANT } from './latency.ts';

const H = 3_600_000;
export const DAY_MS = 24 * H;
/** The compactor's default block ranges (`-compactor.block-ranges=2h,12h,24h`). */
export const COMPACTOR_RANGES_MS = [2 * H, 12 * H, 24 * H];

/** Uploads the level-1 blocks in `dirs` to a new FilesystemBucket at `root`, under the benchmark's tenant. */
export async function bucketOf(root: string, dirs: readonly string[]): Promise<FilesystemBucket> {
  const bucket = new FilesystemBucket(root);
  for (const d of dirs) await uploadBlock(bucket, TENANT, d);
  return bucket;
}

/** The one block the compaction left. */
export interface CompactedDay {
  /** Its directory inside the bucket (meta.json, index, chunks/: what {@link measureBlock} reads). */
  dir: string;
  /** Seconds of the compaction run (downloads, merges, uploads; every level). */
  compactSeconds: number;
}

/**
 * Compacts the day starting at `dayStart` in `bucket` with chunks of up to `samplesPerChunk`
 * samples (the compactor's `samplesPerChunk`), then deletes the blocks it marked.
 * @throws Error unless exactly one block, covering the whole day, is left.
 */
export async function compactDay(bucket: FilesystemBucket, dataDir: string, dayStart: number, samplesPerChunk: number): Promise<CompactedDay> {
  // A variable rather than a literal at the call: the field is checked once the compactor has it.
  const cfg = {
    blockRangesMs: COMPACTOR_RANGES_MS,
    compactionIntervalMs: 3_600_000,
    cleanupIntervalMs: 3_600_000,
    deletionDelayMs: 0,
    firstLevelWaitMs: 0,
    dataDir,
    samplesPerChunk,
  };
  const compactor = new Compactor(cfg, { bucket, logger: createLogger({ level: 'warn' }), registry: new Registry(), retentionMs: () => 0 });
  const t = performance.now();
  await compactor.runCompaction();
  const compactSeconds = (performance.now() - t) / 1000;
  const failed = (await compactor.metrics.runs.get()).values.find((v) => v.labels.outcome === 'failure')?.value ?? 0;
  if (failed > 0) throw new Error('the compaction run failed (see the log above)');
  // Deletion marks hold whole seconds and count from the end of theirs: wait it out.
  await new Promise((r) => setTimeout(r, 1_100));
  await compactor.runCleanup();
  const left = await listBlocks(bucket, TENANT);
  const day = left.filter((b) => b.meta.minTime === dayStart && b.meta.maxTime === dayStart + DAY_MS && b.deletionMark === null);
  if (left.length !== 1 || day.length !== 1) {
    const list = left.map((b) => `${b.ulid} [${new Date(b.meta.minTime).toISOString()}, ${new Date(b.meta.maxTime).toISOString()})${b.deletionMark === null ? '' : ' marked'}`);
    throw new Error(`compaction left ${left.length} block(s), not one 24 h block: ${list.join('; ')}`);
  }
  return { dir: join(bucket.root, TENANT, day[0]!.ulid), compactSeconds };
}
