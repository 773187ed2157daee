/**
 * The dataset of the Prometheus parity test (prometheus-parity.test.ts): ~145 series scraped
 * every 15 s for 45 minutes by a fixed-seed generator, and a remote-write encoder that sends the
 * stale marker's exact bits.
 *
 * Timing invariant (why the answers of Prometheus 2.42 and Tessera can agree exactly): every
 * sample sits at `base + k·15 s + j` with `base` a whole minute and `j` in [1 s, 14 s], so no
 * sample is ever on a multiple of 15 s. Every query time, step, range, offset and lookback used
 * by the test is a multiple of 15 s, so no window edge (`t - range`, `t - lookback`) ever falls
 * on a sample, and Prometheus 2.42's left-closed windows select the same samples as 3.x's
 * left-open ones. All series of one target (instance) share that scrape's timestamp, as a real
 * scrape would.
 *
 * Counter-start invariant: every counter already holds a large value at its first sample (the
 * target was up before the data starts). Where a counter series starts inside a `rate` window,
 * Prometheus 2.51 changed how the zero-point limit and the half-interval rule combine
 * (prometheus/prometheus#13725): for a first value close to zero, 2.42 and 3.x extrapolate
 * differently. Large first values keep the zero point far outside the window, where both agree.
 * Resets (to near zero) happen only mid-series, where the rule is not involved.
 */
import { seededRandom } from './helpers.ts';

/** Interval between scrapes. */
export const SCRAPE_MS = 15_000;
/** Number of scrapes per target (45 minutes). */
export const SCRAPES = 180;

/** The stale marker (Prometheus's StaleNaN, bits 0x7ff0000000000002), as a sample value. */
export const STALE = 'stale';

/** A sample value: a float (NaN allowed) or the stale marker. */
export type SampleValue = number | typeof STALE;

/** One series of the dataset. */
export interface DataSeries {
  labels: Record<string, string>;
  /** `[timestampMs, value]`, ascending. */
  samples: Array<[number, SampleValue]>;
}

const HIST_BOUNDS = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'] as const;

/**
 * Builds the dataset starting at `baseMs` (a whole minute). Series families:
 * - `http_requests_total{job="api",instance="api-0..4",method,code}` (30 counters; api-1 and api-3
 *   restart twice, so the counters reset),
 * - `node_memory_free_bytes{job="node",instance="node-0..9"}` (10 gauges, random walks),
 * - `node_cpu_seconds_total{job="node",instance,mode}` (30 counters),
 * - `room_temperature_celsius{job="sensors",instance="s-0..5",room}` (6 gauges, negative values and
 *   a NaN about every 17th sample),
 * - `rpc_duration_seconds_{bucket,sum,count}{job="rpc",instance="rpc-0..2",service}` (a classic
 *   histogram, 6 groups of 7 buckets; rpc-2/b restarts),
 * - `flappy_up{job="batch",instance="b-0..5"}` (gauges ending in stale markers; two come back),
 * - `batch_processed_total{job="batch",instance="b-0..3"}` (counters that stop without a marker),
 * - `build_info{job="api",instance,version}` (constant 1, for group_left joins).
 */
