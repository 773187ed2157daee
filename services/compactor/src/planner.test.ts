import { describe, expect, it } from 'vitest';
import { formatUlid, type BlockMeta } from '@tessera/tsdb';
import type { BucketBlock } from '@tessera/blockstore';
import { blocksPastRetention, blocksToDelete, planCompaction, redundantBlocks, type PlannerConfig } from './planner.ts';

const H = 3_600_000;
const M = 60_000;
const T0 = 1_700_006_400_000 - (1_700_006_400_000 % (24 * H));
const NOW = T0 + 30 * 24 * H;
const CFG: PlannerConfig = { blockRanges: [2 * H, 12 * H, 24 * H], firstLevelWaitMs: 25 * M };

let seq = 0;
/** A block meta; `createdAt` is the time in its ULID (default: long ago). */
function block(minTime: number, maxTime: number, opts: { level?: number; sources?: string[]; createdAt?: number } = {}): BlockMeta {
  const ulid = formatUlid(opts.createdAt ?? T0, BigInt(++seq));
  return {
    ulid,
    minTime,
    maxTime,
    stats: { numSamples: 1, numSeries: 1, numChunks: 1 },
    compaction: { level: opts.level ?? 1, sources: opts.sources ?? [ulid] },
    version: 1,
  };
}

const range2h = (i: number, opts?: Parameters<typeof block>[2]): BlockMeta => block(T0 + i * 2 * H, T0 + (i + 1) * 2 * H, opts);

describe('planCompaction', () => {
  it('merges the overlapping RF copies of a range first, inputs ordered by ULID', () => {
    const copies = [range2h(0), range2h(0), range2h(0)];
    const job = planCompaction([range2h(1), ...copies.slice().reverse()], CFG, NOW);
    expect(job?.kind).toBe('vertical');
    expect(job?.blocks.map((b) => b.ulid)).toEqual(copies.map((b) => b.ulid));
    expect([job?.minTime, job?.maxTime]).toEqual([T0, T0 + 2 * H]);
  });

  it('merges any overlap transitively, also a late level-1 block over a compacted one', () => {
    const big = block(T0, T0 + 12 * H, { level: 2, sources: ['x', 'y'] });
    const late = range2h(3);
    const next = block(T0 + 11 * H, T0 + 14 * H);
    const job = planCompaction([big, late, next], CFG, NOW);
    expect(job?.kind).toBe('vertical');
    expect(job?.blocks).toHaveLength(3);
    expect([job?.minTime, job?.maxTime]).toEqual([T0, T0 + 14 * H]);
  });

  it('waits for level-1 blocks younger than the first-level wait', () => {
    const now = T0 + 3 * H;
    const young = [range2h(0, { createdAt: now - 10 * M }), range2h(0, { createdAt: now - 40 * M })];
    expect(planCompaction(young, CFG, now)).toBeNull();
    expect(planCompaction(young, CFG, now + 16 * M)?.kind).toBe('vertical');
  });

  it('merges a fully covered 12h window of 2h blocks, then the 24h window of two 12h blocks', () => {
    const six = Array.from({ length: 6 }, (_, i) => range2h(i));
    const job = planCompaction(six, CFG, T0 + 12 * H + 30 * M);
    expect(job?.kind).toBe('horizontal');
    expect([job?.minTime, job?.maxTime]).toEqual([T0, T0 + 12 * H]);
    expect(job?.blocks).toHaveLength(6);
    const halves = [block(T0, T0 + 12 * H, { level: 2 }), block(T0 + 12 * H, T0 + 24 * H, { level: 2 })];
    expect(planCompaction(halves, CFG, T0 + 24 * H)).toMatchObject({ kind: 'horizontal', minTime: T0, maxTime: T0 + 24 * H });
  });

  it('leaves an incomplete window alone while it is the newest and recent', () => {
    const four = Array.from({ length: 4 }, (_, i) => range2h(i));
    expect(planCompaction(four, CFG, T0 + 9 * H)).toBeNull();
    // … but merges it once newer blocks exist,
    expect(planCompaction([...four, range2h(6)], CFG, T0 + 15 * H)?.blocks).toHaveLength(4);
    // … or once its end is long past (gaps in a tenant's data never block compaction forever).
    expect(planCompaction(four, CFG, T0 + 12 * H + 2 * H + 25 * M)?.blocks).toHaveLength(4);
    expect(planCompaction(four, CFG, T0 + 12 * H + 2 * H + 24 * M)).toBeNull();
  });

  it('does not merge a window while RF copies inside it still wait for their vertical merge', () => {
    const now = T0 + 16 * H;
    const five = Array.from({ length: 5 }, (_, i) => range2h(i));
    const copies = [range2h(5, { createdAt: now - 5 * M }), range2h(5, { createdAt: now - 5 * M })];
    expect(planCompaction([...five, ...copies, range2h(7)], CFG, now)).toBeNull();
    expect(planCompaction([...five, ...copies, range2h(7)], CFG, now + 20 * M)?.kind).toBe('vertical');
  });

  it('never merges a single block, a block already the window size, or blocks across windows', () => {
    expect(planCompaction([range2h(0)], CFG, NOW)).toBeNull();
    expect(planCompaction([block(T0, T0 + 12 * H, { level: 2 }), block(T0 + 24 * H, T0 + 36 * H, { level: 2 })], CFG, NOW)).toBeNull();
    // Two blocks in different 12h and 24h windows: nothing to do.
    expect(planCompaction([range2h(5), block(T0 + 24 * H, T0 + 26 * H)], CFG, NOW)).toBeNull();
  });

  it('works with negative times and unaligned block ends (a flush on shutdown)', () => {
    const base = -24 * H;
    const a = block(base, base + 2 * H);
    const b = block(base + 2 * H, base + 2 * H + 17 * M);
    expect(planCompaction([a, b], CFG, NOW)).toMatchObject({ kind: 'horizontal', minTime: base, maxTime: base + 2 * H + 17 * M });
  });
});

