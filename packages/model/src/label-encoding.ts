/**
 * The canonical binary encoding of a label set: byte for byte the `labels` fields of a
 * remote-write `TimeSeries` as Prometheus marshals it, so that the head can key series by the raw
 * bytes of a request and the WAL can store them without re-encoding.
 *
 * Layout, for each label in sorted order:
 *
 *   0x0a  uvarint(len(inner))  inner            TimeSeries.labels (field 1, length-delimited)
 *   inner = 0x0a uvarint(len(name))  name bytes  Label.name  (field 1), omitted when empty
 *           0x12 uvarint(len(value)) value bytes Label.value (field 2), omitted when empty
 *
 * Strings are UTF-8. Empty strings are omitted because proto3 does not marshal default values
 * (a label set never holds an empty value; an empty name only when built from untrusted input).
 * These functions work on the flat [n0, v0, n1, v1, …] array that Labels wraps.
 */
import { ModelError } from './errors.ts';
import type { Labels } from './labels.ts';
import { readUtf8, utf8Length, writeUtf8 } from './utf8.ts';

const TAG_LABEL = 0x0a; // TimeSeries.labels and Label.name: field 1, wire type 2
const TAG_VALUE = 0x12; // Label.value: field 2, wire type 2

function uvarintLength(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

function writeUvarint(buf: Uint8Array, p: number, v: number): number {
  while (v >= 0x80) {
    buf[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[p++] = v;
  return p;
}

/** Size of one length-delimited field holding `len` bytes, or 0 when `len` is 0 (omitted). */
function fieldLength(len: number): number {
  return len === 0 ? 0 : 1 + uvarintLength(len) + len;
}

/** Returns the byte length of the canonical encoding of a flat label array. */
export function flatLabelsByteLength(flat: readonly string[]): number {
  let total = 0;
  for (let i = 0; i < flat.length; i += 2) {
    const inner = fieldLength(utf8Length(flat[i]!)) + fieldLength(utf8Length(flat[i + 1]!));
    total += 1 + uvarintLength(inner) + inner;
  }
  return total;
}

/**
 * Returns an upper bound of the encoded size of a flat label array, from string lengths alone
 * (no pass over the characters): at most 3 UTF-8 bytes per UTF-16 code unit, plus per label a
 * tag and 5 varint bytes for the label and for each of its two fields.
 */
export function flatLabelsMaxByteLength(flat: readonly string[]): number {
  let chars = 0;
  for (let i = 0; i < flat.length; i++) chars += flat[i]!.length;
  return 3 * chars + 9 * flat.length; // 18 bytes of framing per label = 9 per string
}

/**
 * Writes one length-delimited field (tag, uvarint length, UTF-8 bytes of `s`) at `p` and returns
 * its end. The length is not known before the bytes are written, so one length byte is reserved
 * and the bytes are shifted right when the length needs more (only for 128+ bytes). The shift
 * never writes past the field's final end.
 */
function writeStringField(buf: Uint8Array, p: number, tag: number, s: string): number {
  buf[p] = tag;
  const start = p + 2;
  const end = writeUtf8(s, buf, start);
  const len = end - start;
  if (len < 0x80) {
    buf[p + 1] = len;
    return end;
  }
  const extra = uvarintLength(len) - 1;
  buf.copyWithin(start + extra, start, end);
  writeUvarint(buf, p + 1, len);
  return end + extra;
}

/**
 * Writes the canonical encoding of a flat label array into `buf` at `offset` and returns the
 * offset after it. One pass over the characters when `buf` has room for
 * {@link flatLabelsMaxByteLength}; otherwise the exact size is computed first.
 *
 * @throws RangeError when `buf` has no room for it (size it with {@link flatLabelsByteLength}).
 */
export function encodeFlatLabelsInto(flat: readonly string[], buf: Uint8Array, offset: number): number {
  if (offset + flatLabelsMaxByteLength(flat) > buf.length) {
    const need = flatLabelsByteLength(flat);
    if (offset + need > buf.length) {
      throw new RangeError(`label encoding needs ${need} bytes, ${buf.length - offset} available`);
    }
  }
  let p = offset;
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!;
    const value = flat[i + 1]!;
    // Same reserve-then-shift scheme as writeStringField, for the label's own length.
    const labelStart = p;
    buf[p] = TAG_LABEL;
    p += 2;
    if (name !== '') p = writeStringField(buf, p, TAG_LABEL, name);
    if (value !== '') p = writeStringField(buf, p, TAG_VALUE, value);
    const inner = p - labelStart - 2;
    if (inner < 0x80) {
      buf[labelStart + 1] = inner;
    } else {
      const extra = uvarintLength(inner) - 1;
      buf.copyWithin(labelStart + 2 + extra, labelStart + 2, p);
      writeUvarint(buf, labelStart + 1, inner);
      p += extra;
    }
  }
  return p;
}

function malformed(what: string, at: number): ModelError {
  return new ModelError('invalid-label-encoding', `malformed label encoding: ${what} at byte ${at}`);
}

/** Reads a uvarint at `state.p` (< end), advancing it; at most 5 bytes (32 bits). */
function readUvarint(buf: Uint8Array, state: { p: number }, end: number): number {
  let v = 0;
  let shift = 0;
  let p = state.p;
  for (;;) {
    if (p >= end) throw malformed('truncated varint', p);
    const b = buf[p++]!;
    v += (b & 0x7f) * 2 ** shift; // multiplication: 35-bit values would overflow `<<`
    if (b < 0x80) break;
    shift += 7;
    if (shift > 28) throw malformed('varint too long', p);
  }
  state.p = p;
  return v;
}

/**
 * Decodes label fields from `buf[start, end)` into a flat [name, value, …] array in the order
 * they appear. Accepts any valid protobuf layout of the fields (in any order, unknown fields
 * skipped), not only the canonical one; does not sort, de-duplicate or drop empty values.
 *
 * @throws ModelError `invalid-label-encoding` on truncated or malformed input.
 */
export function decodeFlatLabels(buf: Uint8Array, start: number, end: number): string[] {
  const flat: string[] = [];
  const st = { p: start };
  while (st.p < end) {
    const at = st.p;
    if (buf[st.p++] !== TAG_LABEL) throw malformed('expected label field tag 0x0a', at);
    const len = readUvarint(buf, st, end);
    const innerEnd = st.p + len;
    if (innerEnd > end) throw malformed('label overruns the input', at);
    let name = '';
    let value = '';
    while (st.p < innerEnd) {
      const tagAt = st.p;
      const tag = readUvarint(buf, st, innerEnd);
      const wireType = tag & 7;
      if (wireType === 2) {
        const flen = readUvarint(buf, st, innerEnd);
        const fend = st.p + flen;
        if (fend > innerEnd) throw malformed('field overruns its label', tagAt);
        if (tag === TAG_LABEL) name = readUtf8(buf, st.p, fend);
        else if (tag === TAG_VALUE) value = readUtf8(buf, st.p, fend);
        st.p = fend;
      } else if (wireType === 0) {
        readUvarint(buf, st, innerEnd);
      } else if (wireType === 1 || wireType === 5) {
        st.p += wireType === 1 ? 8 : 4;
        if (st.p > innerEnd) throw malformed('field overruns its label', tagAt);
      } else {
        throw malformed(`unsupported wire type ${wireType}`, tagAt);
      }
    }
    flat.push(name, value);
  }
  return flat;
}

/** Returns the byte length of the canonical encoding of a label set. */
export function labelsByteLength(labels: Labels): number {
  return flatLabelsByteLength(labels.toFlat());
}

/**
 * Writes the canonical encoding of a label set into `buf` at `offset` and returns the offset
 * after it (for building WAL records and requests without intermediate buffers).
 *
 * @throws RangeError when `buf` has no room for it (size it with {@link labelsByteLength}).
 */
export function encodeLabelsInto(labels: Labels, buf: Uint8Array, offset: number): number {
  return encodeFlatLabelsInto(labels.toFlat(), buf, offset);
}
