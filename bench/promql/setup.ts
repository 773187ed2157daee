// Setting up the query benchmarks (this one and bench/query): the dataset built once, fresh
// targets started, the same requests pushed to each, and the evaluation time chosen.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROMETHEUS_BIN, startTarget, type RunningTarget, type TargetKind } from '../ingest/targets.ts';
import { Dataset, SCRAPE_INTERVAL_MS } from './dataset.ts';
import { pushDataset, type PushResult } from './push.ts';

/** Options of {@link setUpTargets}. */
export interface SetupOptions {
  series: number;
  /** Hours of data per series (at 15 s: 240 samples per hour). */
  hours: number;
  seed: number;
  withPrometheus: boolean;
  /** Concurrent push requests. */
  pushConnections: number;
  dataRoot: string;
  /** Tessera only: write CPU profiles of every thread into this directory on exit. */
  cpuProfileDir?: string;
  log: (line: string) => void;
}

/** Targets holding the dataset, ready for queries. */
export interface LoadedTargets {
  dataset: Dataset;
  /** Tessera first, then Prometheus when measured. */
  targets: RunningTarget[];
  pushes: Array<{ kind: TargetKind; result: PushResult }>;
  /**
   * Evaluation time of every query, ms: 7 s after the newest sample, which sits 3 s past a
   * multiple of 15 s. Range starts (whole multiples of 15 s before it) and selector windows
   * then never fall on a sample (see dataset.ts), and it is never in the future.
   */
  evalMs: number;
  /** Stops every target and deletes its data directory. */
  stop(): Promise<void>;
}

/** Rounds per remote-write request (5 min of data at 15 s) and series per request. */
const SLICE_ROUNDS = 20;
const GROUP_SERIES = 1000;

/** `Prometheus 2.42.0+ds (…)` from `prometheus --version`, or null when it is not measured. */
export function prometheusVersion(withPrometheus: boolean): string | null {
  if (!withPrometheus) return null;
  return execFileSync(PROMETHEUS_BIN, ['--version'], { encoding: 'utf8' }).split('\n')[0]?.replace(/^prometheus, version /, 'Prometheus ') ?? null;
}

/** Whether Debian's Prometheus can be measured (present and not turned off). */
export function prometheusAvailable(disabled: boolean): boolean {
  return !disabled && fs.existsSync(PROMETHEUS_BIN);
}

/** Builds the dataset, starts the targets, pushes the data into each and checks it arrived. */
export async function setUpTargets(o: SetupOptions): Promise<LoadedTargets> {
  const rounds = Math.round((o.hours * 3_600_000) / SCRAPE_INTERVAL_MS);
  // The newest sample 12–27 s in the past, 3 s past a multiple of 15 s (see dataset.ts).
  const t0 = Math.floor(Date.now() / SCRAPE_INTERVAL_MS) * SCRAPE_INTERVAL_MS - rounds * SCRAPE_INTERVAL_MS + 3000;
  const dataset = Dataset.build({ series: o.series, rounds, t0, groupSeries: GROUP_SERIES, sliceRounds: SLICE_ROUNDS, seed: o.seed });
  o.log(
    `data: ${o.series.toLocaleString('en-US')} series (${dataset.histogramSeries} of them classic-histogram series) × ${rounds} samples ` +
      `(${o.hours} h at 15 s) in ${dataset.requests.length} requests of ${GROUP_SERIES} series × ${SLICE_ROUNDS} samples, ` +
      `${(dataset.bodyBytes / 2 ** 20).toFixed(1)} MiB compressed; built in ${dataset.buildSeconds.toFixed(1)} s`,
  );
  const kinds: TargetKind[] = ['tessera', ...(o.withPrometheus ? ['prometheus' as const] : [])];
  const targets: RunningTarget[] = [];
  const dirs: string[] = [];
  // Interrupted (Ctrl-C, kill): stop the targets and delete their data rather than orphan them.
  const onSignal = (signal: NodeJS.Signals): void => {
    o.log(`\n${signal}: stopping the targets…`);
    void stop().finally(() => process.exit(130));
  };
  const stop = async (): Promise<void> => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const t of targets) await t.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pushes: LoadedTargets['pushes'] = [];
  try {
    for (const kind of kinds) {
      const dataDir = fs.mkdtempSync(path.join(o.dataRoot, `promql-${kind}-`));
      dirs.push(dataDir);
      const t = await startTarget(kind, {
        dataDir,
        // Tessera's default retention (13 h) unless the data is longer.
        retentionHours: Math.max(13, Math.ceil(o.hours) + 3),
        ...(kind === 'tessera' && o.cpuProfileDir !== undefined ? { cpuProfileDir: o.cpuProfileDir } : {}),
      });
      targets.push(t);
      const result = await pushDataset(t, dataset, o.pushConnections);
      pushes.push({ kind, result });
      o.log(
        `${kind}: loaded ${result.targetSamples.toLocaleString('en-US')} samples of ${result.targetSeries.toLocaleString('en-US')} series in ` +
          `${result.seconds.toFixed(1)} s (${Math.round(result.samplesPerS).toLocaleString('en-US')} samples/s, ${o.pushConnections} connections)`,
      );
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { dataset, targets, pushes, evalMs: dataset.tEnd + 7000, stop };
}
