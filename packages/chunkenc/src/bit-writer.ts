/**
 * Append-only big-endian bit stream, the write half of Prometheus's `bstream`.
 *
 * Layout: bits are packed most significant bit first; bit `i` of the stream is bit `7 - (i & 7)`
 * of byte `i >>> 3`. A field of `n` bits is written MSB first, so a value written with
 * `writeBits(v, n)` reads back as the same unsigned integer. The last byte is zero-padded.
 *
 * Invariants:
 * - the bits of the last byte after `bitLen`, and all bytes after it, are zero: a field ORs its
 *   first bits into the partly written byte and assigns the bytes after it;
 * - callers reserve room with {@link BitWriter.reserve} before writing: the write methods do no
 *   bounds checks (a sample needs at most 20 bytes).
 *
 * The XOR appender extends this class rather than holding a writer, so a series' encoder state is
 * one object (one pointer chase less per appended sample, which matters at 100k+ series).
 */
export class BitWriter {
  /** Backing bytes; `buf.length` is the capacity. Replaced (copied) when it grows. */
  protected buf: Uint8Array;
  /** Number of bits written so far, counting any fixed header the subclass writes. */
  protected bitLen = 0;

  /** Creates an empty stream with room for `initialCapacityBytes` bytes (at least 16). */
  constructor(initialCapacityBytes: number) {
    this.buf = new Uint8Array(Math.max(16, Math.ceil(initialCapacityBytes)));
  }

  /** Number of bytes the stream occupies, the last one possibly partly padding. */
  sizeBytes(): number {
    return (this.bitLen + 7) >>> 3;
  }

  /** Ensures at least `n` more bytes can be written without bounds checks. */
  protected reserve(n: number): void {
    const need = ((this.bitLen + 7) >>> 3) + n;
    if (need > this.buf.length) this.grow(need);
  }

  /** Grows by half again (not doubling: chunks are many and small), at least to `need`. */
  private grow(need: number): void {
    const cap = Math.max(need, this.buf.length + (this.buf.length >>> 1));
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, (this.bitLen + 7) >>> 3));
    this.buf = next;
  }

  /** Writes one bit: 0 if `bit` is 0, 1 otherwise. */
  protected writeBit(bit: number): void {
    const pos = this.bitLen;
    if (bit !== 0) this.buf[pos >>> 3]! |= 0x80 >>> (pos & 7);
    this.bitLen = pos + 1;
  }

  /**
   * Writes the low `n` bits of `v` (1 <= n <= 32), most significant first. Bits of `v` above
   * `n` are ignored. `v` may be a uint32 or an int32 (as produced by `|`, `<<`, `^`).
   */
  protected writeBits(v: number, n: number): void {
    const buf = this.buf;
    const pos = this.bitLen;
    this.bitLen = pos + n;
    let i = pos >>> 3;
    if (n < 32) v &= (1 << n) - 1;
    // `rest`: bits of the field still to place once byte i (which has `8 - (pos & 7)` free bits)
    // is filled. Bytes after byte i have never been written, so they are assigned, not ORed.
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

  /**
   * Writes a 64-bit unsigned integer given as two uint32/int32 words as a Go `uvarint`
   * (`binary.PutUvarint`): 7 bits a byte, least significant group first, high bit set on every
   * byte but the last; 1 to 10 bytes.
   */
  protected writeUvarint64(hi: number, lo: number): void {
    hi >>>= 0;
    lo >>>= 0;
    while (hi !== 0 || lo >= 0x80) {
      this.writeBits((lo & 0x7f) | 0x80, 8);
      // 64-bit shift right by 7.
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.writeBits(lo, 8);
  }
}
