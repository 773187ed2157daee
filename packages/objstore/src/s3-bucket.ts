/**
 * The S3 backend, on @aws-sdk/client-s3: AWS S3 and compatible servers (MinIO, Cloudflare R2,
 * Ceph RGW, s3rver).
 *
 * Visibility: S3 makes an object visible only when its PutObject or CompleteMultipartUpload
 * succeeds, and replaces an existing object atomically, so a failed or interrupted upload never
 * shows a partial object. Parts of an abandoned multipart upload are invisible; the upload is
 * aborted on failure (best effort; a bucket lifecycle rule for incomplete multipart uploads
 * cleans up after a crash).
 *
 * Every request has a deadline and is retried with exponential backoff and jitter on 5xx, 429,
 * timeouts and network errors (see `s3-request.ts`).
 */
import type { Readable } from 'node:stream';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { Bucket, IterCallback, IterOptions, ObjectAttributes, UploadBody } from './bucket.ts';
import { TesseraError } from '@tessera/server';
import { invalidObjectRange, isObjectNotFound, objectNotFound, objectStoreError } from './errors.ts';
import { checkObjectName, compareNames, dirPrefix, isValidRange } from './names.ts';
import { isInvalidRange } from './s3-errors.ts';
import { S3Requester, type RetryListener } from './s3-request.ts';
import { loadS3Sdk, type S3Sdk } from './s3-sdk.ts';
import { s3Upload } from './s3-upload.ts';

/** Settings of an {@link S3Bucket}. */
export interface S3BucketConfig {
  /** Bucket name (must exist; it is not created). */
  bucket: string;
  /**
   * Endpoint as `host[:port]` (the scheme then follows {@link insecure}) or a full URL.
   * Empty: AWS S3's regional endpoint.
   */
  endpoint: string;
  /** Region used for signing. Empty: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`. */
  region: string;
  /** Path-style addressing (`endpoint/bucket/key`) instead of virtual-hosted (`bucket.endpoint/key`). */
  forcePathStyle: boolean;
  /** Access key ID. Empty (with an empty secret): the SDK's chain (environment, shared files, instance role). */
  accessKeyId: string;
  /** Secret access key; set exactly when {@link accessKeyId} is. */
  secretAccessKey: string;
  /** Session token for temporary credentials; empty for none. */
  sessionToken: string;
  /** Talk plain HTTP to a `host[:port]` endpoint. */
  insecure: boolean;
  /** Deadline of one attempt of one request, body transfer included, in ms. */
  requestTimeoutMs: number;
  /** Deadline for establishing a connection, in ms. */
  connectTimeoutMs: number;
  /** Retries of a failed request after the first attempt. */
  maxRetries: number;
  /** Upper bound of the first backoff, in ms. */
  minBackoffMs: number;
  /** Upper bound of any backoff, in ms. */
  maxBackoffMs: number;
  /**
   * Multipart part size in bytes: larger bodies are uploaded in parts of this size. AWS requires
   * at least 5 MiB (except the last part) and at most 10,000 parts, so the largest object is
   * 10,000 × partSize.
   */
  partSize: number;
  /** Parts of one upload in flight at once; memory use is about (this + 1) × partSize. */
  partConcurrency: number;
}

/** Defaults of the optional {@link S3BucketConfig} fields. */
export const S3_BUCKET_DEFAULTS: Readonly<Omit<S3BucketConfig, 'bucket'>> = Object.freeze({
  endpoint: '',
  region: '',
  forcePathStyle: false,
  accessKeyId: '',
  secretAccessKey: '',
  sessionToken: '',
  insecure: false,
  requestTimeoutMs: 120_000,
  connectTimeoutMs: 10_000,
  maxRetries: 10,
  minBackoffMs: 100,
  maxBackoffMs: 10_000,
  partSize: 16 * 1024 * 1024,
  partConcurrency: 2,
});

/** Hooks of an {@link S3Bucket}. */
export interface S3BucketOptions {
  /** Called before each retried request (metrics). */
  readonly onRetry?: RetryListener;
  /** Randomness for backoff jitter; tests pin it. */
  readonly random?: () => number;
}

