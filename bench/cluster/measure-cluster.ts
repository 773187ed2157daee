// One cluster measurement: a fresh cluster (Redis, 3 ingesters, 1 distributor, RF = 3) fed the
// series-creation round, warmed up and measured in steady state through the distributor, with
// the CPU of every cluster process read from /proc before and after, then stopped.

import fs from 'node:fs';
import path from 'node:path';
import { LoadClient, quantile } from '../ingest/load.ts';
import { BenchFailure, type MeasureSettings } from '../ingest/measure.ts';
import { readCpuSeconds, readMachineCpuSeconds, readMemory, scrapeMetrics } from '../ingest/targets.ts';
import type { Workload } from '../ingest/workload.ts';
import { REPLICATION_FACTOR, startCluster, type ClusterProcess } from './cluster.ts';

/** Figures of the cluster at one series count (the measured phase unless said otherwise). */
export interface ClusterResult {
  series: number;
  creationSeriesPerS: number;
  /** 2xx requests × samples per request / seconds. */
  samplesPerS: number;
  ackedSamples: number;
  /** Non-2xx answers over every phase. */
  nonOk: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU cores used by each cluster process, by name. */
  processCores: Array<{ name: string; cores: number }>;
  /** CPU cores of all cluster processes together. */
  clusterCores: number;
  clientCores: number;
  /** The machine's busy cores minus the cluster's and the client's. */
  otherCores: number;
  stealCores: number;
  /** VmRSS of every cluster process together at the end of the measured phase, KiB. */
  finalRssKiB: number;
  notes: string[];
}

/** Reads every process's CPU seconds, in `procs` order. */
function cpuOf(procs: readonly ClusterProcess[]): number[] {
  return procs.map((p) => readCpuSeconds(p.pid));
}

/** Starts a fresh cluster, runs creation, warm-up and the measured phase through the distributor. */
export async function measureCluster(workload: Workload, s: MeasureSettings): Promise<ClusterResult> {
  const dir = fs.mkdtempSync(path.join(s.dataRoot, `cluster-${workload.series}-`));
  const cluster = await startCluster({ dir, retentionHours: s.retentionHours });
  const { distributor, ingesters } = cluster;
  const client = new LoadClient(workload, {
    host: '127.0.0.1', port: distributor.port, path: '/api/v1/push', connections: s.connections, maxRound: s.maxRound,
  });
  const logs = (): string => cluster.all.filter((p) => p.name !== 'redis').map((p) => `--- ${p.name} ---\n${p.outputTail()}`).join('\n');
  const check = (phase: string, r: { failed: number; firstFailure: string | null }): void => {
    if (r.failed === 0) return;
    throw new BenchFailure(`cluster failed during ${phase}: ${r.failed} request(s) not answered 2xx; first: ${r.firstFailure}\n${logs()}`);
  };
  const sumOver = async (procs: readonly ClusterProcess[], name: string): Promise<number[]> =>
    Promise.all(procs.map(async (p) => (await scrapeMetrics(p.port)).get(name) ?? NaN));
  const total = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const creation = await client.runPhase({ maxRequests: workload.requestsPerRound });
    check('series creation', creation);
    const warm = await client.runPhase({ durationS: s.warmupS });
    check('warm-up', warm);

    // Quorum is 2 of 3: a request is answered before its third replica may have been appended.
    // Let those settle before each counter read so that the window holds whole requests.
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 500));
    await settle();
    const ingested0 = await sumOver(ingesters, 'tessera_ingester_ingested_samples_total');
    const cpu0 = cpuOf(cluster.all);
    const machine0 = readMachineCpuSeconds();
    const run = await client.runPhase({ durationS: s.durationS });
    const cpu1 = cpuOf(cluster.all);
    const machine1 = readMachineCpuSeconds();
    const finalRssKiB = total(cluster.all.map((p) => readMemory(p.pid).rssKiB));
    check('measurement', run);
    await settle();
    const ingested1 = await sumOver(ingesters, 'tessera_ingester_ingested_samples_total');

    const notes: string[] = [];
    const discarded = total(await sumOver([distributor, ...ingesters], 'tessera_discarded_samples_total'));
    if (discarded > 0) throw new BenchFailure(`the cluster discarded ${discarded} samples (tessera_discarded_samples_total) though every request was answered 2xx`);
    const pushFailures = (await sumOver([distributor], 'tessera_distributor_ingester_push_failures_total'))[0]!;
    if (pushFailures > 0) notes.push(`the distributor counted ${pushFailures} failed pushes to ingesters (quorum still met)`);
    const memSeries = await sumOver(ingesters, 'tessera_ingester_memory_series');
    // RF = 3 over 3 ingesters: every ingester holds every series.
    if (memSeries.some((n) => n !== workload.series)) notes.push(`tessera_ingester_memory_series per ingester = ${memSeries.join(', ')}, expected ${workload.series} each`);
    const ackedSamples = run.ok * workload.samplesPerRequest;
    const ingested = total(ingested1) - total(ingested0);
    if (ingested !== REPLICATION_FACTOR * ackedSamples) {
      notes.push(
        `ingesters appended ${ingested} samples in the measured window, ${REPLICATION_FACTOR} × acknowledged = ${REPLICATION_FACTOR * ackedSamples} ` +
          '(a request is acknowledged on 2 of 3 replicas: a third replica still queued 0.5 s after the answer, or a failed one, shows here)',
      );
    }
    const clusterCpuS = total(cpu1) - total(cpu0);
    return {
      series: workload.series,
      creationSeriesPerS: workload.series / creation.elapsedS,
      samplesPerS: ackedSamples / run.elapsedS,
      ackedSamples,
      nonOk: creation.failed + warm.failed + run.failed,
      p50Ms: quantile(run.latenciesMs, 0.5),
      p99Ms: quantile(run.latenciesMs, 0.99),
      processCores: cluster.all.map((p, i) => ({ name: p.name, cores: (cpu1[i]! - cpu0[i]!) / run.elapsedS })),
      clusterCores: clusterCpuS / run.elapsedS,
      clientCores: run.clientCpuS / run.elapsedS,
      otherCores: Math.max(0, machine1.busy - machine0.busy - clusterCpuS - run.clientCpuS) / run.elapsedS,
      stealCores: (machine1.steal - machine0.steal) / run.elapsedS,
      finalRssKiB,
      notes,
    };
  } finally {
    client.close();
    await cluster.stop();
    if (!s.keepData) fs.rmSync(dir, { recursive: true, force: true });
  }
}
