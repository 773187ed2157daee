/**
 * mergeSeriesChunks: the chunks of one series gathered from several blocks, turned into one
 * non-overlapping chunk list, each sample kept once, in chunks of at most 120 samples: what the
 * compactor does at `-compactor.samples-per-chunk=120` (Prometheus's layout). Other values re-cut
 * every float chunk (recut-chunks.ts), which uses the types and error defined here.
 *
 * Chunks are walked in time order and grouped by overlap (a chunk joins the group while it starts
 * at or before the group's last timestamp). A group of one chunk — the case of every horizontal
 * compaction — is copied as it is, bytes untouched. A group whose chunks are byte-identical (RF
 * copies cut the same way by every ingester) keeps one of them, also untouched. Any other group is
 * decoded and re-encoded: samples merged by timestamp, one per timestamp, cut into chunks of at
 * most {@link MAX_SAMPLES_PER_CHUNK} samples; values are moved as raw bits, so NaN payloads (the
 * stale marker 0x7ff0000000000002 included) survive bit for bit.
 *
 * Conflicts (two sources with different values at one timestamp) keep the value of the source
 * with the lowest `source` index: the caller orders blocks by ULID, so the choice is deterministic
 * and repeatable whatever order the bucket lists blocks in.
 */
import { ENCODING_XOR, MAX_SAMPLES_PER_CHUNK, XorAppender, XorIterator, xorChunkNumSamples } from '@tessera/chunkenc';
import type { BlockChunk } from '@tessera/tsdb';

/** A chunk of one series read from a source block. */
export interface SourceChunk {
  minT: number;
  maxT: number;
  data: Uint8Array;
  /** Encoding byte; XOR when absent. */
  encoding?: number;
  /** Index of the source block in the merge's order; lower wins a conflict. */
  source: number;
}

/**
 * A chunk that cannot be merged: corrupt, or overlapping others in an encoding that cannot be
 * re-encoded. Names the source it came from, so that the caller can tell which block is broken.
 */
export class UnmergeableChunkError extends Error {
  readonly source: number;

  constructor(source: number, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'UnmergeableChunkError';
    this.source = source;
  }
}

/** What merging did to one series, for the compactor's counters and tests. */
export interface MergeStats {
  /** Chunks copied without decoding. */
  copied: number;
  /** Chunks written after decoding and re-encoding overlapping ones. */
  reencoded: number;
  /** Samples dropped because another source had the same timestamp. */
  duplicateSamples: number;
}

/** Creates zeroed {@link MergeStats}. */
export function newMergeStats(): MergeStats {
  return { copied: 0, reencoded: 0, duplicateSamples: 0 };
}

/**
 * Merges the chunks of one series into non-overlapping chunks, oldest first.
 *
 * @throws UnmergeableChunkError when overlapping chunks are not XOR (only XOR can be re-encoded)
 *   or one of them is corrupt.
 */
export function mergeSeriesChunks(chunks: readonly SourceChunk[], stats: MergeStats = newMergeStats()): BlockChunk[] {
  const sorted = [...chunks].sort((a, b) => a.minT - b.minT || a.source - b.source);
  const out: BlockChunk[] = [];
  // One cutter for the whole series: consecutive re-encoded groups fill the same chunks, so
  // copies cut at different places do not leave a partial chunk at every group boundary.
  const cutter = new ChunkCutter(out, stats);
  let i = 0;
  while (i < sorted.length) {
    let j = i + 1;
    let groupMaxT = sorted[i]!.maxT;
    while (j < sorted.length && sorted[j]!.minT <= groupMaxT) {
      groupMaxT = Math.max(groupMaxT, sorted[j]!.maxT);
      j++;
    }
    const group = sorted.slice(i, j);
    if (group.length === 1 || allIdentical(group)) {
      cutter.flush();
      out.push(copyOf(group[0]!));
      stats.copied++;
    } else {
      reencode(group, cutter, stats);
    }
    i = j;
  }
  cutter.flush();
  return out;
}

