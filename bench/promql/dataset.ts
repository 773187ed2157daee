// The query benchmarks' data: node_exporter-like hosts (counters, gauges, constants) plus classic
// histograms of an API's request latency, K samples per series at a 15 s scrape interval, cut
// into remote-write requests that both targets receive byte for byte.
//
// Values are closed forms of (series, round), so requests can be built in any order and every
// counter is monotone without per-series state:
//   counter  base + step × (r + 0.9 × noise(i, r))            grows 0.1–1.9 steps per round
//   gauge    base × (1 + trend × r + amp × sin(2π r / period + phase)) + jitter
//   constant base
//   bucket   ⌊cdf(le) × N(r)⌋ with N(r) a counter: monotone in r and in le, +Inf = _count = N(r)
// Request layout (time-major): slice s covers rounds [s × S, (s + 1) × S); within a slice one
// request per group of G consecutive series, S samples per series. Requests of one slice never
// share a series; a series' slices are sent in order (see push.ts).

import { encodeWriteRequest, makeNodeExporterSeries, snappyCompress } from '@tessera/remotewrite';
import type { SampleObject, TimeSeriesObject } from '@tessera/remotewrite';

/** Scrape interval of the simulated fleet, ms. */
export const SCRAPE_INTERVAL_MS = 15_000;

/** Upper bounds of the classic histogram's buckets, seconds (+Inf last). */
export const HISTOGRAM_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity] as const;
/** Series per histogram label set: every bucket, `_sum` and `_count`. */
const SERIES_PER_HISTOGRAM = HISTOGRAM_BOUNDS.length + 2;
/** Handlers of the simulated API, with the median latency (s) of each. */
const HANDLERS: ReadonlyArray<readonly [string, number]> = [
  ['/api/v1/query', 0.04], ['/api/v1/query_range', 0.12], ['/api/v1/series', 0.02], ['/api/v1/labels', 0.008],
  ['/api/v1/push', 0.006], ['/api/v1/rules', 0.015], ['/-/ready', 0.001], ['/metrics', 0.004],
];
const API_CLUSTERS: ReadonlyArray<readonly [cluster: string, env: string, region: string]> = [
  ['prod-eu-1', 'production', 'eu-west-1'], ['prod-us-1', 'production', 'us-east-1'], ['prod-ap-1', 'production', 'ap-southeast-2'],
];

/** Families a node_exporter reports as constants. */
const CONSTANT_FAMILIES = new Set([
  'node_memory_MemTotal_bytes', 'node_memory_SwapTotal_bytes', 'node_boot_time_seconds', 'node_filefd_maximum',
  'node_filesystem_size_bytes', 'node_filesystem_files', 'node_filesystem_readonly', 'node_network_up', 'node_uname_info',
]);

/** Options of {@link Dataset.build}. */
export interface DatasetOptions {
  /** Total series, histograms included (a multiple of {@link DatasetOptions.groupSeries}). */
  series: number;
  /** Samples per series (480 = 2 h at 15 s). */
  rounds: number;
  /**
   * Timestamp of round 0, ms. run.ts puts it 3 s past a multiple of 15 s, so that no query's
   * window edge (queries are evaluated 7 s past a multiple of 15 s, subqueries on whole
   * minutes) ever falls on a sample: Prometheus 2.42 closes windows on the left, Tessera
   * (Prometheus 3) leaves them open, and only on-edge samples tell the two apart.
   */
  t0: number;
  /** Series per request. */
  groupSeries: number;
  /** Rounds per request (a divisor of `rounds`). */
  sliceRounds: number;
  seed: number;
}

/** One remote-write request: its snappy body and where it sits in the push order. */
export interface DatasetRequest {
  slice: number;
  group: number;
  body: Uint8Array;
  samples: number;
}

/** How a series' values evolve (see the file comment). Fields unused by a kind are 0. */
interface ValueModel {
  kind: 'counter' | 'gauge' | 'constant' | 'bucket';
  base: number;
  step: number;
  amp: number;
  trend: number;
  period: number;
  phase: number;
  /** Gauges: noise amplitude relative to base. Buckets: the bucket's cdf share (1 for +Inf/_count). */
  jitter: number;
  /** Digits after the point the value is rounded to. */
  decimals: number;
}

/** 32-bit integer mix (murmur3 finaliser). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A hash of a string in [0, 1), for stable per-label-set parameters. */
function unit(s: string, salt: number): number {
  let h = salt | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h) / 2 ** 32;
}

/** Noise in [0, 1) for (series, round). */
function noise(i: number, round: number): number {
  return mix32(Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(round + 7, 0x85ebca6b)) / 2 ** 32;
}

