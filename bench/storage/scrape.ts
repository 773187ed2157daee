/**
 * The real data source of bench/storage: a node_exporter started on 127.0.0.1, scraped the way
 * Prometheus scrapes a target, and the scrapes kept as a {@link Recording}.
 *
 * As Prometheus does (documented behaviour of its scrape loop, 2.42):
 * - scrapes start on a fixed ticker of the scrape interval, and a sample's timestamp is the
 *   scrape's start time in ms;
 * - timestamp alignment: when a scrape starts at most 2 ms after its tick (on the grid of the
 *   first scrape's start plus whole intervals), its timestamp is the tick's time, so that timer
 *   jitter does not cost chunk bytes; otherwise the real start time is kept;
 * - every series gets the target labels `job` and `instance` (the scraped address), and each
 *   scrape adds the five series Prometheus writes per target: `up`, `scrape_duration_seconds`,
 *   `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling`, `scrape_series_added`.
 * A series missing from a scrape gets no sample there (Prometheus would write a staleness
 * marker, which OpenMetrics text cannot carry; the count of such gaps is reported).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { freePort, httpGet } from '../ingest/targets.ts';

/** Scrape timestamp tolerance of Prometheus's timestamp alignment. */
export const ALIGN_TOLERANCE_MS = 2;

/** One sample line of the text exposition format, labels without the target labels. */
export interface ScrapedSample {
  name: string;
  labels: Array<[string, string]>;
  value: number;
}

/** Parses a text-format (0.0.4) body: comments skipped, label values unescaped, timestamps refused. */
export function parseTextFormat(body: string): ScrapedSample[] {
  const out: ScrapedSample[] = [];
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    let p = line.search(/[{ ]/);
    if (p < 0) throw new Error(`bad exposition line: ${line}`);
    const name = line.slice(0, p);
    const labels: Array<[string, string]> = [];
    if (line[p] === '{') {
      p++;
      while (line[p] !== '}') {
        const eq = line.indexOf('=', p);
        const lname = line.slice(p, eq).trim();
        if (line[eq + 1] !== '"') throw new Error(`bad label in: ${line}`);
        let v = '';
        let k = eq + 2;
        for (; line[k] !== '"'; k++) {
          if (k >= line.length) throw new Error(`unterminated label value in: ${line}`);
          if (line[k] === '\\') {
            k++;
            v += line[k] === 'n' ? '\n' : line[k];
          } else {
            v += line[k];
          }
        }
        labels.push([lname, v]);
        p = k + 1;
        if (line[p] === ',') p++;
      }
      p++;
    }
    const fields = line.slice(p).trim().split(/\s+/);
    if (fields.length !== 1) throw new Error(`exposition line with a timestamp (not expected from node_exporter): ${line}`);
    out.push({ name, labels, value: parseGoFloat(fields[0]!) });
  }
  return out;
}

/** A float as Go's strconv.ParseFloat reads it from an exposition. */
export function parseGoFloat(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const v = Number(s);
  if (Number.isNaN(v)) throw new Error(`bad sample value: ${s}`);
  return v;
}

