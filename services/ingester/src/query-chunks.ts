/**
 * The ingester's read RPC for the query path: the XOR chunks of the series matching a selector
 * in a time range, as `proto/ingester.proto` describes them (`QueryResponse`). In the single
 * process the querier calls it directly and receives these objects without any encoding.
 *
 * Snapshot rule: the result never changes after the call returns, whatever is appended later.
 * Completed chunks are immutable copies in the head's chunk arena (never reused or modified),
 * so they are returned as views; the open chunk's bytes are a live view of a buffer that the
 * next append modifies (its sample-count header and last byte) or reallocates, so they are
 * copied.
 *
 * Range rule: every chunk overlapping [mint, maxt] is returned whole; a chunk may hold samples
 * outside the range, and the reader trims them while iterating.
 */
import { Labels, type Matcher } from '@tessera/model';
import type { Head } from '@tessera/tsdb';

/** One XOR chunk (Prometheus's encoding 1, header included) and its inclusive time bounds (ms). */
export interface ChunkData {
  minT: number;
  maxT: number;
  data: Uint8Array;
}

/** One series and its chunks overlapping the queried range, oldest first, non-overlapping. */
export interface ChunkSeries {
  labels: Labels;
  chunks: ChunkData[];
}

/**
 * The series of `head` matching every matcher that have a chunk overlapping [mint, maxt],
 * sorted by labels (Labels.compare), each with those chunks. See the file comment for what is
 * copied.
 */
export function queryHeadChunks(head: Head, matchers: readonly Matcher[], mint: number, maxt: number): ChunkSeries[] {
  const out: ChunkSeries[] = [];
  for (const s of head.select(matchers, mint, maxt)) {
    const chunks: ChunkData[] = [];
    s.forEachChunk(mint, maxt, (bytes, minT, maxT) => {
      // Completed chunks all end before the open chunk starts, so only the open chunk begins at
      // openMinT.
      const isOpen = s.open !== null && minT === s.openMinT;
      chunks.push({ minT, maxT, data: isOpen ? bytes.slice() : bytes });
    });
    if (chunks.length > 0) out.push({ labels: head.labelsOf(s), chunks });
  }
  out.sort((a, b) => Labels.compare(a.labels, b.labels));
  return out;
}
