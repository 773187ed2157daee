/**
 * Test data for the query path's tests (not used in production): a seeded, Prometheus-like
 * dataset (counters, gauges, sparse series with gaps, staleness markers, jittered 15 s scrapes
 * over 3 hours, so several chunks per series), loaded into real heads, optionally split over
 * replicas the way RF>1 ingesters hold it (each sample in one or more replicas).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Labels, seededRandom, type Matcher } from '@tessera/model';
import { Head, newAppendResult } from '@tessera/tsdb';
import { queryHeadChunks } from '@tessera/ingester';
import type { ChunkReader } from './ingester-queryable.ts';

/** The dataset's first timestamp (ms). */
export const T0 = 1_700_000_000_000;
/** The dataset's length (ms). */
export const SPAN_MS = 3 * 3600_000;

/** One series of the dataset. */
export interface TestSeries {
  labels: Labels;
  ts: number[];
  /** Float64Array: keeps the staleness markers' payload. */
  vs: Float64Array;
}

/** Seeded floats in [0, 1) (mulberry32, from @tessera/model). */
export const rng = seededRandom;

const STALE_BITS = [0x00000002, 0x7ff00000];

function writeStale(vs: Float64Array, i: number): void {
  new Uint32Array(vs.buffer, vs.byteOffset + i * 8, 2).set(STALE_BITS);
}

/**
 * Builds the dataset: `req_total{job,instance}` counters (with a reset), `temp{room}` gauges,
 * `sparse{id}` series with gaps and staleness markers, `target_info{job,instance,version}`.
 * `scale` multiplies the number of counter series (for heavier queries).
 */
export function makeDataset(seed: number, scale = 1): TestSeries[] {
  const r = rng(seed);
  const out: TestSeries[] = [];
  const scrape = (labels: Record<string, string>, start: number, end: number, value: (t: number, i: number) => number | 'stale', interval = 15_000): void => {
    const ts: number[] = [];
    const vs: number[] = [];
    const stale: number[] = [];
    let t = start + Math.floor(r() * interval);
    for (let i = 0; t <= end; i++) {
      const v = value(t, i);
      if (v === 'stale') stale.push(ts.length);
      ts.push(t);
      vs.push(v === 'stale' ? 0 : v);
      t += interval + Math.floor((r() - 0.5) * 6000);
    }
    const f = Float64Array.from(vs);
    for (const i of stale) writeStale(f, i);
    out.push({ labels: Labels.fromObject(labels), ts, vs: f });
  };
  const jobs = ['api', 'web'];
  const instances = Array.from({ length: 3 * scale }, (_, i) => `i${i}`);
  for (const job of jobs) {
    for (const instance of instances) {
      let c = Math.floor(r() * 100);
      let resetAt = T0 + Math.floor(r() * SPAN_MS);
      scrape({ __name__: 'req_total', job, instance }, T0, T0 + SPAN_MS, (t) => {
        if (t > resetAt) {
          c = 0; // one counter reset
          resetAt = Infinity;
        } else {
          c += Math.floor(r() * 50);
        }
        return c;
      });
    }
  }
  for (const room of ['kitchen', 'hall', 'attic']) {
    scrape({ __name__: 'temp', room }, T0 + 10 * 60_000, T0 + SPAN_MS - 20 * 60_000, (t) => 20 + 5 * Math.sin(t / 600_000) + r(), 30_000);
  }
  for (let id = 0; id < 3; id++) {
    // Bursts with gaps; each burst ends with a staleness marker.
    let burstEnd = T0;
    scrape({ __name__: 'sparse', id: String(id) }, T0, T0 + SPAN_MS, (t, i) => {
      if (t > burstEnd) burstEnd = t + Math.floor(r() * 40 * 60_000);
      if (t + 15_000 > burstEnd && i % 3 === 0) return 'stale';
      return i % 7 === 0 ? NaN : i * 1.5;
    }, 45_000);
  }
  for (const job of jobs) {
    for (const instance of instances) {
      scrape({ __name__: 'target_info', job, instance, version: `v${Math.floor(r() * 3)}` }, T0, T0 + SPAN_MS, () => 1, 60_000);
    }
  }
  return out;
}

/** Heads created by {@link loadHead}, to close after a test. */
export interface HeadSet {
  heads: Head[];
  dirs: string[];
}

const quiet = { info(): void {}, warn(): void {} };

/**
 * Loads series into a new head, appending in time slices so that no sample is "too old"
 * relative to samples of other series already appended.
 */
export function loadHead(set: HeadSet, series: readonly TestSeries[]): Head {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-qdata-'));
  set.dirs.push(dir);
  const head = Head.open({ walDir: dir, logger: quiet, walFsyncIntervalMs: 60_000 });
  set.heads.push(head);
  const pos = series.map(() => 0);
  const result = newAppendResult();
  const slice = 10 * 60_000;
  for (let until = T0 + slice; ; until += slice) {
    let left = false;
    series.forEach((s, k) => {
      let j = pos[k]!;
      const from = j;
      while (j < s.ts.length && s.ts[j]! < until) j++;
      if (j > from) head.appendSamples(s.labels, s.ts.slice(from, j), s.vs.slice(from, j), result);
      pos[k] = j;
      if (j < s.ts.length) left = true;
    });
    if (!left) break;
  }
  return head;
}

/** Splits every series' samples over `n` replicas: each sample in a random non-empty subset. */
export function splitReplicas(series: readonly TestSeries[], n: number, seed: number): TestSeries[][] {
  const r = rng(seed);
  const parts: TestSeries[][] = Array.from({ length: n }, () => []);
  for (const s of series) {
    const idx: number[][] = Array.from({ length: n }, () => []);
    for (let i = 0; i < s.ts.length; i++) {
      let any = false;
      for (let k = 0; k < n; k++) {
        if (r() < 0.6) {
          idx[k]!.push(i);
          any = true;
        }
      }
      if (!any) idx[Math.floor(r() * n)]!.push(i);
    }
    for (let k = 0; k < n; k++) {
      const ii = idx[k]!;
      if (ii.length === 0) continue;
      const vs = new Float64Array(ii.length);
      // Copy value bits exactly (staleness markers).
      const src = new Uint32Array(s.vs.buffer, s.vs.byteOffset, s.vs.length * 2);
      const dst = new Uint32Array(vs.buffer);
      ii.forEach((i, j) => {
        dst[2 * j] = src[2 * i]!;
        dst[2 * j + 1] = src[2 * i + 1]!;
      });
      parts[k]!.push({ labels: s.labels, ts: ii.map((i) => s.ts[i]!), vs });
    }
  }
  return parts;
}

/** A ChunkReader over a head (what the in-process ingester does for one tenant). */
export function headReader(head: Head): ChunkReader {
  return { queryChunks: (_tenant: string, m: readonly Matcher[], mint: number, maxt: number) => queryHeadChunks(head, m, mint, maxt) };
}

/** Closes the heads and removes their directories. */
export function closeHeads(set: HeadSet): void {
  for (const h of set.heads.splice(0)) h.close();
  for (const d of set.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}
