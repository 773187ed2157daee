import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.ts';

/** Bit-at-a-time reference, independent of the table construction. */
function referenceCrc32c(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32c', () => {
  // Check value from the CRC catalogue, and the iSCSI vectors of RFC 3720 appendix B.4.
  it.each([
    ['"123456789"', new TextEncoder().encode('123456789'), 0xe3069283],
    ['empty', new Uint8Array(0), 0],
    ['32 zero bytes', new Uint8Array(32), 0x8a9136aa],
    ['32 0xff bytes', new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ['0..31', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
    ['31..0', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
  ])('matches the known vector for %s', (_name, input, want) => {
    expect(crc32c(input)).toBe(want);
  });

  it('agrees with a bitwise implementation on every length and alignment', () => {
    let seed = 12345;
    const buf = Uint8Array.from({ length: 300 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= 300; end += 7) {
        expect(crc32c(buf, start, end)).toBe(referenceCrc32c(buf.subarray(start, end)));
      }
    }
  });

  it('computes a checksum incrementally from any split point', () => {
    const buf = Uint8Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 255);
    const whole = crc32c(buf);
    for (let m = 0; m <= buf.length; m++) {
      expect(crc32c(buf, m, buf.length, crc32c(buf, 0, m))).toBe(whole);
    }
  });

  it('returns an unsigned value', () => {
    const v = crc32c(new Uint8Array([0xff, 0x00, 0x13]));
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBe(referenceCrc32c(new Uint8Array([0xff, 0x00, 0x13])));
  });
});
