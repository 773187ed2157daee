import { describe, expect, it } from 'vitest';
import { makeRng } from './testing/open-metrics-fixture.ts';
import { MAX_SAMPLES_PER_CHUNK, XorAppender, XorIterator, xorChunkNumSamples } from './index.ts';

const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;

/** Float64Array of `n` values plus a word view to read and set exact bits. */
function floats(n: number): { f: Float64Array; w: Uint32Array } {
  const f = new Float64Array(n);
  return { f, w: new Uint32Array(f.buffer) };
}

/** The chunk as a string of '0'/'1', MSB first. */
function bitString(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(2).padStart(8, '0')).join('');
}

/** A regexp anchored at the start from a bit pattern written with spaces for legibility. */
function bitPattern(p: string): RegExp {
  return new RegExp('^' + p.replaceAll(' ', ''));
}

/** Two's complement of `v` in `n` bits, as a bit string. */
function twos(v: number, n: number): string {
  return BigInt.asUintN(n, BigInt(v)).toString(2).padStart(n, '0');
}

function encode(ts: number[], values: Float64Array, capacity?: number): XorAppender {
  const a = new XorAppender(capacity);
  ts.forEach((t, i) => a.appendFrom(t, values, i));
  return a;
}

function decode(chunk: Uint8Array): { ts: number[]; w: Uint32Array; err: Error | null } {
  const it = new XorIterator(chunk);
  const { f, w } = floats(xorChunkNumSamples(chunk));
  const ts: number[] = [];
  while (it.next()) {
    it.valueInto(f, ts.length);
    ts.push(it.t);
  }
  return { ts, w: w.subarray(0, ts.length * 2), err: it.err };
}

const unit = (rnd: () => number): number => rnd() / 4294967296;

function timestamps(rnd: () => number, n: number, kind: string): number[] {
  const ts: number[] = [];
  let t = kind === 'negative' ? -1_000_000_000 - (rnd() % 1e6) : 1_700_000_000_000 + (rnd() % 1e6);
  for (let i = 0; i < n; i++) {
    ts.push(t);
    if (kind === 'regular') t += 15_000;
    else if (kind === 'jitter') t += 15_000 + (rnd() % 2001) - 1000;
    else if (kind === 'huge') t += rnd() % 4 === 0 ? 1 + (rnd() % 2 ** 20) * 2 ** 20 : 1 + (rnd() % 100_000);
    else t += 1 + (rnd() % 3_000_000);
  }
  return ts;
}

function values(rnd: () => number, n: number, kind: string): Float64Array {
  const { f, w } = floats(n);
  let c = 0;
  for (let i = 0; i < n; i++) {
    switch (kind) {
      case 'constant':
        f[i] = 3.5;
        break;
      case 'counter':
        f[i] = c += rnd() % 1000;
        break;
      case 'gauge':
        f[i] = Math.round(unit(rnd) * 1e4) / 100;
        break;
      case 'flips': // the previous bits with 1-3 bits flipped anywhere: windows at every position
        if (i > 0) {
          w[2 * i] = w[2 * i - 2]!;
          w[2 * i + 1] = w[2 * i - 1]!;
          for (let k = 1 + (rnd() % 3); k > 0; k--) {
            const b = rnd() % 64;
            w[2 * i + (b >>> 5)]! ^= 1 << (b & 31);
          }
        }
        break;
      case 'bits': // any pattern: NaN payloads, subnormals, infinities
        w[2 * i] = rnd();
        w[2 * i + 1] = rnd();
        break;
      case 'special': {
        const r = rnd() % 7;
        if (r === 0) {
          w[2 * i] = STALE_LO;
          w[2 * i + 1] = STALE_HI;
        } else {
          f[i] = [NaN, Infinity, -Infinity, -0, 0, 1e308][r - 1]!;
        }
        break;
      }
    }
  }
  return f;
}