export function buildDataset(baseMs: number, seed = 20240601): DataSeries[] {
  const rand = seededRandom(seed);
  const out: DataSeries[] = [];
  // Per instance, the timestamp of each scrape: base + k·15s + 1..14s (ms resolution).
  const scrapeTimes = new Map<string, number[]>();
  const timesOf = (instance: string): number[] => {
    let ts = scrapeTimes.get(instance);
    if (ts === undefined) {
      ts = [];
      for (let k = 0; k < SCRAPES; k++) ts.push(baseMs + k * SCRAPE_MS + 1000 + Math.floor(rand() * 13_000));
      scrapeTimes.set(instance, ts);
    }
    return ts;
  };
  const series = (labels: Record<string, string>, instance: string, value: (k: number) => SampleValue | null): void => {
    const ts = timesOf(instance);
    const samples: Array<[number, SampleValue]> = [];
    for (let k = 0; k < SCRAPES; k++) {
      const v = value(k);
      if (v !== null) samples.push([ts[k]!, v]);
    }
    out.push({ labels, samples });
  };

  for (let i = 0; i < 5; i++) {
    const instance = `api-${i}`;
    const restarts = i === 1 ? [60, 130] : i === 3 ? [45, 150] : [];
    for (const method of ['GET', 'POST']) {
      for (const code of ['200', '404', '500']) {
        const scale = code === '200' ? 40 : code === '404' ? 6 : 2;
        let c = 1000 + Math.floor(rand() * 1000);
        const vals: number[] = [];
        for (let k = 0; k < SCRAPES; k++) {
          c = restarts.includes(k) ? Math.floor(rand() * 3) : c + Math.floor(rand() * scale) + rand() * 0.5;
          vals.push(c);
        }
        series({ __name__: 'http_requests_total', job: 'api', instance, method, code }, instance, (k) => vals[k]!);
      }
    }
    series({ __name__: 'build_info', job: 'api', instance, version: `v1.${i % 2}` }, instance, () => 1);
  }

  for (let i = 0; i < 10; i++) {
    const instance = `node-${i}`;
    let mem = 2e8 + rand() * 8e8;
    const memVals: number[] = [];
    for (let k = 0; k < SCRAPES; k++) {
      mem = Math.max(1e7, mem + (rand() - 0.5) * 2e7);
      memVals.push(mem);
    }
    series({ __name__: 'node_memory_free_bytes', job: 'node', instance }, instance, (k) => memVals[k]!);
    for (const mode of ['idle', 'user', 'system']) {
      let cpu = 1e4 + rand() * 1e5;
      const share = mode === 'idle' ? 13 : mode === 'user' ? 1.5 : 0.5;
      const cpuVals: number[] = [];
      for (let k = 0; k < SCRAPES; k++) cpuVals.push((cpu += share * (0.5 + rand())));
      series({ __name__: 'node_cpu_seconds_total', job: 'node', instance, mode }, instance, (k) => cpuVals[k]!);
    }
  }

  for (let i = 0; i < 6; i++) {
    const instance = `s-${i}`;
    let temp = -5 + rand() * 30;
    const vals: number[] = [];
    for (let k = 0; k < SCRAPES; k++) {
      temp += (rand() - 0.5) * 0.8;
      vals.push((k + 3 * i) % 17 === 5 ? NaN : temp);
    }
    series({ __name__: 'room_temperature_celsius', job: 'sensors', instance, room: ['hall', 'lab', 'attic'][i % 3]! }, instance, (k) => vals[k]!);
  }

  for (let i = 0; i < 3; i++) {
    const instance = `rpc-${i}`;
    for (const service of ['a', 'b']) {
      const resetAt = i === 2 && service === 'b' ? 100 : -1;
      // The target was up before the data starts: the buckets already hold observations.
      const counts: number[] = [];
      for (let b = 0, acc = 0; b < HIST_BOUNDS.length; b++) counts.push((acc += 100 + Math.floor(rand() * 200)));
      let sum = counts[HIST_BOUNDS.length - 1]! * 0.4;
      const snaps: Array<{ counts: number[]; sum: number }> = [];
      for (let k = 0; k < SCRAPES; k++) {
        if (k === resetAt) {
          counts.fill(0);
          sum = 0;
        }
        const n = Math.floor(rand() * (service === 'a' ? 30 : 8));
        for (let o = 0; o < n; o++) {
          // Latencies around 0.3 s (a) or 0.8 s (b), some above every finite bound.
          const x = -Math.log(1 - rand()) * (service === 'a' ? 0.3 : 0.8);
          sum += x;
          for (let b = 0; b < HIST_BOUNDS.length; b++) if (b === HIST_BOUNDS.length - 1 || x <= Number(HIST_BOUNDS[b])) counts[b]!++;
        }
        snaps.push({ counts: [...counts], sum });
      }
      const base = { job: 'rpc', instance, service };
      HIST_BOUNDS.forEach((le, b) => series({ __name__: 'rpc_duration_seconds_bucket', ...base, le }, instance, (k) => snaps[k]!.counts[b]!));
      series({ __name__: 'rpc_duration_seconds_sum', ...base }, instance, (k) => snaps[k]!.sum);
      series({ __name__: 'rpc_duration_seconds_count', ...base }, instance, (k) => snaps[k]!.counts[HIST_BOUNDS.length - 1]!);
    }
  }

  // flappy_up: [staleAt, resumeAt] per instance (resumeAt -1: never comes back).
  const flaps: Array<[number, number]> = [[80, -1], [80, 120], [150, -1], [30, 40], [110, -1], [170, -1]];
  flaps.forEach(([staleAt, resumeAt], i) => {
    const instance = `b-${i}`;
    const vals: number[] = [];
    for (let k = 0; k < SCRAPES; k++) vals.push(rand() < 0.8 ? 1 : 0);
    series({ __name__: 'flappy_up', job: 'batch', instance }, instance, (k) =>
      k === staleAt ? STALE : k > staleAt && (resumeAt < 0 || k < resumeAt) ? null : vals[k]!,
    );
  });
  // batch_processed_total: stops (no stale marker) after the given scrape.
  [90, 100, 135, 175].forEach((stopAt, i) => {
    const instance = `b-${i}`;
    let c = 100 + rand() * 100;
    const vals: number[] = [];
    for (let k = 0; k < SCRAPES; k++) vals.push((c += rand() * 20));
    series({ __name__: 'batch_processed_total', job: 'batch', instance }, instance, (k) => (k <= stopAt ? vals[k]! : null));
  });
  return out;
}

