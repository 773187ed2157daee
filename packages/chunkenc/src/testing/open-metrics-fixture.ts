/**
 * Test-only helpers to produce OpenMetrics input for `promtool tsdb create-blocks-from
 * openmetrics` and to read it back the way Prometheus's OpenMetrics parser does.
 * Not exported from the package.
 */

/** A seeded PRNG (mulberry32) returning uint32s; deterministic for a seed. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (x ^ (x >>> 14)) >>> 0;
  };
}

/** One series' samples; `values` holds the exact float64 bits Prometheus would store. */
export interface SeriesSamples {
  /** The series as written in the text: metric name and labels. */
  key: string;
  ts: number[];
  values: Float64Array;
}

/** Prometheus stores every text `NaN` as this NaN (`value.NormalNaN`). */
export const NORMAL_NAN_HI = 0x7ff80000;
export const NORMAL_NAN_LO = 0x00000001;

/**
 * Parses OpenMetrics text of gauges with explicit timestamps (`name{labels} value ts`) into
 * series, converting as Prometheus 2.x's parser does: timestamp ms = int64(float(ts) * 1000)
 * (truncation), `NaN` → NormalNaN, `+Inf`/`-Inf`.
 */
export function parseOpenMetrics(text: string): Map<string, SeriesSamples> {
  const raw = new Map<string, { ts: number[]; vs: string[] }>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(' ');
    if (parts.length !== 3) throw new Error(`unexpected line: ${line}`);
    const [key, v, ts] = parts as [string, string, string];
    let s = raw.get(key);
    if (s === undefined) raw.set(key, (s = { ts: [], vs: [] }));
    s.ts.push(Math.trunc(Number(ts) * 1000));
    s.vs.push(v);
  }
  const out = new Map<string, SeriesSamples>();
  for (const [key, { ts, vs }] of raw) {
    const values = new Float64Array(vs.length);
    const words = new Uint32Array(values.buffer);
    vs.forEach((v, i) => {
      if (v === 'NaN') {
        words[2 * i + 1] = NORMAL_NAN_HI;
        words[2 * i] = NORMAL_NAN_LO;
      } else {
        values[i] = v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
      }
    });
    out.set(key, { key, ts, values });
  }
  return out;
}

/** Formats a float as OpenMetrics text; JS's shortest round-trip form parses exactly in Go. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

/** Formats a non-negative ms timestamp as seconds with 3 decimals. */
function formatTs(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
}

/** Timestamp Prometheus derives from {@link formatTs}'s text. */
function parsedTs(ms: number): number {
  return Math.trunc(Number(formatTs(ms)) * 1000);
}

type SeriesKind = 'counter' | 'gauge' | 'irregular' | 'special' | 'constant' | 'bits' | 'lonely';

/** Writes one series' sample lines, keeping only samples whose parsed timestamps increase. */
function series(
  name: string,
  kind: SeriesKind,
  n: number,
  start: number,
  rnd: () => number,
): string[] {
  const unit = (): number => rnd() / 4294967296;
  const lines = [`# TYPE ${name} gauge`];
  let t = start;
  let last = -1;
  let v = kind === 'counter' ? 0 : 100 * unit();
  const scratch = new Float64Array(1);
  const words = new Uint32Array(scratch.buffer);
  for (let i = 0; i < n; i++) {
    switch (kind) {
      case 'counter':
        t += 15_000;
        v = rnd() % 50 === 0 ? rnd() % 10 : v + (rnd() % 100);
        break;
      case 'gauge':
        t += 15_000 + (rnd() % 3 === 0 ? (rnd() % 201) - 100 : 0);
        v = Math.round((v + (unit() - 0.5) * 10) * 100) / 100;
        break;
      case 'irregular': {
        // Mostly jittered steps, sometimes a gap of minutes to hours (crossing dod buckets).
        const r = rnd() % 20;
        t += r === 0 ? 600_000 + (rnd() % 5_400_000) : r === 1 ? 1 + (rnd() % 3) : 1_000 + (rnd() % 90_000);
        v = unit() * 1e6;
        break;
      }
      case 'special': {
        t += 30_000;
        const r = rnd() % 8;
        v = r === 0 ? NaN : r === 1 ? Infinity : r === 2 ? -Infinity : r === 3 ? -0 : r === 4 ? 0 : v + 1;
        break;
      }
      case 'constant':
        t += 60_000;
        v = 42;
        break;
      case 'bits':
        // Arbitrary bit patterns (any exponent, subnormals), NaN payloads excluded: text can't carry them.
        t += 10_000;
        do {
          words[1] = rnd();
          words[0] = rnd();
        } while (Number.isNaN(scratch[0]!));
        v = scratch[0]!;
        break;
      case 'lonely':
        // One sample per 2h block: one-sample chunks.
        t += 3 * 3_600_000;
        v = i;
        break;
    }
    const pt = parsedTs(t);
    if (pt <= last) continue;
    last = pt;
    lines.push(`${name} ${formatValue(v)} ${formatTs(t)}`);
  }
  return lines;
}

/**
 * Generates OpenMetrics text with series of every kind above, enough samples for several chunks
 * each, starting near `start` ms. `scale` multiplies the sample counts.
 */
export function generateOpenMetrics(seed: number, start = 1_700_000_000_000, scale = 1): string {
  const rnd = makeRng(seed);
  const n = (k: number): number => Math.max(1, Math.round(k * scale));
  const lines = [
    ...series('scrape_counter_total', 'counter', n(400), start, rnd),
    ...series('room_temperature', 'gauge', n(300), start + 7_000, rnd),
    ...series('irregular_events', 'irregular', n(300), start + 123, rnd),
    ...series('special_values', 'special', n(260), start + 5_000, rnd),
    ...series('constant_value', 'constant', n(250), start, rnd),
    ...series('random_bits', 'bits', n(260), start + 1, rnd),
    ...series('lonely_samples', 'lonely', 3, start, rnd),
    '# EOF',
  ];
  return lines.join('\n') + '\n';
}
