// Framing checks for the messages the hot path only counts (Exemplar, Histogram) and the
// decoder for the rare MetricMetadata. "Framing" means: every field's tag, wire type and
// length is valid and stays inside its message, recursively for nested messages and packed
// arrays, so the bytes can later be decoded (or forwarded) without surprises. Field values
// themselves are not interpreted.

import { fail, readLengthEnd, readTag, readVarint, readVarintInt32, skipField, wire } from './wire.ts';
import { RemoteWriteDecodeError } from './errors.ts';
import type { MetricMetadataObject } from './types.ts';

const LABEL_KNOWN = (1 << 1) | (1 << 2);
const EXEMPLAR_KNOWN = (1 << 1) | (1 << 2) | (1 << 3);
const SPAN_KNOWN = (1 << 1) | (1 << 2);
const METADATA_KNOWN = (1 << 1) | (1 << 2) | (1 << 4) | (1 << 5);

/**
 * Checks the framing of a message whose fields are all varints except the length-delimited
 * ones in `lengthMask`. Used for Label (two strings) and BucketSpan (two varints).
 */
function checkFlat(buf: Uint8Array, pos: number, end: number, lengthMask: number, varintMask: number): void {
  const known = lengthMask | varintMask;
  while (pos < end) {
    const tag = readTag(buf, pos, end);
    pos = wire.pos;
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field < 32 && wt === 2 && ((lengthMask >>> field) & 1) !== 0) pos = readLengthEnd(buf, pos, end);
    else if (field < 32 && wt === 0 && ((varintMask >>> field) & 1) !== 0) {
      readVarint(buf, pos, end);
      pos = wire.pos;
    } else pos = skipField(buf, pos, end, tag, known);
  }
}

/** Checks an Exemplar body: labels = 1 (Label), value = 2 (double), timestamp = 3 (int64). */
export function checkExemplar(buf: Uint8Array, pos: number, end: number): void {
  while (pos < end) {
    const tag = readTag(buf, pos, end);
    pos = wire.pos;
    if (tag === 0x0a) {
      const e = readLengthEnd(buf, pos, end);
      checkFlat(buf, wire.pos, e, LABEL_KNOWN, 0);
      pos = e;
    } else if (tag === 0x11) {
      if (end - pos < 8) fail('truncated exemplar value', pos);
      pos += 8;
    } else if (tag === 0x18) {
      readVarint(buf, pos, end);
      pos = wire.pos;
    } else pos = skipField(buf, pos, end, tag, EXEMPLAR_KNOWN);
  }
}

// Payload kinds of Histogram's fields 1–15 (index = field number; 0 = not a field).
const H_VARINT = 1; // count_int, schema, zero_count_int, reset_hint, timestamp
const H_FIXED64 = 2; // count_float, sum, zero_threshold, zero_count_float
const H_SPAN = 3; // negative_spans, positive_spans (BucketSpan messages)
const H_VARINTS = 4; // negative/positive_deltas: repeated sint64, packed or not
const H_FIXED64S = 5; // negative/positive_counts: repeated double, packed or not
const HISTOGRAM_FIELDS = [
  0, H_VARINT, H_FIXED64, H_FIXED64, H_VARINT, H_FIXED64, H_VARINT, H_FIXED64,
  H_SPAN, H_VARINTS, H_FIXED64S, H_SPAN, H_VARINTS, H_FIXED64S, H_VARINT, H_VARINT,
];
const HISTOGRAM_KNOWN = 0xfffe; // fields 1–15

/** Checks a native Histogram body, including its spans and packed bucket arrays. */
export function checkHistogram(buf: Uint8Array, pos: number, end: number): void {
  while (pos < end) {
    const tag = readTag(buf, pos, end);
    pos = wire.pos;
    const field = tag >>> 3;
    const wt = tag & 7;
    const kind = field < 16 ? HISTOGRAM_FIELDS[field]! : 0;
    if (wt === 0 && (kind === H_VARINT || kind === H_VARINTS)) {
      readVarint(buf, pos, end);
      pos = wire.pos;
    } else if (wt === 1 && (kind === H_FIXED64 || kind === H_FIXED64S)) {
      if (end - pos < 8) fail('truncated histogram double', pos);
      pos += 8;
    } else if (wt === 2 && kind === H_SPAN) {
      const e = readLengthEnd(buf, pos, end);
      checkFlat(buf, wire.pos, e, 0, SPAN_KNOWN);
      pos = e;
    } else if (wt === 2 && kind === H_VARINTS) {
      // Packed: the payload must be a whole number of varints.
      const e = readLengthEnd(buf, pos, end);
      pos = wire.pos;
      while (pos < e) {
        readVarint(buf, pos, e);
        pos = wire.pos;
      }
    } else if (wt === 2 && kind === H_FIXED64S) {
      const e = readLengthEnd(buf, pos, end);
      if ((e - wire.pos) % 8 !== 0) fail('packed doubles not a multiple of 8 bytes', pos);
      pos = e;
    } else pos = skipField(buf, pos, end, tag, HISTOGRAM_KNOWN);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function metadataString(buf: Uint8Array, start: number, end: number): string {
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch (cause) {
    throw new RemoteWriteDecodeError('invalid-utf8', `metadata string at byte ${start} is not valid UTF-8`, { cause });
  }
}

/** Decodes a MetricMetadata body: type = 1 (enum), metric_family_name = 2, help = 4, unit = 5. */
export function decodeMetadata(buf: Uint8Array, pos: number, end: number): MetricMetadataObject {
  const m: MetricMetadataObject = { type: 0, metricFamilyName: '', help: '', unit: '' };
  while (pos < end) {
    const tag = readTag(buf, pos, end);
    pos = wire.pos;
    if (tag === 0x08) {
      m.type = readVarintInt32(buf, pos, end);
      pos = wire.pos;
    } else if (tag === 0x12 || tag === 0x22 || tag === 0x2a) {
      const e = readLengthEnd(buf, pos, end);
      const s = metadataString(buf, wire.pos, e);
      if (tag === 0x12) m.metricFamilyName = s;
      else if (tag === 0x22) m.help = s;
      else m.unit = s;
      pos = e;
    } else pos = skipField(buf, pos, end, tag, METADATA_KNOWN);
  }
  return m;
}
