/**
 * The querier's storage view over ingesters: what it needs from an ingester
 * ({@link ChunkReader}), the merge of the series several ingesters return for one selector
 * ({@link mergeChunkSeries}: replicas of a series, i.e. equal label sets, become one series whose
 * samples are de-duplicated by timestamp), and {@link IngesterQueryable}, a PromQL `Queryable`
 * reading synchronous readers directly.
 *
 * The query runner does not use IngesterQueryable: it fetches every selector's chunks up front
 * (possibly from remote, asynchronous readers) and evaluates over the prefetched copy on a
 * worker thread (see prefetch.ts). Both paths share the merge and the iterators, so they agree.
 */
import { Labels, type Matcher } from '@tessera/model';
import type { ChunkData, ChunkSeries } from '@tessera/ingester';
import type { Querier, Queryable, SelectHints, StorageSeries } from '@tessera/promql';
import { overlapsRange, seriesIterator, type SourceChunks } from './chunk-iterators.ts';

/**
 * The read an ingester answers for the query path (in-process: the Ingester itself; in the
 * cluster mode: a client of the ingester's HTTP RPC, hence the optional Promise). The series
 * must be sorted by labels; each chunk list oldest first. Chunks may extend beyond [mint, maxt].
 */
export interface ChunkReader {
  queryChunks(tenant: string, matchers: readonly Matcher[], mint: number, maxt: number): ChunkSeries[] | Promise<ChunkSeries[]>;
}

/** One series as gathered from every ingester that holds it: labels and one chunk list per replica. */
export interface MergedChunkSeries {
  labels: Labels;
  /** The chunks of each replica, in the order of the readers; never empty. */
  sources: ChunkData[][];
}

function sortedByLabels(list: readonly ChunkSeries[]): readonly ChunkSeries[] {
  for (let i = 1; i < list.length; i++) {
    if (Labels.compare(list[i - 1]!.labels, list[i]!.labels) > 0) {
      return list.slice().sort((a, b) => Labels.compare(a.labels, b.labels));
    }
  }
  return list;
}

/**
 * Merges the answers of several readers for one selector into one list sorted by labels,
 * grouping equal label sets (replicas) into one series. A reader that breaks the sort order
 * is sorted here rather than trusted.
 */
export function mergeChunkSeries(lists: readonly (readonly ChunkSeries[])[]): MergedChunkSeries[] {
  if (lists.length === 1) {
    return sortedByLabels(lists[0]!).map((s) => ({ labels: s.labels, sources: [s.chunks] }));
  }
  const sorted = lists.map(sortedByLabels);
  const pos = new Int32Array(sorted.length);
  const out: MergedChunkSeries[] = [];
  for (;;) {
    // The smallest label set among the lists' heads; k is small (the replication factor).
    let min: Labels | null = null;
    for (let i = 0; i < sorted.length; i++) {
      const s = sorted[i]![pos[i]!];
      if (s !== undefined && (min === null || Labels.compare(s.labels, min) < 0)) min = s.labels;
    }
    if (min === null) return out;
    const sources: ChunkData[][] = [];
    for (let i = 0; i < sorted.length; i++) {
      const s = sorted[i]![pos[i]!];
      if (s !== undefined && Labels.compare(s.labels, min) === 0) {
        if (s.chunks.length > 0) sources.push(s.chunks);
        pos[i]!++;
      }
    }
    if (sources.length > 0) out.push({ labels: min, sources });
  }
}

/** Converts chunk objects into the parallel arrays the iterators read. */
export function toSourceChunks(chunks: readonly ChunkData[]): SourceChunks {
  const minTs = new Float64Array(chunks.length);
  const maxTs = new Float64Array(chunks.length);
  const bytes: Uint8Array[] = new Array<Uint8Array>(chunks.length);
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!;
    minTs[i] = c.minT;
    maxTs[i] = c.maxT;
    bytes[i] = c.data;
  }
  return { chunks: bytes, minTs, maxTs };
}

/**
 * A PromQL Queryable over one tenant's data in a set of synchronous readers (the in-process
 * ingester): every select asks every reader and merges the answers. Throws at select when a
 * reader answers asynchronously (use the query runner for those).
 */
export class IngesterQueryable implements Queryable {
  readonly #tenant: string;
  readonly #readers: () => readonly ChunkReader[];

  constructor(tenant: string, readers: () => readonly ChunkReader[]) {
    this.#tenant = tenant;
    this.#readers = readers;
  }

  querier(mint: number, maxt: number): Querier {
    const tenant = this.#tenant;
    const readers = this.#readers;
    return {
      select(matchers: readonly Matcher[], _hints: SelectHints, signal?: AbortSignal): StorageSeries[] {
        signal?.throwIfAborted();
        const lists: ChunkSeries[][] = [];
        for (const r of readers()) {
          const got = r.queryChunks(tenant, matchers, mint, maxt);
          if (got instanceof Promise) {
            got.catch(() => {}); // nobody awaits it
            throw new Error('IngesterQueryable needs synchronous chunk readers');
          }
          lists.push(got);
        }
        const out: StorageSeries[] = [];
        for (const m of mergeChunkSeries(lists)) {
          const sources = m.sources.map(toSourceChunks);
          if (!overlapsRange(sources, mint, maxt)) continue;
          out.push({ labels: m.labels, iterator: () => seriesIterator(sources, mint, maxt) });
        }
        return out;
      },
      close(): void {},
    };
  }
}
