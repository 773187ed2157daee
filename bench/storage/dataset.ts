/**
 * The benchmark's data: node_exporter-like series (`makeNodeExporterSeries`) scraped every 15 s
 * for a block range, with values shaped like node_exporter's: constants (info metrics, sizes),
 * seconds counters with two decimals, integer counters, and integer gauges that wander. Scrape
 * timestamps carry a few milliseconds of deterministic jitter, as real scrapes do.
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

/** How a series' value moves from scrape to scrape. */
const Kind = {
  Constant: 0,
  /** Seconds counters (CPU, disk time): increments with two decimals. */
  Seconds: 1,
  /** Integer counters that move every scrape (bytes, packets, operations). */
  Counter: 2,
  /** Integer counters and gauges that change in about 2% of scrapes. */
  Rare: 3,
  /** Byte gauges in whole 4 KiB pages (memory, filesystem space) that move most scrapes. */
  Pages: 4,
  /** Small gauges (load, running processes): two decimals. */
  Small: 5,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** Values and timestamps of every series over `rounds` scrapes from `t0`. */
export class Dataset {
  readonly labels: Array<Array<[string, string]>>;
  readonly t0: number;
  readonly rounds: number;
  readonly jitterMs: number;
  readonly #kind: Uint8Array;
  readonly #base: Float64Array;
  readonly #step: Float64Array;

  constructor(series: number, rounds: number, t0: number, seed: number, jitterMs: number) {
    this.labels = makeNodeExporterSeries(series, seed);
    this.t0 = t0;
    this.rounds = rounds;
    this.jitterMs = jitterMs;
    this.#kind = new Uint8Array(series);
    this.#base = new Float64Array(series);
    this.#step = new Float64Array(series);
    for (let i = 0; i < series; i++) {
      const name = this.labels[i]!.find((l) => l[0] === '__name__')![1];
      const u = mix(i, 1);
      const v = mix(i, 2);
      const label = (n: string): string | undefined => this.labels[i]!.find((l) => l[0] === n)?.[1];
      const mode = label('mode');
      // Idle devices: about half of the disks and network interfaces see no traffic.
      const idleDevice = (name.startsWith('node_disk_') || name.startsWith('node_network_')) && mix(hash(label('instance') ?? ''), hash(label('device') ?? '')) < 0.5;
      let kind: Kind;
      if (CONSTANT.has(name) || name.endsWith('_info')) {
        kind = Kind.Constant;
        this.#base[i] = Math.round(10 ** (1 + 9 * u));
      } else if (idleDevice || (mode !== undefined && IDLE_CPU_MODES.has(mode)) || name === 'node_cpu_scaling_frequency_hertz') {
        kind = Kind.Rare;
        this.#base[i] = name === 'node_cpu_scaling_frequency_hertz' ? 1e9 * Math.round(10 + 25 * u) / 10 : Math.round(10 ** (1 + 4 * u) * 100) / 100;
      } else if (RARE.test(name)) {
        kind = Kind.Rare;
        this.#base[i] = Math.round(10 ** (1 + 4 * u));
      } else if (name.endsWith('_seconds_total')) {
        kind = Kind.Seconds;
        this.#base[i] = Math.round(10 ** (2 + 5 * u) * 100) / 100;
        this.#step[i] = Math.round(10 ** (-1 + 2.2 * v) * 100) / 100;
      } else if (name.endsWith('_total')) {
        kind = Kind.Counter;
        this.#base[i] = Math.round(10 ** (2 + 9 * u));
        this.#step[i] = Math.max(1, Math.round(10 ** (5 * v)));
      } else if (name.endsWith('_bytes')) {
        kind = Kind.Pages;
        this.#base[i] = 4096 * Math.round(10 ** (3 + 5 * u));
        this.#step[i] = Math.max(1, Math.round(10 ** (3 * v)));
      } else {
        kind = Kind.Small;
        this.#base[i] = Math.round(10 ** (2 * u) * 100) / 100;
      }
      this.#kind[i] = kind;
    }
  }

  get series(): number {
    return this.labels.length;
  }

  /** Timestamp of series `i` in round `r` (ms). */
  t(i: number, r: number): number {
    return this.t0 + r * SCRAPE_MS + (this.jitterMs === 0 ? 0 : Math.floor(mix(i, r + 7) * this.jitterMs));
  }

  /** Value of series `i` in round `r`. */
  value(i: number, r: number): number {
    const base = this.#base[i]!;
    const s = this.#step[i]!;
    switch (this.#kind[i] as Kind) {
      case Kind.Constant:
        return base;
      case Kind.Seconds:
        return Math.round((base + s * (r + 0.9 * mix(i, r + 99))) * 100) / 100;
      case Kind.Counter:
        return Math.round(base + s * (r + 0.9 * mix(i, r + 99)));
      case Kind.Rare: {
        // Changes in ~2% of scrapes: the number of changes so far, from a hash per 50 scrapes.
        let n = 0;
        for (let k = 0; k <= r; k += 50) n += Math.floor(mix(i, k + 5) * 2);
        return base + n;
      }
      case Kind.Pages:
        return base + 4096 * s * Math.round(20 * Math.sin((r + i) / 30) + 10 * mix(i, r + 99));
      case Kind.Small:
        return Math.round((base + Math.sin((r + i) / 25)) * 100) / 100;
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
