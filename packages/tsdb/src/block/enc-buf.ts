/**
 * EncBuf: a growable byte buffer with the primitive encodings of the block formats.
 *
 * Integers are Go's encoding/binary forms: big-endian fixed widths (`BE32`, `BE64`), unsigned
 * LEB128 (`uvarint`) and zigzag-signed LEB128 (`varint`). Values are JS numbers, exact for
 * integers of magnitude below 2^53 (timestamps, offsets, chunk refs); larger ones are refused.
 */

/** Growable byte buffer; `bytes()` is a view valid until the next write. */
export class EncBuf {
  #buf: Uint8Array;
  #view: DataView;
  /** Bytes written. */
  len = 0;

  constructor(initialCapacity = 1024) {
    this.#buf = new Uint8Array(initialCapacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  /** Forgets the contents (keeps the memory). */
  reset(): this {
    this.len = 0;
    return this;
  }

  /** The bytes written so far: a view of the internal buffer. */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.len);
  }

  #reserve(n: number): void {
    if (this.len + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** Appends one byte. */
  putByte(b: number): void {
    this.#reserve(1);
    this.#buf[this.len++] = b;
  }

  /** Appends `n` zero bytes. */
  putZeros(n: number): void {
    this.#reserve(n);
    this.#buf.fill(0, this.len, this.len + n);
    this.len += n;
  }

  /** Appends raw bytes. */
  putBytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buf.set(b, this.len);
    this.len += b.length;
  }

  /** Appends a big-endian uint32. */
  putBE32(v: number): void {
    this.#reserve(4);
    this.#view.setUint32(this.len, v >>> 0);
    this.len += 4;
  }

  /** Overwrites the big-endian uint32 at `pos` (a length or count patched in afterwards). */
  setBE32(pos: number, v: number): void {
    this.#view.setUint32(pos, v >>> 0);
  }

  /** Appends a big-endian uint64 (0 ≤ v < 2^53). */
  putBE64(v: number): void {
    checkUint(v);
    this.#reserve(8);
    this.#view.setUint32(this.len, Math.floor(v / 4294967296));
    this.#view.setUint32(this.len + 4, v >>> 0);
    this.len += 8;
  }

  /** Appends an unsigned LEB128 varint (0 ≤ v < 2^53). */
  putUvarint(v: number): void {
    checkUint(v);
    this.#reserve(10);
    const b = this.#buf;
    let p = this.len;
    while (v >= 0x80) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[p++] = v;
    this.len = p;
  }

  /** Appends a zigzag-signed varint (|v| < 2^52). */
  putVarint(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`varint out of range: ${v}`);
    this.putUvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** Appends a uvarint length followed by the bytes. */
  putUvarintBytes(b: Uint8Array): void {
    this.putUvarint(b.length);
    this.putBytes(b);
  }
}

function checkUint(v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`unsigned integer out of range: ${v}`);
}

/** Number of bytes the uvarint encoding of `v` takes. */
export function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}
