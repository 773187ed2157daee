import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import snappyjs from 'snappyjs';
import { RemoteWriteDecodeError } from './errors.ts';
import { SnappyDecoder, snappyCompress, snappyDecompress } from './snappy.ts';
import { varint } from './test-proto-writer.ts';

/** Runs `f` and returns the code of the RemoteWriteDecodeError it throws (fails on anything else). */
function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (!RemoteWriteDecodeError.is(err)) throw err;
    return err.code;
  }
  throw new Error('expected a RemoteWriteDecodeError');
}

function uncompressOrUndefined(input: Uint8Array): Uint8Array | undefined {
  try {
    return snappyjs.uncompress(input, 1 << 20);
  } catch {
    return undefined;
  }
}

/** Byte arrays snappy compresses well: random chunks repeated with random periods. */
const repetitive = fc
  .tuple(fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(7), { maxLength: 400 }))
  .map(([chunks, picks]) => {
    const parts = picks.map((p) => chunks[p % chunks.length]!);
    const out = new Uint8Array(parts.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of parts) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  });

const inputs = fc.oneof(fc.uint8Array({ maxLength: 3000 }), repetitive, fc.uint8Array({ minLength: 70_000, maxLength: 140_000 }).map((a) => a.fill(7, 1000, 60_000)));

type Op =
  | { kind: 'literal'; bytes: Uint8Array; extraLengthBytes: number }
  | { kind: 'copy'; width: 1 | 2 | 4; len: number; offsetFraction: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('literal' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }), extraLengthBytes: fc.integer({ min: 0, max: 4 }) }),
  fc.record({
    kind: fc.constant('copy' as const),
    width: fc.constantFrom(1 as const, 2 as const, 4 as const),
    len: fc.integer({ min: 1, max: 64 }),
    offsetFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  }),
);

/**
 * Encodes a sequence of snappy elements by hand, exercising every element form (literal
 * lengths inline and in 1–4 extra bytes, copies with 1-, 2- and 4-byte offsets, overlapping
 * copies), and computes the expected output with a naive byte-by-byte model.
 */
function buildStream(ops: Op[]): { stream: Uint8Array; expected: Uint8Array } {
  const body: number[] = [];
  const model: number[] = [];
  for (const op of ops) {
    if (op.kind === 'literal') {
      const n = op.bytes.length - 1;
      const extra = Math.max(op.extraLengthBytes, n < 60 ? 0 : n < 256 ? 1 : 2);
      if (extra === 0) body.push(n << 2);
      else {
        body.push((59 + extra) << 2);
        for (let i = 0; i < extra; i++) body.push((n >>> (8 * i)) & 0xff);
      }
      body.push(...op.bytes);
      model.push(...op.bytes);
      continue;
    }
    if (model.length === 0) continue;
    const maxOffset = op.width === 1 ? 2047 : op.width === 2 ? 65535 : 0xffffffff;
    const offset = 1 + Math.floor(op.offsetFraction * Math.min(maxOffset, model.length));
    let len = op.len;
    if (op.width === 1) {
      len = 4 + (len % 8);
      body.push(1 | ((len - 4) << 2) | ((offset >>> 8) << 5), offset & 0xff);
    } else if (op.width === 2) {
      body.push(2 | ((len - 1) << 2), offset & 0xff, offset >>> 8);
    } else {
      body.push(3 | ((len - 1) << 2), offset & 0xff, (offset >>> 8) & 0xff, (offset >>> 16) & 0xff, offset >>> 24);
    }
    for (let i = 0; i < len; i++) model.push(model[model.length - offset]!);
  }
  return { stream: new Uint8Array([...varint(model.length), ...body]), expected: new Uint8Array(model) };
}

