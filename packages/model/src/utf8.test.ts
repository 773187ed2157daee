import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareUtf8, readUtf8, utf8Length, writeUtf8 } from './utf8.ts';

const enc = new TextEncoder();

/** Byte-wise comparison of TextEncoder output: the definition of Go's string order. */
function byteCompare(a: string, b: string): number {
  const x = enc.encode(a);
  const y = enc.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

const dec = new TextDecoder();
const wellFormed = (s: string): boolean => dec.decode(enc.encode(s)) === s;

// Full Unicode plus lone surrogates, which TextEncoder turns into U+FFFD.
const anyString = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'é', '日', '😀', '\uFF5E', '\uD800', '\uDC00'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 40 });

describe('utf8', () => {
  it('length and bytes agree with TextEncoder, lone surrogates included', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const want = enc.encode(s);
        expect(utf8Length(s)).toBe(want.length);
        const buf = new Uint8Array(want.length + 4);
        expect(writeUtf8(s, buf, 2)).toBe(want.length + 2);
        expect(buf.subarray(2, 2 + want.length)).toEqual(want);
      }),
      { numRuns: 1000, seed: 1 },
    );
  });

  it('readUtf8 inverts writeUtf8 for well-formed strings, short and long, ASCII or not', () => {
    for (const s of ['', 'a', 'twelve chars', 'thirteen char', 'x'.repeat(300), 'y'.repeat(200_000), 'é', 'ab日本😀', 'é'.repeat(200)]) {
      const b = enc.encode(`##${s}##`);
      expect(readUtf8(b, 2, b.length - 2)).toBe(s);
    }
    expect(readUtf8(Uint8Array.of(0x61, 0xff, 0x62), 0, 3)).toBe('a\uFFFDb');
  });

  it('compareUtf8 orders like the UTF-8 bytes', () => {
    fc.assert(
      fc.property(anyString, anyString, (a, b) => {
        // Lone surrogates all encode to U+FFFD; compare only well-formed strings.
        fc.pre(wellFormed(a) && wellFormed(b));
        expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(byteCompare(a, b)));
      }),
      { numRuns: 2000, seed: 2 },
    );
    expect(compareUtf8('\uFF5E', '\u{1F600}')).toBeLessThan(0); // UTF-16 order says otherwise
  });
});
