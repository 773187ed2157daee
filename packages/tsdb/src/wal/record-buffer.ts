/**
 * Framing and encoding of WAL records into a growable in-memory buffer.
 *
 * Record layout (all integers little-endian), identical in segments and checkpoints:
 *
 *   offset 0  u32  payload length n
 *   offset 4  u32  CRC-32C of bytes [8, 9 + n)   (the type byte and the payload)
 *   offset 8  u8   record type (1..255; 0 is never written, so a zero-filled header is invalid)
 *   offset 9  n bytes of payload
 *
 * A `RecordBuffer` holds any number of complete framed records followed by at most one open
 * record. Payload writes append directly into the buffer, so building a record of many small
 * entries allocates nothing except when the buffer grows (geometrically, and it is kept).
 */
import { crc32c } from './crc32c.ts';

/** Size of the fixed record header: length, CRC and type. */
export const RECORD_HEADER_SIZE = 9;

/** Largest payload a record may carry (the length field is a u32; we stay far below it). */
export const MAX_RECORD_PAYLOAD = 0x7fff_0000;

const bufferCopy = Buffer.prototype.copy;

// Float64 values are copied as raw bytes from Float64Arrays, which use the platform byte order;
// the WAL format is little-endian. Every platform Node supports in practice is little-endian.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('tessera WAL requires a little-endian platform');
}

/**
 * The writing half of an open record: appends encoded values to its payload.
 *
 * Valid only between `beginRecord` and `endRecord`/`abortRecord` of the sink that returned it.
 */
export interface RecordWriter {
  /** Number of payload bytes written to the open record so far. */
  readonly payloadLength: number;
  /** Appends one byte (0..255). */
  writeU8(v: number): void;
  /** Appends a u32, little-endian. */
  writeU32(v: number): void;
  /** Appends an unsigned LEB128 varint; `v` is an integer in [0, 2^53). */
  writeUvarint(v: number): void;
  /** Appends a zigzag LEB128 varint; `v` is an integer with |v| <= 2^53 (exact over that range). */
  writeVarint(v: number): void;
  /** Appends a float64 (LE). NaN payloads may be canonicalised: use the bits variant for those. */
  writeFloat64(v: number): void;
  /** Appends the 8 raw bytes of `src[i]`, so NaN payloads (stale markers) survive exactly. */
  writeFloat64BitsFrom(src: Float64Array, i: number): void;
  /** Appends `src[start..end)` verbatim. */
  writeBytes(src: Uint8Array, start: number, end: number): void;
}

/**
 * Something records are appended to: the WAL itself, or a checkpoint being written.
 *
 * Protocol: `beginRecord(type)`, any number of writes on the returned writer, then `endRecord()`
 * (or `abortRecord()` to discard it). At most one record is open at a time.
 */
export interface RecordWriterLike {
  /** Opens a record of `type` (1..255) and returns the writer of its payload. */
  beginRecord(type: number): RecordWriter;
  /** Closes the open record: fills in its length and CRC. */
  endRecord(): void;
  /** Discards the open record, as if it had never been begun. */
  abortRecord(): void;
}

/**
 * A growable buffer of framed records, the open one last; implements `RecordWriter`.
 *
 * Invariant: `buf[0..len)` holds complete records, then (if `openAt >= 0`) the open record's
 * header placeholder and payload so far, starting at `openAt`.
 */
export class RecordBuffer implements RecordWriter {
  /** Backing storage; reallocated (doubling) when full. Only `[0, len)` is meaningful. */
  buf: Buffer;
  /** Number of bytes in use. */
  len = 0;
  /** Number of complete records in `[0, len)` (or up to `openAt`). */
  records = 0;
  /** Offset of the open record's header, or -1. */
  private openAt = -1;
  /** One-entry cache of a byte view over the last Float64Array passed to writeFloat64BitsFrom. */
  private f64Src: Float64Array | null = null;
  private f64Bytes: Uint8Array = new Uint8Array(0);

