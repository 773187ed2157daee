// The cluster ingest benchmark: bench/ingest's remote-write workload against the single-process
// Tessera and against a cluster on this machine (Redis ring, 3 ingesters, 1 distributor, RF = 3),
// to show the cluster's samples/s and what the extra hop and the three replicas cost in CPU.
//
//   npm run bench:cluster -- [--series 10000] [--duration 15] [--warmup 5] [--connections 4] [--record]
//
// What it measures and how: bench/README.md.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BenchFailure, measureTarget, type MeasureSettings, type TargetResult } from '../ingest/measure.ts';
import { machineLine } from '../ingest/report.ts';
import { ROUND_STEP_MS, Workload } from '../ingest/workload.ts';
import { INGESTERS, REPLICATION_FACTOR } from './cluster.ts';
import { measureCluster, type ClusterResult } from './measure-cluster.ts';

const SAMPLES_PER_REQUEST = 2000;
const RESULTS_FILE = path.join(import.meta.dirname, '..', 'RESULTS.md');

const { values: args } = parseArgs({
  options: {
    series: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '4' },
    record: { type: 'boolean', default: false },
    'rate-cap': { type: 'string', default: '3000000' },
    'data-root': { type: 'string', default: os.tmpdir() },
    'keep-data': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
  },
  strict: true,
});

