import type { MetricMetadataObject } from './types.ts';

const EMPTY = new Uint8Array(0);

// Values are copied from the wire as two little-endian 32-bit words into a Uint32Array view
// of `values`; that is only the same as the wire's byte order on a little-endian host.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('@tessera/remotewrite requires a little-endian platform');
}

function growI32(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

function growU8(a: Uint8Array, cap: number): Uint8Array {
  const b = new Uint8Array(cap);
  b.set(a);
  return b;
}

function growF64(a: Float64Array, cap: number): Float64Array {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/** Smallest power-of-two multiple of `cap` that is at least `need`. */
function doubled(cap: number, need: number): number {
  let c = Math.max(cap, 16);
  while (c < need) c *= 2;
  return c;
}

/**
 * The result of {@link decodeWriteRequest}: a WriteRequest as offsets into its protobuf bytes
 * and flat typed arrays, built without any per-sample or per-label allocation.
 *
 * Series i (0 ≤ i < seriesCount) owns labels [labelFirst[i], labelFirst[i] + labelCount[i]),
 * samples [sampleFirst[i], …+sampleCount[i]), exemplars [exemplarFirst[i], …+exemplarCount[i])
 * and histograms [histogramFirst[i], …+histogramCount[i]) of the flat arrays. Label k's name is
 * the UTF-8 bytes buf[nameStart[k], nameEnd[k]) (not validated until read with labelName), its
 * value likewise. Everything is valid until the next decode into the same instance; the arrays
 * grow by doubling and are reused, and all offsets point into `buf`, which the caller must not
 * modify meanwhile. After a decode that threw, the contents are unspecified.
 */
export class DecodedWriteRequest {
  /** The protobuf bytes all offsets point into. */
  buf: Uint8Array = EMPTY;
  /** Number of series decoded. */
  seriesCount = 0;

  /** Per series: byte offset of the first label field's tag (the series body start if no labels). */
  labelsStart: Int32Array = new Int32Array(16);
  /** Per series: byte offset just past the last label field. */
  labelsEnd: Int32Array = new Int32Array(16);
  /** Per series: 1 when buf[labelsStart, labelsEnd) holds label fields only (hashable as raw bytes). */
  labelsContiguous: Uint8Array = new Uint8Array(16);
  /** Per series: index of its first label in the flat label arrays. */
  labelFirst: Int32Array = new Int32Array(16);
  /** Per series: number of labels. */
  labelCount: Int32Array = new Int32Array(16);
  /** Per series: index of its first sample in the flat sample arrays. */
  sampleFirst: Int32Array = new Int32Array(16);
  /** Per series: number of float samples. */
  sampleCount: Int32Array = new Int32Array(16);
  /** Per series: index of its first exemplar in the flat exemplar arrays. */
  exemplarFirst: Int32Array = new Int32Array(16);
  /** Per series: number of exemplars. */
  exemplarCount: Int32Array = new Int32Array(16);
  /** Per series: index of its first native histogram in the flat histogram arrays. */
  histogramFirst: Int32Array = new Int32Array(16);
  /** Per series: number of native histogram samples. */
  histogramCount: Int32Array = new Int32Array(16);

  /** Per label: start of the name bytes in buf. */
  nameStart: Int32Array = new Int32Array(64);
  /** Per label: end (exclusive) of the name bytes in buf. */
  nameEnd: Int32Array = new Int32Array(64);
  /** Per label: start of the value bytes in buf. */
  valueStart: Int32Array = new Int32Array(64);
  /** Per label: end (exclusive) of the value bytes in buf. */
  valueEnd: Int32Array = new Int32Array(64);
  /** Number of labels over all series. */
  labelTotal = 0;

  /** Per sample: timestamp in ms (int64 on the wire, always a safe integer here). */
  timestamps: Float64Array = new Float64Array(64);
  /**
   * Per sample: the value's 8 bytes exactly as sent, so NaN payloads such as the stale marker
   * 0x7ff0000000000002 survive; compare bits through {@link valueWords}, not as numbers.
   */
  values: Float64Array = new Float64Array(64);
  /** `values` as 32-bit words: sample j is valueWords[2j] (low) and valueWords[2j + 1] (high). */
  valueWords: Uint32Array = new Uint32Array(this.values.buffer);
  /** Number of float samples over all series. */
  sampleTotal = 0;

  /** Per exemplar: start of its message body (after the length prefix) in buf. */
  exemplarStart: Int32Array = new Int32Array(16);
  /** Per exemplar: end (exclusive) of its message body in buf. */
  exemplarEnd: Int32Array = new Int32Array(16);
  /** Number of exemplars over all series. */
  exemplarTotal = 0;

  /** Per native histogram: start of its message body in buf. */
  histogramStart: Int32Array = new Int32Array(16);
  /** Per native histogram: end (exclusive) of its message body in buf. */
  histogramEnd: Int32Array = new Int32Array(16);
  /** Number of native histogram samples over all series. */
  histogramTotal = 0;

  /** Metric metadata sent with the request (rare, so plain objects). */
  metadata: MetricMetadataObject[] = [];

  /** Empties the result and points it at new bytes; keeps the arrays' capacity. */
  reset(buf: Uint8Array): void {
    this.buf = buf;
    this.seriesCount = 0;
    this.labelTotal = 0;
    this.sampleTotal = 0;
    this.exemplarTotal = 0;
    this.histogramTotal = 0;
    // A fresh array rather than truncation, so a caller still holding the old one keeps it.
    if (this.metadata.length > 0) this.metadata = [];
  }

  /** Ensures room for `n` series in the per-series arrays. */
  reserveSeries(n: number): void {
    if (n <= this.labelsStart.length) return;
    const cap = doubled(this.labelsStart.length, n);
    this.labelsStart = growI32(this.labelsStart, cap);
    this.labelsEnd = growI32(this.labelsEnd, cap);
    this.labelsContiguous = growU8(this.labelsContiguous, cap);
    this.labelFirst = growI32(this.labelFirst, cap);
    this.labelCount = growI32(this.labelCount, cap);
    this.sampleFirst = growI32(this.sampleFirst, cap);
    this.sampleCount = growI32(this.sampleCount, cap);
    this.exemplarFirst = growI32(this.exemplarFirst, cap);
    this.exemplarCount = growI32(this.exemplarCount, cap);
    this.histogramFirst = growI32(this.histogramFirst, cap);
    this.histogramCount = growI32(this.histogramCount, cap);
  }

  /** Ensures room for `n` labels in the flat label arrays. */
  reserveLabels(n: number): void {
    if (n <= this.nameStart.length) return;
    const cap = doubled(this.nameStart.length, n);
    this.nameStart = growI32(this.nameStart, cap);
    this.nameEnd = growI32(this.nameEnd, cap);
    this.valueStart = growI32(this.valueStart, cap);
    this.valueEnd = growI32(this.valueEnd, cap);
  }

  /** Ensures room for `n` samples in the flat sample arrays. */
  reserveSamples(n: number): void {
    if (n <= this.timestamps.length) return;
    const cap = doubled(this.timestamps.length, n);
    this.timestamps = growF64(this.timestamps, cap);
    // Copy the words, not the doubles: the values may be NaNs whose payload must survive.
    const words = new Uint32Array(cap * 2);
    words.set(this.valueWords);
    this.valueWords = words;
    this.values = new Float64Array(words.buffer);
  }

  /** Ensures room for `n` exemplars in the flat exemplar arrays. */
  reserveExemplars(n: number): void {
    if (n <= this.exemplarStart.length) return;
    const cap = doubled(this.exemplarStart.length, n);
    this.exemplarStart = growI32(this.exemplarStart, cap);
    this.exemplarEnd = growI32(this.exemplarEnd, cap);
  }

  /** Ensures room for `n` native histograms in the flat histogram arrays. */
  reserveHistograms(n: number): void {
    if (n <= this.histogramStart.length) return;
    const cap = doubled(this.histogramStart.length, n);
    this.histogramStart = growI32(this.histogramStart, cap);
    this.histogramEnd = growI32(this.histogramEnd, cap);
  }
}