  /** Creates an empty buffer with `initialCapacity` bytes reserved. */
  constructor(initialCapacity = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(initialCapacity, 64));
  }

  /** True while a record is open. */
  get isOpen(): boolean {
    return this.openAt >= 0;
  }

  /** Offset at which the open record begins (its header), or -1. */
  get openOffset(): number {
    return this.openAt;
  }

  /** Number of payload bytes written to the open record so far. */
  get payloadLength(): number {
    return this.openAt < 0 ? 0 : this.len - this.openAt - RECORD_HEADER_SIZE;
  }

  /** Starts a record of `type` at the end of the buffer. */
  begin(type: number): void {
    if (this.openAt >= 0) throw new Error('WAL record already open: call endRecord() first');
    if (!Number.isInteger(type) || type < 1 || type > 255) {
      throw new RangeError(`WAL record type must be an integer in 1..255, got ${type}`);
    }
    this.ensure(RECORD_HEADER_SIZE);
    this.openAt = this.len;
    this.buf[this.len + 8] = type;
    this.len += RECORD_HEADER_SIZE;
  }

  /** Completes the open record (length and CRC) and returns its framed size in bytes. */
  end(): number {
    const at = this.openAt;
    if (at < 0) throw new Error('no WAL record open');
    const n = this.len - at - RECORD_HEADER_SIZE;
    if (n > MAX_RECORD_PAYLOAD) {
      this.abort();
      throw new RangeError(`WAL record payload of ${n} bytes exceeds ${MAX_RECORD_PAYLOAD}`);
    }
    this.buf.writeUInt32LE(n, at);
    this.buf.writeUInt32LE(crc32c(this.buf, at + 8, this.len), at + 4);
    this.openAt = -1;
    this.records++;
    return n + RECORD_HEADER_SIZE;
  }

  /** Drops the open record, if any. */
  abort(): void {
    if (this.openAt < 0) return;
    this.len = this.openAt;
    this.openAt = -1;
  }

  /** Empties the buffer (the open record too), keeping its capacity. */
  reset(): void {
    this.len = 0;
    this.records = 0;
    this.openAt = -1;
  }

  /** Removes the first `n` bytes (which must end on a record boundary) and `count` records. */
  consume(n: number, count: number): void {
    if (n === 0) return;
    this.buf.copyWithin(0, n, this.len);
    this.len -= n;
    this.records -= count;
    if (this.openAt >= 0) this.openAt -= n;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Appends one byte. */
  writeU8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }

  /** Appends a u32, little-endian. */
  writeU32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.len);
    this.len += 4;
  }

  /** Appends an unsigned LEB128 varint of an integer in [0, 2^53). */
  writeUvarint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.len;
    if (v < 0x80) {
      b[p++] = v;
    } else if (v <= 0x7fffffff) {
      while (v >= 0x80) {
        b[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      b[p++] = v;
    } else {
      // Beyond 31 bits: % and division by powers of two are exact on integral doubles.
      while (v >= 0x80) {
        b[p++] = (v % 128) | 0x80;
        v = Math.floor(v / 128);
      }
      b[p++] = v;
    }
    this.len = p;
  }

  /**
   * Appends a zigzag varint: v >= 0 maps to 2v, v < 0 to 2(-v-1)+1, then LEB128.
   * Written as 2x + s with x = v or -v-1 so that no intermediate exceeds 2^53 when |v| <= 2^53.
   */
  writeVarint(v: number): void {
    const neg = v < 0;
    const x = neg ? -v - 1 : v;
    if (x < 0x40000000) {
      this.writeUvarint(((x << 1) | (neg ? 1 : 0)) >>> 0);
      return;
    }
    // x >= 2^30: the first byte carries s and the low 6 bits of x; floor(x / 64) > 0 follows.
    this.ensure(10);
    this.buf[this.len++] = (((x % 64) * 2) | (neg ? 1 : 0)) | 0x80;
    this.writeUvarint(Math.floor(x / 64));
  }

  /** Appends a float64, little-endian. */
  writeFloat64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
  }

  /** Appends the raw 8 bytes of `src[i]`. */
  writeFloat64BitsFrom(src: Float64Array, i: number): void {
    if (src !== this.f64Src) {
      this.f64Src = src;
      this.f64Bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
    }
    if (i < 0 || i >= src.length) throw new RangeError(`index ${i} outside Float64Array`);
    this.ensure(8);
    const s = this.f64Bytes;
    const b = this.buf;
    const o = i * 8;
    const p = this.len;
    b[p] = s[o]!;
    b[p + 1] = s[o + 1]!;
    b[p + 2] = s[o + 2]!;
    b[p + 3] = s[o + 3]!;
    b[p + 4] = s[o + 4]!;
    b[p + 5] = s[o + 5]!;
    b[p + 6] = s[o + 6]!;
    b[p + 7] = s[o + 7]!;
    this.len = p + 8;
  }

  /** Appends `src[start..end)`. */
  writeBytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.ensure(n);
    if (n <= 16) {
      const b = this.buf;
      let p = this.len;
      for (let i = start; i < end; i++) b[p++] = src[i]!;
    } else {
      // Buffer#copy accepts any Uint8Array as source and, unlike set(subarray), allocates nothing.
      bufferCopy.call(src, this.buf, this.len, start, end);
    }
    this.len += n;
  }
}
