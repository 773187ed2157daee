/**
 * writeBlock: writes a Prometheus TSDB block directory from series sorted by labels.
 *
 * ```
 * <dir>/<ULID>/
 *   chunks/000001 …   chunk segments (chunks-writer.ts)
 *   index             format v2 (index-format.ts)
 *   tombstones        empty: magic 0x0130BA30 <4b BE> │ version 1 <1b> │ CRC32C of no entries <4b>
 *   meta.json         (meta.ts), written last
 * ```
 * Atomicity: everything is written into `<dir>/<ULID>.tmp-for-creation/` (a name Prometheus
 * ignores and cleans up), each file fsynced, meta.json last; then the directory is renamed to
 * `<dir>/<ULID>` and `<dir>` fsynced. A crash leaves either no block or a complete one.
 *
 * Memory: chunks are streamed to disk as the series arrive; the labels and chunk metas of all
 * series (and then the index's postings) are held until the index is written.
 */
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ENCODING_XOR, xorChunkNumSamples } from '@tessera/chunkenc';
import { Labels, compareUtf8 } from '@tessera/model';
import { ChunkSegmentWriter } from './chunks-writer.ts';
import { BlockError } from './errors.ts';
import { IndexWriter } from './index-writer.ts';
import { encodeMeta, META_VERSION, type BlockCompaction, type BlockMeta, type ThanosMeta } from './meta.ts';
import { newUlid, isUlid } from './ulid.ts';

/** A chunk to store: its first and last sample timestamps (inclusive) and its encoded bytes. */
export interface BlockChunk {
  minT: number;
  maxT: number;
  /** The chunk exactly as encoded (for XOR: the 2-byte sample count, then the bit stream). */
  data: Uint8Array;
  /** Chunk encoding byte; XOR (1) by default, the only one stats can count samples of. */
  encoding?: number;
}

/** A series to store with its chunks, oldest first, not overlapping. */
export interface BlockSeries {
  labels: Labels;
  chunks: readonly BlockChunk[];
}

/** Options of {@link writeBlock}. */
export interface WriteBlockOptions {
  /**
   * Time range of the block, [minTime, maxTime) — usually the block range the data was cut from.
   * Every chunk must lie inside. Default: the data's own bounds (maxTime = last sample + 1).
   */
  minTime?: number;
  maxTime?: number;
  /** The block's ULID (default: a new one). */
  ulid?: string;
  /** Compaction section; default `{ level: 1, sources: [ulid] }`. */
  compaction?: BlockCompaction;
  /** Optional Thanos-style section (external labels, source). */
  thanos?: ThanosMeta;
  /** Chunk segment size limit (default and maximum 512 MiB; tests use small ones). */
  maxSegmentBytes?: number;
}

/** The empty tombstones file (see the module comment). */
const EMPTY_TOMBSTONES = Uint8Array.of(0x01, 0x30, 0xba, 0x30, 0x01, 0, 0, 0, 0);

/**
 * Writes a block into `dir/<ULID>` and returns its meta. `series` must be sorted by labels
 * (Prometheus's labels.Compare), without duplicates, each with at least one chunk.
 *
 * @throws BlockError `block-invalid-input` when the order or chunk rules are broken, or the
 *   block would be empty and no time range is given. Nothing is left behind on failure.
 */
