// A snappy block compressor that keeps chosen bytes rewritable in the compressed output, so a
// body can be updated in place without recompressing.
//
// Why: the ingest benchmark sends many rounds of the same series with new timestamps and values.
// Compressing every request during the measurement would cost the client (which shares the
// cores with the server) about as much CPU as the server spends decoding; keeping every round
// pre-compressed would cost gigabytes. Instead each request is compressed once, and each round
// only overwrites the bytes of every sample's value and timestamp.
//
// Every input byte has a class: FREE bytes never change; PINNED bytes (values) change
// independently and are never part of a copy, neither as source nor as destination; any other
// class c names a byte that changes, but always to the same value as every other byte of class
// c (the k-th byte of the timestamp varint, shared by every sample of a request). A copy may
// cover class-c bytes only where its source byte has the same class, so it stays right after
// both are rewritten, and only class-c bytes emitted as literals need rewriting.
//
// Invariants of the output (format as in packages/remotewrite/src/snappy.ts):
// - copies pair bytes of equal class and never touch a PINNED byte, so rewriting the literal
//   bytes of the changing classes yields exactly the rewritten input when decoded;
// - a run of PINNED bytes always lands whole in one literal;
// - like the reference compressor, input is cut into blocks of about 64 KiB, matches never
//   cross a block and offsets stay below 65536 (copy-1 and copy-2 elements only); a block is
//   stretched past 64 KiB only to keep a PINNED run whole.

/** Blocks of this many input bytes are compressed independently, as snappy's reference does. */
const BLOCK = 65536;
const HASH_BITS = 14;

/** Byte class of bytes that never change. */
export const FREE = 0;
/** Byte class of bytes that change independently of every other byte. */
export const PINNED = 255;

/** The compressed bytes and where each input byte emitted as a literal landed. */
export interface ProtectedCompression {
  /** The snappy block. */
  readonly body: Uint8Array;
  /**
   * Per input byte: its offset in `body` when it was emitted as a literal byte, −1 when a copy
   * element produces it.
   */
  readonly literalAt: Int32Array;
}

/**
 * Compresses `src` in the snappy block format under the byte classes `cls` (same length as
 * `src`; {@link FREE}, {@link PINNED} or a shared-value class, see the file comment).
 */
export function compressProtected(src: Uint8Array, cls: Uint8Array): ProtectedCompression {
  const n = src.length;
  if (cls.length !== n) throw new Error('one class per input byte');
  // Worst case: everything literal, one tag of up to 5 bytes per 64 KiB block.
  const out = new Uint8Array(10 + n + 5 * (Math.ceil(n / BLOCK) + 1));
  const literalAt = new Int32Array(n).fill(-1);
  const table = new Int32Array(1 << HASH_BITS);
  let op = 0;
  // Preamble: decoded length as a varint.
  for (let v = n; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      out[op++] = v;
      break;
    }
    out[op++] = (v & 0x7f) | 0x80;
  }

  const read32 = (p: number): number => src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24);

  const emitLiteral = (from: number, to: number): void => {
    if (to <= from) return;
    const len1 = to - from - 1;
    if (len1 < 60) {
      out[op++] = len1 << 2;
    } else if (len1 < 0x100) {
      out[op++] = 60 << 2;
      out[op++] = len1;
    } else if (len1 < 0x10000) {
      out[op++] = 61 << 2;
      out[op++] = len1 & 0xff;
      out[op++] = len1 >>> 8;
    } else {
      out[op++] = 62 << 2;
      out[op++] = len1 & 0xff;
      out[op++] = (len1 >>> 8) & 0xff;
      out[op++] = len1 >>> 16;
    }
    for (let p = from; p < to; p++) literalAt[p] = op + (p - from);
    out.set(src.subarray(from, to), op);
    op += to - from;
  };

  const emitCopy2 = (offset: number, len: number): void => {
    out[op++] = ((len - 1) << 2) | 2;
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
  };

  const emitCopy = (offset: number, len: number): void => {
    while (len >= 68) {
      emitCopy2(offset, 64);
      len -= 64;
    }
    if (len > 64) {
      emitCopy2(offset, 60);
      len -= 60;
    }
    if (len >= 12 || offset >= 2048) {
      emitCopy2(offset, len);
    } else {
      // copy-1: length 4..11, 11-bit offset.
      out[op++] = ((offset >>> 8) << 5) | ((len - 4) << 2) | 1;
      out[op++] = offset & 0xff;
    }
  };

  /** Whether input bytes a (source) and b (destination) may be paired by a copy. */
  const pairable = (a: number, b: number): boolean => src[a] === src[b] && cls[a] === cls[b] && cls[a] !== PINNED;

  for (let bs = 0; bs < n; ) {
    let be = Math.min(n, bs + BLOCK);
    while (be < n && cls[be - 1] === PINNED && cls[be] === PINNED) be++;
    table.fill(-1);
    let lit = bs;
    let i = bs;
    while (i + 4 <= be) {
      const v = read32(i);
      const h = Math.imul(v, 0x1e35a7bd) >>> (32 - HASH_BITS);
      const c = table[h]!;
      table[h] = i;
      if (c < 0 || i - c > 0xffff || read32(c) !== v) {
        i++;
        continue;
      }
      let len = 0;
      while (i + len < be && pairable(c + len, i + len)) len++;
      if (len < 4) {
        i++;
        continue;
      }
      emitLiteral(lit, i);
      emitCopy(i - c, len);
      i += len;
      lit = i;
    }
    emitLiteral(lit, be);
    bs = be;
  }
  return { body: out.slice(0, op), literalAt };
}
