// The query-throughput benchmark: autocannon against `query_range` with a dashboard-like mix on
// Tessera and on Debian's Prometheus holding the same 10k series × 2 h: requests/s, p50/p99.
//
//   npm run bench:query -- [--connections 10] [--duration 20] [--warmup 5] [--series 10000]
//                          [--hours 2] [--no-prometheus] [--record] [--profile]
//
// What it measures and how: bench/README.md.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machineLine } from '../ingest/report.ts';
import type { RunningTarget } from '../ingest/targets.ts';
import { isNoisy, waitForQuiet } from '../promql/cpu-meter.ts';
import { monotonicUs, profilesIn, windowHotSpots, type TimeWindow } from '../promql/profile-window.ts';
import { PushFailure } from '../promql/push.ts';
import { compareAnswers, postForm, queryRequest, summarise, type AnswerSummary } from '../promql/query-client.ts';
import { prometheusAvailable, prometheusVersion, setUpTargets, type LoadedTargets } from '../promql/setup.ts';
import { runCannon, type CannonFigures, type CannonSettings } from './cannon.ts';
import { dashboardMix } from './mix.ts';
import { appendQueryResults, perQueryTable, ratioLines, totalsTable } from './report.ts';

const RESULTS_FILE = path.join(import.meta.dirname, '..', 'RESULTS.md');

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '10' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    series: { type: 'string', default: '10000' },
    hours: { type: 'string', default: '2' },
    'max-attempts': { type: 'string', default: '5' },
    'quiet-timeout': { type: 'string', default: '300' },
    'push-connections': { type: 'string', default: '2' },
    'no-prometheus': { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
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
const connections = Math.round(positive('connections', args.connections));
const durationS = positive('duration', args.duration);
const warmupS = positive('warmup', args.warmup);
const maxAttempts = Math.round(positive('max-attempts', args['max-attempts']));
const quietTimeoutS = positive('quiet-timeout', args['quiet-timeout']);
const series = Math.round(positive('series', args.series));
const hours = positive('hours', args.hours);
const withPrometheus = prometheusAvailable(args['no-prometheus']);
const machine = machineLine(prometheusVersion(withPrometheus));
const settings =
  `${connections} keep-alive connections, one request in flight each, every connection looping over the mix; ` +
  `${warmupS} s warm-up run, then ${durationS} s measured, per target (the other target idle); autocannon in this process, on the same 2 cores`;

log(`query throughput benchmark: ${machine}`);
log(`settings: ${settings}`);
if (!withPrometheus && !args['no-prometheus']) log('note: /usr/bin/prometheus not found, Prometheus not measured');

const profileDir = args.profile ? fs.mkdtempSync(path.join(args['data-root'], 'query-profile-')) : undefined;
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

const host = loaded.dataset.labels[0]!.find((l) => l[0] === 'instance')![1];
const mix = dashboardMix(host);
const runs: CannonFigures[] = [];
const notes: string[] = [];
let failure: string | null = null;
let tesseraWindow: TimeWindow | null = null;

/** Every query of the mix once with stats on each target: both must answer, with the same shape. */
async function checkAnswers(targets: readonly RunningTarget[]): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (const q of mix) {
      const got = new Map<string, AnswerSummary>();
      for (const t of targets) {
        const r = queryRequest(t.kind, q, loaded.evalMs, true);
        got.set(t.kind, summarise(await postForm(agent, t, r.path, r.form)));
      }
      const ts = got.get('tessera')!;
      const ps = got.get('prometheus');
      const agree = ps === undefined ? null : compareAnswers(ts, ps, loaded.dataset.options.t0);
      log(`  ${q.id}: ${agree?.text ?? `${ts.series} series, ${ts.points} points`}; Tessera read ${ts.totalQueryableSamples?.toLocaleString('en-US')} samples`);
      if (agree !== null && !agree.sameShape) throw new Error(`${q.id}: the answers differ: ${agree.text}`);
    }
  } finally {
    agent.destroy();
  }
}

