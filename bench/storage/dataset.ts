/**
 * The benchmark's data: node_exporter-like series (`makeNodeExporterSeries`) scraped every 15 s
 * for a block range. Scrape timestamps sit on the grid unless `jitterMs` adds deterministic jitter.
 *
 * Calibration (the mix of value behaviours follows real node_exporter scrapes, nothing else):
 * `npm run bench:storage -- --source node-exporter` classifies every real series (calibrate.ts)
 * as constant, rare (changed in at most 10% of the scrape intervals), counter (never decreased)
 * or gauge, measures how precise its values are (integers, at most two decimals, other floats)
 * and how often it changed. The constants below are that measurement, on node_exporter 1.5.0
 * (Debian) of the benchmark machine scraped every 15 s (CALIBRATION names the run). Each series
 * keeps the behaviour its name suggests (MemTotal constant, `*_seconds_total` two-decimal counters,
 * idle devices rare...) as long as its class still has room; the others are moved, in a
 * deterministic hash order, to the classes short of series, so the generated mix matches the
 * measured shares exactly (up to rounding). Printed by every synthetic run (`classMix`).
 *
 * The same samples feed Tessera's head (remote-write batches, one per scrape round) and
 * promtool's backfill (OpenMetrics text), so both blocks hold identical data.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { makeNodeExporterSeries } from '@tessera/remotewrite';

export const SCRAPE_MS = 15_000;

/** Families a real node_exporter reports as constant. */
const CONSTANT = new Set([
  'node_boot_time_seconds',
  'node_filefd_maximum',
  'node_filesystem_files',
  'node_filesystem_readonly',
  'node_filesystem_size_bytes',
  'node_memory_MemTotal_bytes',
  'node_memory_SwapTotal_bytes',
  'node_network_up',
]);

/** CPU modes that stay (nearly) flat on a typical server. */
const IDLE_CPU_MODES = new Set(['irq', 'steal', 'nice', 'guest', 'guest_nice']);

/** Families that change only now and then (error and drop counters, idle states). */
const RARE = /_(errs|drop)_total$|^node_procs_blocked$|^node_disk_io_now$|^node_filefd_allocated$/;

/** What the calibration run measured (the data behind the constants below). */
export const CALIBRATION = 'node_exporter 1.5.0 (Debian 12), 510 series, 15 s scrapes, 290 scrapes (72 min), 2026-11-27';

/** Measured shares of the classes (calibrate.ts's definitions). */
export const CLASS_SHARES = { constant: 0.639, rare: 0.031, counter: 0.125, gauge: 0.204 };
/** Measured shares of value precision within counters and gauges (integer, ≤ 2 decimals, other floats). */
const COUNTER_PRECISION = [0.609, 0.203, 0.188];
const GAUGE_PRECISION = [0.490, 0.029, 0.481];
/** Measured share of counters that moved in every interval, and mean share of intervals with a change per class. */
const COUNTER_EVERY = 0.453;
const CHANGE_RATE = { rare: 0.019, counter: 0.776, gauge: 0.867 };

/** How a series' value moves from scrape to scrape (class × precision). */
const Kind = {
  Constant: 0,
  /** Changes in CHANGE_RATE.rare of the scrapes, by one. */
  Rare: 1,
  /** Integer counters (bytes, packets, operations). */
  Counter: 2,
  /** Counters with two decimals (CPU seconds). */
  Seconds: 3,
  /** Counters with full float increments (disk and pressure times, GC seconds). */
  FloatCounter: 4,
  /** Integer gauges: bytes in whole 4 KiB pages (memory, filesystem space). */
  Pages: 5,
  /** Gauges with two decimals (load). */
  Small: 6,
  /** Float gauges (durations such as node_scrape_collector_duration_seconds). */
  FloatGauge: 7,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];
const KIND_COUNT = 8;

/** Target share of every kind, from the measured shares. */
function kindShares(): number[] {
  const c = CLASS_SHARES;
  const total = c.constant + c.rare + c.counter + c.gauge;
  return [
    c.constant, c.rare,
    c.counter * COUNTER_PRECISION[0]!, c.counter * COUNTER_PRECISION[1]!, c.counter * COUNTER_PRECISION[2]!,
    c.gauge * GAUGE_PRECISION[0]!, c.gauge * GAUGE_PRECISION[1]!, c.gauge * GAUGE_PRECISION[2]!,
  ].map((x) => x / total);
}