function copyOf(c: SourceChunk): BlockChunk {
  return { minT: c.minT, maxT: c.maxT, data: c.data, ...(c.encoding === undefined ? {} : { encoding: c.encoding }) };
}

function allIdentical(group: readonly SourceChunk[]): boolean {
  const first = group[0]!;
  for (let k = 1; k < group.length; k++) {
    const c = group[k]!;
    if (c.minT !== first.minT || c.maxT !== first.maxT || (c.encoding ?? ENCODING_XOR) !== (first.encoding ?? ENCODING_XOR)) return false;
    if (!sameBytes(c.data, first.data)) return false;
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** Room for a chunk of 120 random floats without growing (the default 256 bytes grows 3 times). */
const CHUNK_CAPACITY = 1536;

/** Encodes samples (increasing timestamps) into XOR chunks of at most 120 samples. */
class ChunkCutter {
  readonly #out: BlockChunk[];
  readonly #stats: MergeStats;
  #app: XorAppender | null = null;
  #first = 0;

  constructor(out: BlockChunk[], stats: MergeStats) {
    this.#out = out;
    this.#stats = stats;
  }

  /** Appends the sample `(t, values[k])`, its value by its bits. */
  append(t: number, values: Float64Array, k: number): void {
    if (this.#app !== null && this.#app.numSamples === MAX_SAMPLES_PER_CHUNK) this.flush();
    if (this.#app === null) {
      this.#app = new XorAppender(CHUNK_CAPACITY);
      this.#first = t;
    }
    this.#app.appendFrom(t, values, k);
  }

  /** Emits the chunk being filled, if any. */
  flush(): void {
    const app = this.#app;
    if (app === null || app.numSamples === 0) return;
    this.#out.push({ minT: this.#first, maxT: app.lastTimestamp(), data: app.bytes().slice() });
    this.#stats.reencoded++;
    this.#app = null;
  }
}

/**
 * Decodes every chunk of an overlapping group and appends the union of their samples to
 * `cutter`. The group is small (the RF copies of a few chunks), so decoding it whole costs little
 * memory. Each decoded chunk is sorted by time, so a k-way walk yields the samples in order; at a
 * timestamp several chunks share, the lowest source wins and the others are skipped.
 */
function reencode(group: readonly SourceChunk[], cutter: ChunkCutter, stats: MergeStats): void {
  const decoded = group.map((c) => {
    if ((c.encoding ?? ENCODING_XOR) !== ENCODING_XOR) {
      throw new UnmergeableChunkError(c.source, `cannot merge overlapping chunks of encoding ${c.encoding} (only XOR)`);
    }
    let d: ReturnType<typeof decodeChunk>;
    try {
      d = decodeChunk(c.data);
    } catch (e) {
      throw new UnmergeableChunkError(c.source, `corrupt chunk [${c.minT}, ${c.maxT}]: ${(e as Error).message}`, e);
    }
    return { ...d, source: c.source, pos: 0 };
  });
  for (;;) {
    let best: (typeof decoded)[number] | null = null;
    let bestT = 0;
    for (const d of decoded) {
      if (d.pos === d.ts.length) continue;
      const t = d.ts[d.pos]!;
      if (best === null || t < bestT || (t === bestT && d.source < best.source)) {
        best = d;
        bestT = t;
      }
    }
    if (best === null) return;
    cutter.append(bestT, best.values, best.pos);
    for (const d of decoded) {
      if (d.pos < d.ts.length && d.ts[d.pos] === bestT) {
        if (d !== best) stats.duplicateSamples++;
        d.pos++;
      }
    }
  }
}

/** Decodes an XOR chunk into timestamps and raw values. @throws Error on a corrupt chunk. */
export function decodeChunk(data: Uint8Array): { ts: number[]; values: Float64Array } {
  const it = new XorIterator(data);
  // The iterator stops after the header's sample count, so `values` never overflows.
  const values = new Float64Array(xorChunkNumSamples(data));
  const ts: number[] = [];
  while (it.next()) {
    it.valueInto(values, ts.length);
    ts.push(it.t);
  }
  if (it.err !== null) throw it.err;
  return { ts, values: values.subarray(0, ts.length) };
}
