// Re-encoding part of a decoded WriteRequest: what the distributor sends to each ingester in the
// cluster mode. Label bytes are copied as they were received (never decoded to strings), so the
// ingester sees exactly the bytes the distributor hashed and validated; sample values are copied
// as their 8 raw bytes, so NaN payloads (the stale marker) survive.
//
// Output layout (uncompressed protobuf WriteRequest, proto/remote.proto; tags in hex):
//   0a len TimeSeries          one per selected series that still has a sample, in the given order
//     TimeSeries = <label fields as received> then, per kept sample, 12 len Sample
//       label fields: buf[labelsStart, labelsEnd) verbatim when they were contiguous; otherwise
//                     each label re-framed as 0a len (0a n name 12 m value) from its raw bytes
//       Sample = 09 <value, 8 bytes LE> 10 <timestamp, int64 varint (negatives take 10 bytes)>
//   1a len MetricMetadata      one per given metadata entry, after the series
// Exemplars and native histograms are not forwarded (the distributor drops them).

import type { DecodedWriteRequest } from './decoded-write-request.ts';
import type { MetricMetadataObject } from './types.ts';

/** Bytes of an unsigned varint holding `v` (0 ≤ v < 2^35). */
function uvarintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Bytes of the int64 varint of a safe-integer timestamp; negatives always take 10. */
function int64Size(t: number): number {
  if (t < 0) return 10;
  let n = 1;
  while (t >= 128) {
    t = Math.floor(t / 128);
    n++;
  }
  return n;
}

/** Size of one encoded Sample field: tag + length + 9 (value) + 1 + timestamp varint. */
function sampleFieldSize(t: number): number {
  const body = 10 + int64Size(t);
  return 1 + 1 + body; // body ≤ 20 bytes: a one-byte length
}

const encoder = new TextEncoder();

/**
 * A growable output buffer for {@link encodeWriteRequestFromDecoded}, reusable across calls.
 * The bytes returned by an encode are a view of `bytes`, valid until the next encode into the
 * same buffer; use one buffer per request in flight.
 */
export class EncodeBuffer {
  /** The backing store; replaced (not resized in place) when it grows. */
  bytes: Uint8Array;

  /** Creates a buffer of `initialBytes` capacity. */
  constructor(initialBytes = 64 * 1024) {
    this.bytes = new Uint8Array(initialBytes);
  }

  /** Ensures a capacity of at least `n` bytes, keeping the first `keep` bytes. */
  ensure(n: number, keep: number): void {
    if (n <= this.bytes.length) return;
    let cap = Math.max(this.bytes.length, 1024);
    while (cap < n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.bytes.subarray(0, keep));
    this.bytes = b;
  }
}

