/**
 * SeriesChunkMerger: the chunks of one series gathered from several blocks, turned into one
 * non-overlapping chunk list whose float chunks hold up to `samplesPerChunk` samples
 * (`-compactor.samples-per-chunk`).
 *
 * The head cuts chunks at 120 samples; a compacted block holds each series for 12 h or 24 h, and
 * the fixed cost of a chunk (header, first timestamp and value, segment framing, index meta) is
 * most of the bytes of a constant series. So the chunks are re-cut:
 *
 * - the chunks, sorted by time, form groups of overlapping ones (as in merge-chunks.ts); a run is
 *   a maximal sequence of groups holding XOR chunks (a histogram chunk, copied as it is, ends a
 *   run). Each run's samples — a single or byte-identical group's chunk decoded, an overlapping
 *   group's chunks merged one sample per timestamp, lowest source first — go to one buffer;
 * - the S samples of a run are cut into ceil(S / N) chunks of near-equal counts (chunk i holds
 *   samples [floor(i·S/k), floor((i+1)·S/k)), so counts differ by at most one and no tiny tail
 *   chunk is left), each re-encoded; values move as their two 32-bit words, so NaN payloads (the
 *   stale marker 0x7ff0000000000002 included) survive bit for bit;
 * - a run that needs no merging and is already split evenly (ceil(S / N) chunks whose counts
 *   differ by at most one, in any order: a block this compactor wrote) is copied without decoding;
 * - at N = 120 (Prometheus's layout) nothing is re-cut: mergeSeriesChunks runs as before, so
 *   chunks that overlap nothing are copied untouched.
 *
 * Memory: the two sample buffers grow to the largest run (one series' samples in the block:
 * 16 bytes a sample) and are reused for every series; nothing is allocated per sample.
 */
import { ENCODING_XOR, MAX_SAMPLES_PER_CHUNK, XorAppender, XorIterator, xorChunkNumSamples } from '@tessera/chunkenc';
import type { BlockChunk } from '@tessera/tsdb';
import { mergeSeriesChunks, newMergeStats, UnmergeableChunkError, type MergeStats, type SourceChunk } from './merge-chunks.ts';

/** Growable timestamps and raw values, for one run's samples. */
class SampleBuffer {
  ts = new Float64Array(1024);
  values = new Float64Array(1024);
  /** `values` as 32-bit words: copying words keeps NaN payloads a float copy might not. */
  words = new Uint32Array(this.values.buffer);
  n = 0;

  /** Makes room for `extra` more samples. */
  reserve(extra: number): void {
    const need = this.n + extra;
    if (need <= this.ts.length) return;
    const cap = Math.max(need, this.ts.length * 2);
    const ts = new Float64Array(cap);
    ts.set(this.ts.subarray(0, this.n));
    const values = new Float64Array(cap);
    const words = new Uint32Array(values.buffer);
    words.set(this.words.subarray(0, 2 * this.n));
    this.ts = ts;
    this.values = values;
    this.words = words;
  }
}

/** Merges and re-cuts the chunks of one series after another; one per compaction (not shared). */
export class SeriesChunkMerger {
  readonly #n: number;
  /** The run's samples, in time order, one per timestamp. */
  readonly #run = new SampleBuffer();
  /** An overlapping group's chunks decoded one after the other, before their k-way merge. */
  readonly #group = new SampleBuffer();
  readonly #it = new XorIterator();

  /** `samplesPerChunk`: most samples in a float chunk written; an integer from 1 to 65535. */
  constructor(samplesPerChunk: number) {
    if (!Number.isInteger(samplesPerChunk) || samplesPerChunk < 1 || samplesPerChunk > 0xffff) {
      throw new RangeError(`samples per chunk must be an integer in 1..65535, got ${samplesPerChunk}`);
    }
    this.#n = samplesPerChunk;
  }