/** The standard normal distribution function (Abramowitz–Stegun 7.1.26 erf, error < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

const model = (m: Partial<ValueModel> & Pick<ValueModel, 'kind' | 'base'>): ValueModel => ({
  step: 0, amp: 0, trend: 0, period: 1, phase: 0, jitter: 0, decimals: 0, ...m,
});

/** The value model of a node_exporter series from its name and the label set without the name. */
function nodeModel(name: string, key: string, i: number): ValueModel {
  const u = unit(key, 1);
  const v = unit(key, 2);
  const w = mix32(i ^ 0x5bd1e995) / 2 ** 32;
  const memTotal = 2 ** 30 * [4, 8, 16, 32, 64][Math.floor(u * 5)]!;
  const fsSize = Math.round(2 ** 30 * (10 + 990 * u));
  const wave = { period: 80 + Math.floor(300 * w), phase: 2 * Math.PI * v };
  if (name === 'node_memory_MemTotal_bytes') return model({ kind: 'constant', base: memTotal });
  if (name === 'node_memory_SwapTotal_bytes') return model({ kind: 'constant', base: memTotal / 4 });
  if (name === 'node_filesystem_size_bytes') return model({ kind: 'constant', base: fsSize });
  if (name === 'node_filesystem_avail_bytes' || name === 'node_filesystem_free_bytes') {
    // Slowly filling disks (for predict_linear); free is a little above avail (root reserve).
    const frac = (0.2 + 0.6 * v) * (name === 'node_filesystem_free_bytes' ? 1.05 : 1);
    return model({ kind: 'gauge', base: fsSize * frac, trend: -0.0002 * (0.5 + w), amp: 0.002, jitter: 0.0005, ...wave });
  }
  if (name.startsWith('node_memory_')) {
    const frac = name.includes('Avail') ? 0.3 + 0.5 * v : name.includes('Free') ? 0.1 + 0.3 * v : 0.02 + 0.2 * w;
    return model({ kind: 'gauge', base: memTotal * frac, amp: 0.1, jitter: 0.01, ...wave });
  }
  if (name === 'node_time_seconds') return model({ kind: 'counter', base: 0, step: 0 }); // special-cased in value()
  if (CONSTANT_FAMILIES.has(name)) return model({ kind: 'constant', base: name === 'node_boot_time_seconds' ? 1_764_000_000 - Math.floor(u * 9e6) : Math.round(10 ** (1 + 5 * u)) });
  if (name.endsWith('_seconds_total')) {
    return model({ kind: 'counter', base: Math.round(10 ** (3 + 3 * w) * 100) / 100, step: Math.round(10 ** (-1 + 2.5 * v) * 100) / 100, decimals: 2 });
  }
  if (name.endsWith('_total')) return model({ kind: 'counter', base: Math.round(10 ** (3 + 6 * w)), step: Math.max(1, Math.round(10 ** (4 * v))) });
  if (name.startsWith('node_load')) return model({ kind: 'gauge', base: 0.2 + 6 * v, amp: 0.4, jitter: 0.1, decimals: 2, ...wave });
  return model({ kind: 'gauge', base: Math.round(10 ** (1 + 5 * w)), amp: 0.2, jitter: 0.05, ...wave });
}

/** The series of the API's latency histograms, `count` of them (a multiple of 14), with their models. */
function histogramSeries(count: number): Array<{ labels: Array<[string, string]>; model: ValueModel }> {
  const out: Array<{ labels: Array<[string, string]>; model: ValueModel }> = [];
  for (let set = 0; out.length < count; set++) {
    const [handler, median] = HANDLERS[set % HANDLERS.length]!;
    const inst = Math.floor(set / HANDLERS.length);
    const [cluster, env, region] = API_CLUSTERS[inst % API_CLUSTERS.length]!;
    const target: Array<[string, string]> = [
      ['cluster', cluster], ['env', env], ['handler', handler], ['instance', `10.200.${inst >> 8}.${inst & 255}:8080`], ['job', 'api'], ['region', region],
    ];
    // Requests per 15 s and latency scale vary by instance: some instances are slower.
    const perRound = 5 + Math.round(200 * unit(`${handler}/${inst}`, 3));
    const scale = median * (0.6 + 1.2 * unit(String(inst), 4));
    const counter = { base: Math.round(1e4 * unit(`${handler}/${inst}`, 5)), step: perRound };
    const add = (name: string, extra: Array<[string, string]>, m: ValueModel): void => {
      const labels: Array<[string, string]> = [['__name__', name], ...target, ...extra];
      labels.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      out.push({ labels, model: m });
    };
    for (const le of HISTOGRAM_BOUNDS) {
      // Log-normal latency with σ = 1: share of requests at or under `le`.
      const share = le === Infinity ? 1 : normalCdf(Math.log(le / scale));
      add('http_request_duration_seconds_bucket', [['le', le === Infinity ? '+Inf' : String(le)]], model({ kind: 'bucket', ...counter, jitter: share }));
    }
    // Mean of a log-normal with σ = 1 is median × e^½; _sum grows by count increments × mean.
    add('http_request_duration_seconds_sum', [], model({ kind: 'bucket', ...counter, jitter: scale * Math.exp(0.5), decimals: 3 }));
    add('http_request_duration_seconds_count', [], model({ kind: 'bucket', ...counter, jitter: 1 }));
  }
  return out;
}