describe('XorAppender + XorIterator round trip', () => {
  const tsKinds = ['regular', 'jitter', 'huge', 'negative', 'sparse'];
  const vKinds = ['constant', 'counter', 'gauge', 'flips', 'bits', 'special'];
  tsKinds.forEach((tk, ti) => {
    vKinds.forEach((vk, vi) => {
      it(`${tk} timestamps, ${vk} values: same timestamps and value bits`, () => {
        const rnd = makeRng(100 * ti + vi);
        for (const n of [1, 2, 3, MAX_SAMPLES_PER_CHUNK, 1000]) {
          const ts = timestamps(rnd, n, tk);
          const f = values(rnd, n, vk);
          const a = encode(ts, f, 8);
          expect(a.numSamples).toBe(n);
          expect(xorChunkNumSamples(a.bytes())).toBe(n);
          expect(a.sizeBytes()).toBe(a.bytes().length);
          expect(a.lastTimestamp()).toBe(ts[n - 1]);
          const d = decode(a.bytes());
          expect(d.err).toBeNull();
          expect(d.ts).toEqual(ts);
          expect(d.w).toEqual(new Uint32Array(f.buffer));
        }
      });
    });
  });

  it('produces the same bytes whatever the initial capacity', () => {
    const rnd = makeRng(3);
    const ts = timestamps(rnd, 500, 'jitter');
    const f = values(rnd, 500, 'bits');
    expect(encode(ts, f, 1).bytes()).toEqual(encode(ts, f, 4096).bytes());
  });

  it('keeps the stale marker bits through append() of a value read from a Float64Array', () => {
    const { f, w } = floats(2);
    w[0] = STALE_LO;
    w[1] = STALE_HI;
    f[1] = 1;
    const a = new XorAppender();
    a.append(1000, f[0]!);
    a.append(2000, f[1]!);
    a.append(3000, f[0]!);
    const it = new XorIterator(a.bytes());
    const out = floats(3);
    for (let i = 0; i < 3; i++) {
      expect(it.next()).toBe(true);
      out.f[i] = it.v; // through a JS number
    }
    expect(Array.from(out.w)).toEqual([STALE_LO, STALE_HI, 0, 0x3ff00000, STALE_LO, STALE_HI]);
  });

  it('encodes an empty chunk as a zero header and iterates nothing', () => {
    const a = new XorAppender();
    expect(Array.from(a.bytes())).toEqual([0, 0]);
    expect(a.lastTimestamp()).toBe(-Infinity);
    const it = new XorIterator(a.bytes());
    expect(it.next()).toBe(false);
    expect(it.err).toBeNull();
    expect(new XorIterator().next()).toBe(false);
  });

  it('ends with the empty byte Prometheus leaves after whole-byte writes on a byte boundary', () => {
    // One sample: header 2 + varint(0) 1 + float 8 bytes, ending aligned after 8 whole bytes.
    const one = new XorAppender();
    one.append(0, 1.5);
    expect(one.sizeBytes()).toBe(12);
    expect(one.bytes()[11]).toBe(0);
    // Sample 1 opens a 5-bit window (13 + 5 bits); sample 2 has a '0' dod and opens an 8-bit
    // window (1 + 13 + 8 bits): 96 + 18 + 22 = 136 bits end aligned after an 8-bit field.
    const { f, w } = floats(3);
    w[3] = 0x1f000000; // 3 leading, 56 trailing zeros
    w[5] = 0xe0000000; // XOR 0xff00…: 0 leading, 56 trailing
    const a = encode([0, 10, 20], f);
    expect(a.sizeBytes()).toBe(17 + 1);
    expect(a.bytes()[17]).toBe(0);
    expect(decode(a.bytes()).w).toEqual(w);
    // Appending continues in that byte; a '0' value at the end adds no empty byte.
    a.append(30, f[2]!);
    expect(a.sizeBytes()).toBe(18);
    expect(decode(a.bytes()).ts).toEqual([0, 10, 20, 30]);
  });

  it('costs 2 bits per sample for a regular series of a constant', () => {
    const n = MAX_SAMPLES_PER_CHUNK;
    const ts = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const a = encode(ts, new Float64Array(n).fill(7));
    // header 2 + varint(t0) 6 + float 8 + uvarint(15000) 2 bytes, then a '0' bit for value 1
    // and '0' '0' for each later sample.
    expect(a.sizeBytes()).toBe(2 + 6 + 8 + 2 + Math.ceil((1 + 2 * (n - 2)) / 8));
  });
});

