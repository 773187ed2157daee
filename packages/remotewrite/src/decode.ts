// The hot-path WriteRequest decoder: one pass over the protobuf bytes that records offsets and
// copies numbers into the reusable typed arrays of a DecodedWriteRequest. It allocates nothing
// per series, label or sample (only when an array must grow, and for metadata objects).
//
// Wire layout it expects (field number, wire type; tags in hex):
//   WriteRequest   1 timeseries (2) = 0x0a        3 metadata (2) = 0x1a
//   TimeSeries     1 labels (2) = 0x0a  2 samples (2) = 0x12  3 exemplars (2) = 0x1a  4 histograms (2) = 0x22
//   Label          1 name (2) = 0x0a    2 value (2) = 0x12
//   Sample         1 value (double, 1) = 0x09     2 timestamp (int64 varint, 0) = 0x10
// Fields may come in any order and repeat; for a repeated singular field the last one wins;
// absent fields are proto3 defaults (empty string, 0). Unknown fields of any wire type are
// skipped; a known field with the wrong wire type is rejected, as Prometheus does.

import { DecodedWriteRequest } from './decoded-write-request.ts';
import { checkExemplar, checkHistogram, decodeMetadata } from './framing.ts';
import { RemoteWriteDecodeError } from './errors.ts';
import { fail, readLengthEnd, readTag, readVarint, skipField, wire } from './wire.ts';

const WRITE_REQUEST_KNOWN = (1 << 1) | (1 << 3);
const SERIES_KNOWN = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4);
const LABEL_KNOWN = (1 << 1) | (1 << 2);
const SAMPLE_KNOWN = (1 << 1) | (1 << 2);

// Sample timestamps are decoded here rather than in wire.ts so the per-sample path makes no
// cross-module call (module runners such as vitest's rewrite those into property lookups).

/** Position just after the int64 read last by readInt64. */
let int64End = 0;

/**
 * Reads an int64 varint (two's complement; negatives take 10 bytes) as a JS number and sets
 * int64End. Throws `timestamp-out-of-range` outside ±(2^53 − 1), where a number would round.
 */
function readInt64(buf: Uint8Array, pos: number, end: number): number {
  const start = pos;
  let value = 0;
  let mul = 1;
  // Up to 7 groups (49 bits) accumulate exactly in a double and cannot be negative;
  // every real millisecond timestamp (≈ 2^41) takes this path.
  for (let i = 0; i < 7; i++) {
    if (pos >= end) fail('truncated varint', pos);
    const b = buf[pos++]!;
    value += (b & 0x7f) * mul;
    if (b < 0x80) {
      int64End = pos;
      return value;
    }
    mul *= 128;
  }
  return readInt64Wide(buf, start, end);
}

/** The 8–10 byte case of readInt64: assemble the two 32-bit halves, then range-check. */
function readInt64Wide(buf: Uint8Array, pos: number, end: number): number {
  const start = pos;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) fail('truncated varint', pos);
    const b = buf[pos++]!;
    const g = b & 0x7f;
    // Group i holds bits 7i … 7i+6: groups 0–3 lie in lo, group 4 straddles, 5–9 lie in hi.
    if (i < 4) lo |= g << (7 * i);
    else if (i === 4) {
      lo |= g << 28;
      hi |= g >>> 4;
    } else hi |= g << (7 * i - 32);
    if (b < 0x80) {
      int64End = pos;
      // hi as signed gives the sign; the product is exact whenever the result is in range,
      // and lands outside ±MAX_SAFE whenever it is not.
      const v = (hi | 0) * 4294967296 + (lo >>> 0);
      if (v > Number.MAX_SAFE_INTEGER || v < -Number.MAX_SAFE_INTEGER) {
        throw new RemoteWriteDecodeError(
          'timestamp-out-of-range',
          `int64 at byte ${start} is outside ±(2^53-1) and cannot be represented exactly`,
        );
      }
      return v;
    }
  }
  return fail('varint longer than 10 bytes', pos);
}

/**
 * Decodes an uncompressed remote-write WriteRequest into `out`, replacing its contents.
 *
 * `out` keeps offsets into `buf`, so `buf` must stay unchanged while `out` is in use. Label
 * bytes are not checked for UTF-8 here (see labelName/labelValue); exemplars and native
 * histograms are framing-checked and counted, not decoded. Throws RemoteWriteDecodeError
 * (`invalid-protobuf`, `timestamp-out-of-range`, `invalid-utf8` for metadata) on bad input,
 * never reading outside the message that holds a field.
 */