/** Series counts per kind: the shares × n, rounded by largest remainder. */
function kindTargets(n: number): number[] {
  const exact = kindShares().map((s) => s * n);
  const out = exact.map(Math.floor);
  const order = exact.map((x, k) => [x - Math.floor(x), k] as const).sort((a, b) => b[0] - a[0]);
  for (let j = 0; out.reduce((a, b) => a + b, 0) < n; j++) out[order[j % KIND_COUNT]![1]]!++;
  return out;
}

/** The kind a series' name suggests. */
function naturalKind(labels: Array<[string, string]>, i: number): Kind {
  const name = labels.find((l) => l[0] === '__name__')![1];
  const label = (n: string): string | undefined => labels.find((l) => l[0] === n)?.[1];
  const mode = label('mode');
  // Idle devices: about half of the disks and network interfaces see no traffic.
  const idleDevice = (name.startsWith('node_disk_') || name.startsWith('node_network_')) && mix(hash(label('instance') ?? ''), hash(label('device') ?? '')) < 0.5;
  if (CONSTANT.has(name) || name.endsWith('_info')) return Kind.Constant;
  if (idleDevice || (mode !== undefined && IDLE_CPU_MODES.has(mode)) || name === 'node_cpu_scaling_frequency_hertz' || RARE.test(name)) return Kind.Rare;
  if (/_time_seconds_total$/.test(name) || name === 'node_time_seconds') return Kind.FloatCounter;
  if (name.endsWith('_seconds_total')) return Kind.Seconds;
  if (name.endsWith('_total')) return Kind.Counter;
  if (name.endsWith('_bytes')) return Kind.Pages;
  return mix(i, 3) < 0.5 ? Kind.Small : Kind.FloatGauge;
}

/** Values and timestamps of every series over `rounds` scrapes from `t0`. */
export class Dataset {
  readonly labels: Array<Array<[string, string]>>;
  readonly t0: number;
  readonly rounds: number;
  readonly jitterMs: number;
  readonly #kind: Uint8Array;
  readonly #base: Float64Array;
  readonly #step: Float64Array;
  /** Changes per scrape (1: every scrape) and phase of the changes. */
  readonly #rate: Float64Array;
  readonly #phase: Float64Array;

  constructor(series: number, rounds: number, t0: number, seed: number, jitterMs: number) {
    this.labels = makeNodeExporterSeries(series, seed);
    this.t0 = t0;
    this.rounds = rounds;
    this.jitterMs = jitterMs;
    this.#kind = new Uint8Array(series);
    this.#base = new Float64Array(series);
    this.#step = new Float64Array(series);
    this.#rate = new Float64Array(series);
    this.#phase = new Float64Array(series);
    // Kinds: names first while their kind has room, the rest to the kinds short of series.
    const targets = kindTargets(series);
    const order = Array.from({ length: series }, (_, i) => i).sort((a, b) => mix(a, 11) - mix(b, 11));
    const moved: number[] = [];
    for (const i of order) {
      const k = naturalKind(this.labels[i]!, i);
      if (targets[k]! > 0) {
        targets[k]!--;
        this.#kind[i] = k;
      } else {
        moved.push(i);
      }
    }
    let k = 0;
    for (const i of moved) {
      while (targets[k]! === 0) k = (k + 1) % KIND_COUNT;
      targets[k]!--;
      this.#kind[i] = k as Kind;
      k = (k + 1) % KIND_COUNT;
    }
    // Counters moving in every scrape take COUNTER_EVERY of the counters; the others move at the
    // rate that keeps the counters' mean at CHANGE_RATE.counter.
    const counterRest = COUNTER_EVERY >= 1 ? 1 : Math.max(0, (CHANGE_RATE.counter - COUNTER_EVERY) / (1 - COUNTER_EVERY));
    for (let i = 0; i < series; i++) {
      const u = mix(i, 1);
      const v = mix(i, 2);
      this.#phase[i] = mix(i, 4);
      switch (this.#kind[i] as Kind) {
        case Kind.Constant:
          this.#base[i] = Math.round(10 ** (1 + 9 * u));
          break;
        case Kind.Rare:
          this.#base[i] = Math.round(10 ** (1 + 4 * u));
          this.#rate[i] = CHANGE_RATE.rare;
          break;
        case Kind.Counter:
          this.#base[i] = Math.round(10 ** (2 + 9 * u));
          this.#step[i] = Math.max(1, Math.round(10 ** (5 * v)));
          break;
        case Kind.Seconds:
          this.#base[i] = Math.round(10 ** (2 + 5 * u) * 100) / 100;
          this.#step[i] = Math.round(10 ** (-1 + 2.2 * v) * 100) / 100;
          break;
        case Kind.FloatCounter:
          this.#base[i] = 10 ** (2 + 5 * u);
          this.#step[i] = 10 ** (-3 + 3 * v);
          break;
        case Kind.Pages:
          this.#base[i] = 4096 * Math.round(10 ** (3 + 5 * u));
          this.#step[i] = Math.max(1, Math.round(10 ** (3 * v)));
          break;
        case Kind.Small:
          this.#base[i] = Math.round(10 ** (2 * u) * 100) / 100;
          break;
        case Kind.FloatGauge:
          this.#base[i] = 10 ** (-4 + 4 * u);
          break;
      }
      const kind = this.#kind[i] as Kind;
      if (kind === Kind.Counter || kind === Kind.Seconds || kind === Kind.FloatCounter) this.#rate[i] = mix(i, 6) < COUNTER_EVERY ? 1 : counterRest;
      else if (kind === Kind.Pages || kind === Kind.Small || kind === Kind.FloatGauge) this.#rate[i] = CHANGE_RATE.gauge;
    }
  }

