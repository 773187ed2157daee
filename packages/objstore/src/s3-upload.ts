/**
 * Uploads to S3: one PutObject for bodies up to the part size, a multipart upload for larger ones.
 *
 * A multipart upload sends parts 1..n of exactly `partSize` bytes (the last may be shorter), at
 * most `partConcurrency` at a time, then CompleteMultipartUpload with every part's ETag in order.
 * The object appears only when Complete succeeds, whole; until then a previous object under the
 * same name stays visible unchanged. On failure the upload is aborted (best effort) so its parts
 * stop costing storage.
 *
 * Each request is retried on its own (a part is held in memory until it is stored, so it can be
 * re-sent); the body stream itself is read once.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Sdk } from './s3-sdk.ts';
import { bodyChunks, fixedSizePieces } from './body.ts';
import type { UploadBody } from './bucket.ts';
import { isNoSuchUpload } from './s3-errors.ts';
import type { S3Requester } from './s3-request.ts';

/** S3's limit on the number of parts of one multipart upload. */
const MAX_PARTS = 10_000;

/** The settings an upload uses. */
export interface S3UploadConfig {
  readonly bucket: string;
  readonly partSize: number;
  readonly partConcurrency: number;
}

/** The pieces of an in-memory body, as views (no copy). */
function* slices(body: Uint8Array, size: number): Generator<Uint8Array> {
  if (body.length === 0) yield body;
  for (let at = 0; at < body.length; at += size) yield body.subarray(at, Math.min(at + size, body.length));
}

/** Uploads `body` as object `key`; see the module comment. */
export async function s3Upload(client: S3Client, sdk: S3Sdk, req: S3Requester, cfg: S3UploadConfig, key: string, body: UploadBody): Promise<void> {
  const pieces: Iterator<Uint8Array> | AsyncIterator<Uint8Array> =
    body instanceof Uint8Array ? slices(body, cfg.partSize) : fixedSizePieces(bodyChunks(body), cfg.partSize)[Symbol.asyncIterator]();
  const first = await pieces.next();
  const second = first.done === true ? first : await pieces.next();
  if (second.done === true) {
    const bytes = first.done === true ? new Uint8Array(0) : first.value;
    await req.run('upload', key, (abortSignal) =>
      client.send(new sdk.PutObjectCommand({ Bucket: cfg.bucket, Key: key, Body: bytes, ContentLength: bytes.length }), { abortSignal }),
    );
    return;
  }
  await multipart(client, sdk, req, cfg, key, first.value as Uint8Array, second.value, pieces);
}

async function multipart(
  client: S3Client,
  sdk: S3Sdk,
  req: S3Requester,
  cfg: S3UploadConfig,
  key: string,
  first: Uint8Array,
  second: Uint8Array,
  rest: Iterator<Uint8Array> | AsyncIterator<Uint8Array>,
): Promise<void> {
  const created = await req.run('upload', key, (abortSignal) =>
    client.send(new sdk.CreateMultipartUploadCommand({ Bucket: cfg.bucket, Key: key }), { abortSignal }),
  );
  const uploadId = created.UploadId;
  if (uploadId === undefined) throw new Error('CreateMultipartUpload returned no upload ID');

  const etags: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let total = 0;
  const start = (partNumber: number, bytes: Uint8Array): void => {
    total += bytes.length;
    const p = req
      .run('upload_part', key, (abortSignal) =>
        client.send(
          new sdk.UploadPartCommand({ Bucket: cfg.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: bytes, ContentLength: bytes.length }),
          { abortSignal },
        ),
      )
      .then(
        (out) => {
          if (out.ETag === undefined) throw new Error(`UploadPart ${partNumber} returned no ETag`);
          etags[partNumber - 1] = out.ETag;
        },
      )
      .catch((e: unknown) => {
        failure ??= { error: e };
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  try {
    start(1, first);
    let partNumber = 2;
    let next: IteratorResult<Uint8Array> = { done: false, value: second };
    while (next.done !== true) {
      if (partNumber > MAX_PARTS) throw new Error(`object ${key} needs more than ${MAX_PARTS} parts of ${cfg.partSize} bytes; raise the part size`);
      while (inFlight.size >= cfg.partConcurrency && failure === undefined) await Promise.race(inFlight);
      if (failure !== undefined) throw failure.error;
      start(partNumber++, next.value);
      next = await rest.next();
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure.error;
    const parts = etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 }));
    await req.run('upload', key, async (abortSignal, attempt) => {
      try {
        await client.send(
          new sdk.CompleteMultipartUploadCommand({ Bucket: cfg.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
          { abortSignal },
        );
      } catch (e) {
        // A retried Complete whose earlier attempt did succeed (its answer was lost) finds the
        // upload gone; the object is there if it has the size we sent.
        if (attempt > 0 && isNoSuchUpload(e)) {
          const head = await client.send(new sdk.HeadObjectCommand({ Bucket: cfg.bucket, Key: key }), { abortSignal });
          if (head.ContentLength === total) return;
        }
        throw e;
      }
    });
  } catch (e) {
    await Promise.allSettled(inFlight);
    await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: cfg.bucket, Key: key, UploadId: uploadId })).catch(() => {});
    // Release the body stream if we stopped reading it early.
    await Promise.resolve()
      .then(() => rest.return?.())
      .catch(() => {});
    throw e;
  }
}
