// The PromQL benchmark: latency of a fixed set of dashboard queries on Tessera and on Debian's
// Prometheus holding the same 10k series × 2 h, and Tessera's samples/s.
//
//   npm run bench:promql -- [--series 10000] [--hours 2] [--runs 10] [--min-seconds 1]
//                           [--warmup 3] [--only q01,q04] [--no-prometheus] [--record] [--profile]
//
// What it measures and how: bench/README.md.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machineLine } from '../ingest/report.ts';
import { waitForQuiet } from './cpu-meter.ts';
import { measureQuery, QueryFailure, type QueryFigures } from './measure.ts';
import { profilesIn, windowHotSpots } from './profile-window.ts';
import { PushFailure } from './push.ts';
import { BENCH_QUERIES } from './queries.ts';
import { appendPromqlResults, noteLines, queryTable, summaryLines } from './report.ts';
import { prometheusAvailable, prometheusVersion, setUpTargets, type LoadedTargets } from './setup.ts';

const RESULTS_FILE = path.join(import.meta.dirname, '..', 'RESULTS.md');

const { values: args } = parseArgs({
  options: {
    series: { type: 'string', default: '10000' },
    hours: { type: 'string', default: '2' },
    runs: { type: 'string', default: '10' },
    'min-seconds': { type: 'string', default: '1' },
    'max-runs': { type: 'string', default: '200' },
    warmup: { type: 'string', default: '3' },
    'max-attempts': { type: 'string', default: '5' },
    'quiet-timeout': { type: 'string', default: '300' },
    only: { type: 'string' },
    'push-connections': { type: 'string', default: '2' },
    'no-prometheus': { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'profile-top': { type: 'string', default: '3' },
    'data-root': { type: 'string', default: os.tmpdir() },
    seed: { type: 'string', default: '1' },
  },
  strict: true,
});

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number, got ${v}`);
  return n;
}

const log = (s: string): void => void process.stdout.write(`${s}\n`);
const withPrometheus = prometheusAvailable(args['no-prometheus']);
const only = args.only?.split(',').map((s) => s.trim());
const queries = only === undefined ? BENCH_QUERIES : BENCH_QUERIES.filter((q) => only.includes(q.id));
if (queries.length === 0) throw new Error(`--only ${args.only}: no such query`);
const series = Math.round(positive('series', args.series));
const hours = positive('hours', args.hours);
const runSettings = {
  warmupRuns: Math.round(Number(args.warmup)),
  runs: Math.round(positive('runs', args.runs)),
  minSeconds: Number(args['min-seconds']),
  maxRuns: Math.round(positive('max-runs', args['max-runs'])),
  maxAttempts: Math.round(positive('max-attempts', args['max-attempts'])),
  quietTimeoutS: positive('quiet-timeout', args['quiet-timeout']),
};
const machine = machineLine(prometheusVersion(withPrometheus));
const settings =
  `${queries.length} queries, each ${runSettings.warmupRuns} warm-up runs then ≥ ${runSettings.runs} timed runs and ≥ ${runSettings.minSeconds} s per target ` +
  `(≤ ${runSettings.maxRuns}), one request at a time, alternating between the targets; latency = POST sent → whole answer read; both targets running, client on the same 2 cores`;

log(`PromQL benchmark: ${machine}`);
log(`settings: ${settings}`);
if (!withPrometheus && !args['no-prometheus']) log('note: /usr/bin/prometheus not found, Prometheus not measured');

const profileDir = args.profile ? fs.mkdtempSync(path.join(args['data-root'], 'promql-profile-')) : undefined;
let loaded: LoadedTargets;
try {
  loaded = await setUpTargets({
    series, hours, seed: Number(args.seed), withPrometheus, pushConnections: Math.round(positive('push-connections', args['push-connections'])),
    dataRoot: args['data-root'], log, ...(profileDir !== undefined ? { cpuProfileDir: profileDir } : {}),
  });
} catch (e) {
  if (e instanceof PushFailure) {
    log(`\nFAILED while loading the data: ${e.message}`);
    process.exit(1);
  }
  throw e;
}

const rows: QueryFigures[] = [];
let failure: string | null = null;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
try {
  const quiet = await waitForQuiet(loaded.targets.map((t) => t.pid), 3, runSettings.quietTimeoutS, log);
  log(`before the queries: other processes ${quiet.otherCores.toFixed(2)} cores, targets ${quiet.targetCores.toFixed(2)} (idle)\n`);
  for (const q of queries) {
    try {
      const r = await measureQuery(q, loaded.targets, agent, { ...runSettings, evalMs: loaded.evalMs, dataStartMs: loaded.dataset.options.t0 }, log);
      rows.push(r);
      const t = r.byTarget.tessera!;
      const p = r.byTarget.prometheus;
      log(
        `${q.id} ${t.medianMs.toFixed(1).padStart(8)} ms` +
          (p !== undefined ? ` vs ${p.medianMs.toFixed(1).padStart(8)} ms = ${r.ratio.toFixed(2)}×` : '') +
          `  ${(r.tesseraSamplesPerS / 1e6).toFixed(1)}M samples/s  runs ${t.runs}  other CPU ${r.cpu.otherCores.toFixed(2)}` +
          (r.agreement !== null ? `  answers: ${r.agreement.text}` : `  ${t.answer.series} series`),
      );
      if (r.agreement !== null && !r.agreement.sameShape) failure ??= `${q.id}: the answers differ: ${r.agreement.text}`;
    } catch (e) {
      if (!(e instanceof QueryFailure)) throw e;
      failure ??= e.message;
      log(`\n!! ${e.message}\n`);
    }
  }
} finally {
  agent.destroy();
  await loaded.stop();
}

log('\n' + queryTable(rows) + '\n');
for (const l of summaryLines(rows)) log(l);
for (const l of noteLines(rows)) log(`note: ${l}`);
log(
  'columns: ms = median latency; ratio = Tessera ÷ Prometheus; samples = stats.samples.totalQueryableSamples of the answer; ' +
    'Msamples/s = Tessera samples ÷ median latency; answers = same result type, series and points; other CPU = cores used by other processes while measuring.',
);

if (profileDir !== undefined) {
  // Self time per thread (main thread, query worker) during the timed runs of the slowest
  // queries and of those with the worst ratio to Prometheus.
  const files = profilesIn(profileDir);
  const top = Number(args['profile-top']);
  const slowest = [...rows].sort((a, b) => b.byTarget.tessera!.medianMs - a.byTarget.tessera!.medianMs).slice(0, top);
  const worstRatio = [...rows].filter((r) => Number.isFinite(r.ratio)).sort((a, b) => b.ratio - a.ratio).slice(0, top);
  for (const r of new Set([...slowest, ...worstRatio])) {
    log(`\nTessera CPU profile during ${r.query.id}'s timed runs (${r.byTarget.tessera!.runs} × ${r.byTarget.tessera!.medianMs.toFixed(1)} ms): ${r.query.expr}`);
    for (const p of windowHotSpots(files, r.tesseraWindows, r.query.id, 15)) {
      log(`  ${path.basename(p.file)}: ${p.totalMs.toFixed(0)} ms sampled`);
      for (const s of p.spots) log(`  ${(s.share * 100).toFixed(1).padStart(5)}% ${s.selfMs.toFixed(0).padStart(6)} ms  ${s.where}`);
    }
  }
  log(`\nprofiles: ${profileDir} (cuts per query in cuts/; open in Chrome DevTools for call trees)`);
}