export async function writeBlock(
  dir: string,
  series: Iterable<BlockSeries> | AsyncIterable<BlockSeries>,
  opts: WriteBlockOptions = {},
): Promise<BlockMeta> {
  const ulid = opts.ulid ?? newUlid();
  if (!isUlid(ulid)) throw new BlockError('block-invalid-input', `invalid ULID ${JSON.stringify(ulid)}`);
  const final = join(dir, ulid);
  const tmp = join(dir, `${ulid}.tmp-for-creation`);
  if (await exists(final)) throw new BlockError('block-invalid-input', `block ${final} already exists`);
  await mkdir(dir, { recursive: true });
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);

  const chunks = new ChunkSegmentWriter(tmp, opts.maxSegmentBytes);
  let index: IndexWriter | null = null;
  try {
    const labels: Labels[] = [];
    const metaStart: number[] = [0];
    const metas: number[] = [];
    const symbols = new Set<string>();
    const stats = { numSamples: 0, numSeries: 0, numChunks: 0 };
    let minT = Infinity;
    let maxT = -Infinity;
    const lo = opts.minTime ?? -Infinity;
    const hi = opts.maxTime ?? Infinity;
    if (lo >= hi) throw new BlockError('block-invalid-input', `empty time range [${lo}, ${hi})`);

    for await (const s of series) {
      const prev = labels[labels.length - 1];
      if (prev !== undefined && Labels.compare(prev, s.labels) >= 0) {
        throw new BlockError('block-invalid-input', `series not sorted: ${s.labels.toString()} after ${prev.toString()}`);
      }
      if (s.chunks.length === 0) throw new BlockError('block-invalid-input', `series ${s.labels.toString()} has no chunks`);
      let prevMax = -Infinity;
      for (const c of s.chunks) {
        const enc = c.encoding ?? ENCODING_XOR;
        const n = enc === ENCODING_XOR ? xorChunkNumSamples(c.data) : 0;
        if (!Number.isSafeInteger(c.minT) || !Number.isSafeInteger(c.maxT) || c.maxT < c.minT || c.minT <= prevMax) {
          throw new BlockError('block-invalid-input', `chunk [${c.minT}, ${c.maxT}] of ${s.labels.toString()} is out of order`);
        }
        if (c.minT < lo || c.maxT >= hi) {
          throw new BlockError('block-invalid-input', `chunk [${c.minT}, ${c.maxT}] of ${s.labels.toString()} outside [${lo}, ${hi})`);
        }
        if (enc === ENCODING_XOR && n === 0) throw new BlockError('block-invalid-input', `empty chunk in ${s.labels.toString()}`);
        const ref = await chunks.write(enc, c.data);
        metas.push(c.minT, c.maxT, ref);
        prevMax = c.maxT;
        stats.numSamples += n;
        stats.numChunks++;
        if (c.minT < minT) minT = c.minT;
        if (c.maxT > maxT) maxT = c.maxT;
      }
      s.labels.forEach((n, v) => {
        symbols.add(n);
        symbols.add(v);
      });
      labels.push(s.labels);
      metaStart.push(metas.length);
      stats.numSeries++;
    }
    await chunks.close();

    const minTime = opts.minTime ?? minT;
    const maxTime = opts.maxTime ?? maxT + 1;
    if (!Number.isFinite(minTime) || !Number.isFinite(maxTime)) {
      throw new BlockError('block-invalid-input', 'a block without series needs minTime and maxTime');
    }

    index = await IndexWriter.create(join(tmp, 'index'), [...symbols].sort(compareUtf8));
    const all = Float64Array.from(metas);
    for (let i = 0; i < labels.length; i++) {
      await index.addSeries(labels[i]!, all.subarray(metaStart[i]!, metaStart[i + 1]!));
    }
    await index.close();
    index = null;

    await writeFileSynced(join(tmp, 'tombstones'), EMPTY_TOMBSTONES);
    const meta: BlockMeta = {
      ulid,
      minTime,
      maxTime,
      stats,
      compaction: opts.compaction ?? { level: 1, sources: [ulid] },
      version: META_VERSION,
      ...(opts.thanos === undefined ? {} : { thanos: opts.thanos }),
    };
    await writeFileSynced(join(tmp, 'meta.json'), new TextEncoder().encode(encodeMeta(meta)));
    await syncDir(join(tmp, 'chunks'));
    await syncDir(tmp);
    await rename(tmp, final);
    await syncDir(dir);
    return meta;
  } catch (e) {
    await chunks.abort();
    if (index !== null) await index.abort();
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

async function writeFileSynced(path: string, data: Uint8Array): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    await fh.write(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
