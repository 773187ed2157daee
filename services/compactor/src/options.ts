/**
 * The compactor's options, with Mimir's flag names, YAML paths and defaults (Mimir's
 * `compactor` block). The per-tenant retention (`compactor_blocks_retention_period`) is a limit
 * in @tessera/limits, not here.
 *
 * Merge into a CLI's option set with `defineOptions({ ...own.defs, ...compactorOptions.defs })`,
 * then build the config with {@link compactorConfigFromOptions}.
 */
import { join } from 'node:path';
import { parseDuration } from '@tessera/model';
import { ConfigError, defineOptions, type ValuesOf } from '@tessera/server';

/** Checks a block-ranges list: durations, at least one, strictly ascending, each a multiple of the one before. */
function checkRanges(v: readonly string[]): string | undefined {
  let prev = 0;
  for (const s of v) {
    let ms: number;
    try {
      ms = parseDuration(s);
    } catch {
      return `${JSON.stringify(s)} is not a duration`;
    }
    if (ms <= prev) return 'ranges must be positive and ascending';
    if (prev > 0 && ms % prev !== 0) return `${s} is not a multiple of the range before it`;
    prev = ms;
  }
  return v.length === 0 ? 'at least one range is required' : undefined;
}

/** Default of `-compactor.samples-per-chunk`: twice the head's 120, about 8% fewer bytes per sample in blocks. */
export const DEFAULT_SAMPLES_PER_CHUNK = 240;
/** Lowest `-compactor.samples-per-chunk`: the head's chunk size; at this value non-overlapping chunks are copied as they are. */
export const MIN_SAMPLES_PER_CHUNK = 120;
/**
 * Highest `-compactor.samples-per-chunk`. The format allows 65535 (a uint16 count), but past a
 * few hundred the bytes saved per sample are negligible while every query decodes whole chunks.
 */
export const MAX_SAMPLES_PER_CHUNK_OPTION = 1000;

/** Checks a samples-per-chunk value (also for configs built in code, which the loader never saw). */
export function checkSamplesPerChunk(n: number): string | undefined {
  if (!Number.isInteger(n)) return 'must be an integer';
  if (n < MIN_SAMPLES_PER_CHUNK) return `must be at least ${MIN_SAMPLES_PER_CHUNK}`;
  if (n > MAX_SAMPLES_PER_CHUNK_OPTION) return `must be at most ${MAX_SAMPLES_PER_CHUNK_OPTION}`;
  return undefined;
}

/** Smallest non-zero `-compactor.partial-block-deletion-delay` (Mimir's floor too): shorter could delete a slow upload. */
const MIN_PARTIAL_BLOCK_DELETION_DELAY_MS = 4 * 3_600_000;

/** Default of `-compactor.partial-block-deletion-delay` (as in Mimir): no upload runs that long. */
export const DEFAULT_PARTIAL_BLOCK_DELETION_DELAY = '1d';
/** {@link DEFAULT_PARTIAL_BLOCK_DELETION_DELAY} in ms. */
export const DEFAULT_PARTIAL_BLOCK_DELETION_DELAY_MS = 24 * 3_600_000;