function writeUvarint(b: Uint8Array, p: number, v: number): number {
  while (v >= 0x80) {
    b[p++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  b[p++] = v;
  return p;
}

/** Writes a safe-integer int64 as a varint (two's complement, 10 bytes, when negative). */
function writeInt64(b: Uint8Array, p: number, t: number): number {
  if (t >= 0) return writeUvarint(b, p, t);
  // Split into two's-complement 32-bit halves: hi is negative, lo in [0, 2^32).
  let hi = Math.floor(t / 4294967296);
  let lo = t - hi * 4294967296;
  hi >>>= 0;
  for (let i = 0; i < 9; i++) {
    b[p++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  b[p++] = lo & 0x01;
  return p;
}

/** Size of the label fields of series `i` as they will be written. */
function labelBytesSize(req: DecodedWriteRequest, i: number): number {
  if (req.labelsContiguous[i] === 1) return req.labelsEnd[i]! - req.labelsStart[i]!;
  let size = 0;
  const first = req.labelFirst[i]!;
  for (let k = first; k < first + req.labelCount[i]!; k++) {
    const inner = labelInnerSize(req, k);
    size += 1 + uvarintSize(inner) + inner;
  }
  return size;
}

function labelInnerSize(req: DecodedWriteRequest, k: number): number {
  const n = req.nameEnd[k]! - req.nameStart[k]!;
  const v = req.valueEnd[k]! - req.valueStart[k]!;
  return 1 + uvarintSize(n) + n + 1 + uvarintSize(v) + v;
}

function writeMetadata(out: EncodeBuffer, p: number, m: MetricMetadataObject): number {
  const name = encoder.encode(m.metricFamilyName);
  const help = encoder.encode(m.help);
  const unit = encoder.encode(m.unit);
  const str = (s: Uint8Array): number => (s.length === 0 ? 0 : 1 + uvarintSize(s.length) + s.length);
  const type = m.type >>> 0;
  const body = (type === 0 ? 0 : 1 + uvarintSize(type)) + str(name) + str(help) + str(unit);
  out.ensure(p + 1 + uvarintSize(body) + body, p);
  const b = out.bytes;
  b[p++] = 0x1a;
  p = writeUvarint(b, p, body);
  if (type !== 0) {
    b[p++] = 0x08;
    p = writeUvarint(b, p, type);
  }
  for (const [tag, s] of [[0x12, name], [0x22, help], [0x2a, unit]] as const) {
    if (s.length === 0) continue;
    b[p++] = tag;
    p = writeUvarint(b, p, s.length);
    b.set(s, p);
    p += s.length;
  }
  return p;
}

/**
 * Encodes the series `series[0..count)` (indexes into `req`) as an uncompressed protobuf
 * WriteRequest into `out`, and returns the bytes (a view of `out.bytes`).
 *
 * Only samples with `sampleOk[j] !== 0` are written (all when `sampleOk` is null); a series left
 * without samples is omitted. Label bytes are copied verbatim (see the file comment), so the
 * result decodes to the same labels with the same raw bytes, and `labelsContiguous` series keep
 * byte-identical label fields. `metadata` entries, if given, follow the series. Allocates nothing
 * per series or sample.
 */
export function encodeWriteRequestFromDecoded(
  req: DecodedWriteRequest,
  series: ArrayLike<number>,
  count: number,
  sampleOk: Uint8Array | null,
  out: EncodeBuffer,
  metadata: readonly MetricMetadataObject[] = [],
): Uint8Array {
  const src = req.buf;
  let p = 0;
  for (let s = 0; s < count; s++) {
    const i = series[s]!;
    const first = req.sampleFirst[i]!;
    const end = first + req.sampleCount[i]!;
    let samplesSize = 0;
    for (let j = first; j < end; j++) {
      if (sampleOk === null || sampleOk[j] !== 0) samplesSize += sampleFieldSize(req.timestamps[j]!);
    }
    if (samplesSize === 0) continue;
    const body = labelBytesSize(req, i) + samplesSize;
    out.ensure(p + 1 + uvarintSize(body) + body, p);
    const b = out.bytes;
    b[p++] = 0x0a;
    p = writeUvarint(b, p, body);
    if (req.labelsContiguous[i] === 1) {
      b.set(src.subarray(req.labelsStart[i]!, req.labelsEnd[i]!), p);
      p += req.labelsEnd[i]! - req.labelsStart[i]!;
    } else {
      const lf = req.labelFirst[i]!;
      for (let k = lf; k < lf + req.labelCount[i]!; k++) {
        b[p++] = 0x0a;
        p = writeUvarint(b, p, labelInnerSize(req, k));
        b[p++] = 0x0a;
        p = writeUvarint(b, p, req.nameEnd[k]! - req.nameStart[k]!);
        b.set(src.subarray(req.nameStart[k]!, req.nameEnd[k]!), p);
        p += req.nameEnd[k]! - req.nameStart[k]!;
        b[p++] = 0x12;
        p = writeUvarint(b, p, req.valueEnd[k]! - req.valueStart[k]!);
        b.set(src.subarray(req.valueStart[k]!, req.valueEnd[k]!), p);
        p += req.valueEnd[k]! - req.valueStart[k]!;
      }
    }
    const words = req.valueWords;
    for (let j = first; j < end; j++) {
      if (sampleOk !== null && sampleOk[j] === 0) continue;
      const t = req.timestamps[j]!;
      b[p++] = 0x12;
      b[p++] = 10 + int64Size(t);
      b[p++] = 0x09;
      const lo = words[2 * j]!;
      const hi = words[2 * j + 1]!;
      b[p++] = lo & 0xff;
      b[p++] = (lo >>> 8) & 0xff;
      b[p++] = (lo >>> 16) & 0xff;
      b[p++] = lo >>> 24;
      b[p++] = hi & 0xff;
      b[p++] = (hi >>> 8) & 0xff;
      b[p++] = (hi >>> 16) & 0xff;
      b[p++] = hi >>> 24;
      b[p++] = 0x10;
      p = writeInt64(b, p, t);
    }
  }
  for (const m of metadata) p = writeMetadata(out, p, m);
  return out.bytes.subarray(0, p);
}
