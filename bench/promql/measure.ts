// Measuring one query on every target: one answer with `stats=all` to compare the answers and
// count samples, warm-up runs, then timed runs alternating between the targets (so a passing
// disturbance hits both), repeated when other processes used the machine meanwhile.

import http from 'node:http';
import { quantile } from '../ingest/load.ts';
import type { RunningTarget, TargetKind } from '../ingest/targets.ts';
import { CpuMeter, isNoisy, waitForQuiet, type CpuUse } from './cpu-meter.ts';
import { monotonicUs, type TimeWindow } from './profile-window.ts';
import type { BenchQuery } from './queries.ts';
import { compareAnswers, postForm, queryRequest, summarise, type Agreement, type AnswerSummary } from './query-client.ts';

/** How many times and how long each query is run. */
export interface QueryRunSettings {
  warmupRuns: number;
  /** At least this many timed runs per target… */
  runs: number;
  /** …and at least this many seconds of them per target… */
  minSeconds: number;
  /** …but never more than this many. */
  maxRuns: number;
  /** Measurements of a query when other processes keep disturbing it (the last one counts). */
  maxAttempts: number;
  /** How long to wait for the machine to become quiet before measuring again, seconds. */
  quietTimeoutS: number;
  /** Evaluation time: instant queries run at it, range queries end at it. ms. */
  evalMs: number;
  /** Timestamp of the oldest sample, ms (for saying where answers differ). */
  dataStartMs: number;
}

/** One target's figures for one query. */
export interface TargetFigures {
  medianMs: number;
  p90Ms: number;
  runs: number;
  /** `stats.samples.totalQueryableSamples` of the checked answer. */
  samples: number | null;
  answer: AnswerSummary;
}

/** Everything measured about one query. */
export interface QueryFigures {
  query: BenchQuery;
  byTarget: Partial<Record<TargetKind, TargetFigures>>;
  /** Tessera's median ÷ Prometheus's; NaN without Prometheus. */
  ratio: number;
  /** Tessera's samples per second: totalQueryableSamples ÷ median latency. */
  tesseraSamplesPerS: number;
  agreement: Agreement | null;
  cpu: CpuUse;
  attempts: number;
  /** When Tessera was answering this query's timed runs (for cutting a CPU profile). */
  tesseraWindows: TimeWindow[];
}

/** Thrown when a target answers a benchmark query with anything but a successful result. */
export class QueryFailure extends Error {
  override readonly name = 'QueryFailure';
}

/** Measures `q` on every target in `targets` (Tessera first when present). */
export async function measureQuery(
  q: BenchQuery,
  targets: readonly RunningTarget[],
  agent: http.Agent,
  s: QueryRunSettings,
  log: (line: string) => void,
): Promise<QueryFigures> {
  const pids = targets.map((t) => t.pid);
  const timed = targets.map((t) => ({ t, ...queryRequest(t.kind, q, s.evalMs, false) }));
  const ask = async (t: RunningTarget, path: string, form: string): Promise<number> => {
    const a = await postForm(agent, t, path, form);
    if (a.status !== 200) throw new QueryFailure(`${t.kind} answered ${q.id} with HTTP ${a.status}: ${a.body.slice(0, 500)}\n--- ${t.kind} output ---\n${t.outputTail()}`);
    return a.ms;
  };

  // The checked answer, with statistics.
  const answers = new Map<TargetKind, { answer: AnswerSummary }>();
  for (const t of targets) {
    const r = queryRequest(t.kind, q, s.evalMs, true);
    const a = await postForm(agent, t, r.path, r.form);
    try {
      answers.set(t.kind, { answer: summarise(a) });
    } catch (e) {
      throw new QueryFailure(`${t.kind} failed ${q.id} (${q.expr}): ${(e as Error).message}`);
    }
  }
  const ta = answers.get('tessera')?.answer;
  const pa = answers.get('prometheus')?.answer;
  const agreement = ta !== undefined && pa !== undefined ? compareAnswers(ta, pa, s.dataStartMs) : null;

  for (let i = 0; i < s.warmupRuns; i++) for (const x of timed) await ask(x.t, x.path, x.form);

  let attempts = 0;
  for (;;) {
    attempts++;
    const lat = timed.map(() => [] as number[]);
    const windows: TimeWindow[] = [];
    const meter = new CpuMeter(pids);
    const started = performance.now();
    let n = 0;
    while (n < s.maxRuns && (n < s.runs || performance.now() - started < s.minSeconds * 1000 * timed.length)) {
      for (let k = 0; k < timed.length; k++) {
        const x = timed[k]!;
        const from = monotonicUs();
        lat[k]!.push(await ask(x.t, x.path, x.form));
        if (x.t.kind === 'tessera') windows.push({ fromUs: from, toUs: monotonicUs() });
      }
      n++;
    }
    const cpu = meter.stop();
    if (isNoisy(cpu) && attempts < s.maxAttempts) {
      log(`   ${q.id}: other processes used ${cpu.otherCores.toFixed(2)} cores (steal ${cpu.stealCores.toFixed(2)}) while measuring; measuring again when quiet`);
      await waitForQuiet(pids, 3, s.quietTimeoutS, log);
      continue;
    }
    const byTarget: Partial<Record<TargetKind, TargetFigures>> = {};
    timed.forEach((x, k) => {
      const arr = Float64Array.from(lat[k]!);
      const answer = answers.get(x.t.kind)!.answer;
      byTarget[x.t.kind] = { medianMs: quantile(arr, 0.5), p90Ms: quantile(arr, 0.9), runs: arr.length, samples: answer.totalQueryableSamples, answer };
    });
    const tf = byTarget.tessera;
    const pf = byTarget.prometheus;
    return {
      query: q,
      byTarget,
      ratio: tf !== undefined && pf !== undefined ? tf.medianMs / pf.medianMs : NaN,
      tesseraSamplesPerS: tf !== undefined && tf.samples !== null ? tf.samples / (tf.medianMs / 1000) : NaN,
      agreement,
      cpu,
      attempts,
      tesseraWindows: windows,
    };
  }
}