/** Parses "10000", "10k" or "1M". */
function parseCount(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (m === null) throw new Error(`not a count: ${s}`);
  const mult = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1e6;
  return Math.round(Number(m[1]) * mult);
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number, got ${v}`);
  return n;
}

const seriesCounts = args.series.split(',').map(parseCount);
const durationS = positive('duration', args.duration);
const warmupS = positive('warmup', args.warmup);
const connections = Math.round(positive('connections', args.connections));
const rateCap = positive('rate-cap', args['rate-cap']);
const machine = machineLine(null).replace(/, Prometheus not run$/, '');
const settings =
  `${SAMPLES_PER_REQUEST} samples/request, ${connections} keep-alive connections, warm-up ${warmupS} s, measured ${durationS} s; ` +
  `cluster = redis-server + ${INGESTERS} ingesters + 1 distributor, RF ${REPLICATION_FACTOR}; client and all processes share the machine's cores`;
const log = (s: string): void => void process.stdout.write(`${s}\n`);

const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fmt = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
/** CPU µs per acknowledged sample: cores ÷ samples/s. */
const usPerSample = (cores: number, samplesPerS: number): number => (cores / samplesPerS) * 1e6;

log(`cluster ingest benchmark: ${machine}`);
log(`settings: ${settings}`);

interface Pair {
  series: number;
  single?: TargetResult;
  cluster?: ClusterResult;
}
const pairs: Pair[] = [];
let failed = false;

for (const series of seriesCounts) {
  // Back-dated as bench/ingest does: the newest round the client may send lands on "now".
  const maxRound = 1 + Math.ceil((rateCap * (warmupS + durationS)) / series);
  const t0 = Math.floor(Date.now() / ROUND_STEP_MS) * ROUND_STEP_MS - maxRound * ROUND_STEP_MS;
  const retentionHours = Math.ceil((maxRound * ROUND_STEP_MS) / 3_600_000) + 3;
  log(`\n== ${series.toLocaleString('en-US')} series: building one round of ${series / SAMPLES_PER_REQUEST} requests…`);
  const workload = Workload.build({ series, samplesPerRequest: SAMPLES_PER_REQUEST, t0, seed: Number(args.seed) });
  const ms: MeasureSettings = { connections, warmupS, durationS, maxRound, retentionHours, dataRoot: args['data-root'], keepData: args['keep-data'] };
  const pair: Pair = { series };
  pairs.push(pair);
  try {
    log(`   single process: series creation, ${warmupS} s warm-up, ${durationS} s measured…`);
    const r = await measureTarget('tessera', workload, ms);
    pair.single = r;
    log(`   single process: ${fmtInt(r.samplesPerS)} samples/s, p99 ${fmt(r.p99Ms, 1)} ms, ${fmt(r.targetCores, 2)} cores, other processes ${fmt(r.otherCores, 2)} cores`);
    log(`   cluster: starting redis-server, ${INGESTERS} ingesters, 1 distributor; waiting for ${INGESTERS} ACTIVE in the ring…`);
    const c = await measureCluster(workload, ms);
    pair.cluster = c;
    log(`   cluster: ${fmtInt(c.samplesPerS)} samples/s, p99 ${fmt(c.p99Ms, 1)} ms, ${fmt(c.clusterCores, 2)} cores, other processes ${fmt(c.otherCores, 2)} cores`);
  } catch (e) {
    if (!(e instanceof BenchFailure)) throw e;
    failed = true;
    log(`\n!! ${e.message}\n`);
  }
}

/** The figures as a Markdown table: one row per setup and series count. */
function table(): string {
  const head = ['series', 'setup', 'creation series/s', 'samples/s', 'p50 ms', 'p99 ms', 'non-2xx', 'CPU cores (all target processes)', 'CPU µs/sample', 'RSS MiB (sum)', 'CPU client / other'];
  const rows: string[][] = [];
  for (const p of pairs) {
    const s = p.single;
    if (s !== undefined) {
      rows.push([
        fmtInt(p.series), 'single process', fmtInt(s.creationSeriesPerS), fmtInt(s.samplesPerS), fmt(s.p50Ms, 1), fmt(s.p99Ms, 1), String(s.nonOk),
        fmt(s.targetCores, 2), fmt(usPerSample(s.targetCores, s.samplesPerS), 2), fmt(s.finalRssKiB / 1024, 0), `${fmt(s.clientCores, 2)} / ${fmt(s.otherCores, 2)}`,
      ]);
    }
    const c = p.cluster;
    if (c !== undefined) {
      rows.push([
        fmtInt(p.series), `cluster (1 dist + ${INGESTERS} ing, RF ${REPLICATION_FACTOR})`, fmtInt(c.creationSeriesPerS), fmtInt(c.samplesPerS), fmt(c.p50Ms, 1), fmt(c.p99Ms, 1), String(c.nonOk),
        fmt(c.clusterCores, 2), fmt(usPerSample(c.clusterCores, c.samplesPerS), 2), fmt(c.finalRssKiB / 1024, 0), `${fmt(c.clientCores, 2)} / ${fmt(c.otherCores, 2)}`,
      ]);
    }
  }
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i < 2 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** Ratios, per-process CPU of the cluster, notes and noise warnings. */
function summaryLines(): string[] {
  const out: string[] = [];
  for (const p of pairs) {
    const n = fmtInt(p.series);
    const { single: s, cluster: c } = p;
    if (c !== undefined) {
      out.push(`${n} series: cluster CPU by process (cores): ${c.processCores.map((x) => `${x.name} ${fmt(x.cores, 2)}`).join(', ')}`);
    }
    if (s !== undefined && c !== undefined) {
      const cost = usPerSample(c.clusterCores, c.samplesPerS) / usPerSample(s.targetCores, s.samplesPerS);
      out.push(
        `${n} series: cluster ÷ single process: samples/s ${fmt(c.samplesPerS / s.samplesPerS, 2)}×, ` +
          `CPU per sample ${fmt(cost, 2)}× (the extra hop and ${REPLICATION_FACTOR} replicas; ${REPLICATION_FACTOR} ingester appends per sample against 1), ` +
          `p99 ${fmt(c.p99Ms / s.p99Ms, 2)}×`,
      );
    }
    for (const [what, other, steal] of [
      ['single process', s?.otherCores, s?.stealCores], ['cluster', c?.otherCores, c?.stealCores],
    ] as const) {
      if (other === undefined || steal === undefined) continue;
      if (other > 0.2 || steal > 0.1) out.push(`warning: ${what} @ ${n}: other processes used ${fmt(other, 2)} cores, steal ${fmt(steal, 2)}; figures depressed`);
    }
    for (const note of s?.notes ?? []) out.push(`note: single process @ ${n}: ${note}`);
    for (const note of c?.notes ?? []) out.push(`note: cluster @ ${n}: ${note}`);
  }
  return out;
}

const tableText = table();
const summary = summaryLines();
log('\n' + tableText + '\n');
for (const l of summary) log(l);
log(
  'columns: samples/s = 2xx answers × 2000 / s (client side); CPU cores = CPU seconds of the target process(es) from /proc/<pid>/stat ÷ wall seconds ' +
    '(cluster: redis + ingesters + distributor); CPU µs/sample = those cores ÷ samples/s; other = rest of the machine (noise).',
);

const noisy = pairs.some((p) => [p.single, p.cluster].some((r) => r !== undefined && (r.otherCores > 0.2 || r.stealCores > 0.1)));
if (args.record && failed) {
  log('not recorded: the run failed');
} else if (args.record) {
  const entry = [
    '',
    `## ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC — cluster ingest`,
    '',
    `- machine: ${machine}`,
    `- command: \`npm run bench:cluster -- ${process.argv.slice(2).join(' ')}\``,
    `- settings: ${settings}`,
    ...(noisy ? ['- note: other processes used over 0.2 cores during a measurement (see the warnings); figures depressed'] : []),
    '',
    tableText,
    '',
    ...summary.map((l) => `- ${l}`),
    '',
  ].join('\n');
  fs.appendFileSync(RESULTS_FILE, entry);
  log(`recorded in ${RESULTS_FILE}`);
}
if (failed) {
  log('\nFAILED: a request was answered with non-2xx or samples were discarded (see above).');
  process.exit(1);
}