export function decodeWriteRequest(buf: Uint8Array, out: DecodedWriteRequest): void {
  out.reset(buf);
  const end = buf.length;
  let pos = 0;
  while (pos < end) {
    // Tag and length bytes are read inline on the common one-byte path; see readInt64.
    let tag = buf[pos]!;
    if (tag < 0x80) pos++;
    else {
      tag = readTag(buf, pos, end);
      pos = wire.pos;
    }
    if (tag === 0x0a) {
      if (pos >= end) fail('missing series length', pos);
      let len = buf[pos]!;
      if (len < 0x80) pos++;
      else {
        len = readVarint(buf, pos, end);
        pos = wire.pos;
      }
      if (len > end - pos) fail(`series length ${len} overruns the request`, pos);
      decodeSeries(buf, pos, pos + len, out);
      pos += len;
    } else if (tag === 0x1a) {
      const e = readLengthEnd(buf, pos, end);
      out.metadata.push(decodeMetadata(buf, wire.pos, e));
      pos = e;
    } else {
      pos = skipField(buf, pos, end, tag, WRITE_REQUEST_KNOWN);
    }
  }
}

/** Series bodies that could hold more label/sample fields than this are counted before reserving. */
const COUNT_ABOVE = 2048;

/** Label and sample field counts from the last countSeriesFields call. */
let countedLabels = 0;
let countedSamples = 0;

/** Counts the label and sample fields of a TimeSeries body by their tags, without decoding them. */
function countSeriesFields(buf: Uint8Array, pos: number, end: number): void {
  let labels = 0;
  let samples = 0;
  while (pos < end) {
    const tag = readTag(buf, pos, end);
    pos = wire.pos;
    if (tag === 0x0a) labels++;
    else if (tag === 0x12) samples++;
    pos = skipField(buf, pos, end, tag, 0);
  }
  countedLabels = labels;
  countedSamples = samples;
}

