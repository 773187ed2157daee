/**
 * Test-only fixtures for blocks: seeded random series (counters, gauges, stale markers), their
 * XOR encoding into block series, and reading every sample of a block back. Not exported from
 * the package.
 */
import { XorAppender, XorIterator } from '@tessera/chunkenc';
import { Labels, quoteGo, seededRandom } from '@tessera/model';
import type { BlockSeries } from '../block-writer.ts';
import type { BlockReader } from '../block-reader.ts';

/** Bits of Prometheus's stale marker NaN. */
export const STALE_NAN_HI = 0x7ff00000;
export const STALE_NAN_LO = 0x00000002;

/** Raw samples of one series; values by their exact bits. */
export interface SampleSeries {
  labels: Labels;
  ts: number[];
  values: Float64Array;
}

/** Seeded floats in [0, 1) (mulberry32, from @tessera/model). */
export const rng = seededRandom;

/**
 * `count` random series from `start` (ms), `samples` samples each about `stepMs` apart (with
 * jitter and gaps), sorted by labels. Label values include quoting-worthy and non-ASCII text.
 */
export function randomSeries(seed: number, count: number, start: number, samples: number, stepMs: number): SampleSeries[] {
  const r = rng(seed);
  const odd = ['a"quote', 'back\\slash', 'zürich', 'tab\there', '日本'];
  const out: SampleSeries[] = [];
  const seen = new Set<string>();
  const hosts = Math.max(50, count);
  for (let i = 0; out.length < count; i++) {
    if (i > 100 * count) throw new Error('randomSeries: cannot find enough distinct label sets');
    const labels = Labels.fromObject({
      __name__: `metric_${Math.floor(r() * 4)}`,
      instance: `host-${Math.floor(r() * hosts)}:9100`,
      job: r() < 0.5 ? 'node' : 'api',
      ...(r() < 0.2 ? { extra: odd[Math.floor(r() * odd.length)]! } : {}),
    });
    const key = labels.toString();
    if (seen.has(key)) continue;
    seen.add(key);
    const ts: number[] = [];
    const values = new Float64Array(samples);
    const u32 = new Uint32Array(values.buffer);
    const counter = r() < 0.5;
    let t = start + Math.floor(r() * stepMs);
    let v = Math.floor(r() * 1000);
    for (let k = 0; k < samples; k++) {
      ts.push(t);
      if (counter) v += Math.floor(r() * 100);
      else v = Math.round((r() * 200 - 100) * 1000) / 1000;
      values[k] = v;
      if (k > 0 && r() < 0.01) {
        u32[2 * k + 1] = STALE_NAN_HI;
        u32[2 * k] = STALE_NAN_LO;
      }
      t += r() < 0.02 ? stepMs * 20 : stepMs + (r() < 0.1 ? Math.floor(r() * 1000) : 0);
    }
    out.push({ labels, ts, values });
  }
  return out.sort((a, b) => Labels.compare(a.labels, b.labels));
}

/** Encodes series into XOR chunks of at most `perChunk` samples. */
export function toBlockSeries(series: readonly SampleSeries[], perChunk = 120): BlockSeries[] {
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

/** A series' samples as comparable text: `t:hi:lo` per sample (value bits in hex). */
export function sampleKeys(ts: readonly number[], values: Float64Array): string[] {
  const u32 = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  return ts.map((t, k) => `${t}:${u32[2 * k + 1]!.toString(16)}:${u32[2 * k]!.toString(16)}`);
}

/** Every sample of the given series within [mint, maxt], keyed by `labels.toString()`. */
export function expectedSamples(series: readonly SampleSeries[], mint = -Infinity, maxt = Infinity): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of series) {
    const keys = sampleKeys(s.ts, s.values).filter((_, k) => s.ts[k]! >= mint && s.ts[k]! <= maxt);
    if (keys.length > 0) out.set(s.labels.toString(), keys);
  }
  return out;
}

/** Every sample a block returns for [mint, maxt] (decoding each selected chunk), keyed by labels. */
export async function readSamples(reader: BlockReader, mint = -Infinity, maxt = Infinity): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const it = new XorIterator();
  const one = new Float64Array(1);
  for (const s of await reader.select([], mint, maxt)) {
    const keys: string[] = [];
    for (const c of s.chunks) {
      it.reset(await reader.chunk(c.ref));
      while (it.next()) {
        if (it.t < mint || it.t > maxt) continue;
        it.valueInto(one, 0);
        keys.push(...sampleKeys([it.t], one));
      }
      if (it.err !== null) throw it.err;
    }
    const key = s.labels.toString();
    out.set(key, [...(out.get(key) ?? []), ...keys]);
  }
  return out;
}

/** Formats labels as Prometheus's labels.String() does: `{a="1", b="2"}`. */
export function promLabels(labels: Labels): string {
  const parts: string[] = [];
  labels.forEach((n, v) => parts.push(`${n}=${quoteGo(v)}`));
  return `{${parts.join(', ')}}`;
}
