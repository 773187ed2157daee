// The ingest benchmark: remote-write throughput, latency, memory and WAL size of the
// single-process Tessera, and of Debian's Prometheus on the same requests.
//
//   npm run bench:ingest -- [--series 10000,100000,1000000] [--duration 20] [--no-prometheus]
//                           [--warmup 5] [--connections 4] [--record] [--profile]
//                           [--phases throughput,memory] [--mem-rounds 480] [--heap-snapshot]
//
// Two phases per series count: throughput (samples/s against the issue's ≥ 1× target) and memory
// (RSS per active series at equal data, K samples per series, against the ≤ 1× target).
//
// What it measures and how: bench/README.md.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BenchFailure, measureTarget, type MeasureSettings, type TargetResult } from './measure.ts';
import { hotSpots, newestProfile } from './profile-summary.ts';
import { measureMemory, memoryPhaseT0, type MemoryResult } from './memory.ts';
import {
  appendResults, equalRoundLines, heapLines, machineLine, memoryNoteLines, memoryRatioLines, memoryTable, noteLines, ratioLines, resultsTable,
} from './report.ts';
import { PROMETHEUS_BIN, waitForQuietMachine, type TargetKind } from './targets.ts';
import { ROUND_STEP_MS, Workload } from './workload.ts';

const SAMPLES_PER_REQUEST = 2000;
const RESULTS_FILE = path.join(import.meta.dirname, '..', 'RESULTS.md');