/** A float as OpenMetrics text writes it (shortest round-trip form). */
export function formatFloat(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** A node_exporter child process listening on 127.0.0.1. */
export interface Exporter {
  port: number;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

/** Starts `bin` on a free port of 127.0.0.1 and waits until /metrics answers. */
export async function startNodeExporter(bin: string): Promise<Exporter> {
  const port = await freePort();
  const child = spawn(bin, [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err = (err + c.toString('utf8')).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | null = null;
  child.once('error', (e) => { spawnError = e; });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let k = 0; k < 100; k++) {
    if (spawnError !== null) throw new Error(`cannot start ${bin}: ${(spawnError as Error).message}`);
    if (child.exitCode !== null) throw new Error(`${bin} exited: ${err}`);
    try {
      const r = await httpGet(port, '/metrics', 2000);
      if (r.status === 200) {
        const m = /node_exporter_build_info\{[^}]*version="([^"]*)"/.exec(r.body);
        return { port, pid: child.pid!, version: m?.[1] ?? '?', stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`${bin} did not answer on 127.0.0.1:${port}: ${err}`);
}

/** One kept scrape, handed to the live consumer (Tessera's remote write). */
export interface Scrape {
  round: number;
  /** The stored timestamp (aligned when within tolerance), ms. */
  t: number;
  /** The scrape's real start time, ms. */
  rawT: number;
  /** Series indices (into Recording.labels) and values of this scrape. */
  series: number[];
  values: number[];
}

/**
 * Scrapes `port` every `intervalMs` for `rounds` scrapes, keeping every sample, and calls
 * `onScrape` (awaited before the next tick is waited for) with each scrape.
 */
export async function scrapeExporter(port: number, intervalMs: number, rounds: number, onScrape: (s: Scrape, rec: RecordingBuilder) => Promise<void>): Promise<Recording> {
  const rec = new RecordingBuilder({ job: 'node', instance: `127.0.0.1:${port}` });
  const start = performance.now();
  let aligned = NaN;
  for (let r = 0; r < rounds; r++) {
    // Wake up a little early and spin to the tick: Node's timers fire 1-3 ms late, Go's ticker
    // (Prometheus's) far less, and more than 2 ms late would defeat the timestamp alignment.
    const tick = start + r * intervalMs;
    const wait = tick - 20 - performance.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    while (performance.now() < tick);
    const rawT = Date.now();
    if (Number.isNaN(aligned)) aligned = rawT;
    while (rawT - aligned >= intervalMs) aligned += intervalMs;
    const t = rawT - aligned <= ALIGN_TOLERANCE_MS ? aligned : rawT;
    const t1 = performance.now();
    const { status, body } = await httpGet(port, '/metrics', Math.max(intervalMs, 10_000));
    const durationS = (performance.now() - t1) / 1000;
    if (status !== 200) throw new Error(`scrape ${r}: node_exporter answered ${status}`);
    const scrape = rec.add(r, t, rawT, parseTextFormat(body), durationS);
    await onScrape(scrape, rec);
  }
  return rec.finish();
}

/** Accumulates scrapes into a {@link Recording}. */
export class RecordingBuilder {
  readonly labels: Array<Array<[string, string]>> = [];
  readonly #target: Array<[string, string]>;
  readonly #index = new Map<string, number>();
  readonly #values: number[][] = [];
  readonly #ts: number[] = [];
  readonly #rawTs: number[] = [];

  constructor(target: Record<string, string>) {
    this.#target = Object.entries(target);
  }

  /** Adds one scrape (and Prometheus's per-target series) as round `round`. */
  add(round: number, t: number, rawT: number, samples: ScrapedSample[], durationS: number): Scrape {
    this.#ts.push(t);
    this.#rawTs.push(rawT);
    let added = 0;
    const scrape: Scrape = { round, t, rawT, series: [], values: [] };
    const put = (name: string, labels: Array<[string, string]>, value: number): void => {
      const ls: Array<[string, string]> = [['__name__', name], ...labels.filter(([n]) => !this.#target.some(([tn]) => tn === n)), ...this.#target];
      ls.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const key = JSON.stringify(ls);
      let i = this.#index.get(key);
      if (i === undefined) {
        i = this.labels.length;
        this.#index.set(key, i);
        this.labels.push(ls);
        this.#values.push([]);
        added++;
      }
      const vs = this.#values[i]!;
      if (vs.length > round) throw new Error(`series ${key} twice in scrape ${round}`);
      vs[round] = value;
      scrape.series.push(i);
      scrape.values.push(value);
    };
    for (const s of samples) put(s.name, s.labels, s.value);
    const seriesAdded = added;
    put('up', [], 1);
    put('scrape_duration_seconds', [], durationS);
    put('scrape_samples_scraped', [], samples.length);
    put('scrape_samples_post_metric_relabeling', [], samples.length);
    put('scrape_series_added', [], seriesAdded);
    return scrape;
  }

  finish(): Recording {
    return new Recording(this.labels, this.#values.map((vs) => Array.from({ length: this.#ts.length }, (_, r) => (r in vs ? vs[r]! : null))), this.#ts, this.#rawTs);
  }
}

/** Every scrape of a run: labels per series, values per (series, round) (null: absent), timestamps per round. */
export class Recording {
  readonly labels: Array<Array<[string, string]>>;
  readonly values: Array<Array<number | null>>;
  readonly ts: number[];
  readonly rawTs: number[];

  constructor(labels: Array<Array<[string, string]>>, values: Array<Array<number | null>>, ts: number[], rawTs: number[]) {
    this.labels = labels;
    this.values = values;
    this.ts = ts;
    this.rawTs = rawTs;
  }

  get series(): number {
    return this.labels.length;
  }

  get rounds(): number {
    return this.ts.length;
  }

  t(_i: number, r: number): number {
    return this.ts[r]!;
  }

  has(i: number, r: number): boolean {
    return this.values[i]![r] !== null;
  }

  value(i: number, r: number): number {
    return this.values[i]![r]!;
  }

  /** Samples kept, and (series, round) pairs without a sample after the series' first one. */
  counts(): { samples: number; gaps: number } {
    let samples = 0;
    let gaps = 0;
    for (const vs of this.values) {
      const first = vs.findIndex((v) => v !== null);
      for (let r = 0; r < vs.length; r++) {
        if (vs[r] !== null) samples++;
        else if (first >= 0 && r > first) gaps++;
      }
    }
    return { samples, gaps };
  }

  /** Rounds whose stored timestamp lies on the tick grid (first scrape + whole intervals). */
  onGrid(intervalMs: number): number {
    return this.ts.filter((t) => (t - this.ts[0]!) % intervalMs === 0).length;
  }

  /** The same values with other timestamps (one per round). */
  withTimestamps(ts: number[]): Recording {
    return new Recording(this.labels, this.values, ts, this.rawTs);
  }

  /** OpenMetrics text for promtool: each metric name's series together, series by series. */
  async writeOpenMetrics(path: string): Promise<void> {
    const out = createWriteStream(path);
    const byName = new Map<string, number[]>();
    this.labels.forEach((ls, i) => {
      const name = ls.find((l) => l[0] === '__name__')![1];
      const list = byName.get(name) ?? [];
      list.push(i);
      byName.set(name, list);
    });
    for (const [name, idx] of byName) {
      for (const i of idx) {
        const ls = this.labels[i]!.filter((l) => l[0] !== '__name__').map(([n, v]) => `${n}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
        const prefix = `${name}{${ls.join(',')}} `;
        let chunk = '';
        for (let r = 0; r < this.rounds; r++) {
          const v = this.values[i]![r];
          if (v !== null && v !== undefined) chunk += `${prefix}${formatFloat(v)} ${(this.ts[r]! / 1000).toFixed(3)}\n`;
        }
        if (!out.write(chunk)) await once(out, 'drain');
      }
    }
    out.end('# EOF\n');
    await once(out, 'finish');
  }

  /** Saves the recording as JSON (non-finite values as strings). */
  async save(path: string): Promise<void> {
    const enc = (v: number | null): number | string | null => (v === null ? null : Number.isFinite(v) ? v : formatFloat(v));
    await writeFile(path, JSON.stringify({ labels: this.labels, ts: this.ts, rawTs: this.rawTs, values: this.values.map((vs) => vs.map(enc)) }));
  }

  static async load(path: string): Promise<Recording> {
    const j = JSON.parse(await readFile(path, 'utf8')) as { labels: Array<Array<[string, string]>>; ts: number[]; rawTs: number[]; values: Array<Array<number | string | null>> };
    const dec = (v: number | string | null): number | null => (typeof v === 'string' ? parseGoFloat(v) : v);
    return new Recording(j.labels, j.values.map((vs) => vs.map(dec)), j.ts, j.rawTs);
  }
}