const noisy = rows.filter((r) => r.cpu.otherCores > 0.2 || r.cpu.stealCores > 0.1);
if (args.record) {
  if (failure !== null) log('not recorded: the run failed');
  else if (noisy.length > 0) log(`not recorded: ${noisy.length} queries were measured while other processes used over 0.2 cores; rerun when the machine is quiet`);
  else if (args.profile) log('not recorded: profiled runs are slower');
  else if (only !== undefined) log('not recorded: --only measures part of the query set');
  else {
    appendPromqlResults(RESULTS_FILE, {
      command: `npm run bench:promql -- ${process.argv.slice(2).join(' ')}`,
      machine,
      settings,
      data: [
        `data: ${series.toLocaleString('en-US')} series (${loaded.dataset.histogramSeries} classic-histogram series: 12 buckets + _sum + _count per label set) × ` +
          `${loaded.dataset.options.rounds} samples (${hours} h at 15 s), queries evaluated at (instant) or ending at (range) 7 s after the newest sample; pushed as the same remote-write requests to both`,
        ...loaded.pushes.map((p) => `load: ${p.kind} took ${p.result.seconds.toFixed(1)} s (${Math.round(p.result.samplesPerS).toLocaleString('en-US')} samples/s; informational)`),
      ],
    }, rows);
    log(`recorded in ${RESULTS_FILE}`);
  }
}
if (failure !== null) {
  log(`\nFAILED: ${failure}`);
  process.exit(1);
}
