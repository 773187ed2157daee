/**
 * Test-only helpers: seeded series with stale markers and odd NaNs, blocks written from them
 * (as an ingester would: one chunk per 120 samples, or another cut), and every sample of a block
 * read back as comparable text. Not exported from the package.
 */
import { XorAppender, XorIterator } from '@tessera/chunkenc';
import { Labels, seededRandom } from '@tessera/model';
import { writeBlock, type BlockMeta, type BlockReader, type BlockSeries } from '@tessera/tsdb';
import type { SourceChunk } from './merge-chunks.ts';

/** Bits of Prometheus's stale marker NaN (0x7ff0000000000002). */
export const STALE_HI = 0x7ff00000;
export const STALE_LO = 0x00000002;

/** Raw samples of one series; values by their exact bits. */
export interface Samples {
  labels: Labels;
  ts: number[];
  values: Float64Array;
}

/** Seeded floats in [0, 1) (mulberry32, from @tessera/model). */
export const rng = seededRandom;

/**
 * `count` series with a sample every `stepMs` in [from, to), sorted by labels. About 2% of the
 * samples are stale markers and 1% a NaN with another payload; values are otherwise random.
 */
export function makeSeries(seed: number, count: number, from: number, to: number, stepMs: number): Samples[] {
  const r = rng(seed);
  const out: Samples[] = [];
  for (let i = 0; i < count; i++) {
    const labels = Labels.fromObject({ __name__: `metric_${i % 3}`, instance: `host-${i}:9100`, job: i % 2 === 0 ? 'node' : 'api' });
    const ts: number[] = [];
    for (let t = from + (i % 7) * 100; t < to; t += stepMs) ts.push(t);
    const values = new Float64Array(ts.length);
    const u32 = new Uint32Array(values.buffer);
    for (let k = 0; k < ts.length; k++) {
      values[k] = Math.round(r() * 1e6) / 1000;
      const x = r();
      if (x < 0.02) {
        u32[2 * k + 1] = STALE_HI;
        u32[2 * k] = STALE_LO;
      } else if (x < 0.03) {
        u32[2 * k + 1] = 0x7ff80000;
        u32[2 * k] = 0x00000bad;
      }
    }
    out.push({ labels, ts, values });
  }
  return out.sort((a, b) => Labels.compare(a.labels, b.labels));
}

/** The samples of `series` within [mint, maxt), optionally keeping only those `keep` accepts. */
export function slice(series: readonly Samples[], mint: number, maxt: number, keep: (t: number, i: number) => boolean = () => true): Samples[] {
  const out: Samples[] = [];
  series.forEach((s, i) => {
    const idx = s.ts.map((t, k) => (t >= mint && t < maxt && keep(t, i) ? k : -1)).filter((k) => k >= 0);
    if (idx.length === 0) return;
    const values = new Float64Array(idx.length);
    const src = new Uint32Array(s.values.buffer, s.values.byteOffset, s.values.length * 2);
    const dst = new Uint32Array(values.buffer);
    idx.forEach((k, n) => {
      dst[2 * n] = src[2 * k]!;
      dst[2 * n + 1] = src[2 * k + 1]!;
    });
    out.push({ labels: s.labels, ts: idx.map((k) => s.ts[k]!), values });
  });
  return out;
}

/** Encodes series into XOR chunks of at most `perChunk` samples. */
export function toBlockSeries(series: readonly Samples[], perChunk = 120): BlockSeries[] {
  return series.map((s) => {
    const chunks = [];
    for (let from = 0; from < s.ts.length; from += perChunk) {
      const app = new XorAppender();
      const to = Math.min(s.ts.length, from + perChunk);
      for (let k = from; k < to; k++) app.appendFrom(s.ts[k]!, s.values, k);
      chunks.push({ minT: s.ts[from]!, maxT: s.ts[to - 1]!, data: app.bytes().slice() });
    }
    return { labels: s.labels, chunks };
  });
}

/** Writes a level-1 block of `series` for [mint, maxt) into `dir`, as an ingester ships it. */
export function writeLevel1(dir: string, series: readonly Samples[], mint: number, maxt: number, perChunk = 120, ulid?: string): Promise<BlockMeta> {
  return writeBlock(dir, toBlockSeries(series, perChunk), {
    minTime: mint,
    maxTime: maxt,
    thanos: { labels: {}, downsample: { resolution: 0 }, source: 'ingester' },
    ...(ulid === undefined ? {} : { ulid }),
  });
}

/** A sample as comparable text: `t:hi:lo` (value bits in hex). */
function key(t: number, v: Float64Array, k: number): string {
  const u = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
  return `${t}:${u[2 * k + 1]!.toString(16)}:${u[2 * k]!.toString(16)}`;
}

/** Every sample of `series`, keyed by `labels.toString()`. */
export function expected(series: readonly Samples[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of series) {
    const list = out.get(s.labels.toString()) ?? [];
    s.ts.forEach((t, k) => list.push(key(t, s.values, k)));
    out.set(s.labels.toString(), list);
  }
  return out;
}

/**
 * Every sample of a block, keyed by labels, in stored order; also checks that the chunks of each
 * series are ordered, do not overlap, hold at most `maxPerChunk` samples, and that each chunk's
 * meta range is exactly its first and last timestamps.
 */
export async function readAll(reader: BlockReader, maxPerChunk = 120): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const it = new XorIterator();
  const one = new Float64Array(1);
  for await (const s of reader.selectIter([], -Infinity, Infinity)) {
    const keys: string[] = [];
    let prevMax = -Infinity;
    for (const c of s.chunks) {
      if (c.minT <= prevMax) throw new Error(`overlapping chunks in ${s.labels.toString()}`);
      prevMax = c.maxT;
      it.reset(await reader.chunk(c.ref));
      let n = 0;
      let first = NaN;
      while (it.next()) {
        if (n === 0) first = it.t;
        it.valueInto(one, 0);
        keys.push(key(it.t, one, 0));
        n++;
      }
      if (it.err !== null) throw it.err;
      if (n > maxPerChunk) throw new Error(`chunk of ${n} samples in ${s.labels.toString()}`);
      if (first !== c.minT || it.t !== c.maxT) throw new Error(`chunk meta [${c.minT}, ${c.maxT}] but samples [${first}, ${it.t}] in ${s.labels.toString()}`);
    }
    out.set(s.labels.toString(), keys);
  }
  return out;
}

/** A sample as [t, hi, lo]: its timestamp and the two 32-bit words of its value's bits. */
export type SampleBits = [number, number, number];

/** [t, hi, lo] of a plain number. */
export function bitsOf(t: number, v: number): SampleBits {
  const u = new Uint32Array(new Float64Array([v]).buffer);
  return [t, u[1]!, u[0]!];
}

/** One XOR chunk of `samples` (values set bit for bit) from source block `source`. */
export function bitsChunk(source: number, samples: readonly SampleBits[], encoding?: number): SourceChunk {
  const values = new Float64Array(samples.length);
  const u = new Uint32Array(values.buffer);
  const app = new XorAppender();
  samples.forEach(([t, hi, lo], k) => {
    u[2 * k + 1] = hi;
    u[2 * k] = lo;
    app.appendFrom(t, values, k);
  });
  const c: SourceChunk = { minT: samples[0]![0], maxT: samples.at(-1)![0], data: app.bytes().slice(), source };
  return encoding === undefined ? c : { ...c, encoding };
}
