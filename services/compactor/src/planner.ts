/**
 * The compactor's decisions, as pure functions of a tenant's block list and the time: which
 * blocks are redundant, which to merge next, which are past retention, which to delete.
 *
 * Order of work within a tenant (compactor.ts loops until {@link planCompaction} finds nothing):
 * 1. Redundant blocks — every source of theirs is in another block (a compaction uploaded its
 *    result but stopped before marking the inputs) — are marked for deletion, never merged again.
 * 2. Vertical: blocks whose time ranges overlap (the RF copies of one range, or a late block over
 *    a compacted one) are merged into one, transitively.
 * 3. Horizontal: for each range above the first (12h, then 24h), the blocks lying inside one
 *    aligned window [k·range, (k+1)·range) and smaller than it are merged when the window is done:
 *    fully covered, or followed by newer blocks, or ended long enough ago that no more blocks can
 *    arrive for it (a first-level range plus the first-level wait).
 * Level-1 blocks younger than the first-level wait (by their ULID's time) are left alone, so the
 * RF copies of a range are merged once all replicas have uploaded, not one by one.
 */
import { ulidTime, type BlockMeta } from '@tessera/tsdb';
import type { BucketBlock } from '@tessera/blockstore';

/** What the planner needs of the configuration. */
export interface PlannerConfig {
  /** Block ranges in ms, ascending: the first is the ingesters' (2h), the others the compaction levels. */
  blockRanges: readonly number[];
  /** How long a level-1 block waits after its creation before it is compacted. */
  firstLevelWaitMs: number;
}

/** One merge to run: its inputs sorted by ULID (the first wins a conflicting sample). */
export interface CompactionJob {
  kind: 'vertical' | 'horizontal';
  blocks: BlockMeta[];
  minTime: number;
  maxTime: number;
}

function sourcesOf(m: BlockMeta): string[] {
  return m.compaction.sources.length > 0 ? m.compaction.sources : [m.ulid];
}

const byUlid = (a: BlockMeta, b: BlockMeta): number => (a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0);

/**
 * Blocks whose data another block holds entirely: their sources are a subset of the other's, and
 * the other has more sources, or the same ones at a higher level, or at the same level a lower
 * ULID. Exactly one of a set of equivalent blocks survives.
 */
export function redundantBlocks(metas: readonly BlockMeta[]): BlockMeta[] {
  const sets = metas.map((m) => new Set(sourcesOf(m)));
  return metas.filter((b, i) =>
    metas.some((a, j) => {
      if (i === j) return false;
      const sa = sets[j]!;
      const sb = sets[i]!;
      if (sb.size > sa.size) return false;
      for (const s of sb) if (!sa.has(s)) return false;
      if (sa.size > sb.size) return true;
      return a.compaction.level > b.compaction.level || (a.compaction.level === b.compaction.level && a.ulid < b.ulid);
    }),
  );
}

/** Whether the planner may touch `m` at `nowMs` (level-1 blocks wait; see the module comment). */
function ready(m: BlockMeta, cfg: PlannerConfig, nowMs: number): boolean {
  if (m.compaction.level > 1) return true;
  let created: number;
  try {
    created = ulidTime(m.ulid);
  } catch {
    return true;
  }
  return created <= nowMs - cfg.firstLevelWaitMs;
}

/** Groups of blocks whose [minTime, maxTime) ranges overlap, transitively, in time order. */
export function overlapGroups(metas: readonly BlockMeta[]): BlockMeta[][] {
  const sorted = [...metas].sort((a, b) => a.minTime - b.minTime || byUlid(a, b));
  const groups: BlockMeta[][] = [];
  let end = -Infinity;
  for (const m of sorted) {
    const last = groups[groups.length - 1];
    if (last !== undefined && m.minTime < end) {
      last.push(m);
      end = Math.max(end, m.maxTime);
    } else {
      groups.push([m]);
      end = m.maxTime;
    }
  }
  return groups;
}

/**
 * The next merge for a tenant whose live blocks (not marked for deletion, not redundant) are
 * `metas`, or null when there is nothing to do now.
 */
export function planCompaction(metas: readonly BlockMeta[], cfg: PlannerConfig, nowMs: number): CompactionJob | null {
  const groups = overlapGroups(metas);
  for (const g of groups) {
    if (g.length > 1 && g.every((m) => ready(m, cfg, nowMs))) return job('vertical', g);
  }
  // Horizontal work only over blocks that overlap nothing, and never in a window where overlapping
  // blocks still wait for their vertical merge (the window would be rewritten right after).
  const single = groups.filter((g) => g.length === 1).map((g) => g[0]!);
  const waiting = groups.filter((g) => g.length > 1).flat();
  const first = cfg.blockRanges[0] ?? 0;
  for (const range of cfg.blockRanges.slice(1)) {
    const windows = new Map<number, BlockMeta[]>();
    for (const m of single) {
      const start = Math.floor(m.minTime / range) * range;
      if (m.maxTime > start + range || m.maxTime - m.minTime >= range) continue;
      const w = windows.get(start);
      if (w === undefined) windows.set(start, [m]);
      else w.push(m);
    }
    for (const start of [...windows.keys()].sort((a, b) => a - b)) {
      const w = windows.get(start)!;
      if (w.length < 2 || !w.every((m) => ready(m, cfg, nowMs))) continue;
      const end = start + range;
      if (waiting.some((m) => m.minTime < end && m.maxTime > start)) continue;
      const covered = Math.min(...w.map((m) => m.minTime)) === start && Math.max(...w.map((m) => m.maxTime)) === end && contiguous(w);
      const followed = metas.some((m) => m.minTime >= end);
      const old = end <= nowMs - first - cfg.firstLevelWaitMs;
      if (covered || followed || old) return job('horizontal', w);
    }
  }
  return null;
}

function contiguous(w: readonly BlockMeta[]): boolean {
  const s = [...w].sort((a, b) => a.minTime - b.minTime);
  for (let i = 1; i < s.length; i++) if (s[i]!.minTime !== s[i - 1]!.maxTime) return false;
  return true;
}

function job(kind: CompactionJob['kind'], blocks: readonly BlockMeta[]): CompactionJob {
  return {
    kind,
    blocks: [...blocks].sort(byUlid),
    minTime: Math.min(...blocks.map((m) => m.minTime)),
    maxTime: Math.max(...blocks.map((m) => m.maxTime)),
  };
}

/**
 * Unmarked blocks wholly older than the retention period (every sample before now − retention,
 * i.e. maxTime ≤ now − retention). Retention 0 keeps everything.
 */
export function blocksPastRetention(blocks: readonly BucketBlock[], retentionMs: number, nowMs: number): BucketBlock[] {
  if (retentionMs <= 0) return [];
  return blocks.filter((b) => b.deletionMark === null && b.meta.maxTime <= nowMs - retentionMs);
}

/** Marked blocks whose mark is at least `deletionDelayMs` old: queries have had time to move on. */
export function blocksToDelete(blocks: readonly BucketBlock[], deletionDelayMs: number, nowMs: number): BucketBlock[] {
  return blocks.filter((b) => b.deletionMark !== null && markExpired(b.deletionMark.deletionTime, deletionDelayMs, nowMs));
}

/**
 * Whether a mark of `deletionTimeSec` is at least `delayMs` old. The mark holds whole seconds
 * (rounded down), so it is taken as set at the end of its second: the delay is never shortened.
 */
export function markExpired(deletionTimeSec: number, delayMs: number, nowMs: number): boolean {
  return (deletionTimeSec + 1) * 1000 <= nowMs - delayMs;
}
