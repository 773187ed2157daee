/**
 * The record types the head writes to the WAL, with encoders and decoders that allocate nothing
 * per entry.
 *
 * Series record (type 1), payload = repeated entries:
 *   uvarint ref | uvarint n | n bytes of labels (the caller's canonical label encoding, opaque here)
 *
 * Samples record (type 2), payload = header, then repeated samples:
 *   header: uvarint baseRef | varint baseT
 *   sample: varint (ref - baseRef) | varint (t - baseT) | 8 bytes float64 value, little-endian,
 *           copied bit for bit (stale-marker NaNs survive)
 * With the first sample's ref and t as the base, a request of nearby series scraped at nearby
 * times costs 1–3 bytes of ref delta, 1–2 of time delta and 8 of value: ≈ 11–12 bytes a sample.
 * Timestamps are int64 milliseconds held in JS numbers, exact within ±2^53; within one record,
 * |t - baseT| and |ref - baseRef| must also stay below 2^53 (always so for timestamps the head
 * accepts, which lie within hours of now). Not checked per sample: that is the hot path.
 */
import { ByteReader } from './byte-reader.ts';
import type { RecordWriter, RecordWriterLike } from './record-buffer.ts';

/** Record type of series definitions: ref → labels. */
export const RECORD_SERIES = 1;
/** Record type of samples: (ref, t, value) triples. */
export const RECORD_SAMPLES = 2;

/**
 * Builds one series record; reuse one instance for every record.
 * Usage: `begin(wal)`, `add(ref, buf, start, end)` per series, `end()`.
 */
export class SeriesRecordEncoder {
  private sink: RecordWriterLike | null = null;
  private w: RecordWriter | null = null;

  /** Opens a series record on `sink`. */
  begin(sink: RecordWriterLike): void {
    this.w = sink.beginRecord(RECORD_SERIES);
    this.sink = sink;
  }

  /** Appends the series `ref` whose encoded labels are `buf[start..end)`. */
  add(ref: number, buf: Uint8Array, start: number, end: number): void {
    const w = this.w!; // begin() must have been called
    w.writeUvarint(ref);
    w.writeUvarint(end - start);
    w.writeBytes(buf, start, end);
  }

  /** Closes the record. */
  end(): void {
    this.sink!.endRecord();
    this.sink = null;
    this.w = null;
  }
}

/**
 * Builds one samples record; reuse one instance for every record.
 * Usage: `begin(wal, baseRef, baseT)` (typically the first sample's ref and t), then one of the
 * `add*` methods per sample, then `end()`.
 */
export class SamplesRecordEncoder {
  private sink: RecordWriterLike | null = null;
  private w: RecordWriter | null = null;
  private baseRef = 0;
  private baseT = 0;

  /** Opens a samples record on `sink` and writes its header. */
  begin(sink: RecordWriterLike, baseRef: number, baseT: number): void {
    const w = sink.beginRecord(RECORD_SAMPLES);
    this.sink = sink;
    this.w = w;
    this.baseRef = baseRef;
    this.baseT = baseT;
    w.writeUvarint(baseRef);
    w.writeVarint(baseT);
  }

  /** Appends a sample whose value is `values[i]`, copied bit for bit. */
  add(ref: number, t: number, values: Float64Array, i: number): void {
    const w = this.w!; // begin() must have been called
    w.writeVarint(ref - this.baseRef);
    w.writeVarint(t - this.baseT);
    w.writeFloat64BitsFrom(values, i);
  }

  /** Appends a sample whose value is the 8 little-endian bytes at `src[off]` (e.g. a protobuf double). */
  addRawValue(ref: number, t: number, src: Uint8Array, off: number): void {
    const w = this.w!;
    w.writeVarint(ref - this.baseRef);
    w.writeVarint(t - this.baseT);
    w.writeBytes(src, off, off + 8);
  }

  /** Appends a sample with value `v` (NaN payloads may be canonicalised: use `add` for those). */
  addValue(ref: number, t: number, v: number): void {
    const w = this.w!;
    w.writeVarint(ref - this.baseRef);
    w.writeVarint(t - this.baseT);
    w.writeFloat64(v);
  }

  /** Closes the record. */
  end(): void {
    this.sink!.endRecord();
    this.sink = null;
    this.w = null;
  }
}

/**
 * Decodes a series record, calling `fn(ref, buf, start, end)` per entry with the labels at
 * `buf[start..end)` (a view valid only during the call). Returns the number of entries.
 */
export function decodeSeriesRecord(
  payload: Uint8Array,
  fn: (ref: number, buf: Uint8Array, start: number, end: number) => void,
): number {
  const r = new ByteReader().reset(payload);
  let n = 0;
  while (r.pos < r.end) {
    const ref = r.readUvarint();
    const len = r.readUvarint();
    const start = r.skip(len);
    fn(ref, payload, start, start + len);
    n++;
  }
  return n;
}

/** Value bytes of the samples being decoded; grown on demand, reused across calls. */
let values = new Float64Array(1024);
let valueBytes = new Uint8Array(values.buffer);

/**
 * Decodes a samples record, calling `fn(ref, t, values, index)` per sample; the value is
 * `values[index]`, its 8 bytes copied exactly from the record. `values` holds every value of the
 * record decoded so far (index = sample's position in the record), with byteOffset 0, so
 * `new Uint32Array(values.buffer)[2 * index + 1]` is the value's high word. It is reused (and may
 * be replaced by a larger one) by the next call of this function, so copy what must outlive it;
 * for the same reason the function is not reentrant. Returns the number of samples.
 */
export function decodeSamplesRecord(
  payload: Uint8Array,
  fn: (ref: number, t: number, values: Float64Array, index: number) => void,
): number {
  // Each sample takes at least 10 bytes (two 1-byte varints and the value).
  const maxSamples = Math.floor(payload.length / 10) + 1;
  if (values.length < maxSamples) {
    values = new Float64Array(Math.max(maxSamples, values.length * 2));
    valueBytes = new Uint8Array(values.buffer);
  }
  const vals = values;
  const vb = valueBytes;
  const r = new ByteReader().reset(payload);
  const baseRef = r.readUvarint();
  const baseT = r.readVarint();
  let i = 0;
  while (r.pos < r.end) {
    const ref = baseRef + r.readVarint();
    const t = baseT + r.readVarint();
    const p = r.skip(8);
    const o = i * 8;
    vb[o] = payload[p]!;
    vb[o + 1] = payload[p + 1]!;
    vb[o + 2] = payload[p + 2]!;
    vb[o + 3] = payload[p + 3]!;
    vb[o + 4] = payload[p + 4]!;
    vb[o + 5] = payload[p + 5]!;
    vb[o + 6] = payload[p + 6]!;
    vb[o + 7] = payload[p + 7]!;
    fn(ref, t, vals, i);
    i++;
  }
  return i;
}
