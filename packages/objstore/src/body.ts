/**
 * Reading upload bodies: every {@link UploadBody} is consumed as a sequence of byte chunks.
 */
import type { UploadBody } from './bucket.ts';

/**
 * The chunks of `body`, in order. A `Uint8Array` is one chunk (possibly empty); a stream yields
 * its chunks as they come. String chunks (a Readable with an encoding set) are UTF-8 encoded;
 * anything else is a programming error and throws a TypeError.
 */
export async function* bodyChunks(body: UploadBody): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  for await (const chunk of body as AsyncIterable<unknown>) {
    if (chunk instanceof Uint8Array) yield chunk;
    else if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else throw new TypeError(`upload body chunk is ${typeof chunk}, not bytes`);
  }
}

/** Concatenates `chunks` (whose lengths add up to `total`) into one new array. */
export function concatChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === total) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Cuts a chunk stream into pieces of exactly `size` bytes (the last one may be shorter, and is
 * yielded even when empty if it is the only one). Buffers at most one piece plus one chunk.
 * Used by multipart uploads, whose parts must all have the same size except the last.
 */
export async function* fixedSizePieces(chunks: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let yielded = false;
  for await (let chunk of chunks) {
    while (pendingBytes + chunk.length >= size) {
      const take = size - pendingBytes;
      pending.push(chunk.subarray(0, take));
      chunk = chunk.subarray(take);
      // Copy: the caller may hold the piece while the source reuses its buffers.
      yield copyOf(pending, size);
      yielded = true;
      pending = [];
      pendingBytes = 0;
    }
    if (chunk.length > 0) {
      pending.push(chunk);
      pendingBytes += chunk.length;
    }
  }
  if (pendingBytes > 0 || !yielded) yield copyOf(pending, pendingBytes);
}

function copyOf(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