// ---- Remote-write encoding (protobuf by hand, so the stale marker's bits survive) -------------

const enc = new TextEncoder();

function varint(n: number, out: number[]): void {
  // Non-negative integers below 2^53 only (timestamps and lengths).
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

function lengthDelimited(field: number, payload: number[], out: number[]): void {
  out.push((field << 3) | 2);
  varint(payload.length, out);
  for (const b of payload) out.push(b);
}

/** IEEE-754 little-endian bytes of `v`; the stale marker as 0x7ff0000000000002 exactly. */
function doubleBytes(v: SampleValue): number[] {
  if (v === STALE) return [0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f];
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return [...b];
}

/**
 * The uncompressed WriteRequest protobuf for `series`, keeping only samples with
 * `fromMs <= t < toMs`; series without such samples are left out. Labels are sent sorted.
 *
 * Layout: WriteRequest{1: TimeSeries*}; TimeSeries{1: Label*, 2: Sample*};
 * Label{1: name, 2: value}; Sample{1: double value (fixed64), 2: int64 timestamp (varint)}.
 */
export function encodeWriteRequestSlice(series: readonly DataSeries[], fromMs: number, toMs: number): Uint8Array {
  const out: number[] = [];
  for (const s of series) {
    const samples = s.samples.filter(([t]) => t >= fromMs && t < toMs);
    if (samples.length === 0) continue;
    const ts: number[] = [];
    for (const [name, value] of Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const label: number[] = [];
      lengthDelimited(1, [...enc.encode(name)], label);
      lengthDelimited(2, [...enc.encode(value)], label);
      lengthDelimited(1, label, ts);
    }
    for (const [t, v] of samples) {
      const sample: number[] = [(1 << 3) | 1, ...doubleBytes(v), (2 << 3) | 0];
      varint(t, sample);
      lengthDelimited(2, sample, ts);
    }
    lengthDelimited(1, ts, out);
  }
  return Uint8Array.from(out);
}
