import { describe, expect, it } from 'vitest';
import { isInvalidRange, isRetryableS3Error, isS3NotFound } from './s3-errors.ts';

/** An error shaped like the SDK's service exceptions. */
const sdk = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const net = (code: string) => Object.assign(new Error(code), { code });

describe('S3 error classification', () => {
  it.each<[string, unknown, boolean]>([
    ['500 InternalError', sdk('InternalError', 500), true],
    ['503 SlowDown', sdk('SlowDown', 503), true],
    ['502 without a body', sdk('Unknown', 502), true],
    ['429 throttling', sdk('TooManyRequestsException', 429), true],
    ['400 RequestTimeout', sdk('RequestTimeout', 400), true],
    ['our attempt deadline', Object.assign(new Error('t'), { name: 'TimeoutError' }), true],
    ['connection refused', net('ECONNREFUSED'), true],
    ['connection reset, wrapped', Object.assign(new Error('x'), { cause: net('ECONNRESET') }), true],
    ['DNS failure', net('EAI_AGAIN'), true],
    ['403 AccessDenied', sdk('AccessDenied', 403), false],
    ['404 NoSuchKey', sdk('NoSuchKey', 404), false],
    ['404 NoSuchBucket', sdk('NoSuchBucket', 404), false],
    ['400 InvalidArgument', sdk('InvalidArgument', 400), false],
    ['a programming error', new TypeError('x is undefined'), false],
  ])('%s: retryable=%s', (_label, e, retryable) => {
    expect(isRetryableS3Error(e)).toBe(retryable);
  });

  it.each<[string, unknown, boolean]>([
    ['NoSuchKey', sdk('NoSuchKey', 404), true],
    ['HEAD NotFound', sdk('NotFound', 404), true],
    ['NoSuchBucket is a configuration error', sdk('NoSuchBucket', 404), false],
    ['NoSuchUpload is about an upload', sdk('NoSuchUpload', 404), false],
    ['403', sdk('AccessDenied', 403), false],
  ])('%s: not-found=%s', (_label, e, notFound) => {
    expect(isS3NotFound(e)).toBe(notFound);
  });

  it('recognises an unsatisfiable range', () => {
    expect(isInvalidRange(sdk('InvalidRange', 416))).toBe(true);
    expect(isInvalidRange(sdk('NoSuchKey', 404))).toBe(false);
  });
});
