/**
 * A fast 32-bit hash of byte ranges, used for series identity (Labels.hash) and sharding.
 *
 * The algorithm is MurmurHash3's x86 32-bit variant: the range is consumed four bytes at a time as
 * little-endian words, the 0–3 trailing bytes are mixed in, and the length and a final avalanche
 * step ("fmix32") are applied. It is stable: its values may be persisted and compared across
 * processes and versions, so it must never change.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * Hashes `buf[start, end)` into an unsigned 32-bit integer (MurmurHash3 x86_32 with `seed`).
 * Allocates nothing.
 */
export function hashBytes(buf: Uint8Array, start: number, end: number, seed = 0): number {
  let h = seed | 0;
  let i = start;
  const blocksEnd = start + ((end - start) & ~3);
  while (i < blocksEnd) {
    let k = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    i += 4;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rem = end - i;
  if (rem > 0) {
    let k = buf[i]!;
    if (rem > 1) k |= buf[i + 1]! << 8;
    if (rem > 2) k |= buf[i + 2]! << 16;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= end - start;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
