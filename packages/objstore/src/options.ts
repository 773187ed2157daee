/**
 * The blocks storage options (`-blocks-storage.*`), with Mimir's flag names, YAML paths and
 * meanings where Mimir has the option; the Tessera-only ones say so in their help.
 *
 * Merge into a CLI's option set with `defineOptions({ ...own.defs, ...objstoreOptions.defs })`,
 * then build a {@link BucketConfig} with {@link bucketConfigFromOptions} and the bucket with
 * `createBucket`.
 */
import { join } from 'node:path';
import { ConfigError, defineOptions, type ValuesOf } from '@tessera/server';
import type { S3BucketConfig } from './s3-bucket.ts';

const MiB = 1024 * 1024;

/** Option definitions of the blocks storage bucket. */
export const objstoreOptions = defineOptions({
  blocksStorageBackend: {
    flag: 'blocks-storage.backend',
    yaml: 'blocks_storage.backend',
    type: 'enum',
    values: ['filesystem', 's3'],
    default: 'filesystem',
    help: 'Backend storage for blocks: "filesystem" (a local directory, for a single process) or "s3" (AWS S3 or a compatible server).',
  },
  filesystemDir: {
    flag: 'blocks-storage.filesystem.dir',
    yaml: 'blocks_storage.filesystem.dir',
    type: 'string',
    default: '',
    help: 'Directory holding the blocks when the backend is "filesystem". Empty: "blocks" under -data.dir.',
  },
  s3Endpoint: {
    flag: 'blocks-storage.s3.endpoint',
    yaml: 'blocks_storage.s3.endpoint',
    type: 'string',
    default: '',
    check: (v: string) => (/\s/.test(v) ? 'must not contain spaces' : undefined),
    help: 'S3 endpoint as host[:port] (or a full http(s):// URL). Empty: AWS S3 in the configured region.',
  },
  s3Region: {
    flag: 'blocks-storage.s3.region',
    yaml: 'blocks_storage.s3.region',
    type: 'string',
    default: '',
    help: 'S3 region. Empty: $AWS_REGION, else us-east-1.',
  },
  s3BucketName: {
    flag: 'blocks-storage.s3.bucket-name',
    yaml: 'blocks_storage.s3.bucket_name',
    type: 'string',
    default: '',
    help: 'S3 bucket name (required with the s3 backend; the bucket must exist).',
  },
  s3AccessKeyId: {
    flag: 'blocks-storage.s3.access-key-id',
    yaml: 'blocks_storage.s3.access_key_id',
    type: 'string',
    default: '',
    help: 'S3 access key ID. Empty: credentials come from the environment ($AWS_ACCESS_KEY_ID, shared credentials file, instance or pod role).',
  },
  s3SecretAccessKey: {
    flag: 'blocks-storage.s3.secret-access-key',
    yaml: 'blocks_storage.s3.secret_access_key',
    type: 'string',
    default: '',
    secret: true,
    help: 'S3 secret access key; set together with -blocks-storage.s3.access-key-id.',
  },
  s3SessionToken: {
    flag: 'blocks-storage.s3.session-token',
    yaml: 'blocks_storage.s3.session_token',
    type: 'string',
    default: '',
    secret: true,
    help: 'S3 session token, for temporary credentials. Empty for none.',
  },
  s3Insecure: {
    flag: 'blocks-storage.s3.insecure',
    yaml: 'blocks_storage.s3.insecure',
    type: 'bool',
    default: false,
    help: 'Talk plain HTTP, not HTTPS, to the S3 endpoint.',
  },
  s3BucketLookupType: {
    flag: 'blocks-storage.s3.bucket-lookup-type',
    yaml: 'blocks_storage.s3.bucket_lookup_type',
    type: 'enum',
    values: ['auto', 'virtual-hosted', 'path'],
    default: 'auto',
    help: 'Bucket addressing: "path" (endpoint/bucket/key), "virtual-hosted" (bucket.endpoint/key), or "auto": virtual-hosted for AWS, path for any other endpoint (MinIO, Ceph, s3rver).',
  },
  s3PartSize: {
    flag: 'blocks-storage.s3.part-size',
    yaml: 'blocks_storage.s3.part_size',
    type: 'int',
    default: 16 * MiB,
    min: 5 * MiB,
    max: 5 * 1024 * MiB,
    help: 'Size in bytes of the parts of a multipart upload; larger objects are uploaded in parts. Objects are limited to 10000 parts.',
  },
  s3MaxRetries: {
    flag: 'blocks-storage.s3.max-retries',
    yaml: 'blocks_storage.s3.max_retries',
    type: 'int',
    default: 10,
    max: 100,
    help: 'Retries of an S3 request that failed with a 5xx, a timeout or a network error, with exponential backoff and jitter.',
  },
  s3RequestTimeout: {
    flag: 'blocks-storage.s3.request-timeout',
    yaml: 'blocks_storage.s3.request_timeout',
    type: 'duration',
    default: '2m',
    min: '100ms',
    help: 'Deadline of one attempt of an S3 request, body transfer included; a request past it is retried. Tessera only.',
  },
  s3ConnectTimeout: {
    flag: 'blocks-storage.s3.connect-timeout',
    yaml: 'blocks_storage.s3.connect_timeout',
    type: 'duration',
    default: '10s',
    min: '100ms',
    help: 'Deadline for opening a connection to the S3 endpoint. Tessera only.',
  },
});

