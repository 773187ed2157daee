/**
 * The bucket factory: opens the backend a {@link BucketConfig} names, instrumented when a metrics
 * registry is given.
 */
import type { Registry } from 'prom-client';
import type { Bucket } from './bucket.ts';
import { FilesystemBucket } from './filesystem-bucket.ts';
import { InstrumentedBucket } from './instrumented-bucket.ts';
import { objstoreMetrics } from './metrics.ts';
import type { BucketConfig } from './options.ts';
import { S3Bucket } from './s3-bucket.ts';

/** What {@link createBucket} injects besides the config. */
export interface CreateBucketOptions {
  /** Registry for the `tessera_objstore_*` metrics; none: no metrics. */
  readonly registry?: Registry;
  /** The `bucket` label of the metrics, naming what the bucket holds. Default `blocks`. */
  readonly name?: string;
}

/** Opens the bucket `config` names. Close it with `bucket.close()`. */
export function createBucket(config: BucketConfig, options: CreateBucketOptions = {}): Bucket {
  const name = options.name ?? 'blocks';
  const metrics = options.registry === undefined ? undefined : objstoreMetrics(options.registry);
  let bucket: Bucket;
  switch (config.backend) {
    case 'filesystem':
      bucket = new FilesystemBucket(config.dir);
      break;
    case 's3':
      bucket = new S3Bucket(config.s3, metrics === undefined ? {} : { onRetry: (operation) => metrics.retries.inc({ bucket: name, operation }) });
      break;
  }
  return metrics === undefined ? bucket : new InstrumentedBucket(bucket, metrics, name);
}
