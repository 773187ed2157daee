/**
 * Merging blocks: the series of several blocks streamed in label order into one block.
 *
 * Each source is read with `selectIter([], -∞, +∞)` (every series, in label order, one window of
 * index entries at a time); a k-way merge on the labels brings the entries of one series together,
 * their chunks are read, merged and re-cut to up to `samplesPerChunk` samples (recut-chunks.ts),
 * and the series goes to `writeBlock` before the next is read. Memory: the sources' index tables
 * plus one series' chunks and samples, whatever the block sizes. The same code does vertical
 * compaction (overlapping blocks: the RF copies) and horizontal compaction (adjacent blocks: their
 * chunks never overlap; at 120 samples per chunk they are copied untouched).
 */
import { Labels } from '@tessera/model';
import { BlockError, newUlid, writeBlock, type BlockMeta, type BlockReader, type BlockSeries, type IndexSeriesEntry } from '@tessera/tsdb';
import { newMergeStats, UnmergeableChunkError, type MergeStats, type SourceChunk } from './merge-chunks.ts';
import { DEFAULT_SAMPLES_PER_CHUNK } from './options.ts';
import { SeriesChunkMerger } from './recut-chunks.ts';

/**
 * A source block that cannot be compacted: its index or a chunk is corrupt, or it holds chunks
 * that cannot be merged. Retrying cannot help; the compactor marks the block no-compact.
 */
export class BrokenBlockError extends Error {
  readonly ulid: string;

  constructor(ulid: string, cause: unknown) {
    super(`block ${ulid} cannot be compacted: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'BrokenBlockError';
    this.ulid = ulid;
  }
}

/** Runs `fn`, turning a block-format error into a {@link BrokenBlockError} of `reader`'s block. */
async function reading<T>(reader: BlockReader, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw BlockError.isBlockError(e) ? new BrokenBlockError(reader.meta.ulid, e) : e;
  }
}

/** Options of {@link compactBlocks}. */
export interface CompactBlocksOptions {
  /** ULID of the new block (default: a new one). */
  ulid?: string;
  /** Chunk segment size limit passed to writeBlock (tests use small ones). */
  maxSegmentBytes?: number;
  /** Most samples in a float chunk written (`-compactor.samples-per-chunk`; default 240). */
  samplesPerChunk?: number;
}

/**
 * The series of `readers` merged, in label order. `readers` must be ordered by precedence (the
 * compactor passes them sorted by ULID): on a conflicting value at one timestamp, the first wins.
 */
export async function* mergeBlockSeries(
  readers: readonly BlockReader[],
  stats: MergeStats = newMergeStats(),
  samplesPerChunk: number = DEFAULT_SAMPLES_PER_CHUNK,
): AsyncGenerator<BlockSeries> {
  const merger = new SeriesChunkMerger(samplesPerChunk);
  const iters = readers.map((r) => r.selectIter([], -Infinity, Infinity));
  try {
    const heads: (IndexSeriesEntry | null)[] = await Promise.all(iters.map((it, s) => reading(readers[s]!, () => nextOf(it))));
    for (;;) {
      let min: Labels | null = null;
      for (const h of heads) if (h !== null && (min === null || Labels.compare(h.labels, min) < 0)) min = h.labels;
      if (min === null) return;
      const chunks: SourceChunk[] = [];
      for (let s = 0; s < heads.length; s++) {
        const h = heads[s] ?? null;
        if (h === null || Labels.compare(h.labels, min) !== 0) continue;
        const data = await reading(readers[s]!, () => readers[s]!.chunks(h.chunks.map((c) => c.ref)));
        h.chunks.forEach((c, k) => chunks.push({ minT: c.minT, maxT: c.maxT, data: data[k]!, source: s }));
        heads[s] = await reading(readers[s]!, () => nextOf(iters[s]!));
      }
      let merged;
      try {
        merged = merger.merge(chunks, stats);
      } catch (e) {
        throw e instanceof UnmergeableChunkError ? new BrokenBlockError(readers[e.source]!.meta.ulid, e) : e;
      }
      if (merged.length > 0) yield { labels: min, chunks: merged };
    }
  } finally {
    await Promise.all(iters.map((it) => it.return(undefined)));
  }
}

async function nextOf(it: AsyncGenerator<IndexSeriesEntry>): Promise<IndexSeriesEntry | null> {
  const r = await it.next();
  return r.done === true ? null : r.value;
}

/**
 * Writes the merge of `readers` as one block into `dir` and returns its meta: the time range
 * covers every source, the compaction level is one above the highest source's, `sources` is the
 * union of theirs and `parents` names them; the Thanos section says `source: "compactor"` with
 * no external labels (as Mimir's compactor writes it).
 */
export async function compactBlocks(
  dir: string,
  readers: readonly BlockReader[],
  opts: CompactBlocksOptions = {},
): Promise<{ meta: BlockMeta; stats: MergeStats }> {
  if (readers.length === 0) throw new Error('compactBlocks: no source blocks');
  const metas = readers.map((r) => r.meta);
  const minTime = Math.min(...metas.map((m) => m.minTime));
  const maxTime = Math.max(...metas.map((m) => m.maxTime));
  const sources = [...new Set(metas.flatMap((m) => (m.compaction.sources.length > 0 ? m.compaction.sources : [m.ulid])))].sort();
  const stats = newMergeStats();
  const meta = await writeBlock(dir, mergeBlockSeries(readers, stats, opts.samplesPerChunk), {
    ulid: opts.ulid ?? newUlid(),
    minTime,
    maxTime,
    compaction: {
      level: Math.max(...metas.map((m) => m.compaction.level)) + 1,
      sources,
      parents: metas.map((m) => ({ ulid: m.ulid, minTime: m.minTime, maxTime: m.maxTime })),
    },
    thanos: { labels: {}, downsample: { resolution: 0 }, source: 'compactor' },
    ...(opts.maxSegmentBytes === undefined ? {} : { maxSegmentBytes: opts.maxSegmentBytes }),
  });
  return { meta, stats };
}