/** The values of {@link objstoreOptions}, as loaded. */
export type ObjstoreOptionValues = ValuesOf<typeof objstoreOptions.defs>;

/** Which bucket to open: the input of `createBucket`. */
export type BucketConfig =
  | { readonly backend: 'filesystem'; readonly dir: string }
  | { readonly backend: 's3'; readonly s3: Partial<S3BucketConfig> & { readonly bucket: string } };

/**
 * Whether path-style addressing applies. "auto" chooses virtual-hosted for AWS (no endpoint, or
 * an amazonaws.com one) and path-style for everything else, where bucket subdomains rarely resolve.
 */
export function usePathStyle(lookupType: ObjstoreOptionValues['s3BucketLookupType'], endpoint: string): boolean {
  if (lookupType !== 'auto') return lookupType === 'path';
  if (endpoint === '') return false;
  const host = endpoint.replace(/^https?:\/\//i, '').split(/[/:]/)[0]!.toLowerCase();
  return !(host.endsWith('.amazonaws.com') || host.endsWith('.amazonaws.com.cn'));
}

/**
 * Builds the bucket config from loaded option values; `dataDir` (`-data.dir`) places the
 * filesystem backend's default directory. Throws a ConfigError listing every problem: the s3
 * backend without a bucket name, or only one half of the static credentials.
 */
export function bucketConfigFromOptions(v: ObjstoreOptionValues, context: { readonly dataDir: string }): BucketConfig {
  if (v.blocksStorageBackend === 'filesystem') {
    return { backend: 'filesystem', dir: v.filesystemDir !== '' ? v.filesystemDir : join(context.dataDir, 'blocks') };
  }
  const problems: string[] = [];
  if (v.s3BucketName === '') problems.push('-blocks-storage.s3.bucket-name must be set when -blocks-storage.backend=s3');
  if ((v.s3AccessKeyId === '') !== (v.s3SecretAccessKey === '')) {
    problems.push('-blocks-storage.s3.access-key-id and -blocks-storage.s3.secret-access-key must be set together (or both left empty to use the environment)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    backend: 's3',
    s3: {
      bucket: v.s3BucketName,
      endpoint: v.s3Endpoint,
      region: v.s3Region,
      forcePathStyle: usePathStyle(v.s3BucketLookupType, v.s3Endpoint),
      accessKeyId: v.s3AccessKeyId,
      secretAccessKey: v.s3SecretAccessKey,
      sessionToken: v.s3SessionToken,
      insecure: v.s3Insecure,
      partSize: v.s3PartSize,
      maxRetries: v.s3MaxRetries,
      requestTimeoutMs: v.s3RequestTimeout,
      connectTimeoutMs: v.s3ConnectTimeout,
    },
  };
}
