import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.ts';
import { crc32c } from './crc32c.ts';
import { RECORD_HEADER_SIZE, RecordBuffer } from './record-buffer.ts';

function payloadOf(rb: RecordBuffer, at = 0): Buffer {
  const n = rb.buf.readUInt32LE(at);
  return rb.buf.subarray(at + RECORD_HEADER_SIZE, at + RECORD_HEADER_SIZE + n);
}

describe('RecordBuffer framing', () => {
  it('writes length, CRC of type + payload, type, payload', () => {
    const rb = new RecordBuffer(64);
    rb.begin(7);
    rb.writeBytes(new Uint8Array([1, 2, 3]), 0, 3);
    expect(rb.end()).toBe(RECORD_HEADER_SIZE + 3);
    const b = rb.buf.subarray(0, rb.len);
    expect([...b.subarray(8)]).toEqual([7, 1, 2, 3]);
    expect(b.readUInt32LE(0)).toBe(3);
    expect(b.readUInt32LE(4)).toBe(crc32c(new Uint8Array([7, 1, 2, 3])));
  });

  it('grows past its initial capacity without corrupting earlier records', () => {
    const rb = new RecordBuffer(64);
    const big = Uint8Array.from({ length: 5000 }, (_, i) => i & 255);
    rb.begin(1);
    rb.writeU32(0xdeadbeef);
    rb.end();
    rb.begin(2);
    rb.writeBytes(big, 0, big.length);
    rb.end();
    expect(rb.records).toBe(2);
    expect(payloadOf(rb).readUInt32LE(0)).toBe(0xdeadbeef);
    expect(Buffer.from(payloadOf(rb, RECORD_HEADER_SIZE + 4)).equals(Buffer.from(big))).toBe(true);
  });

  it('abort discards only the open record', () => {
    const rb = new RecordBuffer();
    rb.begin(1);
    rb.writeU8(9);
    rb.end();
    const len = rb.len;
    rb.begin(2);
    rb.writeU32(1);
    rb.abort();
    expect(rb.len).toBe(len);
    expect(rb.records).toBe(1);
  });

  it('rejects type 0, nested records and ending with none open', () => {
    const rb = new RecordBuffer();
    expect(() => rb.begin(0)).toThrow(RangeError);
    expect(() => rb.begin(256)).toThrow(RangeError);
    expect(() => rb.end()).toThrow(/no WAL record open/);
    rb.begin(1);
    expect(() => rb.begin(1)).toThrow(/already open/);
  });
});

describe('varints', () => {
  const unsigned = [0, 1, 127, 128, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 52 + 3, 2 ** 53 - 1];
  const signed = [
    0, -1, 1, 63, -64, 64, -65, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31, -(2 ** 31) - 1,
    1_700_000_000_000, -1_700_000_000_123, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53, -(2 ** 53),
  ];

  it('round-trip unsigned values up to 2^53 exactly', () => {
    const rb = new RecordBuffer(16);
    rb.begin(1);
    for (const v of unsigned) rb.writeUvarint(v);
    rb.end();
    const r = new ByteReader().reset(payloadOf(rb));
    for (const v of unsigned) expect(r.readUvarint()).toBe(v);
    expect(r.remaining).toBe(0);
  });

  it('round-trip signed values with |v| <= 2^53 exactly', () => {
    const rb = new RecordBuffer(16);
    rb.begin(1);
    for (const v of signed) rb.writeVarint(v);
    rb.end();
    const r = new ByteReader().reset(payloadOf(rb));
    for (const v of signed) expect(r.readVarint()).toBe(v);
    expect(r.remaining).toBe(0);
  });

  it('use the zigzag LEB128 encoding (small magnitudes take one byte)', () => {
    const rb = new RecordBuffer(16);
    rb.begin(1);
    rb.writeVarint(-1);
    rb.writeVarint(63);
    rb.writeVarint(-64);
    rb.writeVarint(64);
    rb.end();
    expect([...payloadOf(rb)]).toEqual([1, 126, 127, 0x80, 0x01]);
  });

  it('throw on a truncated payload instead of reading zeros', () => {
    const r = new ByteReader().reset(new Uint8Array([0x80, 0x80]));
    expect(() => r.readUvarint()).toThrow(RangeError);
    expect(() => new ByteReader().reset(new Uint8Array(3)).readU32()).toThrow(RangeError);
  });
});

describe('float64 values', () => {
  it('writeFloat64BitsFrom keeps NaN payload bits', () => {
    const src = new Float64Array(3);
    const bits = new Uint32Array(src.buffer);
    bits[2] = 0x00000002; // stale marker 0x7ff0000000000002, little-endian words
    bits[3] = 0x7ff00000;
    bits[4] = 0x12345678; // another signalling NaN
    bits[5] = 0xfff00001;
    const rb = new RecordBuffer();
    rb.begin(1);
    for (let i = 0; i < 3; i++) rb.writeFloat64BitsFrom(src, i);
    rb.end();
    const p = payloadOf(rb);
    expect(Buffer.from(p).equals(Buffer.from(new Uint8Array(src.buffer)))).toBe(true);
  });

  it('writeFloat64 and readFloat64 round-trip ordinary values', () => {
    const vals = [0, -0, 1.5, -1e300, Infinity, -Infinity, Number.MIN_VALUE];
    const rb = new RecordBuffer();
    rb.begin(1);
    for (const v of vals) rb.writeFloat64(v);
    rb.end();
    const r = new ByteReader().reset(payloadOf(rb));
    for (const v of vals) expect(Object.is(r.readFloat64(), v)).toBe(true);
  });
});
