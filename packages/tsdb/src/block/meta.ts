/**
 * BlockMeta: the contents of a block's `meta.json` (Prometheus `tsdb/block.go`, BlockMeta), and
 * its encoding and validation.
 *
 * ```json
 * { "ulid": "01…", "minTime": 1700000000000, "maxTime": 1700007200000,
 *   "stats": { "numSamples": 6, "numSeries": 3, "numChunks": 3 },
 *   "compaction": { "level": 1, "sources": ["01…"] }, "version": 1 }
 * ```
 * `minTime` is inclusive and `maxTime` exclusive (Prometheus's convention: a block holding
 * samples up to t has maxTime ≥ t + 1). Prometheus ignores fields it does not know, so the
 * optional `thanos` section (external labels and source, as Thanos and Mimir write it) is harmless.
 */
import { corrupt } from './errors.ts';
import { isUlid } from './ulid.ts';

/** meta.json format version. */
export const META_VERSION = 1;

/** Counts over a block's contents. */
export interface BlockStats {
  numSamples: number;
  numSeries: number;
  numChunks: number;
  numTombstones?: number;
}

/** A block a compacted block was made from. */
export interface BlockMetaParent {
  ulid: string;
  minTime: number;
  maxTime: number;
}

/** How a block came to be: level 1 from a head, higher from compactions. */
export interface BlockCompaction {
  level: number;
  /** ULIDs of the level-1 blocks whose data this block holds. */
  sources: string[];
  parents?: BlockMetaParent[];
  /** Set by a compactor that could not compact the block. */
  failed?: boolean;
  /** Set when the block is empty and may be deleted. */
  deletable?: boolean;
}

/** The Thanos-style extension (read by Thanos, Mimir and Cortex tools). */
export interface ThanosMeta {
  labels: Record<string, string>;
  downsample: { resolution: number };
  source: string;
}

/** The contents of meta.json. */
export interface BlockMeta {
  ulid: string;
  /** First timestamp the block covers (inclusive), ms. */
  minTime: number;
  /** End of the time range the block covers (exclusive), ms. */
  maxTime: number;
  stats: BlockStats;
  compaction: BlockCompaction;
  version: number;
  thanos?: ThanosMeta;
}

/** Encodes meta.json as Prometheus does (Go's json.MarshalIndent with a tab). */
export function encodeMeta(meta: BlockMeta): string {
  return JSON.stringify(meta, null, '\t');
}

/** Parses and checks meta.json. @throws BlockError `block-corrupt` on malformed content. */
export function parseMeta(text: string, file = 'meta.json'): BlockMeta {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw corrupt(`meta.json is not JSON: ${(e as Error).message}`, file);
  }
  const o = m as Partial<BlockMeta> | null;
  const bad = (what: string): never => {
    throw corrupt(`meta.json: ${what}`, file);
  };
  if (typeof o !== 'object' || o === null) return bad('not an object');
  if (o.version !== META_VERSION) bad(`unsupported version ${JSON.stringify(o.version)}`);
  if (typeof o.ulid !== 'string' || !isUlid(o.ulid)) bad(`invalid ulid ${JSON.stringify(o.ulid)}`);
  if (!Number.isSafeInteger(o.minTime) || !Number.isSafeInteger(o.maxTime)) bad('minTime/maxTime are not integers');
  if (o.maxTime! < o.minTime!) bad(`maxTime ${o.maxTime} before minTime ${o.minTime}`);
  const s = o.stats;
  if (typeof s !== 'object' || s === null) bad('missing stats');
  const c = o.compaction;
  if (typeof c !== 'object' || c === null || !Number.isInteger(c.level)) bad('missing compaction level');
  return {
    ...o,
    stats: { ...s!, numSamples: s!.numSamples ?? 0, numSeries: s!.numSeries ?? 0, numChunks: s!.numChunks ?? 0 },
    compaction: { ...c!, sources: Array.isArray(c!.sources) ? c!.sources : [] },
  } as BlockMeta;
}
