/**
 * Constants and header access shared by the XOR appender and iterator.
 *
 * XOR chunk data layout (Prometheus `tsdb/docs/format/chunks.md`, "XOR chunk data"):
 *
 * ```
 * ┌──────────────────────┬───────────────┬───────────────┬──────────────────────┬──────────────────────┐
 * │ num_samples <uint16> │ ts_0 <varint> │ v_0 <float64> │ ts_1_delta <uvarint> │ v_1_xor <varbit_xor> │
 * ├──────────────────────┼───────────────┴──────┬────────┴─────┬────────────────┴──────────────────────┤
 * │ ts_2_dod <varbit_ts> │ v_2_xor <varbit_xor> │ ...          │ padding to a whole byte               │
 * └──────────────────────┴──────────────────────┴──────────────┴───────────────────────────────────────┘
 * ```
 *
 * `num_samples` is big-endian; everything after it is one bit stream (see `bit-writer.ts`).
 * `varint`/`uvarint` are Go's `binary.PutVarint`/`PutUvarint` (zigzag for the signed one),
 * written byte by byte into the stream. `v_0` is the raw IEEE 754 bits, MSB first.
 */

/** Prometheus's chunk encoding byte for XOR chunks (`chunkenc.EncXOR`). */
export const ENCODING_XOR = 1;

/** Number of samples at which the head cuts a new chunk (Prometheus's default target). */
export const MAX_SAMPLES_PER_CHUNK = 120;

/** Byte length of the sample-count header that starts every XOR chunk. */
export const XOR_HEADER_BYTES = 2;

/**
 * Reads the sample count from an XOR chunk's 2-byte big-endian header; 0 for a chunk shorter
 * than the header.
 */
export function xorChunkNumSamples(chunk: Uint8Array): number {
  if (chunk.length < XOR_HEADER_BYTES) return 0;
  return (chunk[0]! << 8) | chunk[1]!;
}
