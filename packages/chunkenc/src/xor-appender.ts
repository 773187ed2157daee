import { BitWriter } from './bit-writer.ts';
import { HI as HI_WORD, LO as LO_WORD, floatScratch, u32Alias } from './float-bits.ts';
import { XOR_HEADER_BYTES as HEADER_BYTES_EXPORT } from './xor-chunk.ts';

// Module-local bindings for the hot path (see float-bits.ts).
const HI = HI_WORD;
const LO = LO_WORD;
const XOR_HEADER_BYTES = HEADER_BYTES_EXPORT;
const { f64: F64_SCRATCH, u32: U32_SCRATCH } = floatScratch();

/**
 * The last Float64Array passed to appendFrom (by any appender), a uint32 view of its buffer and
 * the index of its first word in that view. Shared by all appenders: a head appends one request's
 * values to many series in a row, so the view is built once per request array, not per series.
 */
let aliasOf: Float64Array | null = null;
let alias: Uint32Array = U32_SCRATCH;
let aliasBase = 0;

/** 2^32, to split an integer-valued number into 32-bit words. */
const TWO_32 = 4294967296;

/** Largest sample count the 16-bit header can hold. */
const MAX_HEADER_COUNT = 0xffff;

/**
 * Bytes reserved before each sample: the first takes at most 10 (varint) + 8 (float) bytes, a
 * later one at most 68 + 77 bits (19 bytes touched), plus the possible empty byte (see padByte).
 */
const MAX_SAMPLE_BYTES = 20;

/**
 * Encoder for one Prometheus XOR chunk, producing exactly the bytes Prometheus's `xorAppender`
 * produces for the same samples.
 *
 * Per sample, after the fixed fields of samples 0 and 1 (see `xor-chunk.ts`):
 *
 * Timestamp, as the delta of deltas `dod = (t_n - t_n-1) - (t_n-1 - t_n-2)`:
 * ```
 *   dod == 0                    '0'
 *   -8191    <= dod <= 8192     '10'   + dod in 14 bits, two's complement
 *   -65535   <= dod <= 65536    '110'  + dod in 17 bits
 *   -524287  <= dod <= 524288   '1110' + dod in 20 bits
 *   otherwise                   '1111' + dod in 64 bits
 * ```
 * (Each range is `-(2^(n-1) - 1) .. 2^(n-1)`: the positive bound `2^(n-1)` is written as the bit
 * pattern of `-2^(n-1)`, and readers treat a pattern above `2^(n-1)` as negative.)
 *
 * Value, as `x = bits(v_n) XOR bits(v_n-1)` (sample 1 uses the same encoding):
 * ```
 *   x == 0                                  '0'
 *   x fits the previous window              '10' + the window's bits of x
 *   otherwise                               '11' + leading (5 bits) + sigbits (6 bits, 64 → 0)
 *                                                 + the sigbits significant bits of x
 * ```
 * `leading` is the count of leading zero bits of `x` capped at 31 (it must fit 5 bits);
 * `trailing` the count of trailing zeros; `sigbits = 64 - leading - trailing`. The window
 * `(leading, trailing)` of the last '11' is reused ('10') whenever the new `x` has at least as
 * many leading and trailing zeros. Before the first '11' there is no window.
 *
 * Chunk length quirk: Prometheus's `bstream.writeByte` always appends the next byte, so when a
 * sample ends on a byte boundary with its last field written as whole bytes (`v_0`, or an XOR
 * window whose sigbits is a multiple of 8), the chunk carries one extra zero byte. Prometheus keeps
 * it in the chunk it stores, so we do too (a one-sample chunk always has it).
 *
 * Preconditions (the head enforces them; not checked per sample): timestamps strictly increase
 * and are safe integers, so every delta and delta of deltas is an exact integer.
 */
export class XorAppender extends BitWriter {
  private num = 0;
  /** Last timestamp appended. */
  private t = 0;
  /** Last timestamp delta `t_n - t_n-1` (0 after the first sample). */
  private tDelta = 0;
  /** Words of the last value's bits. */
  private vHi = 0;
  private vLo = 0;
  /** Leading-zero count of the current XOR window; 0xff until the first '11' block. */
  private leading = 0xff;
  /** Trailing-zero count of the current XOR window. */
  private trailing = 0;
  /** Whether the chunk ends with the empty byte Prometheus's bstream leaves (class comment). */
  private padByte = false;

  /** Creates an empty chunk whose buffer starts at `initialCapacityBytes` and grows as needed. */
  constructor(initialCapacityBytes = 256) {
    super(initialCapacityBytes);
    this.bitLen = XOR_HEADER_BYTES * 8;
  }

  /** Number of samples appended so far. */
  get numSamples(): number {
    return this.num;
  }

  /** Timestamp of the last sample appended, or -Infinity when the chunk is empty. */
  lastTimestamp(): number {
    return this.num === 0 ? -Infinity : this.t;
  }

  /** Length of the encoded chunk in bytes, header included. */
  override sizeBytes(): number {
    return ((this.bitLen + 7) >>> 3) + (this.padByte ? 1 : 0);
  }

