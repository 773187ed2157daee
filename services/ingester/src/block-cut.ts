/**
 * Cutting blocks out of a head: which time ranges to cut, and writing one range as a local block.
 *
 * The cut rule (Prometheus's head compaction, as Mimir's ingesters apply it): when a head spans
 * more than 1.5 block ranges, its oldest whole range [a, a + range) — `a` aligned on the range —
 * becomes a block. Then `a + range ≤ maxT − range/2`, the head's oldest acceptable timestamp, so
 * no sample can arrive in a range after it was cut (the head refuses it as too old).
 */
import type { Head } from '@tessera/tsdb';
import { blockFromHead, writeBlock, type BlockMeta } from '@tessera/tsdb';

/** A time range [mint, maxt) in ms (maxt exclusive, like a block's maxTime). */
export interface TimeRange {
  mint: number;
  maxt: number;
}

/**
 * The next range to cut from a head holding samples in [minT, maxT] (±Infinity when empty), of
 * which everything before `cutUpTo` is already cut; null when the head does not span more than
 * 1.5 ranges past what is cut.
 */
export function nextCutRange(minT: number, maxT: number, cutUpTo: number, rangeMs: number): TimeRange | null {
  const from = Math.max(minT, cutUpTo);
  if (!Number.isFinite(from) || !Number.isFinite(maxT) || !(maxT - from > 1.5 * rangeMs)) return null;
  const a = Math.floor(from / rangeMs) * rangeMs;
  return { mint: a, maxt: a + rangeMs };
}

/**
 * Every aligned range holding samples of [max(minT, cutUpTo), maxT], the last one partial: what a
 * flush on shutdown cuts. Empty when the head holds nothing past `cutUpTo`.
 */
export function flushRanges(minT: number, maxT: number, cutUpTo: number, rangeMs: number): TimeRange[] {
  const from = Math.max(minT, cutUpTo);
  if (!Number.isFinite(from) || !Number.isFinite(maxT) || from > maxT) return [];
  const out: TimeRange[] = [];
  for (let a = Math.floor(from / rangeMs) * rangeMs; a <= maxT; a += rangeMs) out.push({ mint: a, maxt: a + rangeMs });
  return out;
}

/** The `thanos` section of an ingester's block: no external labels (Mimir strips the ingester's). */
const INGESTER_THANOS_META = { labels: {}, downsample: { resolution: 0 }, source: 'ingester' };

/**
 * Writes the head's samples in `range` as a level-1 block into `blocksDir/<ULID>` and returns its
 * meta, or null when the head holds no sample in the range (no block is written). The block's
 * time range is the whole cut range, so blocks of one range line up for the compactor.
 */
export async function cutBlock(head: Head, blocksDir: string, range: TimeRange): Promise<BlockMeta | null> {
  // blockFromHead is a snapshot: appends while the block is written do not change it.
  const series = blockFromHead(head, range.mint, range.maxt);
  if (series.length === 0) return null;
  return writeBlock(blocksDir, series, { minTime: range.mint, maxTime: range.maxt, thanos: INGESTER_THANOS_META });
}