  get series(): number {
    return this.labels.length;
  }

  /** Shares of the generated classes, for the report. */
  classMix(): string {
    const n = new Array<number>(KIND_COUNT).fill(0);
    for (const k of this.#kind) n[k]!++;
    const pct = (x: number): string => `${(100 * x / this.series).toFixed(1)}%`;
    return `constant ${pct(n[0]!)}, rare ${pct(n[1]!)}, counter ${pct(n[2]! + n[3]! + n[4]!)} (integer ${pct(n[2]!)}, 2 decimals ${pct(n[3]!)}, float ${pct(n[4]!)}), gauge ${pct(n[5]! + n[6]! + n[7]!)} (integer ${pct(n[5]!)}, 2 decimals ${pct(n[6]!)}, float ${pct(n[7]!)})`;
  }

  /** Timestamp of series `i` in round `r` (ms). */
  t(i: number, r: number): number {
    return this.t0 + r * SCRAPE_MS + (this.jitterMs === 0 ? 0 : Math.floor(mix(i, r + 7) * this.jitterMs));
  }

  /** Value of series `i` in round `r`. */
  value(i: number, r: number): number {
    const base = this.#base[i]!;
    const s = this.#step[i]!;
    // Changes so far: evenly spread at the series' rate, from its phase.
    const k = Math.floor(this.#rate[i]! * r + this.#phase[i]!);
    switch (this.#kind[i] as Kind) {
      case Kind.Constant:
        return base;
      case Kind.Rare:
        return base + k;
      case Kind.Counter:
        return Math.round(base + s * (k + 0.9 * mix(i, k + 99)));
      case Kind.Seconds:
        return Math.round((base + s * (k + 0.9 * mix(i, k + 99))) * 100) / 100;
      case Kind.FloatCounter:
        return base + s * (k + 0.9 * mix(i, k + 99));
      case Kind.Pages:
        return base + 4096 * s * Math.round(20 * Math.sin((k + i) / 30) + 10 * mix(i, k + 99));
      case Kind.Small:
        return Math.round((base + Math.sin((k + i) / 25)) * 100) / 100;
      case Kind.FloatGauge:
        return base * (0.5 + mix(i, k + 99));
    }
  }

  /**
   * Writes the data as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: each
   * family's samples together (OpenMetrics forbids interleaving families), series by series.
   */
  async writeOpenMetrics(path: string): Promise<void> {
    const out = createWriteStream(path);
    const byFamily = new Map<string, number[]>();
    this.labels.forEach((ls, i) => {
      const name = ls.find((l) => l[0] === '__name__')![1];
      const list = byFamily.get(name) ?? [];
      list.push(i);
      byFamily.set(name, list);
    });
    for (const [name, idx] of byFamily) {
      for (const i of idx) {
        const ls = this.labels[i]!.filter((l) => l[0] !== '__name__').map(([n, v]) => `${n}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
        const prefix = `${name}{${ls.join(',')}} `;
        let chunk = '';
        for (let r = 0; r < this.rounds; r++) chunk += `${prefix}${this.value(i, r)} ${(this.t(i, r) / 1000).toFixed(3)}\n`;
        if (!out.write(chunk)) await once(out, 'drain');
      }
    }
    out.end('# EOF\n');
    await once(out, 'finish');
  }
}

/** A 32-bit hash of a string. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  return h >>> 0;
}

/** A deterministic hash of (a, b) in [0, 1). */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 2 ** 32;
}
