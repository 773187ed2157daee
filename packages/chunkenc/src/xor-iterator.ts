import { BitReader } from './bit-reader.ts';
import { HI as HI_WORD, LO as LO_WORD, floatScratch, u32Alias } from './float-bits.ts';
import { XOR_HEADER_BYTES as HEADER_BYTES_EXPORT, xorChunkNumSamples } from './xor-chunk.ts';

// Module-local bindings for the hot path (see float-bits.ts).
const HI = HI_WORD;
const LO = LO_WORD;
const XOR_HEADER_BYTES = HEADER_BYTES_EXPORT;
const { f64: F64_SCRATCH, u32: U32_SCRATCH } = floatScratch();

/**
 * The last Float64Array passed to valueInto (by any iterator), a uint32 view of its buffer and
 * the index of its first word in that view (see the same cache in xor-appender.ts).
 */
let aliasOf: Float64Array | null = null;
let alias: Uint32Array = U32_SCRATCH;
let aliasBase = 0;

/** 2^32, to join two 32-bit words into a number. */
const TWO_32 = 4294967296;

/**
 * Decoder for one Prometheus XOR chunk (bit layout in `xor-chunk.ts` and `xor-appender.ts`),
 * reusable across chunks with {@link XorIterator.reset}.
 *
 * It reads exactly `num_samples` samples and ignores whatever follows them (padding). Like
 * Prometheus's `xorIterator`, a '10' value block before any '11' block reuses the window
 * `(leading 0, trailing 0)`, i.e. 64 bits. A chunk that ends early, or whose values announce a
 * window wider than 64 bits, or whose timestamps leave the safe-integer range, stops the
 * iteration with {@link XorIterator.err} set; nothing throws.
 */
export class XorIterator extends BitReader {
  /** Timestamp of the current sample; meaningful after next() or seek() returned true. */
  t = 0;
  /** Value of the current sample (use valueInto() for its exact bits). */
  v = 0;

  private total = 0;
  private read = 0;
  /** Current timestamp delta `t_n - t_n-1`. */
  private tDelta = 0;
  /** Words of the current value's bits. */
  private vHi = 0;
  private vLo = 0;
  /** Current XOR window. */
  private leading = 0;
  private trailing = 0;
  private error: Error | null = null;

  /** Creates an iterator over `chunk`, or an empty one to be reset() later. */
  constructor(chunk?: Uint8Array) {
    super();
    if (chunk !== undefined) this.reset(chunk);
  }

  /** The reason iteration stopped early (corrupt or truncated chunk), or null. */
  get err(): Error | null {
    return this.error;
  }

  /** Restarts iteration over `chunk` (an XOR chunk, header included) without allocating. */
  reset(chunk: Uint8Array): void {
    this.resetBits(chunk, XOR_HEADER_BYTES);
    this.total = xorChunkNumSamples(chunk);
    this.read = 0;
    this.t = 0;
    this.v = 0;
    this.tDelta = 0;
    this.vHi = 0;
    this.vLo = 0;
    this.leading = 0;
    this.trailing = 0;
    this.error =
      chunk.length < XOR_HEADER_BYTES ? new Error('chunkenc: XOR chunk shorter than its header') : null;
  }

  /** Advances to the next sample; false at the end of the chunk or on error (see err). */
  next(): boolean {
    const read = this.read;
    if (read === this.total || this.error !== null) return false;
    if (read === 0) {
      // ts_0: zigzag varint; v_0: 64 raw bits.
      if (!this.readUvarint64()) return this.fail('timestamp of the first sample');
      const sign = -(this.vlo & 1);
      const tLo = ((this.vlo >>> 1) | (this.vhi << 31)) ^ sign;
      const tHi = (this.vhi >>> 1) ^ sign;
      const t = tHi * TWO_32 + (tLo >>> 0);
      if (!Number.isSafeInteger(t)) return this.fail('first timestamp beyond 2^53');
      const hi = this.readBits(32);
      const lo = this.readBits(32);
      if (this.eof) return this.fail('value of the first sample');
      this.t = t;
      this.setValue(hi, lo);
    } else if (read === 1) {
      // ts_1_delta: uvarint, read as a two's complement int64 like Prometheus does.
      if (!this.readUvarint64()) return this.fail('timestamp delta of the second sample');
      const delta = (this.vhi | 0) * TWO_32 + this.vlo;
      const t = this.t + delta;
      if (!Number.isSafeInteger(t)) return this.fail('timestamp beyond 2^53');
      this.tDelta = delta;
      this.t = t;
      if (!this.readValue()) return false;
    } else {
      if (!this.readTimestamp()) return false;
      if (!this.readValue()) return false;
    }
    this.read = read + 1;
    return true;
  }

