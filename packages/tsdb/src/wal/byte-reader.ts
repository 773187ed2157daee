/**
 * A reusable cursor that decodes the values `RecordWriter` encodes, from a record payload.
 *
 * One instance is reset per payload; reading allocates nothing. Reads past the end throw a
 * RangeError: a payload that passed its CRC can only be malformed through a writer bug, and that
 * must not silently yield zeros.
 */
export class ByteReader {
  /** The bytes being read. */
  buf: Uint8Array = new Uint8Array(0);
  /** Next byte to read. */
  pos = 0;
  /** End of the readable range (exclusive). */
  end = 0;

  /** Points the cursor at `buf[start..end)`. */
  reset(buf: Uint8Array, start = 0, end: number = buf.length): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    return this;
  }

  /** Number of bytes left. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Reads one byte. */
  readU8(): number {
    if (this.pos >= this.end) throw truncated();
    return this.buf[this.pos++]!;
  }

  /** Reads a little-endian u32. */
  readU32(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw truncated();
    const b = this.buf;
    this.pos = p + 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** Reads an unsigned LEB128 varint (exact up to 2^53). */
  readUvarint(): number {
    const b = this.buf;
    const end = this.end;
    let p = this.pos;
    if (p >= end) throw truncated();
    let byte = b[p++]!;
    if (byte < 0x80) {
      this.pos = p;
      return byte;
    }
    // Up to 4 bytes (28 bits) in int arithmetic, then doubles (exact while the value < 2^53).
    let v = byte & 0x7f;
    let shift = 7;
    for (;;) {
      if (p >= end) throw truncated();
      byte = b[p++]!;
      if (shift < 28) v |= (byte & 0x7f) << shift;
      else v += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
      shift += 7;
      if (shift > 63) throw new RangeError('WAL varint longer than 10 bytes');
    }
    this.pos = p;
    return v;
  }

  /** Reads a zigzag varint (exact for |v| <= 2^53; see RecordWriter.writeVarint). */
  readVarint(): number {
    const p = this.pos;
    if (p >= this.end) throw truncated();
    const first = this.buf[p]!;
    this.pos = p + 1;
    // The first byte holds the sign bit and the low 6 bits of x; a continuation holds x >> 6.
    let x = (first & 0x7f) >>> 1;
    if (first >= 0x80) x += this.readUvarint() * 64;
    return first & 1 ? -x - 1 : x;
  }

  /** Reads a little-endian float64 (NaN payloads may be canonicalised; copy bytes to keep them). */
  readFloat64(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw truncated();
    this.pos = p + 8;
    const b = this.buf;
    for (let i = 0; i < 8; i++) F64_BYTES[i] = b[p + i]!;
    return F64[0]!;
  }

  /** Skips `n` bytes, returning the offset where they start. */
  skip(n: number): number {
    const p = this.pos;
    if (n < 0 || p + n > this.end) throw truncated();
    this.pos = p + n;
    return p;
  }
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

function truncated(): RangeError {
  return new RangeError('WAL record payload truncated (malformed record)');
}
