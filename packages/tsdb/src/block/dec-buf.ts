/**
 * DecBuf: a cursor that decodes the primitives {@link EncBuf} writes from a byte range of a block
 * file, throwing a `block-corrupt` {@link BlockError} (with the file and absolute offset) on a read
 * past the end or a value beyond 2^53, never returning garbage.
 */
import { corrupt } from './errors.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: false });

/** Reads `buf[pos..end)`; `base` is the file offset of `buf[0]`, for error messages. */
export class DecBuf {
  buf: Uint8Array;
  pos: number;
  end: number;
  readonly file: string;
  readonly base: number;

  constructor(buf: Uint8Array, file: string, base = 0, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.file = file;
    this.base = base;
  }

  /** Bytes left. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** A corruption error at the current position. */
  fail(what: string): Error {
    return corrupt(what, this.file, this.base + this.pos);
  }

  #need(n: number): void {
    if (this.pos + n > this.end) throw this.fail(`truncated: need ${n} bytes, ${this.end - this.pos} left`);
  }

  /** Reads one byte. */
  byte(): number {
    this.#need(1);
    return this.buf[this.pos++]!;
  }

  /** Reads a big-endian uint32. */
  be32(): number {
    this.#need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** Reads a big-endian uint64 (must be below 2^53). */
  be64(): number {
    const hi = this.be32();
    const lo = this.be32();
    if (hi >= 0x200000) throw this.fail('64-bit value beyond 2^53');
    return hi * 4294967296 + lo;
  }

  /** Reads an unsigned LEB128 varint (must be below 2^53). */
  uvarint(): number {
    const b = this.buf;
    let p = this.pos;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= this.end) throw this.fail('truncated varint');
      const x = b[p++]!;
      v += (x & 0x7f) * mul;
      if (x < 0x80) {
        if (!Number.isSafeInteger(v)) throw this.fail('varint beyond 2^53');
        this.pos = p;
        return v;
      }
      mul *= 0x80;
    }
    throw this.fail('varint longer than 10 bytes');
  }

  /** Reads a zigzag-signed varint. */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Reads a uvarint length and returns that many bytes as a view. */
  uvarintBytes(): Uint8Array {
    const n = this.uvarint();
    this.#need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads a uvarint-prefixed UTF-8 string. */
  uvarintStr(): string {
    return UTF8.decode(this.uvarintBytes());
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    this.#need(n);
    this.pos += n;
  }
}

/** Decodes UTF-8 bytes (invalid sequences become U+FFFD, as Go would keep raw bytes). */
export function decodeUtf8(b: Uint8Array): string {
  return UTF8.decode(b);
}

/** Compares two byte strings lexicographically (Go's bytes.Compare / string order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Reads the big-endian uint32 at `buf[p]`. */
export function readBE32(buf: Uint8Array, p: number): number {
  return ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
}
