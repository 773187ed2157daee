// The ingest benchmark's data: node_exporter-like series cut into remote-write requests of a
// fixed number of samples, one sample per series per round, compressed once and then re-dated
// and re-valued in place for every round (see protected-snappy.ts for why and how).
//
// Round r carries, for every series i, one sample at t0 + r * 15 s. Request j of a round holds
// series [j * perRequest, (j + 1) * perRequest) in the order makeNodeExporterSeries yields them
// (hosts one after another, as a Prometheus scraping a fleet sends them).

import {
  decodeWriteRequestReference,
  encodeWriteRequest,
  makeNodeExporterSeries,
  snappyCompress,
  snappyDecompress,
} from '@tessera/remotewrite';
import type { TimeSeriesObject } from '@tessera/remotewrite';
import { compressProtected, PINNED } from './protected-snappy.ts';

/** Scrape interval of the simulated fleet: timestamps advance this much per round. */
export const ROUND_STEP_MS = 15_000;

/**
 * A Sample is encoded as 0x09 <8-byte double> 0x10 <timestamp varint>. Timestamps in
 * [2^35, 2^42) ms (years 1971..2109) always take exactly 6 varint bytes, so rewriting one never
 * changes a length.
 */
const SAMPLE_BYTES = 1 + 8 + 1 + 6;
const TS_MIN = 2 ** 35;
const TS_MAX = 2 ** 42;

/** Families whose values a real node_exporter reports as (nearly) constant. */
const CONSTANT_FAMILIES = new Set([
  'node_memory_MemTotal_bytes', 'node_memory_SwapTotal_bytes', 'node_boot_time_seconds', 'node_filefd_maximum',
  'node_filesystem_size_bytes', 'node_filesystem_files', 'node_filesystem_readonly', 'node_network_up', 'node_uname_info',
]);

/** Options of {@link Workload.build}. */
export interface WorkloadOptions {
  series: number;
  samplesPerRequest: number;
  /** Timestamp of round 0 in ms. */
  t0: number;
  seed: number;
}

/** Sizes that describe a built workload. */
export interface WorkloadStats {
  /** Average snappy body as sent, bytes. */
  avgBodyBytes: number;
  /** Average uncompressed WriteRequest, bytes. */
  avgRawBytes: number;
  /** Average body snappyjs makes of the same request (no protected bytes), bytes. */
  avgReferenceBodyBytes: number;
  /** Seconds spent building. */
  buildSeconds: number;
}

/** A reusable send buffer with a DataView over it, one per connection. */
export class SendBuffer {
  readonly bytes: Uint8Array;
  readonly view: DataView;

  /** Allocates `capacity` bytes. */
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }
}