/** `http(s)://host[:port]` for a bare endpoint, the URL itself for a full one, undefined for AWS. */
export function endpointUrl(endpoint: string, insecure: boolean): string | undefined {
  if (endpoint === '') return undefined;
  if (/^https?:\/\//i.test(endpoint)) return endpoint;
  return `${insecure ? 'http' : 'https'}://${endpoint}`;
}

/** Bucket on S3 or an S3-compatible server. */
export class S3Bucket implements Bucket {
  /** The resolved settings. */
  readonly config: Readonly<S3BucketConfig>;
  readonly #clientConfig: S3ClientConfig;
  #conn: Promise<{ client: S3Client; sdk: S3Sdk }> | null = null;
  #closed = false;
  readonly #req: S3Requester;

  /** The SDK client, created on first use (see s3-sdk.ts). */
  #connect(): Promise<{ client: S3Client; sdk: S3Sdk }> {
    if (this.#closed) return Promise.reject(new Error('S3Bucket is closed'));
    return (this.#conn ??= loadS3Sdk().then((sdk) => ({ client: new sdk.S3Client(this.#clientConfig), sdk })));
  }

  /** A bucket from `config` (only `bucket` is required; see {@link S3_BUCKET_DEFAULTS}). */
  constructor(config: Partial<S3BucketConfig> & { bucket: string }, options: S3BucketOptions = {}) {
    const c: S3BucketConfig = { ...S3_BUCKET_DEFAULTS, ...config };
    if (c.bucket === '') throw new Error('S3Bucket needs a bucket name');
    if ((c.accessKeyId === '') !== (c.secretAccessKey === '')) throw new Error('S3Bucket: set both the access key ID and the secret access key, or neither');
    if (!(c.partSize > 0) || !(c.partConcurrency >= 1)) throw new Error('S3Bucket: partSize and partConcurrency must be positive');
    this.config = Object.freeze(c);
    const endpoint = endpointUrl(c.endpoint, c.insecure);
    const agent = { keepAlive: true, maxSockets: 64 };
    this.#clientConfig = {
      ...(endpoint === undefined ? {} : { endpoint }),
      region: c.region !== '' ? c.region : (process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1'),
      forcePathStyle: c.forcePathStyle,
      ...(c.accessKeyId === ''
        ? {}
        : { credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken === '' ? {} : { sessionToken: c.sessionToken }) } }),
      // Retries are ours (S3Requester); one SDK attempt per call.
      maxAttempts: 1,
      // Send and check the newer flexible checksums only where S3 requires them: several
      // S3-compatible servers reject or mishandle them. Block files carry their own CRC32C.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: c.connectTimeoutMs, socketTimeout: c.requestTimeoutMs, httpAgent: agent, httpsAgent: agent },
    };
    this.#req = new S3Requester(
      { maxRetries: c.maxRetries, minBackoffMs: c.minBackoffMs, maxBackoffMs: c.maxBackoffMs },
      c.requestTimeoutMs,
      options.onRetry,
      options.random,
    );
  }

  async get(name: string): Promise<Uint8Array> {
    checkObjectName(name);
    const c = await this.#connect();
    return this.#req.run('get', name, async (abortSignal) => {
      const out = await c.client.send(new c.sdk.GetObjectCommand({ Bucket: this.config.bucket, Key: name }), { abortSignal });
      return readBody(out.Body, out.ContentLength, abortSignal);
    });
  }

  async getRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    checkObjectName(name);
    if (!isValidRange(offset, length)) throw invalidObjectRange(name, offset, length);
    if (length === 0) {
      if (!(await this.exists(name))) throw objectNotFound(name);
      return new Uint8Array(0);
    }
    const c = await this.#connect();
    return this.#req.run('get_range', name, async (abortSignal) => {
      let out;
      try {
        const Range = `bytes=${offset}-${offset + length - 1}`;
        out = await c.client.send(new c.sdk.GetObjectCommand({ Bucket: this.config.bucket, Key: name, Range }), { abortSignal });
      } catch (e) {
        // 416: the range starts at or after the end of an existing object.
        if (isInvalidRange(e)) return new Uint8Array(0);
        throw e;
      }
      const bytes = await readBody(out.Body, out.ContentLength, abortSignal);
      // A server that ignores Range answers 200 with the whole object; cut it here.
      return out.ContentRange === undefined ? bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length)) : bytes;
    });
  }

  async upload(name: string, body: UploadBody): Promise<void> {
    checkObjectName(name);
    try {
      const c = await this.#connect();
      await s3Upload(c.client, c.sdk, this.#req, this.config, name, body);
    } catch (e) {
      // Errors of S3 requests are TesseraErrors already; others come from reading the body.
      if (TesseraError.is(e) || e instanceof TypeError) throw e;
      throw objectStoreError(`object store: upload of ${name} failed: ${(e as Error).message}`, e);
    }
  }

  async delete(name: string): Promise<void> {
    checkObjectName(name);
    const c = await this.#connect();
    await this.#req.run('delete', name, async (abortSignal) => {
      try {
        await c.client.send(new c.sdk.DeleteObjectCommand({ Bucket: this.config.bucket, Key: name }), { abortSignal });
      } catch (e) {
        // S3 answers 204 for a missing key; some compatible servers answer 404.
        if ((e as { name?: unknown }).name !== 'NoSuchKey') throw e;
      }
    });
  }

  async exists(name: string): Promise<boolean> {
    try {
      await this.attributes(name);
      return true;
    } catch (e) {
      if (isObjectNotFound(e)) return false;
      throw e;
    }
  }

  async attributes(name: string): Promise<ObjectAttributes> {
    checkObjectName(name);
    const c = await this.#connect();
    return this.#req.run('attributes', name, async (abortSignal) => {
      const out = await c.client.send(new c.sdk.HeadObjectCommand({ Bucket: this.config.bucket, Key: name }), { abortSignal });
      return { size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0) };
    });
  }

  async iter(dir: string, fn: IterCallback, options: IterOptions = {}): Promise<void> {
    for await (const name of this.list(dir, options)) await fn(name);
  }

  /**
   * Lists with ListObjectsV2, page by page (1000 keys each). Each page's keys and common
   * prefixes are merged in byte order; pages follow one another in that order too, since S3
   * lists keys in byte order and rolls up each common prefix where its first key would be.
   */
  async *list(dir: string, options: IterOptions = {}): AsyncGenerator<string> {
    const prefix = dirPrefix(dir);
    const recursive = options.recursive === true;
    const c = await this.#connect();
    let token: string | undefined;
    do {
      const page = await this.#req.run('list', prefix, (abortSignal) =>
        c.client.send(
          new c.sdk.ListObjectsV2Command({
            Bucket: this.config.bucket,
            ...(prefix === '' ? {} : { Prefix: prefix }),
            ...(recursive ? {} : { Delimiter: '/' }),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
          { abortSignal },
        ),
      );
      const names: string[] = [];
      // Keys ending in "/" are "directory marker" objects some tools create; they are not objects.
      for (const o of page.Contents ?? []) if (o.Key !== undefined && !o.Key.endsWith('/')) names.push(o.Key);
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) names.push(p.Prefix);
      names.sort(compareNames);
      yield* names;
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const conn = this.#conn;
    this.#conn = null;
    if (conn !== null) (await conn).client.destroy();
  }
}

/**
 * Reads a GET response body to the end, into one array when the length is known. An abort of
 * `signal` (the attempt's deadline) destroys the stream, failing the read.
 */
async function readBody(body: unknown, contentLength: number | undefined, signal: AbortSignal): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array(0);
  const stream = body as Readable;
  const onAbort = (): void => {
    stream.destroy(signal.reason as Error);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (contentLength !== undefined) {
      const out = Buffer.allocUnsafe(contentLength);
      let at = 0;
      for await (const chunk of stream as AsyncIterable<Uint8Array>) {
        if (at + chunk.length > contentLength) throw new Error(`response body longer than its Content-Length ${contentLength}`);
        out.set(chunk, at);
        at += chunk.length;
      }
      if (at !== contentLength) throw Object.assign(new Error(`response body ended after ${at} of ${contentLength} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
      return out;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