/** Decodes one TimeSeries body buf[pos, end) as series number out.seriesCount. */
function decodeSeries(buf: Uint8Array, pos: number, end: number, out: DecodedWriteRequest): void {
  const i = out.seriesCount;
  out.reserveSeries(i + 1);
  // Reserve room for every label and sample the body can hold, so the loop below needs no
  // capacity checks (measured ≈ 15% faster). Each such field takes at least 2 bytes, so a
  // small body holds at most half its length of them; a large one is counted first instead,
  // so a hostile body of only samples cannot balloon the label arrays (or vice versa).
  const maxItems = (end - pos) >>> 1;
  if (maxItems <= COUNT_ABOVE) {
    out.reserveLabels(out.labelTotal + maxItems);
    out.reserveSamples(out.sampleTotal + maxItems);
  } else {
    countSeriesFields(buf, pos, end);
    out.reserveLabels(out.labelTotal + countedLabels);
    out.reserveSamples(out.sampleTotal + countedSamples);
  }
  const nameStart = out.nameStart;
  const nameEnd = out.nameEnd;
  const valueStart = out.valueStart;
  const valueEnd = out.valueEnd;
  const timestamps = out.timestamps;
  const words = out.valueWords;

  const k0 = out.labelTotal;
  const j0 = out.sampleTotal;
  const x0 = out.exemplarTotal;
  const h0 = out.histogramTotal;
  let k = k0;
  let j = j0;
  let labelsStart = -1;
  let labelsEnd = pos;
  let contiguous = 1;
  // Whether a non-label field was seen since the last label field.
  let otherSinceLabel = false;

  while (pos < end) {
    const fieldStart = pos;
    let tag = buf[pos]!;
    if (tag < 0x80) pos++;
    else {
      tag = readTag(buf, pos, end);
      pos = wire.pos;
    }

    if (tag === 0x0a) {
      // Label: name and value default to empty (zero-length ranges).
      if (pos >= end) fail('missing label length', pos);
      let ll = buf[pos]!;
      if (ll < 0x80) pos++;
      else {
        ll = readVarint(buf, pos, end);
        pos = wire.pos;
      }
      if (ll > end - pos) fail(`label length ${ll} overruns the series`, pos);
      const le = pos + ll;
      if (labelsStart < 0) labelsStart = fieldStart;
      else if (otherSinceLabel) contiguous = 0;
      otherSinceLabel = false;
      let ns = pos;
      let ne = pos;
      let vs = pos;
      let ve = pos;
      // Fast path for what every sender writes: `0a n <name> 12 m <value>`, one-byte lengths,
      // filling the label exactly. Anything else takes the general loop below.
      if (ll >= 4 && buf[pos] === 0x0a) {
        const n = buf[pos + 1]!;
        const vt = pos + 2 + n;
        if (n < 0x80 && vt + 2 <= le && buf[vt] === 0x12 && buf[vt + 1]! < 0x80 && vt + 2 + buf[vt + 1]! === le) {
          ns = pos + 2;
          ne = vt;
          vs = vt + 2;
          ve = le;
          pos = le;
        }
      }
      while (pos < le) {
        let t = buf[pos]!;
        if (t < 0x80) pos++;
        else {
          t = readTag(buf, pos, le);
          pos = wire.pos;
        }
        if (t === 0x0a || t === 0x12) {
          if (pos >= le) fail('missing string length', pos);
          let n = buf[pos]!;
          if (n < 0x80 && n < le - pos) pos++;
          else {
            const se = readLengthEnd(buf, pos, le);
            pos = wire.pos;
            n = se - pos;
          }
          if (t === 0x0a) {
            ns = pos;
            ne = pos + n;
          } else {
            vs = pos;
            ve = pos + n;
          }
          pos += n;
        } else {
          pos = skipField(buf, pos, le, t, LABEL_KNOWN);
        }
      }
      nameStart[k] = ns;
      nameEnd[k] = ne;
      valueStart[k] = vs;
      valueEnd[k] = ve;
      k++;
      labelsEnd = le;
    } else if (tag === 0x12) {
      // Sample: value and timestamp default to 0.
      if (pos >= end) fail('missing sample length', pos);
      let sl = buf[pos]!;
      if (sl < 0x80) pos++;
      else {
        sl = readVarint(buf, pos, end);
        pos = wire.pos;
      }
      if (sl > end - pos) fail(`sample length ${sl} overruns the series`, pos);
      const se = pos + sl;
      let lo = 0;
      let hi = 0;
      let ts = 0;
      // Fast path: `09 <8-byte value> 10 <timestamp varint>` filling the sample exactly.
      if (sl >= 11 && buf[pos] === 0x09 && buf[pos + 9] === 0x10) {
        lo = buf[pos + 1]! | (buf[pos + 2]! << 8) | (buf[pos + 3]! << 16) | (buf[pos + 4]! << 24);
        hi = buf[pos + 5]! | (buf[pos + 6]! << 8) | (buf[pos + 7]! << 16) | (buf[pos + 8]! << 24);
        ts = readInt64(buf, pos + 10, se);
        pos = int64End;
      }
      while (pos < se) {
        let t = buf[pos]!;
        if (t < 0x80) pos++;
        else {
          t = readTag(buf, pos, se);
          pos = wire.pos;
        }
        if (t === 0x09) {
          if (se - pos < 8) fail('truncated sample value', pos);
          // Copy the double's bytes as two LE words; never materialise it as a JS number,
          // which could canonicalise a NaN payload (the stale marker).
          lo = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24);
          hi = buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 24);
          pos += 8;
        } else if (t === 0x10) {
          ts = readInt64(buf, pos, se);
          pos = int64End;
        } else {
          pos = skipField(buf, pos, se, t, SAMPLE_KNOWN);
        }
      }
      timestamps[j] = ts;
      words[2 * j] = lo;
      words[2 * j + 1] = hi;
      j++;
      otherSinceLabel = true;
    } else if (tag === 0x1a) {
      const e = readLengthEnd(buf, pos, end);
      const start = wire.pos;
      checkExemplar(buf, start, e);
      const x = out.exemplarTotal;
      out.reserveExemplars(x + 1);
      out.exemplarStart[x] = start;
      out.exemplarEnd[x] = e;
      out.exemplarTotal = x + 1;
      pos = e;
      otherSinceLabel = true;
    } else if (tag === 0x22) {
      const e = readLengthEnd(buf, pos, end);
      const start = wire.pos;
      checkHistogram(buf, start, e);
      const h = out.histogramTotal;
      out.reserveHistograms(h + 1);
      out.histogramStart[h] = start;
      out.histogramEnd[h] = e;
      out.histogramTotal = h + 1;
      pos = e;
      otherSinceLabel = true;
    } else {
      pos = skipField(buf, pos, end, tag, SERIES_KNOWN);
      otherSinceLabel = true;
    }
  }

  out.labelsStart[i] = labelsStart < 0 ? labelsEnd : labelsStart;
  out.labelsEnd[i] = labelsEnd;
  out.labelsContiguous[i] = contiguous;
  out.labelFirst[i] = k0;
  out.labelCount[i] = k - k0;
  out.sampleFirst[i] = j0;
  out.sampleCount[i] = j - j0;
  out.exemplarFirst[i] = x0;
  out.exemplarCount[i] = out.exemplarTotal - x0;
  out.histogramFirst[i] = h0;
  out.histogramCount[i] = out.histogramTotal - h0;
  out.labelTotal = k;
  out.sampleTotal = j;
  out.seriesCount = i + 1;
}
