/**
 * XXH64 (xxHash, 64-bit, seed 0), the hash Prometheus uses for `labels.Hash()`, implemented from
 * the public xxHash specification. Needed so that `limit_ratio` keeps the same series as
 * Prometheus does. BigInt arithmetic: simple and exact, fast enough for its one caller (which can
 * cache per series).
 */

const MASK = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK;
}

function round(acc: bigint, lane: bigint): bigint {
  acc = (acc + lane * P2) & MASK;
  acc = rotl(acc, 31n);
  return (acc * P1) & MASK;
}

function mergeRound(acc: bigint, v: bigint): bigint {
  acc ^= round(0n, v);
  return (acc * P1 + P4) & MASK;
}

function read64(b: Uint8Array, i: number): bigint {
  const lo = (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
  const hi = (b[i + 4]! | (b[i + 5]! << 8) | (b[i + 6]! << 16) | (b[i + 7]! << 24)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function read32(b: Uint8Array, i: number): bigint {
  return BigInt((b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0);
}

/** XXH64 of `buf[0..len-1]` with seed 0, as an unsigned 64-bit BigInt. */
export function xxhash64(buf: Uint8Array, len = buf.length): bigint {
  let i = 0;
  let acc: bigint;
  if (len >= 32) {
    let v1 = (P1 + P2) & MASK;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (MASK + 1n - P1) & MASK;
    const limit = len - 32;
    while (i <= limit) {
      v1 = round(v1, read64(buf, i));
      v2 = round(v2, read64(buf, i + 8));
      v3 = round(v3, read64(buf, i + 16));
      v4 = round(v4, read64(buf, i + 24));
      i += 32;
    }
    acc = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
    acc = mergeRound(acc, v1);
    acc = mergeRound(acc, v2);
    acc = mergeRound(acc, v3);
    acc = mergeRound(acc, v4);
  } else {
    acc = P5;
  }
  acc = (acc + BigInt(len)) & MASK;
  while (i + 8 <= len) {
    acc ^= round(0n, read64(buf, i));
    acc = (rotl(acc, 27n) * P1 + P4) & MASK;
    i += 8;
  }
  if (i + 4 <= len) {
    acc ^= (read32(buf, i) * P1) & MASK;
    acc = (rotl(acc, 23n) * P2 + P3) & MASK;
    i += 4;
  }
  while (i < len) {
    acc ^= (BigInt(buf[i]!) * P5) & MASK;
    acc = (rotl(acc, 11n) * P1) & MASK;
    i++;
  }
  acc ^= acc >> 33n;
  acc = (acc * P2) & MASK;
  acc ^= acc >> 29n;
  acc = (acc * P3) & MASK;
  acc ^= acc >> 32n;
  return acc;
}