/** 32-bit integer mix (murmur3 finaliser), for deterministic per-(series, round) noise. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Offsets of each sample's value bytes in an encoded WriteRequest of one-sample series. */
function sampleValueOffsets(buf: Uint8Array, expected: number): Int32Array {
  const out = new Int32Array(expected);
  let p = 0;
  let k = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = buf[p++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  while (p < buf.length) {
    if (buf[p++] !== 0x0a) throw new Error('unexpected top-level field in the WriteRequest template');
    const end = varint() + p;
    while (p < end) {
      const tag = buf[p++]!;
      const len = varint();
      if (tag === 0x12) {
        // Sample: 0x09 <8-byte double> 0x10 <6-byte varint timestamp>.
        if (len !== SAMPLE_BYTES || buf[p] !== 0x09 || buf[p + 9] !== 0x10) throw new Error('unexpected Sample layout');
        if (k >= expected) throw new Error('more samples than series in the template');
        out[k++] = p + 1;
      }
      p += len;
    }
  }
  if (k !== expected) throw new Error(`template has ${k} samples, expected ${expected}`);
  return out;
}

/** The pre-compressed requests of a round and where to rewrite them. */
interface Parts {
  bodies: Uint8Array[];
  valueOffsets: Int32Array[];
  tsOffsets: Int32Array[];
  tsByteIndex: Uint8Array[];
}

/**
 * Compresses one encoded request and records where its values and timestamp bytes sit in the
 * body. Value bytes are pinned; the k-th timestamp byte of every sample shares class 1 + k, as
 * all samples of a request carry the same timestamp.
 */
function addRequest(parts: Parts, src: Uint8Array, valueAt: Int32Array): void {
  const cls = new Uint8Array(src.length);
  for (const v of valueAt) {
    cls.fill(PINNED, v, v + 8);
    for (let k = 0; k < 6; k++) cls[v + 9 + k] = 1 + k;
  }
  const { body, literalAt } = compressProtected(src, cls);
  if (Buffer.compare(snappyDecompress(body, src.length), src) !== 0) throw new Error('protected snappy output does not decode to its input');
  const valueOffsets = new Int32Array(valueAt.length);
  valueAt.forEach((v, k) => {
    const at = literalAt[v]!;
    if (at < 0 || literalAt[v + 7] !== at + 7) throw new Error('internal: a value was not emitted as one literal run');
    valueOffsets[k] = at;
  });
  const ts: number[] = [];
  const idx: number[] = [];
  for (let p = 0; p < src.length; p++) {
    const c = cls[p]!;
    if (c >= 1 && c <= 6 && literalAt[p]! >= 0) {
      ts.push(literalAt[p]!);
      idx.push(c - 1);
    }
  }
  parts.bodies.push(body);
  parts.valueOffsets.push(valueOffsets);
  parts.tsOffsets.push(Int32Array.from(ts));
  parts.tsByteIndex.push(Uint8Array.from(idx));
}

/**
 * All requests of one round, pre-compressed, plus the per-series value model. Immutable after
 * {@link Workload.build}; {@link Workload.fill} writes a round's copy into a caller's buffer.
 */
export class Workload {
  readonly series: number;
  readonly samplesPerRequest: number;
  readonly requestsPerRound: number;
  readonly t0: number;
  /** Largest body, bytes: the size a {@link SendBuffer} needs. */
  readonly maxBodyBytes: number;
  readonly stats: WorkloadStats;
  readonly #bodies: Uint8Array[];
  /** Per request: offset in the body of each sample's value (8 bytes, little-endian double). */
  readonly #valueOffsets: Int32Array[];
  /** Per request: offsets in the body of timestamp bytes emitted as literals, and which byte each is. */
  readonly #tsOffsets: Int32Array[];
  readonly #tsByteIndex: Uint8Array[];
  /** Per series: value at round 0, and growth per round (0 for constant families). */
  readonly #base: Float64Array;
  readonly #step: Float64Array;
  /** Per series: 1 when values carry two decimals, 0 for integers. */
  readonly #decimals: Uint8Array;
  readonly #tsBytes = new Uint8Array(6);
  #tsRound = -1;

  private constructor(o: WorkloadOptions, parts: Parts, base: Float64Array, step: Float64Array, decimals: Uint8Array, stats: WorkloadStats) {
    const bodies = parts.bodies;
    this.series = o.series;
    this.samplesPerRequest = o.samplesPerRequest;
    this.requestsPerRound = bodies.length;
    this.t0 = o.t0;
    this.#bodies = bodies;
    this.#valueOffsets = parts.valueOffsets;
    this.#tsOffsets = parts.tsOffsets;
    this.#tsByteIndex = parts.tsByteIndex;
    this.#base = base;
    this.#step = step;
    this.#decimals = decimals;
    this.maxBodyBytes = bodies.reduce((m, b) => Math.max(m, b.length), 0);
    this.stats = stats;
  }

  /**
   * Generates the series, encodes and compresses every request of a round, and checks each
   * compressed body against its source. `series` must be a multiple of `samplesPerRequest`.
   */
  static build(o: WorkloadOptions): Workload {
    if (o.series % o.samplesPerRequest !== 0) throw new Error(`--series ${o.series} is not a multiple of ${o.samplesPerRequest} samples per request`);
    if (o.t0 < TS_MIN || o.t0 >= TS_MAX / 2) throw new Error('t0 outside the 6-byte varint range');
    const started = performance.now();
    const all = makeNodeExporterSeries(o.series, o.seed);
    const base = new Float64Array(o.series);
    const step = new Float64Array(o.series);
    const decimals = new Uint8Array(o.series);
    const parts: Parts = { bodies: [], valueOffsets: [], tsOffsets: [], tsByteIndex: [] };
    let raw = 0;
    for (let first = 0; first < o.series; first += o.samplesPerRequest) {
      const timeseries: TimeSeriesObject[] = [];
      for (let i = first; i < first + o.samplesPerRequest; i++) {
        const labels = all[i]!;
        const name = labels.find((l) => l[0] === '__name__')?.[1] ?? '';
        const u = mix32(i ^ o.seed) / 2 ** 32;
        const v = mix32(i + 0x9e3779b9) / 2 ** 32;
        if (CONSTANT_FAMILIES.has(name)) {
          base[i] = Math.round(10 ** (1 + 9 * u));
          step[i] = 0;
        } else if (name.endsWith('_seconds_total') || name.startsWith('node_load')) {
          // Seconds counters and load averages: two decimals, like node_exporter's CPU times.
          base[i] = Math.round(10 ** (2 + 5 * u) * 100) / 100;
          step[i] = Math.round(10 ** (-1 + 3 * v) * 100) / 100;
          decimals[i] = 1;
        } else {
          // Byte, packet and operation counters and byte gauges: integers.
          base[i] = Math.round(10 ** (2 + 9 * u));
          step[i] = Math.max(1, Math.round(10 ** (5 * v)));
        }
        // The template value must not be 0 (proto3 would omit it); fill() overwrites it.
        timeseries.push({ labels: labels.map(([n, v]) => ({ name: n, value: v })), samples: [{ value: 1.5, timestamp: o.t0 }], exemplars: [], histograms: [] });
      }
      const src = encodeWriteRequest({ timeseries, metadata: [] });
      addRequest(parts, src, sampleValueOffsets(src, o.samplesPerRequest));
      raw += src.length;
    }
    all.length = 0;
    const n = parts.bodies.length;
    const stats: WorkloadStats = {
      avgBodyBytes: parts.bodies.reduce((s, b) => s + b.length, 0) / n,
      avgRawBytes: raw / n,
      avgReferenceBodyBytes: 0,
      buildSeconds: (performance.now() - started) / 1000,
    };
    const w = new Workload(o, parts, base, step, decimals, stats);
    // Check fill() end to end on a few (request, round) pairs with the reference decoder, and
    // size what a stock snappy compressor makes of the same filled requests.
    const buf = new SendBuffer(w.maxBodyBytes);
    const checks = [[0, 0], [n - 1, 1], [n >> 1, 12345]] as const;
    for (const [j, r] of checks) {
      const raw = w.verify(j, r, buf);
      stats.avgReferenceBodyBytes += snappyCompress(raw).length / checks.length;
    }
    return w;
  }

  /**
   * The same requests and values on another time axis: round 0 at `t0`. Shares every buffer with
   * this workload (building a round of 1M series takes seconds and ~0.7 GiB). Every timestamp
   * byte is rewritten by {@link fill} (literal bytes directly, copied bytes via their source), so
   * the template's own t0 never reaches the wire.
   */
  rebased(t0: number): Workload {
    if (t0 < TS_MIN || t0 >= TS_MAX / 2) throw new Error('t0 outside the 6-byte varint range');
    const parts: Parts = { bodies: this.#bodies, valueOffsets: this.#valueOffsets, tsOffsets: this.#tsOffsets, tsByteIndex: this.#tsByteIndex };
    const o: WorkloadOptions = { series: this.series, samplesPerRequest: this.samplesPerRequest, t0, seed: 0 }; // seed is read by build() only
    return new Workload(o, parts, this.#base, this.#step, this.#decimals, this.stats);
  }

  /** Timestamp of round `r`, ms. */
  timestamp(round: number): number {
    return this.t0 + round * ROUND_STEP_MS;
  }

  /**
   * Value of series `i` in round `r`: constant, or a counter growing by 0.1 to 1.9 steps per
   * round (never decreasing), rounded to an integer or to two decimals.
   */
  value(i: number, round: number): number {
    const s = this.#step[i]!;
    if (s === 0) return this.#base[i]!;
    const noise = mix32(Math.imul(i, 0x9e3779b1) ^ Math.imul(round, 0x85ebca6b)) / 2 ** 32;
    const v = this.#base[i]! + s * (round + 0.9 * noise);
    return this.#decimals[i] === 1 ? Math.round(v * 100) / 100 : Math.round(v);
  }

  /** Writes request `j` of round `round` into `buf` and returns its length in bytes. */
  fill(j: number, round: number, buf: SendBuffer): number {
    const body = this.#bodies[j]!;
    const offs = this.#valueOffsets[j]!;
    const tsOffs = this.#tsOffsets[j]!;
    const tsIndex = this.#tsByteIndex[j]!;
    const out = buf.bytes;
    const view = buf.view;
    out.set(body);
    const ts = this.#tsBytes;
    if (this.#tsRound !== round) {
      let t = this.timestamp(round);
      if (t >= TS_MAX) throw new Error('timestamp outside the 6-byte varint range');
      for (let b = 0; b < 6; b++) {
        const low = t % 128;
        t = (t - low) / 128;
        ts[b] = b < 5 ? low | 0x80 : low;
      }
      this.#tsRound = round;
    }
    const firstSeries = j * this.samplesPerRequest;
    for (let k = 0; k < offs.length; k++) {
      const at = offs[k]!;
      view.setFloat64(offs[k]!, this.value(firstSeries + k, round), true);
    }
    for (let k = 0; k < tsOffs.length; k++) out[tsOffs[k]!] = ts[tsIndex[k]!]!;
    return body.length;
  }

  /**
   * Fills request `j` of `round` into `buf`, decodes it with the reference codec, checks every
   * value and timestamp, and returns the decompressed WriteRequest.
   */
  verify(j: number, round: number, buf: SendBuffer): Uint8Array {
    const len = this.fill(j, round, buf);
    const raw = snappyDecompress(buf.bytes.subarray(0, len), 64 << 20);
    const req = decodeWriteRequestReference(raw);
    if (req.timeseries.length !== this.samplesPerRequest) throw new Error('self-check: wrong series count');
    req.timeseries.forEach((ts, k) => {
      const s = ts.samples[0];
      const want = this.value(j * this.samplesPerRequest + k, round);
      if (ts.samples.length !== 1 || s?.timestamp !== this.timestamp(round) || s.value !== want) {
        throw new Error(`self-check failed: request ${j} round ${round} sample ${k}: ${JSON.stringify(s)}, want ${want} @ ${this.timestamp(round)}`);
      }
    });
    return raw;
  }
}
