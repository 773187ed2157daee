/**
 * Tokens: the random positions instances take on the ring, and the position of a series.
 */
import { randomFillSync } from 'node:crypto';
import { hashBytes, seededRandomUint32 } from '@tessera/model';

/** A source of uniformly random uint32 values (injectable for reproducible tests). */
export type RandomUint32 = () => number;

/** Random uint32s from the operating system's CSPRNG, drawn in batches. */
export function cryptoRandomUint32(): RandomUint32 {
  const buf = new Uint32Array(256);
  let next = buf.length;
  return () => {
    if (next === buf.length) {
      randomFillSync(buf);
      next = 0;
    }
    return buf[next++]!;
  };
}

/** Seeded uint32s (mulberry32), for tests and benchmarks, never for production tokens. */
export { seededRandomUint32 };

/**
 * Returns `count` new distinct tokens, none of them in `taken`, sorted ascending.
 * `taken` is not modified.
 */
export function generateTokens(count: number, taken: ReadonlySet<number>, random: RandomUint32): number[] {
  const fresh = new Set<number>();
  // 2^32 positions against at most a few hundred thousand taken: a collision is rare, and each
  // draw that hits one is simply repeated.
  while (fresh.size < count) {
    const t = random() >>> 0;
    if (!taken.has(t)) fresh.add(t);
  }
  return [...fresh].sort((a, b) => a - b);
}

const encoder = new TextEncoder();
const tenantSeeds = new Map<string, number>();
/** Bound of the tenant seed cache; it is cleared when full (tenants are few in practice). */
const TENANT_SEED_CACHE_SIZE = 10_000;

/**
 * The hash seed of a tenant: `hashBytes(utf8(tenant))`, cached so that the per-series path
 * allocates nothing for a tenant seen before.
 */
export function tenantSeed(tenant: string): number {
  let seed = tenantSeeds.get(tenant);
  if (seed === undefined) {
    const b = encoder.encode(tenant);
    seed = hashBytes(b, 0, b.length);
    if (tenantSeeds.size >= TENANT_SEED_CACHE_SIZE) tenantSeeds.clear();
    tenantSeeds.set(tenant, seed);
  }
  return seed;
}

/**
 * The ring token of a series: a 32-bit hash of the tenant and the series' encoded labels.
 *
 * Defined as `hashBytes(labelBytes, start, end, tenantSeed(tenant))`, MurmurHash3 x86_32 of the
 * label bytes seeded with the hash of the tenant's UTF-8 bytes: the tenant is folded in, so the
 * same series of two tenants lands on different ingesters. `labelBytes[start, end)` must be the
 * canonical label encoding (`Labels.encode()`, sorted labels), so that equal series always get
 * equal tokens. The value is persisted implicitly (series placement), so it must never change.
 */
export function tokenForSeries(tenant: string, labelBytes: Uint8Array, start: number, end: number): number {
  return hashBytes(labelBytes, start, end, tenantSeed(tenant));
}
