/**
 * Prefetching, on the main thread: the chunks every selector of a query needs are fetched from
 * the ingesters before evaluation (enforcing the per-query series and chunk limits) and packed
 * into one ArrayBuffer, which is transferred (not copied) to a worker thread and read there by
 * {@link PrefetchedQueryable} (prefetched-queryable.ts).
 *
 * Packed layout (all integers little-endian; no alignment):
 * ```
 * u32 magic 0x31505154 ("TQP1")   u32 selectionCount
 * per selection:  u32 keyLen, key (UTF-8; matchersKey of the selector)
 *                 f64 mint, f64 maxt (ms, inclusive)     u32 seriesCount
 *   per series:   u32 labelsLen, labels (canonical encoding, see @tessera/model)
 *                 u32 sourceCount (replicas: one per ingester that holds the series; ≥ 1)
 *     per source: u32 chunkCount
 *       per chunk: f64 minT, f64 maxT, u32 dataLen, data (XOR chunk, header included)
 * ```
 * Series of a selection are sorted by labels; chunks of a source oldest first.
 */
import { encodeLabelsInto, labelsByteLength, writeUtf8, utf8Length } from '@tessera/model';
import { TesseraError } from '@tessera/server';
import { mergeChunkSeries, type ChunkReader, type MergedChunkSeries } from './ingester-queryable.ts';
import type { SelectorRange } from './selector-ranges.ts';

/** Magic number at the start of a packed prefetch ("TQP1" read as a little-endian u32). */
export const PREFETCH_MAGIC = 0x31505154;

/** Per-query fetch limits (0 = off). */
export interface FetchLimits {
  maxFetchedSeries: number;
  maxFetchedChunks: number;
}

/** The outcome of {@link prefetch}. */
export interface Prefetched {
  /** The packed data; transfer it, do not copy it. */
  buffer: ArrayBuffer;
  /** Distinct series fetched over all selectors (replicas counted once). */
  seriesFetched: number;
  /** Chunks fetched, replicas and repeated selections included. */
  chunksFetched: number;
}

/** The error for a query over the series limit (Mimir's text, with Tessera's ID). */
export function maxSeriesError(limit: number): TesseraError {
  return new TesseraError(
    'execution',
    'max-series-per-query',
    `the query exceeded the maximum number of series (limit: ${limit} series) (max-series-per-query). To adjust the related per-tenant limit, configure -querier.max-fetched-series-per-query, or contact your service administrator.`,
  );
}

/** The error for a query over the chunk limit (Mimir's text, with Tessera's ID). */
export function maxChunksError(limit: number): TesseraError {
  return new TesseraError(
    'execution',
    'max-chunks-per-query',
    `the query exceeded the maximum number of chunks (limit: ${limit} chunks) (max-chunks-per-query). To adjust the related per-tenant limit, configure -querier.max-fetched-chunks-per-query, or contact your service administrator.`,
  );
}

/**
 * Fetches the chunks of every selector range from every reader, merges replicas, enforces the
 * limits, and packs everything. `check` is called between fetches; it throws to stop (client
 * gone, deadline passed).
 */
export async function prefetch(
  readers: readonly ChunkReader[],
  tenant: string,
  ranges: readonly SelectorRange[],
  limits: FetchLimits,
  check: () => void,
): Promise<Prefetched> {
  const selections: MergedChunkSeries[][] = [];
  const seen = new Set<string>();
  let chunks = 0;
  for (const r of ranges) {
    check();
    const lists = await Promise.all(readers.map((rd) => rd.queryChunks(tenant, r.matchers, r.mint, r.maxt)));
    const merged = mergeChunkSeries(lists);
    for (const s of merged) {
      seen.add(s.labels.toFlat().join('\u0000'));
      for (const src of s.sources) chunks += src.length;
    }
    if (limits.maxFetchedSeries > 0 && seen.size > limits.maxFetchedSeries) throw maxSeriesError(limits.maxFetchedSeries);
    if (limits.maxFetchedChunks > 0 && chunks > limits.maxFetchedChunks) throw maxChunksError(limits.maxFetchedChunks);
    selections.push(merged);
  }
  check();
  return { buffer: pack(ranges, selections), seriesFetched: seen.size, chunksFetched: chunks };
}

/** Packs selections (parallel to `ranges`) into the layout of the file comment. */
export function pack(ranges: readonly SelectorRange[], selections: readonly MergedChunkSeries[][]): ArrayBuffer {
  // Pass 1: the exact size.
  let size = 8;
  for (let i = 0; i < ranges.length; i++) {
    size += 4 + utf8Length(ranges[i]!.key) + 16 + 4;
    for (const s of selections[i]!) {
      size += 4 + labelsByteLength(s.labels) + 4;
      for (const src of s.sources) {
        size += 4;
        for (const c of src) size += 20 + c.data.length;
      }
    }
  }
  // Pass 2: write.
  const buf = new ArrayBuffer(size);
  const dv = new DataView(buf);
  const bytes = new Uint8Array(buf);
  let p = 0;
  dv.setUint32(p, PREFETCH_MAGIC, true);
  dv.setUint32(p + 4, ranges.length, true);
  p += 8;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    const keyEnd = writeUtf8(r.key, bytes, p + 4);
    dv.setUint32(p, keyEnd - p - 4, true);
    p = keyEnd;
    dv.setFloat64(p, r.mint, true);
    dv.setFloat64(p + 8, r.maxt, true);
    const series = selections[i]!;
    dv.setUint32(p + 16, series.length, true);
    p += 20;
    for (const s of series) {
      const labelsEnd = encodeLabelsInto(s.labels, bytes, p + 4);
      dv.setUint32(p, labelsEnd - p - 4, true);
      p = labelsEnd;
      dv.setUint32(p, s.sources.length, true);
      p += 4;
      for (const src of s.sources) {
        dv.setUint32(p, src.length, true);
        p += 4;
        for (const c of src) {
          dv.setFloat64(p, c.minT, true);
          dv.setFloat64(p + 8, c.maxT, true);
          dv.setUint32(p + 16, c.data.length, true);
          bytes.set(c.data, p + 20);
          p += 20 + c.data.length;
        }
      }
    }
  }
  if (p !== size) throw new Error(`prefetch: packed ${p} bytes, computed ${size}`);
  return buf;
}
