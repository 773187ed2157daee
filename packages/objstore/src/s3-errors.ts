/**
 * How the S3 backend reads the errors of @aws-sdk/client-s3 and of the network beneath it.
 *
 * SDK service errors carry `name` (the S3 error code, or `NotFound`/`Unknown` for bodiless
 * responses such as HEAD's) and `$metadata.httpStatusCode`; network failures are Node errors with
 * a `code` such as `ECONNREFUSED`.
 */

/** Error codes S3 (and compatible servers) use for failures worth retrying. */
const RETRYABLE_NAMES: ReadonlySet<string> = new Set([
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TimeoutError',
]);

/** Node/undici network error codes worth retrying: the request may not have reached the server. */
const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** The HTTP status of an SDK error, if it has one. */
export function httpStatusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const status = (e as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function field(e: unknown, key: 'name' | 'code'): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const v = (e as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * True when the SDK error says the object does not exist. A missing bucket or multipart upload
 * is also a 404 but means something else (a configuration error; an upload already completed or
 * aborted).
 */
export function isS3NotFound(e: unknown): boolean {
  const name = field(e, 'name');
  if (name === 'NoSuchBucket' || name === 'NoSuchUpload') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatusOf(e) === 404;
}

/** True when S3 says the multipart upload does not exist (completed or aborted already). */
export function isNoSuchUpload(e: unknown): boolean {
  return field(e, 'name') === 'NoSuchUpload';
}

/** True when S3 refused a range that starts at or after the end of the object (HTTP 416). */
export function isInvalidRange(e: unknown): boolean {
  return field(e, 'name') === 'InvalidRange' || httpStatusOf(e) === 416;
}

/**
 * True when retrying may succeed: 5xx and 429 answers, throttling and timeout codes, and network
 * failures (connection refused or reset, DNS). 4xx answers are final.
 */
export function isRetryableS3Error(e: unknown): boolean {
  const status = httpStatusOf(e);
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  const name = field(e, 'name');
  if (name !== undefined && RETRYABLE_NAMES.has(name)) return true;
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 4; depth++) {
    const code = field(cur, 'code');
    if (code !== undefined && RETRYABLE_NETWORK_CODES.has(code)) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  if (status === undefined && typeof e === 'object' && e !== null && (e as { $retryable?: unknown }).$retryable !== undefined) return true;
  return false;
}