  /**
   * The encoded chunk so far, header included: a view of the internal buffer, valid until the
   * next append (which may write into it or replace it).
   */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.sizeBytes());
  }

  /** Appends a sample. Copying `v` preserves NaN payloads on V8; prefer appendFrom to be sure. */
  append(t: number, v: number): void {
    F64_SCRATCH[0] = v;
    this.appendWords(t, U32_SCRATCH[HI]!, U32_SCRATCH[LO]!);
  }

  /**
   * Appends the sample `(t, values[index])`, taking the value's 8 bytes straight from the array's
   * memory so its exact bits are encoded whatever they are.
   */
  appendFrom(t: number, values: Float64Array, index: number): void {
    if (!(index >= 0 && index < values.length)) {
      throw new RangeError(`chunkenc: index ${index} out of range for ${values.length} values`);
    }
    if (values !== aliasOf || aliasBase + index * 2 + 1 >= alias.length) {
      aliasOf = values;
      alias = u32Alias(values.buffer);
      aliasBase = values.byteOffset >>> 2;
    }
    const w = aliasBase + index * 2;
    this.appendWords(t, alias[w + HI]!, alias[w + LO]!);
  }

  /** Appends a sample whose value bits are `hi:lo`. */
  private appendWords(t: number, hi: number, lo: number): void {
    const num = this.num;
    if (num === MAX_HEADER_COUNT) {
      throw new RangeError('chunkenc: XOR chunk is full (65535 samples)');
    }
    this.reserve(MAX_SAMPLE_BYTES);
    let delta = 0;
    // Whether the sample's last field was written as whole bytes (see the length quirk).
    let endsWithBytes: boolean;
    if (num === 0) {
      // ts_0: zigzag varint of the 64-bit two's complement of t, then v_0's raw 64 bits.
      const tHi = Math.floor(t / TWO_32) | 0;
      const tLo = t >>> 0;
      const sign = tHi >> 31;
      this.writeUvarint64(((tHi << 1) | (tLo >>> 31)) ^ sign, (tLo << 1) ^ sign);
      this.writeBits(hi, 32);
      this.writeBits(lo, 32);
      endsWithBytes = true;
    } else if (num === 1) {
      // ts_1_delta: uvarint of the delta as uint64, then the first XOR'd value.
      delta = t - this.t;
      this.writeUvarint64(Math.floor(delta / TWO_32) | 0, delta >>> 0);
      endsWithBytes = this.writeXor(hi, lo);
    } else {
      delta = t - this.t;
      const dod = delta - this.tDelta;
      // Prefix and payload go out in one write; `& mask` takes the two's complement bits.
      if (dod === 0) {
        this.writeBit(0);
      } else if (dod >= -8191 && dod <= 8192) {
        this.writeBits((0b10 << 14) | (dod & 0x3fff), 16);
      } else if (dod >= -65535 && dod <= 65536) {
        this.writeBits((0b110 << 17) | (dod & 0x1ffff), 20);
      } else if (dod >= -524287 && dod <= 524288) {
        this.writeBits((0b1110 << 20) | (dod & 0xfffff), 24);
      } else {
        this.writeBits(0b1111, 4);
        this.writeBits(Math.floor(dod / TWO_32) | 0, 32);
        this.writeBits(dod >>> 0, 32);
      }
      endsWithBytes = this.writeXor(hi, lo);
    }
    this.padByte = endsWithBytes && (this.bitLen & 7) === 0;
    this.t = t;
    this.tDelta = delta;
    this.vHi = hi;
    this.vLo = lo;
    const n = num + 1;
    this.num = n;
    const buf = this.buf;
    buf[0] = n >>> 8;
    buf[1] = n & 0xff;
  }

  /**
   * Writes the XOR of `hi:lo` with the previous value (layout in the class comment). Returns
   * whether its last field was a whole number of bytes (a window of 8, 16, … 64 bits).
   */
  private writeXor(hi: number, lo: number): boolean {
    const xh = hi ^ this.vHi;
    const xl = lo ^ this.vLo;
    if ((xh | xl) === 0) {
      this.writeBit(0);
      return false;
    }
    let leading = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    // Trailing zeros: isolate the lowest set bit (x & -x), then count the zeros above it.
    const trailing = xl !== 0 ? 31 - Math.clz32(xl & -xl) : 63 - Math.clz32(xh & -xh);
    if (leading >= 32) leading = 31;
    const prevLeading = this.leading;
    const prevTrailing = this.trailing;
    if (prevLeading !== 0xff && leading >= prevLeading && trailing >= prevTrailing) {
      const windowBits = 64 - prevLeading - prevTrailing;
      this.writeBits(0b10, 2);
      this.writeWindow(xh, xl, windowBits, prevTrailing);
      return (windowBits & 7) === 0;
    }
    this.leading = leading;
    this.trailing = trailing;
    const sigbits = 64 - leading - trailing;
    // '11', leading in 5 bits, sigbits in 6 bits (64 wraps to 0): 13 bits in one write.
    this.writeBits((0b11 << 11) | (leading << 6) | (sigbits & 0x3f), 13);
    this.writeWindow(xh, xl, sigbits, trailing);
    return (sigbits & 7) === 0;
  }

  /**
   * Writes bits `[trailing, trailing + sigbits)` of the 64-bit `xh:xl`, most significant first.
   * All bits above the window are zero (the caller guarantees it).
   */
  private writeWindow(xh: number, xl: number, sigbits: number, trailing: number): void {
    if (trailing >= 32) {
      this.writeBits(xh >>> (trailing - 32), sigbits);
      return;
    }
    if (trailing !== 0) {
      // 64-bit shift right by 1..31 (a JS shift by 32 would be a shift by 0).
      xl = (xl >>> trailing) | (xh << (32 - trailing));
      xh = xh >>> trailing;
    }
    if (sigbits > 32) {
      this.writeBits(xh, sigbits - 32);
      this.writeBits(xl, 32);
    } else {
      this.writeBits(xl, sigbits);
    }
  }
}
