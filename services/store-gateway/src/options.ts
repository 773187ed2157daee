/**
 * The store read path's options, with Mimir's names: the bucket store (how the querier discovers
 * and caches a tenant's blocks) and the querier's split between ingesters and the store.
 *
 * Merge into a CLI's option set with `defineOptions({ ...own.defs, ...bucketStoreOptions.defs })`,
 * then read them with {@link bucketStoreConfigFromOptions}.
 */
import { join } from 'node:path';
import { defineOptions, type ValuesOf } from '@tessera/server';

/** Option definitions of the store read path. */
export const bucketStoreOptions = defineOptions({
  bucketStoreSyncInterval: {
    flag: 'blocks-storage.bucket-store.sync-interval',
    yaml: 'blocks_storage.bucket_store.sync_interval',
    type: 'duration',
    default: '1m',
    min: '100ms',
    help: 'How often the list of each tenant\'s blocks is refreshed from the bucket; a query for a tenant whose list is older refreshes it first. Keep it below -blocks-storage.tsdb.head-keep-shipped-period. (Mimir\'s default is 15m.)',
  },
  bucketStoreSyncDir: {
    flag: 'blocks-storage.bucket-store.sync-dir',
    yaml: 'blocks_storage.bucket_store.sync_dir',
    type: 'string',
    default: '',
    help: 'Local directory caching the index of each block queried (chunks are read from the bucket with ranged requests). Empty: "tsdb-sync" under -data.dir.',
  },
  bucketStoreIgnoreDeletionMarksDelay: {
    flag: 'blocks-storage.bucket-store.ignore-deletion-marks-delay',
    yaml: 'blocks_storage.bucket_store.ignore_deletion_marks_delay',
    type: 'duration',
    default: '1h',
    help: 'Blocks marked for deletion longer ago than this are no longer queried (the compactor has replaced them); keep it below -compactor.deletion-delay so that they are never queried once gone.',
  },
  queryIngestersWithin: {
    flag: 'querier.query-ingesters-within',
    yaml: 'querier.query_ingesters_within',
    type: 'duration',
    default: '13h',
    help: 'Ingesters are asked only for queries whose end is within this long before now (they hold no older data). 0: always ask them.',
  },
  queryStoreAfter: {
    flag: 'querier.query-store-after',
    yaml: 'querier.query_store_after',
    type: 'duration',
    default: '0',
    help: 'The store (blocks in the bucket) is asked only for queries starting more than this long before now. 0: always ask it (ingesters drop data soon after shipping it, so the store must cover everything).',
  },
});

/** The values of {@link bucketStoreOptions}, as loaded. */
export type BucketStoreOptionValues = ValuesOf<typeof bucketStoreOptions.defs>;

/** Settings of a {@link BucketStore} and of the querier's source split. */
export interface BucketStoreConfig {
  syncIntervalMs: number;
  syncDir: string;
  ignoreDeletionMarksDelayMs: number;
  queryIngestersWithinMs: number;
  queryStoreAfterMs: number;
}

/** Store settings from loaded option values; `dataDir` places the default sync dir. */
export function bucketStoreConfigFromOptions(v: BucketStoreOptionValues, context: { readonly dataDir: string }): BucketStoreConfig {
  return {
    syncIntervalMs: v.bucketStoreSyncInterval,
    syncDir: v.bucketStoreSyncDir !== '' ? v.bucketStoreSyncDir : join(context.dataDir, 'tsdb-sync'),
    ignoreDeletionMarksDelayMs: v.bucketStoreIgnoreDeletionMarksDelay,
    queryIngestersWithinMs: v.queryIngestersWithin,
    queryStoreAfterMs: v.queryStoreAfter,
  };
}
