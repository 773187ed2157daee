import { describe, expect, it } from 'vitest';
import { BitReader } from './bit-reader.ts';
import { BitWriter } from './bit-writer.ts';
import { makeRng } from './testing/open-metrics-fixture.ts';

/** Exposes the protected stream operations for testing. */
class Writer extends BitWriter {
  bit(b: number): void {
    this.reserve(1);
    this.writeBit(b);
  }
  bits(v: number, n: number): void {
    this.reserve(5);
    this.writeBits(v, n);
  }
  uvarint(hi: number, lo: number): void {
    this.reserve(10);
    this.writeUvarint64(hi, lo);
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.sizeBytes());
  }
}

class Reader extends BitReader {
  constructor(src: Uint8Array) {
    super();
    this.resetBits(src, 0);
  }
  bit(): number {
    return this.readBit();
  }
  bits(n: number): number {
    return this.readBits(n);
  }
  uvarint(): [number, number] | null {
    return this.readUvarint64() ? [this.vhi, this.vlo] : null;
  }
  get atEof(): boolean {
    return this.eof;
  }
}

describe('bit stream', () => {
  it('packs bits most significant first and zero-pads the last byte', () => {
    const w = new Writer(16);
    w.bit(1);
    w.bits(0b01, 2);
    w.bits(0b10110, 5);
    w.bits(0b101, 3);
    expect(Array.from(w.bytes())).toEqual([0b10110110, 0b10100000]);
  });

  it('reads back random fields of 1..32 bits at every alignment, growing the buffer', () => {
    const rnd = makeRng(7);
    const w = new Writer(16);
    const fields: Array<[number, number]> = [];
    for (let i = 0; i < 5000; i++) {
      const n = 1 + (rnd() % 32);
      const v = n === 32 ? rnd() : rnd() & ((1 << n) >>> 0) - 1;
      fields.push([v >>> 0, n]);
      w.bits(v, n);
    }
    const r = new Reader(w.bytes());
    for (const [v, n] of fields) expect(r.bits(n)).toBe(v);
    expect(r.atEof).toBe(false);
  });

  it('ignores bits of the value above the field width', () => {
    const w = new Writer(16);
    w.bits(0xffffffff, 3);
    w.bits(-1, 5);
    expect(Array.from(w.bytes())).toEqual([0xff]);
  });

  it.each([
    // Go binary.PutUvarint results.
    [0, 0, [0x00]],
    [0, 1, [0x01]],
    [0, 127, [0x7f]],
    [0, 300, [0xac, 0x02]],
    [0, 15000, [0x98, 0x75]],
    [0, 0xffffffff, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    [1, 0, [0x80, 0x80, 0x80, 0x80, 0x10]],
    [0xffffffff, 0xffffffff, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    [0x80000000, 0, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  ])('uvarint %d:%d matches Go', (hi, lo, bytes) => {
    const w = new Writer(16);
    w.uvarint(hi, lo);
    expect(Array.from(w.bytes())).toEqual(bytes);
    expect(new Reader(w.bytes()).uvarint()).toEqual([hi, lo]);
  });

  it('rejects uvarints that overflow 64 bits or are cut short', () => {
    expect(new Reader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])).uvarint()).toBeNull();
    expect(new Reader(new Uint8Array(11).fill(0x80)).uvarint()).toBeNull();
    expect(new Reader(new Uint8Array([0x80, 0x80])).uvarint()).toBeNull();
  });

  it('returns -1 and flags eof instead of reading past the end', () => {
    const r = new Reader(new Uint8Array([0xa5]));
    expect(r.bits(6)).toBe(0b101001);
    expect(r.bits(3)).toBe(-1);
    expect(r.atEof).toBe(true);
    expect(r.bits(2)).toBe(0b01);
    expect(r.bit()).toBe(-1);
  });
});
