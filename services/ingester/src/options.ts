/**
 * The ingester's block shipping options (Mimir's names where Mimir has the option).
 *
 * Merge into a CLI's option set with `defineOptions({ ...own.defs, ...ingesterStorageOptions.defs })`,
 * then read them with {@link flushConfigFromOptions}.
 */
import { defineOptions, type ValuesOf } from '@tessera/server';

/** Option definitions of block cutting and shipping. */
export const ingesterStorageOptions = defineOptions({
  shipInterval: {
    flag: 'blocks-storage.tsdb.ship-interval',
    yaml: 'blocks_storage.tsdb.ship_interval',
    type: 'duration',
    default: '1m',
    help: 'How often the ingester uploads the blocks it cut to the bucket (also right after a cut). 0 disables cutting and shipping: the heads then keep data for -blocks-storage.tsdb.retention-period.',
  },
  headCompactionInterval: {
    flag: 'blocks-storage.tsdb.head-compaction-interval',
    yaml: 'blocks_storage.tsdb.head_compaction_interval',
    type: 'duration',
    default: '1m',
    min: '100ms',
    max: '15m',
    help: 'How often the heads are checked for a block to cut: a head spanning more than 1.5 block ranges gets its oldest range cut into a block.',
  },
  flushOnShutdown: {
    flag: 'ingester.flush-on-shutdown',
    yaml: 'ingester.flush_on_shutdown',
    type: 'bool',
    default: false,
    help: 'On a clean stop, cut everything the heads hold into blocks, upload them and empty the WAL, so that the next start begins with empty heads.',
  },
  flushBlocksOnShutdown: {
    flag: 'blocks-storage.tsdb.flush-blocks-on-shutdown',
    yaml: 'blocks_storage.tsdb.flush_blocks_on_shutdown',
    type: 'bool',
    default: false,
    help: "Mimir's name of -ingester.flush-on-shutdown; either one enables the flush.",
  },
  keepShippedPeriod: {
    flag: 'blocks-storage.tsdb.head-keep-shipped-period',
    yaml: 'blocks_storage.tsdb.head_keep_shipped_period',
    type: 'duration',
    default: '3m',
    help: 'How long samples stay in the head after the block holding them was uploaded, so that queriers whose view of the bucket (refreshed every -blocks-storage.bucket-store.sync-interval) does not show the new block yet still get them from the ingester. Keep it above that interval. Tessera only.',
  },
});

/** The values of {@link ingesterStorageOptions}, as loaded. */
export type IngesterStorageOptionValues = ValuesOf<typeof ingesterStorageOptions.defs>;

/** The flush settings of an ingester (see {@link ingesterStorageOptions}). */
export interface FlushConfig {
  /** 0: no cutting and no shipping. */
  shipIntervalMs: number;
  headCompactionIntervalMs: number;
  flushOnShutdown: boolean;
  keepShippedMs: number;
}

/** The flush settings from loaded option values. */
export function flushConfigFromOptions(v: IngesterStorageOptionValues): FlushConfig {
  return {
    shipIntervalMs: v.shipInterval,
    headCompactionIntervalMs: v.headCompactionInterval,
    flushOnShutdown: v.flushOnShutdown || v.flushBlocksOnShutdown,
    keepShippedMs: v.keepShippedPeriod,
  };
}
