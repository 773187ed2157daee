/**
 * Metrics of block cutting and shipping. An upload failure shows in
 * `tessera_ingester_shipper_upload_failures_total` and in a growing
 * `tessera_ingester_shipper_blocks_pending`; alert on either (and on the age of
 * `tessera_ingester_shipper_last_successful_upload_timestamp_seconds`).
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** The counters and gauges the flusher updates. */
export class FlushMetrics {
  readonly blocksCut: Counter;
  readonly cutFailures: Counter;
  readonly uploads: Counter;
  readonly uploadFailures: Counter;
  readonly lastUpload: Gauge;
  readonly headTruncations: Counter;

  /** Registers the metrics; `pending` is read at scrape time. */
  constructor(registry: Registry, pending: () => number) {
    const registers = [registry];
    this.blocksCut = new Counter({ name: 'tessera_ingester_blocks_cut_total', help: 'Blocks cut from the heads and written to local disk.', registers });
    this.cutFailures = new Counter({ name: 'tessera_ingester_block_cut_failures_total', help: 'Failed attempts to write a block cut from a head (retried at the next check).', registers });
    this.uploads = new Counter({ name: 'tessera_ingester_shipper_uploads_total', help: 'Blocks uploaded to the bucket.', registers });
    this.uploadFailures = new Counter({
      name: 'tessera_ingester_shipper_upload_failures_total',
      help: 'Failed block uploads (retried at the next ship interval; the block stays on local disk meanwhile).',
      registers,
    });
    this.lastUpload = new Gauge({
      name: 'tessera_ingester_shipper_last_successful_upload_timestamp_seconds',
      help: 'Unix time of the last successful block upload (0: none since start).',
      registers,
    });
    new Gauge({
      name: 'tessera_ingester_shipper_blocks_pending',
      help: 'Blocks cut to local disk and not uploaded yet.',
      registers,
      collect() {
        this.set(pending());
      },
    });
    this.headTruncations = new Counter({
      name: 'tessera_ingester_head_truncations_after_ship_total',
      help: 'Times a head dropped a range whose block is in the bucket (and its WAL was checkpointed).',
      registers,
    });
  }
}