try {
  log('\nchecking the mix on every target:');
  await checkAnswers(loaded.targets);
  const pids = loaded.targets.map((t) => t.pid);
  for (const t of loaded.targets) {
    const s: CannonSettings = { connections, durationS, evalMs: loaded.evalMs, targetPids: pids };
    const fail = (phase: string, r: CannonFigures): void => {
      if (r.non2xx + r.errors + r.timeouts === 0) return;
      throw new Error(
        `${t.kind} during ${phase}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts; first: ${r.firstFailure ?? 'n/a'}\n--- ${t.kind} output ---\n${t.outputTail()}`,
      );
    };
    await waitForQuiet(pids, 3, quietTimeoutS, log);
    log(`\n${t.kind}: ${warmupS} s warm-up…`);
    fail('warm-up', await runCannon(t, mix, { ...s, durationS: warmupS }));
    for (let attempt = 1; ; attempt++) {
      log(`${t.kind}: ${durationS} s measured…`);
      const from = monotonicUs();
      const r = await runCannon(t, mix, s);
      const window = { fromUs: from, toUs: monotonicUs() };
      fail('the measured run', r);
      log(
        `${t.kind}: ${r.requestsPerS.toFixed(1)} requests/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, ` +
          `CPU target ${r.cpu.targetCores.toFixed(2)} / client ${r.cpu.clientCores.toFixed(2)} / other ${r.cpu.otherCores.toFixed(2)}`,
      );
      if (isNoisy(r.cpu) && attempt < maxAttempts) {
        log(`${t.kind}: other processes used ${r.cpu.otherCores.toFixed(2)} cores (steal ${r.cpu.stealCores.toFixed(2)}); measuring again when quiet`);
        await waitForQuiet(pids, 3, quietTimeoutS, log);
        continue;
      }
      if (attempt > 1) notes.push(`${t.kind} measured ${attempt}× because other processes used the machine`);
      runs.push(r);
      if (t.kind === 'tessera') tesseraWindow = window;
      break;
    }
  }
} catch (e) {
  failure = e instanceof Error ? e.message : String(e);
  log(`\n!! ${failure}\n`);
} finally {
  await loaded.stop();
}

if (runs.length > 0) {
  log('\n' + totalsTable(runs) + '\n');
  for (const l of ratioLines(runs)) log(l);
  for (const r of runs) if (isNoisy(r.cpu)) notes.push(`${r.kind}: NOISY: other processes used ${r.cpu.otherCores.toFixed(2)} cores (steal ${r.cpu.stealCores.toFixed(2)})`);
  for (const n of notes) log(`note: ${n}`);
  log('\nLatency per query of the mix:\n\n' + perQueryTable(mix, runs));
}

if (profileDir !== undefined && tesseraWindow !== null) {
  log(`\nTessera CPU profile during the measured run, per thread (top self time):`);
  for (const p of windowHotSpots(profilesIn(profileDir), [tesseraWindow], 'cannon', 20)) {
    log(`  ${path.basename(p.file)}: ${p.totalMs.toFixed(0)} ms sampled`);
    for (const s of p.spots) log(`  ${(s.share * 100).toFixed(1).padStart(5)}% ${s.selfMs.toFixed(0).padStart(6)} ms  ${s.where}`);
  }
  log(`profiles: ${profileDir}`);
}

if (args.record) {
  if (failure !== null) log('not recorded: the run failed');
  else if (runs.some((r) => isNoisy(r.cpu))) log('not recorded: other processes used over 0.2 cores during a measured run; rerun when the machine is quiet');
  else if (args.profile) log('not recorded: profiled runs are slower');
  else {
    appendQueryResults(RESULTS_FILE, {
      command: `npm run bench:query -- ${process.argv.slice(2).join(' ')}`,
      machine,
      settings,
      data: [
        `data: the PromQL benchmark's: ${series.toLocaleString('en-US')} series (${loaded.dataset.histogramSeries} classic-histogram series) × ` +
          `${loaded.dataset.options.rounds} samples (${hours} h at 15 s); every range query ends 7 s after the newest sample`,
        `mix: ${mix.length} range queries (${mix.map((q) => q.id).join(', ')}), see the table below; single-host panels on instance ${host}`,
      ],
      notes,
    }, mix, runs);
    log(`recorded in ${RESULTS_FILE}`);
  }
}
if (failure !== null) {
  log(`\nFAILED: ${failure}`);
  process.exit(1);
}