describe('SnappyDecoder', () => {
  it('decodes what snappyjs compresses, identically to snappyjs.uncompress', () => {
    const dec = new SnappyDecoder(16);
    fc.assert(
      fc.property(inputs, (input) => {
        const compressed = snappyjs.compress(input);
        const ours = dec.decompress(compressed, 1 << 20);
        expect(Buffer.from(ours).equals(Buffer.from(snappyjs.uncompress(compressed)))).toBe(true);
        expect(Buffer.from(ours).equals(Buffer.from(input))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes every element form (long literals, 1/2/4-byte offsets, overlapping copies)', () => {
    const dec = new SnappyDecoder();
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const { stream, expected } = buildStream(ops);
        const ours = dec.decompress(stream, 1 << 20);
        expect(Buffer.from(ours).equals(Buffer.from(expected))).toBe(true);
        // snappyjs wrongly rejects a long-form literal length within 4 bytes of the end of
        // input (its bounds check assumes 4 length bytes); compare whenever it accepts.
        const theirs = uncompressOrUndefined(stream);
        if (theirs !== undefined) expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but RemoteWriteDecodeError on garbage, and agrees with snappyjs when both accept', () => {
    const dec = new SnappyDecoder();
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      // Plausible streams: a small preamble followed by random elements.
      fc.tuple(fc.nat(500), fc.uint8Array({ maxLength: 300 })).map(([n, b]) => new Uint8Array([...varint(n), ...b])),
      // Valid streams with a few bytes overwritten.
      fc.tuple(inputs, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })).map(([input, edits]) => {
        const c = snappyjs.compress(input).slice();
        for (const [at, b] of edits) c[at % c.length] = b;
        return c;
      }),
    );
    fc.assert(
      fc.property(garbage, (input) => {
        let ours: Uint8Array;
        try {
          ours = dec.decompress(input, 1 << 20);
        } catch (err) {
          expect(RemoteWriteDecodeError.is(err)).toBe(true);
          return;
        }
        const theirs = uncompressOrUndefined(input);
        if (theirs !== undefined) expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a preamble above the limit before allocating', () => {
    const huge = new Uint8Array([...varint(0xffffffff), 0]);
    expect(errorCode(() => new SnappyDecoder().decompress(huge, 10 << 20))).toBe('decoded-too-large');
    expect(errorCode(() => snappyDecompress(huge, 10 << 20))).toBe('decoded-too-large');
    const ok = snappyCompress(new Uint8Array(1000));
    expect(errorCode(() => new SnappyDecoder().decompress(ok, 999))).toBe('decoded-too-large');
    expect(new SnappyDecoder().decompress(ok, 1000).length).toBe(1000);
  });

  it.each([
    ['empty input', []],
    ['preamble longer than 5 bytes', [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
    ['preamble above 2^32-1', [0xff, 0xff, 0xff, 0xff, 0x7f]],
    ['copy with offset 0', [8, 0 << 2, 0x61, 0x01 | (0 << 2), 0x00]],
    ['copy reaching before the start', [8, 0 << 2, 0x61, 0x02 | (6 << 2), 0x02, 0x00]],
    ['literal past the end of input', [4, 3 << 2, 0x61, 0x62]],
    ['literal past the declared length', [1, 1 << 2, 0x61, 0x62]],
    ['copy past the declared length', [3, 0 << 2, 0x61, 0x02 | (4 << 2), 0x01, 0x00]],
    ['output shorter than declared', [3, 0 << 2, 0x61]],
    ['truncated copy-2 offset', [5, 0 << 2, 0x61, 0x02, 0x01]],
    ['truncated copy-4 offset', [5, 0 << 2, 0x61, 0x03, 0x01, 0x00, 0x00]],
    ['truncated copy-1 offset', [5, 0 << 2, 0x61, 0x01]],
    ['truncated long literal length', [100, 61 << 2, 0x05]],
  ])('rejects %s as invalid-snappy', (_name, bytes) => {
    expect(errorCode(() => new SnappyDecoder().decompress(new Uint8Array(bytes), 1 << 20))).toBe('invalid-snappy');
  });

  it('accepts an empty body and a zero-length output', () => {
    expect(new SnappyDecoder().decompress(new Uint8Array([0]), 0).length).toBe(0);
  });

  it('reuses its buffer across calls and never leaks bytes of an earlier call', () => {
    const dec = new SnappyDecoder(16);
    const big = new Uint8Array(5000).map((_, i) => i * 7);
    const first = dec.decompress(snappyCompress(big), 1 << 20);
    expect(Buffer.from(first).equals(Buffer.from(big))).toBe(true);
    // A stream copying from output it has not written yet must fail even though the
    // reused buffer holds the previous call's bytes there.
    expect(errorCode(() => dec.decompress(new Uint8Array([8, 0 << 2, 0x61, 0x02 | (6 << 2), 0x05, 0x00]), 1 << 20))).toBe('invalid-snappy');
    const small = dec.decompress(snappyCompress(new Uint8Array([1, 2, 3])), 1 << 20);
    expect([...small]).toEqual([1, 2, 3]);
    expect(small.buffer).toBe(first.buffer);
  });

  it('snappyDecompress returns an array the caller owns', () => {
    const data = new TextEncoder().encode('abcabcabcabcabcabc');
    const a = snappyDecompress(snappyCompress(data), 100);
    const b = snappyDecompress(snappyCompress(data), 100);
    expect(a.buffer).not.toBe(b.buffer);
    expect(new TextDecoder().decode(a)).toBe('abcabcabcabcabcabc');
  });
});