  /**
   * Advances to the first sample with timestamp >= `t`; does not move if the current sample
   * already qualifies. False when there is none (or on error).
   */
  seek(t: number): boolean {
    while (this.read === 0 || this.t < t) {
      if (!this.next()) return false;
    }
    return this.error === null;
  }

  /** Copies the exact bits of the current value into `out[index]`. */
  valueInto(out: Float64Array, index: number): void {
    if (!(index >= 0 && index < out.length)) {
      throw new RangeError(`chunkenc: index ${index} out of range for ${out.length} values`);
    }
    if (out !== aliasOf || aliasBase + index * 2 + 1 >= alias.length) {
      aliasOf = out;
      alias = u32Alias(out.buffer);
      aliasBase = out.byteOffset >>> 2;
    }
    const w = aliasBase + index * 2;
    alias[w + HI] = this.vHi;
    alias[w + LO] = this.vLo;
  }

  /**
   * Reads a delta of deltas: prefix '0' | '10' | '110' | '1110' | '1111', then 0, 14, 17, 20
   * or 64 bits of two's complement payload (a payload above 2^(n-1) is negative).
   */
  private readTimestamp(): boolean {
    let dod = 0;
    let b = this.readBit();
    if (b === 1) {
      b = this.readBit();
      if (b === 0) {
        dod = this.readBits(14);
        if (dod > 0x2000) dod -= 0x4000;
      } else if (b === 1) {
        b = this.readBit();
        if (b === 0) {
          dod = this.readBits(17);
          if (dod > 0x10000) dod -= 0x20000;
        } else if (b === 1) {
          b = this.readBit();
          if (b === 0) {
            dod = this.readBits(20);
            if (dod > 0x80000) dod -= 0x100000;
          } else if (b === 1) {
            const hi = this.readBits(32);
            dod = (hi | 0) * TWO_32 + this.readBits(32);
          }
        }
      }
    }
    if (this.eof) return this.fail('timestamp');
    const delta = this.tDelta + dod;
    const t = this.t + delta;
    if (!Number.isSafeInteger(t)) return this.fail('timestamp beyond 2^53');
    this.tDelta = delta;
    this.t = t;
    return true;
  }

  /** Reads an XOR'd value: '0' | '10' window bits | '11' leading(5) sigbits(6) bits. */
  private readValue(): boolean {
    const b = this.readBit();
    if (b === 0) return true;
    if (b < 0) return this.fail('value');
    const reuse = this.readBit();
    if (reuse === 1) {
      const leading = this.readBits(5);
      let sigbits = this.readBits(6);
      if (this.eof) return this.fail('value');
      if (sigbits === 0) sigbits = 64;
      if (leading + sigbits > 64) return this.fail('value window wider than 64 bits');
      this.leading = leading;
      this.trailing = 64 - leading - sigbits;
    } else if (reuse < 0) {
      return this.fail('value');
    }
    const trailing = this.trailing;
    const sigbits = 64 - this.leading - trailing;
    let xh = 0;
    let xl: number;
    if (sigbits > 32) {
      xh = this.readBits(sigbits - 32);
      xl = this.readBits(32);
    } else {
      xl = this.readBits(sigbits);
    }
    if (this.eof) return this.fail('value');
    // 64-bit shift left by `trailing` (0..63); JS shifts only take 0..31.
    if (trailing >= 32) {
      xh = xl << (trailing - 32);
      xl = 0;
    } else if (trailing !== 0) {
      xh = (xh << trailing) | (xl >>> (32 - trailing));
      xl = xl << trailing;
    }
    this.setValue(this.vHi ^ xh, this.vLo ^ xl);
    return true;
  }

  /** Makes `hi:lo` the current value, in the words and as a number. */
  private setValue(hi: number, lo: number): void {
    this.vHi = hi;
    this.vLo = lo;
    U32_SCRATCH[HI] = hi;
    U32_SCRATCH[LO] = lo;
    this.v = F64_SCRATCH[0]!;
  }

  /** Records a corrupt/truncated chunk error and ends the iteration. */
  private fail(what: string): false {
    this.error = new Error(
      `chunkenc: corrupt XOR chunk: cannot read ${what} of sample ${this.read + 1} of ${this.total}`,
    );
    return false;
  }
}
