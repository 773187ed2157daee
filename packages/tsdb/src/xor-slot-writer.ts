/**
 * XorSlotWriter: Prometheus's XOR chunk encoding written into a slot of a shared buffer, with the
 * encoder's state kept by the caller (in the head's series columns) rather than in one object per
 * series. It produces exactly the bytes `XorAppender` of @tessera/chunkenc produces (a property
 * test checks it); see that class for the encoding, the bit layout and Prometheus's padding-byte
 * quirk.
 *
 * Use: the caller loads a series' state into the writer's fields (`buf`, `base`, `bitLen`, `num`,
 * `t`, `tDelta`, `vHi`, `vLo`, `leading`, `trailing`), calls {@link XorSlotWriter.append}, and
 * stores the fields back. The slot must have room for {@link MAX_SAMPLE_BYTES} more bytes, and
 * its bytes past `bitLen` must be zero. One writer serves every series: no allocation per sample.
 */

/** Bytes a sample may take, plus the padding byte (as in XorAppender). */
export const MAX_SAMPLE_BYTES = 20;

/** Bytes of the chunk header (the big-endian sample count). */
export const XOR_HEADER_BYTES = 2;

/** 2^32, to split an integer-valued number into 32-bit words. */
const TWO_32 = 4294967296;

/** Leading-zero count meaning "no XOR window yet". */
export const NO_WINDOW = 0xff;

/** The shared XOR encoder (see the file comment). */
export class XorSlotWriter {
  buf: Uint8Array = new Uint8Array(0);
  /** Offset of the chunk's first byte in `buf`. */
  base = 0;
  /** Bits written, the header's 16 included. */
  bitLen = XOR_HEADER_BYTES * 8;
  num = 0;
  t = 0;
  tDelta = 0;
  vHi = 0;
  vLo = 0;
  leading = NO_WINDOW;
  trailing = 0;
  /** Whether the chunk ends with Prometheus's empty padding byte. */
  pad = false;

  /** Length of the encoded chunk in bytes, header (and padding byte) included. */
  sizeBytes(): number {
    return ((this.bitLen + 7) >>> 3) + (this.pad ? 1 : 0);
  }

  /** Appends the sample `(t, hi:lo)`; `t` is greater than the last timestamp (checked upstream). */
  append(t: number, hi: number, lo: number): void {
    const num = this.num;
    let delta = 0;
    let endsWithBytes: boolean;
    if (num === 0) {
      // ts_0: zigzag varint of the 64-bit two's complement of t, then v_0's raw 64 bits.
      const tHi = Math.floor(t / TWO_32) | 0;
      const tLo = t >>> 0;
      const sign = tHi >> 31;
      this.#uvarint64(((tHi << 1) | (tLo >>> 31)) ^ sign, (tLo << 1) ^ sign);
      this.#bits(hi, 32);
      this.#bits(lo, 32);
      endsWithBytes = true;
    } else if (num === 1) {
      delta = t - this.t;
      this.#uvarint64(Math.floor(delta / TWO_32) | 0, delta >>> 0);
      endsWithBytes = this.#xor(hi, lo);
    } else {
      delta = t - this.t;
      const dod = delta - this.tDelta;
      if (dod === 0) {
        this.bitLen++; // a '0' bit: the byte is already zero
      } else if (dod >= -8191 && dod <= 8192) {
        this.#bits((0b10 << 14) | (dod & 0x3fff), 16);
      } else if (dod >= -65535 && dod <= 65536) {
        this.#bits((0b110 << 17) | (dod & 0x1ffff), 20);
      } else if (dod >= -524287 && dod <= 524288) {
        this.#bits((0b1110 << 20) | (dod & 0xfffff), 24);
      } else {
        this.#bits(0b1111, 4);
        this.#bits(Math.floor(dod / TWO_32) | 0, 32);
        this.#bits(dod >>> 0, 32);
      }
      endsWithBytes = this.#xor(hi, lo);
    }
    this.pad = endsWithBytes && (this.bitLen & 7) === 0;
    this.t = t;
    this.tDelta = delta;
    this.vHi = hi;
    this.vLo = lo;
    const n = num + 1;
    this.num = n;
    this.buf[this.base] = n >>> 8;
    this.buf[this.base + 1] = n & 0xff;
  }

  /** The XOR of `hi:lo` with the previous value; returns whether it ended on whole bytes. */
  #xor(hi: number, lo: number): boolean {
    const xh = hi ^ this.vHi;
    const xl = lo ^ this.vLo;
    if ((xh | xl) === 0) {
      this.bitLen++; // '0'
      return false;
    }
    let leading = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const trailing = xl !== 0 ? 31 - Math.clz32(xl & -xl) : 63 - Math.clz32(xh & -xh);
    if (leading >= 32) leading = 31;
    const prevLeading = this.leading;
    const prevTrailing = this.trailing;
    if (prevLeading !== NO_WINDOW && leading >= prevLeading && trailing >= prevTrailing) {
      const windowBits = 64 - prevLeading - prevTrailing;
      this.#bits(0b10, 2);
      this.#window(xh, xl, windowBits, prevTrailing);
      return (windowBits & 7) === 0;
    }
    this.leading = leading;
    this.trailing = trailing;
    const sigbits = 64 - leading - trailing;
    this.#bits((0b11 << 11) | (leading << 6) | (sigbits & 0x3f), 13);
    this.#window(xh, xl, sigbits, trailing);
    return (sigbits & 7) === 0;
  }

  /** Writes bits [trailing, trailing + sigbits) of `xh:xl`, most significant first. */
  #window(xh: number, xl: number, sigbits: number, trailing: number): void {
    if (trailing >= 32) {
      this.#bits(xh >>> (trailing - 32), sigbits);
      return;
    }
    if (trailing !== 0) {
      xl = (xl >>> trailing) | (xh << (32 - trailing));
      xh = xh >>> trailing;
    }
    if (sigbits > 32) {
      this.#bits(xh, sigbits - 32);
      this.#bits(xl, 32);
    } else {
      this.#bits(xl, sigbits);
    }
  }

  /** Writes the low `n` bits of `v` (1 ≤ n ≤ 32), most significant first (as BitWriter.writeBits). */
  #bits(v: number, n: number): void {
    const buf = this.buf;
    const pos = this.bitLen;
    this.bitLen = pos + n;
    let i = this.base + (pos >>> 3);
    if (n < 32) v &= (1 << n) - 1;
    let rest = n + (pos & 7) - 8;
    if (rest <= 0) {
      buf[i]! |= v << -rest;
      return;
    }
    buf[i]! |= v >>> rest;
    while (rest >= 8) {
      rest -= 8;
      buf[++i] = v >>> rest;
    }
    if (rest > 0) buf[i + 1] = v << (8 - rest);
  }

  /** A 64-bit unsigned integer (two 32-bit words) as a Go uvarint. */
  #uvarint64(hi: number, lo: number): void {
    hi >>>= 0;
    lo >>>= 0;
    while (hi !== 0 || lo >= 0x80) {
      this.#bits((lo & 0x7f) | 0x80, 8);
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.#bits(lo, 8);
  }
}
