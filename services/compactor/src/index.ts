/**
 * @tessera/compactor: merges each tenant's blocks in the bucket — the RF copies of a range into
 * one (vertical), 2h blocks into 12h and 24h ones (horizontal) — and deletes blocks past the
 * tenant's retention, marking before deleting, and partial blocks (abandoned uploads).
 */
export { Compactor } from './compactor.ts';
export type { CompactorDeps } from './compactor.ts';
export { BrokenBlockError, compactBlocks, mergeBlockSeries } from './merge-blocks.ts';
export type { CompactBlocksOptions } from './merge-blocks.ts';
export { decodeChunk, mergeSeriesChunks, newMergeStats, UnmergeableChunkError } from './merge-chunks.ts';
export type { MergeStats, SourceChunk } from './merge-chunks.ts';
export { SeriesChunkMerger } from './recut-chunks.ts';
export { CompactorMetrics, DELETION_REASONS } from './metrics.ts';
export type { DeletionReason } from './metrics.ts';
export {
  checkSamplesPerChunk,
  compactorConfigFromOptions,
  compactorOptions,
  DEFAULT_PARTIAL_BLOCK_DELETION_DELAY,
  DEFAULT_PARTIAL_BLOCK_DELETION_DELAY_MS,
  DEFAULT_SAMPLES_PER_CHUNK,
  MAX_SAMPLES_PER_CHUNK_OPTION,
  MIN_SAMPLES_PER_CHUNK,
} from './options.ts';
export type { CompactorConfig, CompactorOptionValues } from './options.ts';
export { expiredPartialBlocks, partialBlockLastWrite } from './partial-blocks.ts';
export type { ExpiredPartialBlock } from './partial-blocks.ts';
export { blocksPastRetention, blocksToDelete, markExpired, overlapGroups, planCompaction, redundantBlocks } from './planner.ts';
export type { CompactionJob, PlannerConfig } from './planner.ts';
