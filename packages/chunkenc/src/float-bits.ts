/**
 * Bit-exact access to float64 values as two 32-bit words.
 *
 * A float64 is handled as `hi` (sign, exponent and the top 20 mantissa bits) and `lo` (the low
 * 32 mantissa bits). Both encoder and decoder work on these words, never on the JS number, so
 * NaN payloads (the Prometheus stale marker 0x7ff0000000000002 is a signalling NaN) survive as
 * long as the number itself is only copied, not computed with.
 *
 * A scratch pair aliases one 8-byte buffer: `f64[0]` ↔ `u32[HI]`/`u32[LO]`. Typed arrays use the
 * platform byte order; every platform Node supports in practice is little-endian, which this
 * module checks once at load.
 *
 * Hot modules keep their scratch and these constants in module-local bindings: some module
 * runners (vitest's) turn every access to an imported binding into a getter call.
 */

/** A float64 view and a uint32 view of the same 8 bytes. */
export interface FloatScratch {
  f64: Float64Array;
  u32: Uint32Array;
}

/** Allocates a {@link FloatScratch}. */
export function floatScratch(): FloatScratch {
  const buf = new ArrayBuffer(8);
  return { f64: new Float64Array(buf), u32: new Uint32Array(buf) };
}

/** Index of the low word of a float64 in a Uint32Array alias (little-endian). */
export const LO = 0;

/** Index of the high word (sign and exponent) of a float64 in a Uint32Array alias. */
export const HI = 1;

const probe = floatScratch();
probe.f64[0] = 1; // 0x3ff00000_00000000: only the high word is non-zero.
if (probe.u32[HI] !== 0x3ff00000 || probe.u32[LO] !== 0) {
  throw new Error('chunkenc: big-endian platforms are not supported');
}

/**
 * A Uint32Array over all whole words of `buffer`, for reading or writing the two words of a
 * float64 stored in a caller's Float64Array. Callers cache it per buffer (one allocation the
 * first time a buffer is seen) and rebuild it when a resizable buffer grows past it.
 */
export function u32Alias(buffer: ArrayBufferLike): Uint32Array {
  return new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
}