  /**
   * Merges the chunks of one series into non-overlapping chunks, oldest first.
   *
   * @throws UnmergeableChunkError when overlapping chunks are not XOR, an XOR chunk is corrupt,
   *   or its samples are out of order or outside its meta's range.
   */
  merge(chunks: readonly SourceChunk[], stats: MergeStats = newMergeStats()): BlockChunk[] {
    if (this.#n === MAX_SAMPLES_PER_CHUNK) return mergeSeriesChunks(chunks, stats);
    const sorted = [...chunks].sort((a, b) => a.minT - b.minT || a.source - b.source);
    const out: BlockChunk[] = [];
    let runStart = 0;
    for (let i = 0; i < sorted.length; ) {
      const j = groupEnd(sorted, i);
      if (isCopy(sorted, i, j) && !isXor(sorted[i]!)) {
        this.#flushRun(sorted, runStart, i, out, stats);
        out.push(copyOf(sorted[i]!));
        stats.copied++;
        runStart = j;
      }
      i = j;
    }
    this.#flushRun(sorted, runStart, sorted.length, out, stats);
    return out;
  }

  /** Writes the run of XOR groups `sorted[from, to)`: copied if already cut right, else re-cut. */
  #flushRun(sorted: readonly SourceChunk[], from: number, to: number, out: BlockChunk[], stats: MergeStats): void {
    if (from === to) return;
    if (this.#alreadyCut(sorted, from, to)) {
      for (let i = from; i < to; i = groupEnd(sorted, i)) {
        out.push(copyOf(sorted[i]!));
        stats.copied++;
      }
      return;
    }
    const run = this.#run;
    run.n = 0;
    let bytes = 0;
    for (let i = from; i < to; ) {
      const j = groupEnd(sorted, i);
      if (isCopy(sorted, i, j)) {
        this.#decodeInto(run, sorted[i]!, run.n > 0 ? run.ts[run.n - 1]! : -Infinity);
        bytes += sorted[i]!.data.length;
      } else {
        stats.duplicateSamples += this.#mergeGroup(sorted, i, j);
        for (let k = i; k < j; k++) bytes += sorted[k]!.data.length / (j - i);
      }
      i = j;
    }
    this.#cut(bytes, out, stats);
  }

  /**
   * Whether the run needs neither merging nor re-cutting: every group one chunk (or identical
   * copies), k = ceil(S / N) of them, each holding floor(S / k) or ceil(S / k) samples — an even
   * split, whatever the order of the sizes (so a block this compactor wrote is copied when
   * compacted again, and so are two evenly split halves whose chunks also split the whole
   * evenly). Reads chunk headers only.
   */
  #alreadyCut(sorted: readonly SourceChunk[], from: number, to: number): boolean {
    let total = 0;
    let count = 0;
    let min = Infinity;
    let max = 0;
    for (let i = from; i < to; ) {
      const j = groupEnd(sorted, i);
      if (!isCopy(sorted, i, j) || sorted[i]!.data.length < 2) return false;
      const n = xorChunkNumSamples(sorted[i]!.data);
      total += n;
      min = Math.min(min, n);
      max = Math.max(max, n);
      count++;
      i = j;
    }
    const k = Math.ceil(total / this.#n);
    return k === count && min >= Math.floor(total / k) && max <= Math.ceil(total / k);
  }