describe('redundantBlocks', () => {
  it('finds the inputs of a compaction whose marks were never written', () => {
    const inputs = [range2h(0), range2h(1)];
    const out = block(T0, T0 + 4 * H, { level: 2, sources: inputs.map((b) => b.ulid) });
    expect(redundantBlocks([...inputs, out]).map((b) => b.ulid)).toEqual(inputs.map((b) => b.ulid));
  });

  it('keeps exactly one of equivalent blocks, and nothing of unrelated RF copies', () => {
    const a = block(T0, T0 + 2 * H, { level: 2, sources: ['s1', 's2'] });
    const b = block(T0, T0 + 2 * H, { level: 2, sources: ['s2', 's1'] });
    expect(redundantBlocks([b, a]).map((x) => x.ulid)).toEqual([b.ulid]);
    expect(redundantBlocks([range2h(0), range2h(0), range2h(0)])).toEqual([]);
  });
});

function bucketBlock(meta: BlockMeta, markedAtMs: number | null = null): BucketBlock {
  return { ulid: meta.ulid, meta, deletionMark: markedAtMs === null ? null : { id: meta.ulid, deletionTime: Math.floor(markedAtMs / 1000), version: 1 } };
}

describe('retention and cleanup', () => {
  it('marks only unmarked blocks whose every sample is older than the retention', () => {
    const old = bucketBlock(range2h(0));
    const edge = bucketBlock(range2h(1));
    const marked = bucketBlock(range2h(2), NOW);
    const blocks = [old, edge, marked];
    const now = T0 + 4 * H + 24 * H;
    expect(blocksPastRetention(blocks, 24 * H, now).map((b) => b.ulid)).toEqual([old.ulid, edge.ulid]);
    expect(blocksPastRetention(blocks, 24 * H, now - 1).map((b) => b.ulid)).toEqual([old.ulid]);
    expect(blocksPastRetention(blocks, 0, now)).toEqual([]);
  });

  it('deletes marked blocks once the mark is older than the deletion delay', () => {
    // Marked at NOW + 0.5 s, stored as whole seconds: the delay counts from the end of that second.
    const b = bucketBlock(range2h(0), NOW + 500);
    expect(blocksToDelete([b, bucketBlock(range2h(1))], 12 * H, NOW + 12 * H + 999)).toEqual([]);
    expect(blocksToDelete([b, bucketBlock(range2h(1))], 12 * H, NOW + 12 * H + 1000)).toEqual([b]);
  });
});