const { values: args } = parseArgs({
  options: {
    series: { type: 'string', default: '10000,100000,1000000' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '4' },
    'no-prometheus': { type: 'boolean', default: false },
    'no-tessera': { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'rate-cap': { type: 'string', default: '3000000' },
    'data-root': { type: 'string', default: os.tmpdir() },
    'keep-data': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    phases: { type: 'string', default: 'throughput,memory' },
    'mem-rounds': { type: 'string', default: '480' },
    'mem-max-samples': { type: 'string', default: '60000000' },
    'heap-snapshot': { type: 'boolean', default: false },
    'busy-retries': { type: 'string', default: '2' },
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
const withPrometheus = !args['no-prometheus'] && fs.existsSync(PROMETHEUS_BIN);
const kinds: TargetKind[] = [...(args['no-tessera'] ? [] : ['tessera' as const]), ...(withPrometheus ? ['prometheus' as const] : [])];
if (kinds.length === 0) throw new Error('nothing to measure');
const phases = new Set(args.phases.split(',').map((p) => p.trim()));
for (const p of phases) if (p !== 'throughput' && p !== 'memory') throw new Error(`--phases: unknown phase ${p}`);
const memRounds = Math.round(positive('mem-rounds', args['mem-rounds']));
const memMaxSamples = positive('mem-max-samples', args['mem-max-samples']);
const busyRetries = Math.max(0, Math.round(Number(args['busy-retries'])));
/** Other processes' CPU (cores) or steal above which a throughput measurement is not representative. */
const BUSY_OTHER_CORES = 0.2;
const BUSY_STEAL_CORES = 0.1;
/** A Prometheus head is compacted once it spans more than 3 h (1.5 block ranges): 721 rounds of 15 s. */
const PROMETHEUS_COMPACTABLE_ROUNDS = (3 * 3_600_000) / ROUND_STEP_MS + 1;

const prometheusVersion = withPrometheus
  ? (execFileSync(PROMETHEUS_BIN, ['--version'], { encoding: 'utf8' }).split('\n')[0]?.replace(/^prometheus, version /, 'Prometheus ') ?? null)
  : null;
const machine = machineLine(prometheusVersion);
const settings =
  `${SAMPLES_PER_REQUEST} samples/request, ${connections} keep-alive connections, ` +
  `warm-up ${warmupS} s, measured ${durationS} s; client and target share the machine's cores` +
  (phases.has('throughput') ? '' : ' (throughput phase not run)');
const memorySettings = (k: number, series: number): string =>
  `${k} samples per series (${((k * ROUND_STEP_MS) / 60_000).toFixed(0)} min of data at one sample per 15 s, round 0 included` +
  (k < memRounds ? `; capped from ${memRounds} so that ${series.toLocaleString('en-US')} series push ≤ ${(memMaxSamples / 1e6).toFixed(0)}M samples` : '') +
  `), fresh target, read 2 s after the last answer`;
const log = (s: string): void => void process.stdout.write(`${s}\n`);

log(`ingest benchmark: ${machine}`);
log(`settings: ${settings}`);
if (!withPrometheus && !args['no-prometheus']) log(`note: ${PROMETHEUS_BIN} not found, Prometheus not measured`);

/** The memory phase's settings in one line for RESULTS.md: K per series count, and what is common. */
function memoryRecordLine(): string {
  if (memory.length === 0) return '';
  const ks = seriesCounts
    .map((n) => ({ n, k: memory.find((r) => r.series === n)?.samplesPerSeries }))
    .filter((x) => x.k !== undefined)
    .map((x) => `${x.k} at ${x.n.toLocaleString('en-US')} series`);
  return (
    `samples per series: ${ks.join(', ')} (--mem-rounds ${memRounds}, capped so that a phase pushes ≤ ${(memMaxSamples / 1e6).toFixed(0)}M samples); ` +
    'one sample per 15 s, round 0 included; fresh target, read 2 s after the last answer'
  );
}

const results: TargetResult[] = [];
const memory: MemoryResult[] = [];
const memorySettingsSeen: string[] = [];
let failed = false;

// Throughput for every series count first, then memory: the throughput figures depend on the
// machine being quiet, so they are measured together in the first minutes of the run. The
// workloads are kept for the memory phases (1M series: ~45 MiB).
const workloads = new Map<number, Workload>();
for (const series of seriesCounts) {
  // The newest round the client may send lands on "now": rounds are back-dated from there, so
  // that no timestamp is ever in the future (Tessera refuses those past a grace period).
  const maxRound = 1 + Math.ceil((rateCap * (warmupS + durationS)) / series);
  const t0 = Math.floor(Date.now() / ROUND_STEP_MS) * ROUND_STEP_MS - maxRound * ROUND_STEP_MS;
  const retentionHours = Math.ceil((maxRound * ROUND_STEP_MS) / 3_600_000) + 3;
  log(`\n== ${series.toLocaleString('en-US')} series: building one round of ${series / SAMPLES_PER_REQUEST} requests…`);
  const workload = Workload.build({ series, samplesPerRequest: SAMPLES_PER_REQUEST, t0, seed: Number(args.seed) });
  workloads.set(series, workload);
  const st = workload.stats;
  log(
    `   built in ${st.buildSeconds.toFixed(1)} s: ${(st.avgRawBytes / 1024).toFixed(0)} KiB per request uncompressed, ` +
      `${(st.avgBodyBytes / 1024).toFixed(1)} KiB compressed (snappyjs on the same data: ${(st.avgReferenceBodyBytes / 1024).toFixed(1)} KiB)`,
  );
  if (!phases.has('throughput')) continue;
  const profileDir = args.profile ? fs.mkdtempSync(path.join(args['data-root'], 'ingest-profile-')) : undefined;
  const ms: MeasureSettings = {
    connections, warmupS, durationS, maxRound, retentionHours, dataRoot: args['data-root'], keepData: args['keep-data'],
    ...(profileDir !== undefined ? { cpuProfileDir: profileDir } : {}),
  };
  for (const kind of kinds) {
    log(`   ${kind}: series creation, ${warmupS} s warm-up, ${durationS} s measured…`);
    try {
      let r = await measureTarget(kind, workload, ms);
      // Other processes' CPU depresses throughput: wait for a quiet machine and measure again.
      for (let retry = 1; retry <= busyRetries && (r.otherCores > BUSY_OTHER_CORES || r.stealCores > BUSY_STEAL_CORES); retry++) {
        log(`   ${kind}: other processes used ${r.otherCores.toFixed(2)} cores (steal ${r.stealCores.toFixed(2)}); waiting for a quiet machine to measure again (${retry}/${busyRetries})…`);
        const waited = await waitForQuietMachine({ maxBusyCores: 0.1, windowS: 5, windows: 3, timeoutS: 900 });
        log(waited < 0 ? '   still busy after 15 min; measuring anyway' : `   quiet after ${waited.toFixed(0)} s`);
        r = await measureTarget(kind, workload, ms);
      }
      results.push(r);
      log(
        `   ${kind}: ${Math.round(r.samplesPerS).toLocaleString('en-US')} samples/s, creation ${Math.round(r.creationSeriesPerS).toLocaleString('en-US')} series/s, ` +
          `p99 ${r.p99Ms.toFixed(1)} ms, final RSS ${(r.finalRssKiB / 1024).toFixed(0)} MiB, CPU of other processes ${r.otherCores.toFixed(2)} cores`,
      );
    } catch (e) {
      if (!(e instanceof BenchFailure)) throw e;
      failed = true;
      log(`\n!! ${e.message}\n`);
    }
  }
  if (profileDir !== undefined) {
    const file = newestProfile(profileDir);
    if (file !== null) {
      const { totalMs, spots } = hotSpots(file, 30);
      log(`\n   Tessera CPU profile (${file}), whole process life, ${(totalMs / 1000).toFixed(1)} s sampled; top self time:`);
      for (const s of spots) log(`   ${(s.share * 100).toFixed(1).padStart(5)}% ${s.selfMs.toFixed(0).padStart(7)} ms  ${s.where}`);
    }
  }
}

for (const series of phases.has('memory') ? seriesCounts : []) {
  // Both targets get the same K: capped so that the largest series counts finish in minutes.
  const k = Math.max(1, Math.min(memRounds, Math.floor(memMaxSamples / series)));
  const ms = memorySettings(k, series);
  memorySettingsSeen.push(`${series.toLocaleString('en-US')} series: ${ms}`);
  log(`\n== ${series.toLocaleString('en-US')} series, memory phase: ${ms}`);
  if (k >= PROMETHEUS_COMPACTABLE_ROUNDS) log(`   warning: ${k} samples span over 3 h; Prometheus will compact its head (the check below will say so)`);
  const t0m = memoryPhaseT0(k, ROUND_STEP_MS);
  const memWorkload = workloads.get(series)!.rebased(t0m);
  const memRetentionHours = Math.ceil((Date.now() - t0m) / 3_600_000) + 3;
  const snapshotDir = args['heap-snapshot'] ? fs.mkdtempSync(path.join(args['data-root'], 'ingest-heap-')) : undefined;
  for (const kind of kinds) {
    try {
      const r = await measureMemory(kind, memWorkload, {
        connections, samplesPerSeries: k, dataRoot: args['data-root'], keepData: args['keep-data'],
        ...(snapshotDir !== undefined ? { heapSnapshotDir: snapshotDir } : {}),
      }, memRetentionHours);
      memory.push(r);
      log(
        `   ${kind}: ${k} samples/series in ${r.pushS.toFixed(1)} s; RSS ${(r.mem.rssKiB / 1024).toFixed(0)} MiB ` +
          `(idle ${(r.idleRssKiB / 1024).toFixed(0)}), ${(r.mem.rssKiB / series).toFixed(2)} KiB/series; ${r.compactionCheck}`,
      );
    } catch (e) {
      if (!(e instanceof BenchFailure)) throw e;
      failed = true;
      log(`\n!! ${e.message}\n`);
    }
  }
}

if (results.length > 0) {
  log('\nThroughput phase\n\n' + resultsTable(results));
  log('');
  for (const l of ratioLines(results)) log(l);
  for (const l of equalRoundLines(results)) log(l);
  for (const l of noteLines(results)) log(`note: ${l}`);
  log(
    'columns: samples/s = 2xx responses × 2000 / s (cross-checked with the target\'s counter); KiB/series = final RSS / series; ' +
      'Δ KiB/series = (final − idle RSS) / series; WAL B/sample = measured phase (whole run); CPU in cores (other = rest of the machine).',
  );
}
if (memory.length > 0) {
  log('\nMemory phase (equal data on both targets, no compaction; the figure for the RSS target)\n');
  for (const l of memorySettingsSeen) log(l);
  log('\n' + memoryTable(memory));
  log('');
  for (const l of memoryRatioLines(memory)) log(l);
  for (const l of memoryNoteLines(memory)) log(`note: ${l}`);
  log(
    'columns: KiB/series = RSS 2 s after the last answer / series; Δ KiB/series = (that − idle RSS before any request) / series; ' +
      'anon = heaps, file = the binary and memory-mapped files; VmHWM = peak RSS of the process\'s life.',
  );
  const heap = heapLines(memory, 25);
  if (heap.length > 0) log('\n' + heap.join('\n'));
}

// Throughput figures of a busy machine are not representative; memory figures do not depend on it.
const busy = results.filter((r) => r.otherCores > BUSY_OTHER_CORES || r.stealCores > BUSY_STEAL_CORES);
if (args.record && failed) {
  log('not recorded: the run failed');
} else if (args.record && busy.length > 0) {
  log(`not recorded: other processes used over 0.2 cores during ${busy.length} throughput measurement(s) (see the notes); rerun when the machine is quiet`);
} else if (args.record) {
  const argv = process.argv.slice(2).join(' ');
  appendResults(
    RESULTS_FILE,
    { command: `npm run bench:ingest -- ${argv}`, settings, machine, memorySettings: memoryRecordLine() },
    results,
    memory,
  );
  log(`recorded in ${RESULTS_FILE}`);
}
if (failed) {
  log('\nFAILED: a target answered a request with non-2xx or discarded samples (see above).');
  process.exit(1);
}
