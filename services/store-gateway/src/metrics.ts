/**
 * Metrics of the bucket store. Alert on the age of
 * `tessera_bucket_store_last_successful_sync_timestamp_seconds`: a stale index hides new blocks.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** The counters and gauges the bucket store updates. */
export class BucketStoreMetrics {
  readonly syncs: Counter<'outcome'>;
  readonly lastSync: Gauge;
  readonly indexDownloads: Counter;
  readonly blockQueries: Counter;

  /** Registers the metrics; `blocks` is read at scrape time. */
  constructor(registry: Registry, blocks: () => number) {
    const registers = [registry];
    this.syncs = new Counter({
      name: 'tessera_bucket_store_syncs_total',
      help: 'Refreshes of the tenants\' block lists from the bucket, by outcome (success, failure).',
      labelNames: ['outcome'],
      registers,
    });
    this.syncs.inc({ outcome: 'success' }, 0);
    this.syncs.inc({ outcome: 'failure' }, 0);
    this.lastSync = new Gauge({
      name: 'tessera_bucket_store_last_successful_sync_timestamp_seconds',
      help: 'When the periodic refresh of every tenant\'s block list last succeeded (unix seconds).',
      registers,
    });
    this.indexDownloads = new Counter({
      name: 'tessera_bucket_store_cache_downloads_total',
      help: 'Block files (index, meta.json) downloaded into the local cache (-blocks-storage.bucket-store.sync-dir).',
      registers,
    });
    this.blockQueries = new Counter({
      name: 'tessera_bucket_store_block_queries_total',
      help: 'Block reads made for queries (one per block a query touched).',
      registers,
    });
    new Gauge({
      name: 'tessera_bucket_store_blocks_loaded',
      help: 'Blocks in the bucket index over all tenants (queryable blocks).',
      registers,
      collect() {
        this.set(blocks());
      },
    });
  }
}
