/**
 * Protobuf wire primitives for the ingester RPC messages (proto/ingester.proto): a growable
 * writer and a bounded reader. Hand-written rather than generated, so encoding a QueryResponse
 * copies chunk bytes once and decoding one returns chunk data as views of the response.
 *
 * Wire format: a field is a tag varint (field number << 3 | wire type) and a payload; wire type
 * 0 is a varint, 1 eight bytes, 2 a varint length then that many bytes, 5 four bytes. int64 is a
 * varint of the two's-complement value (negatives take 10 bytes). Every read is bounded by the
 * end of its enclosing message.
 */
import { utf8Length, writeUtf8, readUtf8 } from '@tessera/model';

/** Thrown for a malformed RPC message; `code` is permanent. */
export class RpcDecodeError extends Error {
  /** Always `invalid-rpc-message`. */
  readonly code = 'invalid-rpc-message';

  constructor(message: string) {
    super(message);
    this.name = 'RpcDecodeError';
  }

  /** True for an RpcDecodeError (checked by name and code, not by `instanceof`). */
  static is(e: unknown): e is RpcDecodeError {
    return e instanceof Error && e.name === 'RpcDecodeError' && (e as { code?: unknown }).code === 'invalid-rpc-message';
  }
}

const TWO_32 = 4294967296;
const INT64_MAX = 9223372036854775807; // rounds to 2^63 as a double

function uvarintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/**
 * A protobuf writer into one growable buffer. Nested messages are written with {@link fork}
 * and {@link ldelim}: one length byte is reserved and the body shifted right in the rare case
 * its length needs more.
 */
export class ProtoWriter {
  #buf: Uint8Array;
  #pos = 0;
  readonly #starts: number[] = [];

  /** Creates a writer with `initialBytes` of capacity. */
  constructor(initialBytes = 1024) {
    this.#buf = new Uint8Array(initialBytes);
  }

  #ensure(n: number): void {
    const need = this.#pos + n;
    if (need <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.#buf.subarray(0, this.#pos));
    this.#buf = b;
  }

  #uvarint(v: number): void {
    const b = this.#buf;
    let p = this.#pos;
    while (v >= 0x80) {
      b[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    b[p++] = v;
    this.#pos = p;
  }

  /** Writes a field tag. */
  tag(field: number, wireType: number): this {
    this.#ensure(5);
    this.#uvarint(field * 8 + wireType);
    return this;
  }

  /** Writes a varint field of a non-negative integer (uint32/uint64/enum), omitted when 0. */
  uint(field: number, v: number): this {
    if (v === 0) return this;
    this.tag(field, 0);
    this.#ensure(10);
    this.#uvarint(v);
    return this;
  }

  /**
   * Writes an int64 field, omitted when 0. Non-integers are truncated; values beyond the int64
   * range (including ±Infinity, used for open time ranges) are clamped to it.
   */
  int64(field: number, v: number): this {
    if (Number.isNaN(v)) throw new RangeError('cannot encode NaN as int64');
    v = Math.trunc(v);
    if (v === 0) return this;
    this.tag(field, 0);
    this.#ensure(10);
    if (v >= INT64_MAX) {
      this.#int64Parts(0x7fffffff, 0xffffffff);
    } else if (v < -INT64_MAX) {
      this.#int64Parts(0x80000000, 0);
    } else {
      // Every double of this magnitude is an integer, so both halves are exact.
      const hi = Math.floor(v / TWO_32);
      this.#int64Parts(hi >>> 0, v - hi * TWO_32);
    }
    return this;
  }

  /** A 64-bit two's-complement value as unsigned 32-bit halves, as a varint. */
  #int64Parts(hi: number, lo: number): void {
    const b = this.#buf;
    let p = this.#pos;
    while (hi !== 0 || lo >= 0x80) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    b[p++] = lo;
    this.#pos = p;
  }

  /** Writes a string field, omitted when empty. */
  string(field: number, s: string): this {
    if (s === '') return this;
    const n = utf8Length(s);
    this.tag(field, 2);
    this.#ensure(5 + n);
    this.#uvarint(n);
    this.#pos = writeUtf8(s, this.#buf, this.#pos);
    return this;
  }

  /** Writes a string field even when empty (for repeated strings, where '' is a value). */
  stringAlways(field: number, s: string): this {
    if (s !== '') return this.string(field, s);
    this.tag(field, 2);
    this.#ensure(1);
    this.#buf[this.#pos++] = 0;
    return this;
  }