  /**
   * Appends the samples of XOR chunk `c` to `buf`, checking they increase from above `after` and
   * lie within the chunk's meta range (the metas decide the grouping, so they must be right).
   */
  #decodeInto(buf: SampleBuffer, c: SourceChunk, after: number): void {
    if (!isXor(c)) throw new UnmergeableChunkError(c.source, `cannot merge overlapping chunks of encoding ${c.encoding} (only XOR)`);
    const it = this.#it;
    it.reset(c.data);
    buf.reserve(c.data.length >= 2 ? xorChunkNumSamples(c.data) : 0);
    let last = after;
    while (it.next()) {
      const t = it.t;
      if (t <= last || t < c.minT || t > c.maxT) {
        throw new UnmergeableChunkError(c.source, `corrupt chunk [${c.minT}, ${c.maxT}]: sample at ${t} out of order or outside the chunk's range`);
      }
      buf.ts[buf.n] = t;
      it.valueInto(buf.values, buf.n);
      buf.n++;
      last = t;
    }
    if (it.err !== null) throw new UnmergeableChunkError(c.source, `corrupt chunk [${c.minT}, ${c.maxT}]: ${it.err.message}`, it.err);
  }

  /**
   * Appends the union of an overlapping group's samples to the run, one per timestamp: each chunk
   * is decoded into the group buffer, then a k-way walk takes the smallest timestamp, the lowest
   * source winning a tie. The group is small (the RF copies of a few chunks). Returns the number
   * of samples dropped as duplicates.
   */
  #mergeGroup(sorted: readonly SourceChunk[], from: number, to: number): number {
    const g = this.#group;
    g.n = 0;
    const k = to - from;
    const pos = new Array<number>(k);
    const end = new Array<number>(k);
    for (let c = 0; c < k; c++) {
      pos[c] = g.n;
      // Each chunk's samples must increase; the chunks overlap one another by definition.
      this.#decodeInto(g, sorted[from + c]!, -Infinity);
      end[c] = g.n;
    }
    const run = this.#run;
    run.reserve(g.n);
    let dropped = 0;
    for (;;) {
      let best = -1;
      let bestT = 0;
      for (let c = 0; c < k; c++) {
        if (pos[c]! === end[c]!) continue;
        const t = g.ts[pos[c]!]!;
        if (best < 0 || t < bestT || (t === bestT && sorted[from + c]!.source < sorted[from + best]!.source)) {
          best = c;
          bestT = t;
        }
      }
      if (best < 0) return dropped;
      if (run.n > 0 && bestT <= run.ts[run.n - 1]!) {
        throw new UnmergeableChunkError(sorted[from + best]!.source, `corrupt chunk: sample at ${bestT} out of order`);
      }
      const src = pos[best]!;
      run.ts[run.n] = bestT;
      run.words[2 * run.n] = g.words[2 * src]!;
      run.words[2 * run.n + 1] = g.words[2 * src + 1]!;
      run.n++;
      for (let c = 0; c < k; c++) {
        if (pos[c]! < end[c]! && g.ts[pos[c]!] === bestT) {
          if (c !== best) dropped++;
          pos[c]!++;
        }
      }
    }
  }

  /** Cuts the run's samples evenly into chunks of at most N; `bytes` (input size) sizes the encoders. */
  #cut(bytes: number, out: BlockChunk[], stats: MergeStats): void {
    const run = this.#run;
    const total = run.n;
    if (total === 0) return;
    const k = Math.ceil(total / this.#n);
    const bytesPerSample = bytes / total;
    for (let c = 0; c < k; c++) {
      const from = Math.floor((c * total) / k);
      const to = Math.floor(((c + 1) * total) / k);
      // Room for the chunk at the input's density plus a margin, so the buffer rarely grows.
      const app = new XorAppender(Math.ceil(bytesPerSample * (to - from) * 1.25) + 32);
      for (let s = from; s < to; s++) app.appendFrom(run.ts[s]!, run.values, s);
      out.push({ minT: run.ts[from]!, maxT: run.ts[to - 1]!, data: app.bytes().slice() });
      stats.reencoded++;
    }
  }
}

/** Index after the group of overlapping chunks starting at `sorted[i]` (sorted by minT). */
function groupEnd(sorted: readonly SourceChunk[], i: number): number {
  let j = i + 1;
  let maxT = sorted[i]!.maxT;
  while (j < sorted.length && sorted[j]!.minT <= maxT) {
    maxT = Math.max(maxT, sorted[j]!.maxT);
    j++;
  }
  return j;
}

/** Whether the group `sorted[from, to)` is one chunk, or copies of one (same range, encoding, bytes). */
function isCopy(sorted: readonly SourceChunk[], from: number, to: number): boolean {
  const first = sorted[from]!;
  for (let k = from + 1; k < to; k++) {
    const c = sorted[k]!;
    if (c.minT !== first.minT || c.maxT !== first.maxT || (c.encoding ?? ENCODING_XOR) !== (first.encoding ?? ENCODING_XOR)) return false;
    if (!sameBytes(c.data, first.data)) return false;
  }
  return true;
}

function isXor(c: SourceChunk): boolean {
  return (c.encoding ?? ENCODING_XOR) === ENCODING_XOR;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function copyOf(c: SourceChunk): BlockChunk {
  return { minT: c.minT, maxT: c.maxT, data: c.data, ...(c.encoding === undefined ? {} : { encoding: c.encoding }) };
}
