import { describe, expect, it } from 'vitest';
import { OpenChunkPool, SLOT_SIZES } from './open-chunks.ts';

describe('OpenChunkPool', () => {
  it('hands out zero-filled slots, and gives slabs emptied by one class to another', () => {
    const pool = new OpenChunkPool();
    const small = pool.classFor(64);
    const held: [number, number][] = [];
    for (let i = 0; i < 5000; i++) {
      const slab = pool.alloc(small);
      const off = pool.lastOffset;
      expect(pool.slabs[slab]!.subarray(off, off + 64).every((b) => b === 0)).toBe(true);
      pool.slabs[slab]!.fill(0xff, off, off + 64); // dirty it, as a chunk would
      held.push([slab, off]);
    }
    const reserved = pool.reservedBytes;
    expect(reserved).toBeGreaterThanOrEqual(5000 * 64);
    // Every series moves on to a larger slot at once, as at start-up.
    for (const [slab, off] of held) pool.free(small, slab, off);
    const large = pool.classFor(SLOT_SIZES[3]!);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const slab = pool.alloc(large);
      const off = pool.lastOffset;
      const size = pool.slotSize(large);
      expect(pool.slabs[slab]!.subarray(off, off + size).every((b) => b === 0)).toBe(true);
      const key = `${slab}:${off}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    // 1000 × 112 bytes fit in the slabs the small class gave back.
    expect(pool.reservedBytes).toBeLessThanOrEqual(reserved);
  });
});