describe('bit layout (chunks.md)', () => {
  // t0 = 1e6 (zigzag varint 3 bytes), t1 = t0 + 1e5 (uvarint 3 bytes), all values 1.0: the dod of
  // the third sample starts at bit 16 + 24 + 64 + 24 + 1 (the '0' of value 1).
  const DOD_AT = 129;
  it.each([
    [0, '0'],
    [1, '10' + twos(1, 14)],
    [-1, '10' + twos(-1, 14)],
    [8192, '10' + twos(8192, 14)],
    [-8191, '10' + twos(-8191, 14)],
    [-8192, '110' + twos(-8192, 17)],
    [8193, '110' + twos(8193, 17)],
    [65536, '110' + twos(65536, 17)],
    [-65535, '110' + twos(-65535, 17)],
    [65537, '1110' + twos(65537, 20)],
    [-65536, '1110' + twos(-65536, 20)],
    [524288, '1110' + twos(524288, 20)],
    [-524287, '1110' + twos(-524287, 20)],
    [524289, '1111' + twos(524289, 64)],
    [-524288, '1111' + twos(-524288, 64)],
    [2 ** 42 + 5, '1111' + twos(2 ** 42 + 5, 64)],
    [-(2 ** 41), '1111' + twos(-(2 ** 41), 64)],
  ])('dod %d is written as %s', (dod, bits) => {
    const ts = [1e6, 1e6 + 1e5, 1e6 + 2e5 + dod];
    const a = encode(ts, new Float64Array(3).fill(1));
    expect(bitString(a.bytes()).slice(DOD_AT, DOD_AT + bits.length + 1)).toBe(bits + '0');
    expect(decode(a.bytes()).ts).toEqual(ts);
  });

  /** Bits of the value XORs of samples 1 and 2 (timestamps regular, t0 = 0). */
  function valueBits(v: Array<[number, number]>): string {
    const { f, w } = floats(v.length);
    v.forEach(([hi, lo], i) => {
      w[2 * i] = lo;
      w[2 * i + 1] = hi;
    });
    const a = encode([0, 10, 20], f);
    // header 16, varint(0) 8, float 64, uvarint(10) 8 = 96; sample 2 has a '0' dod.
    const s = bitString(a.bytes());
    expect(decode(a.bytes()).w).toEqual(w);
    return s.slice(96);
  }

  it('writes a new window as 11, leading(5), sigbits(6), bits', () => {
    // 1.0 ^ 2.0 = 0x7ff0_0000_0000_0000: 1 leading zero, 52 trailing, 11 significant bits.
    expect(valueBits([[0x3ff00000, 0], [0x40000000, 0], [0x40000000, 0]])).toMatch(
      bitPattern('11 00001 001011 11111111111  0 0'),
    );
  });

  it('reuses the window as 10 + window bits when the XOR fits in it', () => {
    // 2.0 → 8.0 xors 0x0020_0000_0000_0000 (10 leading, 53 trailing zeros), inside the window
    // (1, 52) of 1.0 → 2.0. But 2.0 → 8.5 (0x0021_0000_0000_0000: 10 leading, 48 trailing,
    // 6 significant bits) does not fit and opens a new window.
    const s = valueBits([[0x3ff00000, 0], [0x40000000, 0], [0x40200000, 0]]);
    expect(s).toMatch(bitPattern('11 00001 001011 11111111111  0 10 00000000010  0*$'));
    const t = valueBits([[0x3ff00000, 0], [0x40000000, 0], [0x40210000, 0]]);
    expect(t).toMatch(bitPattern('11 00001 001011 11111111111  0 11 01010 000110 100001  0*$'));
  });

  it('caps exactly 32 leading zeros at 31', () => {
    // XOR 0x0000_0000_8000_0000: 32 leading → 31, 31 trailing, so 2 significant bits '01'.
    const s = valueBits([[0x3ff00000, 0], [0x3ff00000, 0x80000000], [0x3ff00000, 0x80000000]]);
    expect(s).toMatch(bitPattern('11 11111 000010 01  0 0'));
  });

  it('caps leading zeros at 31 and writes 64 significant bits as 0', () => {
    // XOR 1 has 63 leading zeros → leading 31, sigbits 33; XOR 0x8000_0000_0000_0001 has none
    // → 64 significant bits, written as 000000.
    const s = valueBits([[0x3ff00000, 0], [0x3ff00000, 1], [0xbff00000, 0]]);
    expect(s).toMatch(
      new RegExp(
        '^11' + '11111' + '100001' + '0'.repeat(32) + '1' + '0' + '11' + '00000' + '000000' + '1' + '0'.repeat(62) + '1',
      ),
    );
  });
});

