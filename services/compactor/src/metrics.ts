/**
 * The compactor's metrics (`tessera_compactor_*`), registered on the injected registry with
 * every label value pre-initialised.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** Why a block got a deletion mark. */
export const DELETION_REASONS = ['compaction', 'retention', 'redundant'] as const;
/** One of {@link DELETION_REASONS}. */
export type DeletionReason = (typeof DELETION_REASONS)[number];

/** The compactor's counters and gauges. */
export class CompactorMetrics {
  readonly runs: Counter<'outcome'>;
  readonly cleanupRuns: Counter<'outcome'>;
  readonly compactions: Counter<'kind'>;
  readonly blocksCompacted: Counter;
  readonly chunksWritten: Counter<'how'>;
  readonly blocksMarked: Counter<'reason'>;
  readonly blocksCleaned: Counter;
  readonly partialBlocksDeleted: Counter;
  readonly blocksMarkedNoCompact: Counter;
  readonly cleanupFailures: Counter;
  readonly lastSuccessfulRun: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.runs = new Counter({
      name: 'tessera_compactor_runs_total',
      help: 'Compaction runs over every tenant, by outcome (failure: at least one tenant failed; retried at the next interval).',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.cleanupRuns = new Counter({
      name: 'tessera_compactor_cleanup_runs_total',
      help: 'Cleanup runs (retention marks and deletion of marked blocks), by outcome.',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.compactions = new Counter({
      name: 'tessera_compactor_compactions_total',
      help: 'Blocks written by merging others: vertical (overlapping blocks, the replicas) or horizontal (adjacent blocks into a larger range).',
      labelNames: ['kind'] as const,
      registers,
    });
    this.blocksCompacted = new Counter({ name: 'tessera_compactor_blocks_compacted_total', help: 'Source blocks merged into a compacted block.', registers });
    this.chunksWritten = new Counter({
      name: 'tessera_compactor_chunks_written_total',
      help: 'Chunks written into compacted blocks (uploaded ones): copied from a source block as they were, or re-encoded (merged from overlapping copies, or re-cut to -compactor.samples-per-chunk).',
      labelNames: ['how'] as const,
      registers,
    });
    this.blocksMarked = new Counter({
      name: 'tessera_compactor_blocks_marked_for_deletion_total',
      help: 'Blocks given a deletion mark: after compaction (their data is in the new block), past the retention period, or redundant (another block holds all their data).',
      labelNames: ['reason'] as const,
      registers,
    });
    this.blocksCleaned = new Counter({ name: 'tessera_compactor_blocks_cleaned_total', help: 'Blocks deleted from the bucket after their deletion delay.', registers });
    this.partialBlocksDeleted = new Counter({
      name: 'tessera_compactor_partial_blocks_deleted_total',
      help: 'Partial blocks (no meta.json, no deletion mark: failed or abandoned uploads) deleted after -compactor.partial-block-deletion-delay.',
      registers,
    });
    this.blocksMarkedNoCompact = new Counter({
      name: 'tessera_compactor_blocks_marked_for_no_compaction_total',
      help: 'Blocks given a no-compact mark because they cannot be read or merged (corrupt); they stay queryable as they are.',
      registers,
    });
    this.cleanupFailures = new Counter({ name: 'tessera_compactor_block_cleanup_failures_total', help: 'Blocks whose deletion failed (retried at the next cleanup).', registers });
    this.lastSuccessfulRun = new Gauge({
      name: 'tessera_compactor_last_successful_run_timestamp_seconds',
      help: 'Unix time of the end of the last compaction run in which every tenant succeeded (0: none since start).',
      registers,
    });
    for (const outcome of ['success', 'failure']) {
      this.runs.inc({ outcome }, 0);
      this.cleanupRuns.inc({ outcome }, 0);
    }
    for (const kind of ['vertical', 'horizontal']) this.compactions.inc({ kind }, 0);
    for (const how of ['copied', 'reencoded']) this.chunksWritten.inc({ how }, 0);
    for (const reason of DELETION_REASONS) this.blocksMarked.inc({ reason }, 0);
  }
}