  /** Writes a bytes field (always, even when empty). */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.#ensure(5 + data.length);
    this.#uvarint(data.length);
    this.#buf.set(data, this.#pos);
    this.#pos += data.length;
    return this;
  }

  /**
   * Writes raw bytes produced by `write(buf, offset) → end`, which needs at most `maxBytes`
   * (for encoders such as `encodeLabelsInto` that write straight into a buffer).
   */
  raw(maxBytes: number, write: (buf: Uint8Array, offset: number) => number): this {
    this.#ensure(maxBytes);
    this.#pos = write(this.#buf, this.#pos);
    return this;
  }

  /** Starts a length-delimited nested message in field `field`; close it with {@link ldelim}. */
  fork(field: number): this {
    this.tag(field, 2);
    this.#ensure(1);
    this.#starts.push(++this.#pos); // one length byte reserved before the body
    return this;
  }

  /** Ends the innermost {@link fork}, writing its length. */
  ldelim(): this {
    const start = this.#starts.pop();
    if (start === undefined) throw new Error('ldelim without fork');
    const len = this.#pos - start;
    if (len < 0x80) {
      this.#buf[start - 1] = len;
      return this;
    }
    const extra = uvarintSize(len) - 1;
    this.#ensure(extra);
    this.#buf.copyWithin(start + extra, start, this.#pos);
    const end = this.#pos + extra;
    this.#pos = start - 1;
    this.#uvarint(len);
    this.#pos = end;
    return this;
  }

  /** The bytes written so far (a view; the writer must not be used afterwards). */
  finish(): Uint8Array {
    if (this.#starts.length > 0) throw new Error('finish with an open fork');
    return this.#buf.subarray(0, this.#pos);
  }
}

/**
 * A protobuf reader over `buf[pos, end)`. Methods advance `pos`; a malformed message throws
 * {@link RpcDecodeError}.
 */
export class ProtoReader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;

  /** Reads `buf[start, end)`. */
  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** True while fields remain. */
  more(): boolean {
    return this.pos < this.end;
  }

  #fail(what: string): never {
    throw new RpcDecodeError(`malformed RPC message at byte ${this.pos}: ${what}`);
  }

  /** Reads an unsigned varint, exact below 2^53. */
  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.#fail('truncated varint');
      const b = this.buf[this.pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    return this.#fail('varint longer than 10 bytes');
  }

  /** Reads a field tag; `tag >>> 3` is the field number, `tag & 7` the wire type. */
  tag(): number {
    const t = this.uvarint();
    if (t > 0xffffffff || t < 8) this.#fail(`invalid tag ${t}`);
    return t;
  }

  /** Reads an int64 varint as a number (exact within ±2^53, nearest double beyond). */
  int64(): number {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.#fail('truncated varint');
      const b = this.buf[this.pos++]!;
      const g = b & 0x7f;
      // Group i holds bits 7i … 7i+6: groups 0–3 in lo, group 4 straddles, 5–9 in hi.
      if (i < 4) lo |= g << (7 * i);
      else if (i === 4) {
        lo |= g << 28;
        hi |= g >>> 4;
      } else hi |= g << (7 * i - 32);
      if (b < 0x80) return (hi | 0) * TWO_32 + (lo >>> 0);
    }
    return this.#fail('varint longer than 10 bytes');
  }

  /**
   * Reads the length of a length-delimited field and returns its end; `pos` is then at its
   * first byte.
   */
  delimited(): number {
    const n = this.uvarint();
    if (n > this.end - this.pos) this.#fail(`length ${n} overruns the message`);
    return this.pos + n;
  }

  /** Reads a string field's payload (UTF-8; malformed sequences become U+FFFD). */
  string(): string {
    const e = this.delimited();
    const s = readUtf8(this.buf, this.pos, e);
    this.pos = e;
    return s;
  }

  /** Reads a bytes field's payload as a view of the buffer (no copy). */
  bytes(): Uint8Array {
    const e = this.delimited();
    const v = this.buf.subarray(this.pos, e);
    this.pos = e;
    return v;
  }

  /** Skips the payload of a field of wire type `tag & 7` whose tag was just read. */
  skip(tag: number): void {
    switch (tag & 7) {
      case 0:
        this.uvarint();
        return;
      case 1:
        this.#advance(8);
        return;
      case 2:
        this.pos = this.delimited();
        return;
      case 5:
        this.#advance(4);
        return;
      default:
        this.#fail(`unsupported wire type ${tag & 7}`);
    }
  }

  #advance(n: number): void {
    if (n > this.end - this.pos) this.#fail('truncated field');
    this.pos += n;
  }

  /** Fails unless the tag just read has wire type `wireType` (a known field of the wrong type). */
  expect(tag: number, wireType: number): void {
    if ((tag & 7) !== wireType) this.#fail(`field ${tag >>> 3} has wire type ${tag & 7}, expected ${wireType}`);
  }
}