describe('XorIterator', () => {
  const n = 300;
  const ts = Array.from({ length: n }, (_, i) => 1000 + i * 10);
  const f = Float64Array.from({ length: n }, (_, i) => i * 0.5);
  const chunk = encode(ts, f).bytes().slice();

  it('seeks to the first sample at or after t, never backwards', () => {
    const it = new XorIterator(chunk);
    expect(it.seek(0)).toBe(true);
    expect(it.t).toBe(1000);
    expect(it.seek(1995)).toBe(true);
    expect([it.t, it.v]).toEqual([2000, 50]);
    expect(it.seek(2000)).toBe(true);
    expect(it.t).toBe(2000);
    expect(it.seek(1500)).toBe(true);
    expect(it.t).toBe(2000);
    expect(it.next()).toBe(true);
    expect(it.t).toBe(2010);
    expect(it.seek(ts[n - 1]! + 1)).toBe(false);
    expect(it.err).toBeNull();
  });

  it('can be reset onto another chunk mid-iteration', () => {
    const other = encode([5, 6, 9], Float64Array.of(1, 2, 3)).bytes();
    const it = new XorIterator(chunk);
    it.seek(2500);
    it.reset(other);
    const got: number[][] = [];
    while (it.next()) got.push([it.t, it.v]);
    expect(got).toEqual([[5, 1], [6, 2], [9, 3]]);
    it.reset(chunk);
    expect(it.next() && it.t === 1000 && it.v === 0).toBe(true);
  });

  it('rejects appendFrom/valueInto indexes outside the array', () => {
    expect(() => new XorAppender().appendFrom(1, new Float64Array(2), 2)).toThrow(RangeError);
    const it = new XorIterator(chunk);
    it.next();
    expect(() => it.valueInto(new Float64Array(1), -1)).toThrow(RangeError);
  });

  it('reads values right when appenders alternate between Float64Arrays', () => {
    const a = Float64Array.of(1, 2, 3);
    const b = new Float64Array(new ArrayBuffer(4096), 8, 3);
    b.set([-1, -2, -3]);
    const x = new XorAppender();
    const y = new XorAppender();
    for (let i = 0; i < 3; i++) {
      x.appendFrom(20 * i, a, i);
      y.appendFrom(20 * i, b, i);
      x.appendFrom(20 * i + 10, b, i);
      y.appendFrom(20 * i + 10, a, i);
    }
    const values = (c: Uint8Array): number[] => {
      const it = new XorIterator(c);
      const out: number[] = [];
      while (it.next()) out.push(it.v);
      return out;
    };
    expect(values(x.bytes())).toEqual([1, -1, 2, -2, 3, -3]);
    expect(values(y.bytes())).toEqual([-1, 1, -2, 2, -3, 3]);
  });

  it('reads and writes through Float64Arrays that are views at an offset', () => {
    const buf = new ArrayBuffer(64);
    const src = new Float64Array(buf, 16, 3);
    src.set([1.5, -2, 1e-300]);
    const a = new XorAppender();
    for (let i = 0; i < 3; i++) a.appendFrom(i, src, i);
    const dst = new Float64Array(new ArrayBuffer(80), 24, 3);
    const it = new XorIterator(a.bytes());
    for (let i = 0; it.next(); i++) it.valueInto(dst, i);
    expect(Array.from(dst)).toEqual([1.5, -2, 1e-300]);
  });
});

describe('corrupt chunks', () => {
  const rnd = makeRng(99);
  const ts = timestamps(rnd, 150, 'huge');
  const chunk = encode(ts, values(rnd, 150, 'bits')).bytes().slice();

  function drain(c: Uint8Array): { n: number; err: Error | null } {
    const it = new XorIterator(c);
    let n = 0;
    while (it.next()) n++;
    expect(it.next()).toBe(false);
    return { n, err: it.err };
  }

  it('flags every truncation of a chunk', () => {
    for (let len = 0; len < chunk.length; len++) {
      const r = drain(chunk.subarray(0, len));
      expect(r.err, `length ${len}`).toBeInstanceOf(Error);
      expect(r.n).toBeLessThan(150);
    }
    expect(drain(chunk).err).toBeNull();
  });

  it('flags a header that promises more samples than the data holds', () => {
    const c = chunk.slice();
    c[1]! += 5;
    const r = drain(c);
    // Zero padding bits may decode as further samples ('0' dod, '0' value) before the data ends.
    expect(r.n).toBeGreaterThanOrEqual(150);
    expect(r.n).toBeLessThan(155);
    expect(r.err?.message).toMatch(/of 155$/);
  });

  it('flags a value window wider than 64 bits', () => {
    // One sample of value 0 at t 0, then t delta 1 and '11' leading 31, sigbits 40.
    const c = new Uint8Array(16);
    c.set([0x00, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0b11111111, 0b10100000]);
    const it = new XorIterator(c);
    expect(it.next()).toBe(true);
    expect(it.next()).toBe(false);
    expect(it.err?.message).toMatch(/wider than 64 bits/);
    expect(it.seek(0)).toBe(false);
  });

  it('flags timestamps a JS number cannot hold exactly', () => {
    // One sample at t = 2^60: zigzag 2^61 as a uvarint is 8 × 0x80 then 0x20.
    const c = Uint8Array.from([0x00, 0x01, ...new Array(8).fill(0x80), 0x20, ...new Array(8).fill(0)]);
    const it = new XorIterator(c);
    expect(it.next()).toBe(false);
    expect(it.err?.message).toMatch(/2\^53/);
  });

  it('never throws or loops on random bytes', () => {
    const r = makeRng(1234);
    for (let i = 0; i < 2000; i++) {
      const c = Uint8Array.from({ length: r() % 64 }, () => r() & 0xff);
      const { n } = drain(c);
      expect(n).toBeLessThanOrEqual(xorChunkNumSamples(c));
    }
  });
});
