// Snappy block format (the format remote-write bodies use; not the framed stream format).
//
// Layout: a preamble with the decoded length as a little-endian base-128 varint (at most
// 2^32 − 1, so at most 5 bytes), then elements until the input ends. Each element starts with
// a tag byte whose low 2 bits give its kind:
//   00 literal  tag>>2 = n: n < 60 → length n+1; n = 60..63 → length−1 in the next n−59 bytes (LE);
//               then `length` bytes copied verbatim.
//   01 copy     length 4 + ((tag>>2) & 7) (4..11), offset ((tag>>5) << 8) | next byte (11 bits).
//   10 copy     length (tag>>2) + 1 (1..64), offset in the next 2 bytes (LE).
//   11 copy     length (tag>>2) + 1 (1..64), offset in the next 4 bytes (LE).
// A copy repeats `length` bytes starting `offset` bytes back in the output; offset 0 or beyond
// the output written so far is invalid, and offset < length (an overlapping copy) repeats a
// pattern. The output must come out exactly as long as the preamble says.

import snappyjs from 'snappyjs';
import { RemoteWriteDecodeError } from './errors.ts';

/** Literals and copies shorter than this are copied byte by byte: cheaper than a call. */
const SHORT_COPY = 16;

function invalid(message: string): never {
  throw new RemoteWriteDecodeError('invalid-snappy', `invalid snappy block: ${message}`);
}

/** Position just after the preamble read last; module scratch so no object is allocated. */
let preambleEnd = 0;

/** Reads the decoded-length preamble, returns the length and sets `preambleEnd`. */
function readDecodedLength(input: Uint8Array): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= input.length) invalid('truncated length preamble');
    const b = input[i]!;
    // Multiply rather than shift: the fifth group reaches bit 34, past int32.
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) {
      if (value > 0xffffffff) invalid('decoded length exceeds 2^32-1');
      preambleEnd = i + 1;
      return value;
    }
  }
  return invalid('length preamble longer than 5 bytes');
}

/**
 * Decodes the elements of `input` from `ip` into `out[0, outLen)`. Throws on any malformed
 * element; every read is bounds-checked against `input.length` and every write against
 * `outLen`, and each iteration consumes at least one input byte, so it always terminates.
 */
function decodeElements(input: Uint8Array, ip: number, out: Uint8Array, outLen: number): void {
  const inLen = input.length;
  let op = 0;
  while (ip < inLen) {
    const tag = input[ip++]!;
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        len = tag >>> 2;
        if (len >= 60) {
          const extra = len - 59;
          if (extra > inLen - ip) invalid(`truncated literal length at byte ${ip - 1}`);
          len = input[ip]!;
          if (extra > 1) len |= input[ip + 1]! << 8;
          if (extra > 2) len |= input[ip + 2]! << 16;
          if (extra > 3) len = (len | (input[ip + 3]! << 24)) >>> 0;
          ip += extra;
        }
        len += 1;
        if (len > inLen - ip) invalid(`literal of ${len} bytes overruns the input at byte ${ip}`);
        if (len > outLen - op) invalid(`literal overruns the declared length ${outLen}`);
        if (len < SHORT_COPY) {
          for (let i = 0; i < len; i++) out[op + i] = input[ip + i]!;
        } else {
          out.set(input.subarray(ip, ip + len), op);
        }
        ip += len;
        op += len;
        continue;
      }
      case 1:
        if (ip >= inLen) invalid('truncated copy-1 element');
        len = 4 + ((tag >>> 2) & 7);
        offset = ((tag >>> 5) << 8) | input[ip]!;
        ip += 1;
        break;
      case 2:
        if (ip + 2 > inLen) invalid('truncated copy-2 element');
        len = (tag >>> 2) + 1;
        offset = input[ip]! | (input[ip + 1]! << 8);
        ip += 2;
        break;
      default:
        if (ip + 4 > inLen) invalid('truncated copy-4 element');
        len = (tag >>> 2) + 1;
        offset = (input[ip]! | (input[ip + 1]! << 8) | (input[ip + 2]! << 16) | (input[ip + 3]! << 24)) >>> 0;
        ip += 4;
        break;
    }
    if (offset === 0 || offset > op) invalid(`copy offset ${offset} at output byte ${op}`);
    if (len > outLen - op) invalid(`copy overruns the declared length ${outLen}`);
    const from = op - offset;
    if (offset >= len && len >= SHORT_COPY) {
      out.copyWithin(op, from, from + len);
    } else {
      // Forward byte copy: when offset < len it re-reads bytes this loop just wrote,
      // which is exactly the pattern repetition the format specifies.
      for (let i = 0; i < len; i++) out[op + i] = out[from + i]!;
    }
    op += len;
  }
  if (op !== outLen) invalid(`decoded ${op} bytes, preamble says ${outLen}`);
}

/**
 * A snappy block decompressor that decodes into one internally reused output buffer.
 *
 * Reusing the buffer avoids a fresh allocation of the whole decoded body per request, which
 * costs more in GC than the decompression itself at high request rates. Not reentrant; one
 * instance per thread of decoding.
 */
export class SnappyDecoder {
  private out: Uint8Array;

  /** Creates a decoder whose buffer starts at `initialCapacity` bytes and grows by doubling. */
  constructor(initialCapacity = 64 * 1024) {
    this.out = new Uint8Array(Math.max(16, initialCapacity));
  }

  /**
   * Decompresses one snappy block.
   *
   * Returns a view of the internal buffer, valid only until the next call on this instance.
   * Throws RemoteWriteDecodeError `decoded-too-large` when the preamble announces more than
   * `maxDecodedBytes` (checked before any allocation), `invalid-snappy` on malformed input.
   */
  decompress(input: Uint8Array, maxDecodedBytes: number): Uint8Array {
    const outLen = readDecodedLength(input);
    if (outLen > maxDecodedBytes) {
      throw new RemoteWriteDecodeError(
        'decoded-too-large',
        `decompressed body would be ${outLen} bytes, more than the limit of ${maxDecodedBytes}`,
      );
    }
    if (outLen > this.out.length) {
      let cap = this.out.length;
      while (cap < outLen) cap *= 2;
      this.out = new Uint8Array(cap);
    }
    decodeElements(input, preambleEnd, this.out, outLen);
    return this.out.subarray(0, outLen);
  }
}

/**
 * Decompresses one snappy block into a fresh array the caller owns.
 *
 * For occasional use; the ingest path uses a {@link SnappyDecoder} to reuse its buffer.
 * Throws like {@link SnappyDecoder.decompress}.
 */
export function snappyDecompress(input: Uint8Array, maxDecodedBytes: number): Uint8Array {
  const outLen = readDecodedLength(input);
  if (outLen > maxDecodedBytes) {
    throw new RemoteWriteDecodeError(
      'decoded-too-large',
      `decompressed body would be ${outLen} bytes, more than the limit of ${maxDecodedBytes}`,
    );
  }
  const out = new Uint8Array(outLen);
  decodeElements(input, preambleEnd, out, outLen);
  return out;
}

/** Compresses bytes in the snappy block format (with snappyjs), as remote-write clients send them. */
export function snappyCompress(buf: Uint8Array): Uint8Array {
  return snappyjs.compress(buf);
}
