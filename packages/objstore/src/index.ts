/**
 * @tessera/objstore: the object store that holds blocks — one {@link Bucket} interface with a
 * filesystem backend (single process) and an S3 backend (AWS S3, MinIO, R2, Ceph).
 */
export type { Bucket, IterCallback, IterOptions, ObjectAttributes, UploadBody } from './bucket.ts';
export {
  OBJECT_NOT_FOUND,
  invalidObjectName,
  invalidObjectRange,
  isObjectNotFound,
  objectNotFound,
  objectStoreError,
  objectStoreUnavailable,
} from './errors.ts';
export { checkObjectName, compareNames, dirPrefix, TEMP_MARKER } from './names.ts';
export { FilesystemBucket } from './filesystem-bucket.ts';
export { S3Bucket, S3_BUCKET_DEFAULTS, endpointUrl } from './s3-bucket.ts';
export type { S3BucketConfig, S3BucketOptions } from './s3-bucket.ts';
export type { RetryListener } from './s3-request.ts';
export { backoffDelay, RetriesExhausted, withRetries } from './retry.ts';
export type { RetryHooks, RetryPolicy } from './retry.ts';
export { isRetryableS3Error } from './s3-errors.ts';
export { InstrumentedBucket } from './instrumented-bucket.ts';
export { OBJSTORE_OPERATIONS, OBJSTORE_OUTCOMES, initBucketSeries, objstoreMetrics } from './metrics.ts';
export type { ObjstoreMetrics, ObjstoreOperation } from './metrics.ts';
export { bucketConfigFromOptions, objstoreOptions, usePathStyle } from './options.ts';
export type { BucketConfig, ObjstoreOptionValues } from './options.ts';
export { createBucket } from './create-bucket.ts';
export type { CreateBucketOptions } from './create-bucket.ts';