/** Option definitions of the compactor. */
export const compactorOptions = defineOptions({
  compactorBlockRanges: {
    flag: 'compactor.block-ranges',
    yaml: 'compactor.block_ranges',
    type: 'stringList',
    default: ['2h', '12h', '24h'],
    check: checkRanges,
    help: 'Block ranges, ascending: the first is the range of the blocks the ingesters upload, each next one a compaction level (2h blocks into 12h, 12h into 24h).',
  },
  compactorCompactionInterval: {
    flag: 'compactor.compaction-interval',
    yaml: 'compactor.compaction_interval',
    type: 'duration',
    default: '1h',
    min: '100ms',
    help: 'How often the compactor looks for blocks to compact (also once at start).',
  },
  compactorCleanupInterval: {
    flag: 'compactor.cleanup-interval',
    yaml: 'compactor.cleanup_interval',
    type: 'duration',
    default: '15m',
    min: '100ms',
    help: 'How often the compactor marks blocks past the retention period, deletes blocks whose deletion mark is older than -compactor.deletion-delay, and deletes partial blocks past -compactor.partial-block-deletion-delay (also once at start).',
  },
  compactorDeletionDelay: {
    flag: 'compactor.deletion-delay',
    yaml: 'compactor.deletion_delay',
    type: 'duration',
    default: '12h',
    help: 'Time between marking a block for deletion and deleting it, so that queriers still reading it finish. Keep it above -blocks-storage.bucket-store.ignore-deletion-marks-delay.',
  },
  compactorPartialBlockDeletionDelay: {
    flag: 'compactor.partial-block-deletion-delay',
    yaml: 'compactor.partial_block_deletion_delay',
    type: 'duration',
    default: DEFAULT_PARTIAL_BLOCK_DELETION_DELAY,
    help: 'A block directory without meta.json (an upload that failed or was abandoned) and without a deletion mark is deleted once its ULID and its newest object are both older than this. Keep it well above the longest block upload. 0 disables.',
  },
  compactorFirstLevelCompactionWaitPeriod: {
    flag: 'compactor.first-level-compaction-wait-period',
    yaml: 'compactor.first_level_compaction_wait_period',
    type: 'duration',
    default: '25m',
    help: 'How long a block uploaded by an ingester (level 1) waits before it is compacted, so that every replica has uploaded its copy and the copies are merged in one go.',
  },
  compactorDataDir: {
    flag: 'compactor.data-dir',
    yaml: 'compactor.data_dir',
    type: 'string',
    default: '',
    help: 'Local directory for the blocks being compacted (emptied at start). Empty: "compactor" under -data.dir.',
  },
  compactorSamplesPerChunk: {
    flag: 'compactor.samples-per-chunk',
    yaml: 'compactor.samples_per_chunk',
    type: 'int',
    default: DEFAULT_SAMPLES_PER_CHUNK,
    min: MIN_SAMPLES_PER_CHUNK,
    max: MAX_SAMPLES_PER_CHUNK_OPTION,
    help: `Most samples in a float chunk of the blocks the compactor writes: each series' chunks are re-cut into chunks of near-equal sample counts up to this (fewer, larger chunks take fewer bytes per sample; a query decodes whole chunks). At ${MIN_SAMPLES_PER_CHUNK}, chunks that need no merging are copied as the ingesters cut them, as Prometheus does.`,
  },
});

/** The values of {@link compactorOptions}, as loaded. */
export type CompactorOptionValues = ValuesOf<typeof compactorOptions.defs>;

/** The compactor's configuration. Durations in ms. */
export interface CompactorConfig {
  blockRangesMs: number[];
  compactionIntervalMs: number;
  cleanupIntervalMs: number;
  deletionDelayMs: number;
  firstLevelWaitMs: number;
  /**
   * Age (ms) after which a partial block is deleted (`-compactor.partial-block-deletion-delay`);
   * 0 disables. Absent: {@link DEFAULT_PARTIAL_BLOCK_DELETION_DELAY_MS}.
   */
  partialBlockDeletionDelayMs?: number;
  dataDir: string;
  /** Most samples in a float chunk of a written block, {@link MIN_SAMPLES_PER_CHUNK}..{@link MAX_SAMPLES_PER_CHUNK_OPTION} (`-compactor.samples-per-chunk`). */
  samplesPerChunk: number;
}

/** Builds the compactor config; `dataDir` is `-data.dir`. @throws ConfigError on bad block ranges, samples per chunk or partial-block deletion delay. */
export function compactorConfigFromOptions(v: CompactorOptionValues, context: { readonly dataDir: string }): CompactorConfig {
  const problem = checkRanges(v.compactorBlockRanges);
  if (problem !== undefined) throw new ConfigError(`invalid value for -compactor.block-ranges: ${problem}`);
  const spc = checkSamplesPerChunk(v.compactorSamplesPerChunk);
  if (spc !== undefined) throw new ConfigError(`invalid value ${v.compactorSamplesPerChunk} for -compactor.samples-per-chunk: ${spc}`);
  const pbd = v.compactorPartialBlockDeletionDelay;
  if (pbd > 0 && pbd < MIN_PARTIAL_BLOCK_DELETION_DELAY_MS) {
    throw new ConfigError(`invalid value for -compactor.partial-block-deletion-delay: must be 0 (off) or at least 4h, so that no upload still running is deleted`);
  }
  return {
    blockRangesMs: v.compactorBlockRanges.map(parseDuration),
    compactionIntervalMs: v.compactorCompactionInterval,
    cleanupIntervalMs: v.compactorCleanupInterval,
    deletionDelayMs: v.compactorDeletionDelay,
    firstLevelWaitMs: v.compactorFirstLevelCompactionWaitPeriod,
    partialBlockDeletionDelayMs: v.compactorPartialBlockDeletionDelay,
    dataDir: v.compactorDataDir !== '' ? v.compactorDataDir : join(context.dataDir, 'compactor'),
    samplesPerChunk: v.compactorSamplesPerChunk,
  };
}