/** Rounds `v` to `d` decimals (d = 0: an integer). */
function roundTo(v: number, d: number): number {
  if (d === 0) return Math.round(v);
  const f = 10 ** d;
  return Math.round(v * f) / f;
}

/** The benchmark's series and their values, and the remote-write requests that carry them. */
export class Dataset {
  readonly options: DatasetOptions;
  /** Label pairs of every series, sorted by name; index = series number. */
  readonly labels: ReadonlyArray<ReadonlyArray<readonly [string, string]>>;
  /** Series that are histogram buckets, `_sum` or `_count`. */
  readonly histogramSeries: number;
  /** Timestamp of the newest round, ms. */
  readonly tEnd: number;
  readonly requests: readonly DatasetRequest[];
  /** Sum of the compressed bodies, bytes. */
  readonly bodyBytes: number;
  readonly buildSeconds: number;
  readonly #models: readonly ValueModel[];

  private constructor(o: DatasetOptions, labels: Array<Array<[string, string]>>, models: ValueModel[], histograms: number) {
    this.options = o;
    this.labels = labels;
    this.#models = models;
    this.histogramSeries = histograms;
    this.tEnd = o.t0 + (o.rounds - 1) * SCRAPE_INTERVAL_MS;
    const started = performance.now();
    const requests: DatasetRequest[] = [];
    const slices = o.rounds / o.sliceRounds;
    for (let slice = 0; slice < slices; slice++) {
      for (let group = 0; group * o.groupSeries < o.series; group++) requests.push(this.#request(slice, group));
    }
    this.requests = requests;
    this.bodyBytes = requests.reduce((s, r) => s + r.body.length, 0);
    this.buildSeconds = (performance.now() - started) / 1000;
  }

  /**
   * Generates the series (node_exporter hosts, then ~20% histogram series, 14 per label set) and
   * encodes every request. Throws when the sizes do not divide evenly.
   */
  static build(o: DatasetOptions): Dataset {
    if (o.series % o.groupSeries !== 0) throw new Error(`series ${o.series} is not a multiple of ${o.groupSeries} series per request`);
    if (o.rounds % o.sliceRounds !== 0) throw new Error(`rounds ${o.rounds} is not a multiple of ${o.sliceRounds} rounds per request`);
    const histograms = Math.floor((o.series * 0.2) / SERIES_PER_HISTOGRAM) * SERIES_PER_HISTOGRAM;
    const node = makeNodeExporterSeries(o.series - histograms, o.seed);
    const models = node.map((labels, i) => {
      const name = labels.find((l) => l[0] === '__name__')?.[1] ?? '';
      const key = labels.filter((l) => l[0] !== '__name__').map((l) => `${l[0]}=${l[1]}`).join(',');
      return nodeModel(name, key, i);
    });
    const hist = histogramSeries(histograms);
    return new Dataset(o, [...node, ...hist.map((h) => h.labels)], [...models, ...hist.map((h) => h.model)], histograms);
  }

  /** Timestamp of round `r`, ms. */
  timestamp(round: number): number {
    return this.options.t0 + round * SCRAPE_INTERVAL_MS;
  }

  /** Value of series `i` at round `r` (see the file comment). */
  value(i: number, round: number): number {
    const m = this.#models[i]!;
    switch (m.kind) {
      case 'constant':
        return m.base;
      case 'counter':
        if (m.step === 0) return this.timestamp(round) / 1000; // node_time_seconds
        return roundTo(m.base + m.step * (round + 0.9 * noise(i, round)), m.decimals);
      case 'bucket': {
        // All series of a label set share the request counter N(r): same noise key per set.
        const set = i - ((i - (this.options.series - this.histogramSeries)) % SERIES_PER_HISTOGRAM);
        const n = Math.round(m.base + m.step * (round + 0.9 * noise(set, round)));
        return m.decimals === 0 ? Math.floor(m.jitter * n) : roundTo(m.jitter * n, m.decimals);
      }
      case 'gauge': {
        const wave = m.amp * Math.sin((2 * Math.PI * round) / m.period + m.phase);
        const v = m.base * (1 + m.trend * round + wave + m.jitter * (noise(i, round) - 0.5));
        return roundTo(Math.max(0, v), m.decimals);
      }
    }
  }

  /** Encodes and compresses request (slice, group). */
  #request(slice: number, group: number): DatasetRequest {
    const o = this.options;
    const first = group * o.groupSeries;
    const r0 = slice * o.sliceRounds;
    const timeseries: TimeSeriesObject[] = [];
    for (let i = first; i < Math.min(o.series, first + o.groupSeries); i++) {
      const samples: SampleObject[] = [];
      for (let r = r0; r < r0 + o.sliceRounds; r++) samples.push({ value: this.value(i, r), timestamp: this.timestamp(r) });
      timeseries.push({ labels: this.labels[i]!.map(([name, value]) => ({ name, value })), samples, exemplars: [], histograms: [] });
    }
    const raw = encodeWriteRequest({ timeseries, metadata: [] });
    return { slice, group, body: snappyCompress(raw), samples: timeseries.length * o.sliceRounds };
  }
}
