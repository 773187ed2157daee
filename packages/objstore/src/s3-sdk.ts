/**
 * The AWS SDK's S3 client, loaded on first use: importing it costs about 30 MiB of memory and
 * a noticeable start-up time, which a process on the filesystem backend (the single-process
 * default) should not pay.
 */
export type S3Sdk = typeof import('@aws-sdk/client-s3');

let loading: Promise<S3Sdk> | null = null;

/** The SDK module, imported once. */
export function loadS3Sdk(): Promise<S3Sdk> {
  return (loading ??= import('@aws-sdk/client-s3'));
}
