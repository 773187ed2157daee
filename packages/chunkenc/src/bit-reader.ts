/**
 * Big-endian bit stream reader, the read half of Prometheus's `bstream` (layout in
 * `bit-writer.ts`: MSB first within each byte).
 *
 * Reads never throw and never run past `endBit`: an out-of-data read returns -1 (every
 * successful read is a non-negative uint32) and sets `eof`, which the XOR iterator turns into an
 * error. The iterator extends this class so that a decoder is a single object.
 */
export class BitReader {
  /** The bytes being read; never modified. */
  protected src: Uint8Array = new Uint8Array(0);
  /** Position of the next bit to read. */
  protected pos = 0;
  /** One past the last readable bit. */
  protected endBit = 0;
  /** Set once a read ran out of data. */
  protected eof = false;
  /** High 32 bits of the last 64-bit integer read by readUvarint64. */
  protected vhi = 0;
  /** Low 32 bits of the last 64-bit integer read by readUvarint64. */
  protected vlo = 0;

  /** Starts reading `src` at byte `startByte`. */
  protected resetBits(src: Uint8Array, startByte: number): void {
    this.src = src;
    this.pos = startByte * 8;
    this.endBit = src.length * 8;
    this.eof = false;
  }

  /** Reads one bit (0 or 1), or -1 at the end of the data. */
  protected readBit(): number {
    const pos = this.pos;
    if (pos >= this.endBit) {
      this.eof = true;
      return -1;
    }
    this.pos = pos + 1;
    return (this.src[pos >>> 3]! >>> (7 - (pos & 7))) & 1;
  }

  /** Reads `n` bits (1 <= n <= 32) as an unsigned integer, or -1 at the end of the data. */
  protected readBits(n: number): number {
    const pos = this.pos;
    if (pos + n > this.endBit) {
      this.eof = true;
      return -1;
    }
    this.pos = pos + n;
    const src = this.src;
    let i = pos >>> 3;
    // Bits of byte i from `pos` on, then `rest` more bits from the following bytes.
    let out = src[i]! & (0xff >>> (pos & 7));
    let rest = n + (pos & 7) - 8;
    if (rest <= 0) return out >>> -rest;
    while (rest >= 8) {
      rest -= 8;
      out = (out << 8) | src[++i]!;
    }
    if (rest > 0) out = (out << rest) | (src[i + 1]! >>> (8 - rest));
    return out >>> 0;
  }

  /**
   * Reads a Go `uvarint` (`binary.ReadUvarint`) of up to 10 bytes into `this.vhi`/`this.vlo`
   * (the high and low 32 bits). Returns false at the end of the data or when the encoding
   * overflows 64 bits (more than 10 bytes, or a 10th byte above 1), as Go does.
   */
  protected readUvarint64(): boolean {
    let lo = 0;
    let hi = 0;
    for (let i = 0, shift = 0; i < 10; i++, shift += 7) {
      const b = this.readBits(8);
      if (b < 0) return false;
      const g = b & 0x7f;
      if (i === 9 && b > 1) return false;
      if (shift < 32) {
        lo |= g << shift;
        if (shift > 25) hi |= g >>> (32 - shift);
      } else {
        hi |= g << (shift - 32);
      }
      if (b < 0x80) {
        this.vhi = hi >>> 0;
        this.vlo = lo >>> 0;
        return true;
      }
    }
    return false;
  }
}
