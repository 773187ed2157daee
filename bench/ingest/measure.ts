// One measurement: a target started fresh, fed the series-creation round, warmed up, measured
// in steady state, probed, and stopped.

import fs from 'node:fs';
import path from 'node:path';
import { LoadClient, quantile } from './load.ts';
import { SegmentBytesTracker, dirBytes, readCpuSeconds, readMachineCpuSeconds, readMemory, scrapeMetrics, startTarget, type TargetKind } from './targets.ts';
import type { Workload } from './workload.ts';

/** Settings shared by every measurement of a run. */
export interface MeasureSettings {
  connections: number;
  warmupS: number;
  durationS: number;
  /** Highest round the client may send. */
  maxRound: number;
  /** Tessera's retention window, hours. */
  retentionHours: number;
  /** Parent of the fresh data directories. */
  dataRoot: string;
  keepData: boolean;
  /** Write a CPU profile of Tessera into this directory. */
  cpuProfileDir?: string;
}

/** Figures of one target at one series count. */
export interface TargetResult {
  kind: TargetKind;
  series: number;
  /** New series per second during the first round. */
  creationSeriesPerS: number;
  creationS: number;
  /** Steady state: 2xx requests × samples per request / seconds. */
  samplesPerS: number;
  /** Samples the target's own counter gained in the measured phase. */
  counterSamples: number;
  /** Samples the client had acknowledged in the measured phase. */
  ackedSamples: number;
  requests: number;
  nonOk: number;
  p50Ms: number;
  p99Ms: number;
  /** RSS when idle after start, at the end of the measured phase, and its high-water mark, KiB. */
  idleRssKiB: number;
  finalRssKiB: number;
  peakRssKiB: number;
  /** WAL bytes per sample over the measured phase, and over the whole run. */
  walBytesPerSample: number;
  walBytesPerSampleTotal: number;
  /** CPU cores used in the measured phase by the target, by the client, and by everything else. */
  targetCores: number;
  clientCores: number;
  otherCores: number;
  /** CPU cores the hypervisor stole in the measured phase. */
  stealCores: number;
  /** Rounds sent in total, i.e. samples per series at the end. */
  rounds: number;
  /** RSS (KiB) sampled every 250 ms from the first request on, with the rounds drawn by then. */
  rssTimeline: Array<{ round: number; rssKiB: number }>;
  /** Free-form notes (e.g. Prometheus head compactions during the run). */
  notes: string[];
}

/** Thrown when a target answers a request with anything but 2xx, or discards samples. */
export class BenchFailure extends Error {
  override readonly name = 'BenchFailure';
}


/** Runs one target through creation, warm-up and measurement on `workload`. */
export async function measureTarget(kind: TargetKind, workload: Workload, s: MeasureSettings): Promise<TargetResult> {
  const dataDir = fs.mkdtempSync(path.join(s.dataRoot, `ingest-${kind}-${workload.series}-`));
  const target = await startTarget(kind, {
    dataDir,
    retentionHours: s.retentionHours,
    ...(s.cpuProfileDir !== undefined && kind === 'tessera' ? { cpuProfileDir: s.cpuProfileDir } : {}),
  });
  const client = new LoadClient(workload, {
    host: target.host, port: target.port, path: target.pushPath, connections: s.connections, maxRound: s.maxRound,
  });
  const spr = workload.samplesPerRequest;
  const check = (phase: string, r: { failed: number; firstFailure: string | null }): void => {
    if (r.failed === 0) return;
    throw new BenchFailure(`${kind} failed during ${phase}: ${r.failed} request(s) not answered 2xx; first: ${r.firstFailure}\n--- ${kind} output ---\n${target.outputTail()}`);
  };
  // Tessera counts its WAL bytes; Prometheus's WAL is measured on disk.
  const segments = new SegmentBytesTracker(target.walDir);
  const walBytes = (m: Map<string, number>): number =>
    kind === 'tessera' ? (m.get('tessera_ingester_wal_bytes_written_total') ?? NaN) : segments.poll();
  let sampler: NodeJS.Timeout | undefined;
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idleRssKiB = readMemory(target.pid).rssKiB;
    const rssTimeline: TargetResult['rssTimeline'] = [];
    sampler = setInterval(() => {
      rssTimeline.push({ round: client.roundsStarted, rssKiB: readMemory(target.pid).rssKiB });
      if (kind === 'prometheus') segments.poll();
    }, 250);

    const creation = await client.runPhase({ maxRequests: workload.requestsPerRound });
    check('series creation', creation);
    const warm = await client.runPhase({ durationS: s.warmupS });
    check('warm-up', warm);

    const m0 = await scrapeMetrics(target.port);
    const wal0 = walBytes(m0);
    const cpu0 = readCpuSeconds(target.pid);
    const machine0 = readMachineCpuSeconds();
    const run = await client.runPhase({ durationS: s.durationS });
    const cpu1 = readCpuSeconds(target.pid);
    const machine1 = readMachineCpuSeconds();
    const mem = readMemory(target.pid);
    clearInterval(sampler);
    rssTimeline.push({ round: client.roundsStarted, rssKiB: mem.rssKiB });
    check('measurement', run);
    const m1 = await scrapeMetrics(target.port);
    const wal1 = walBytes(m1);

    const metric = (m: Map<string, number>, name: string): number => m.get(name) ?? NaN;
    const counterSamples = metric(m1, target.samplesMetric) - metric(m0, target.samplesMetric);
    const ackedSamples = run.ok * spr;
    const notes: string[] = [];
    if (kind === 'tessera') {
      const discarded = metric(m1, 'tessera_discarded_samples_total');
      if (discarded > 0) throw new BenchFailure(`tessera discarded ${discarded} samples (tessera_discarded_samples_total) though every request was answered 2xx`);
      const memSeries = metric(m1, 'tessera_ingester_memory_series');
      if (memSeries !== workload.series) notes.push(`tessera_ingester_memory_series = ${memSeries}, expected ${workload.series}`);
      const fsyncS = metric(m1, 'tessera_ingester_wal_fsync_seconds_total') - metric(m0, 'tessera_ingester_wal_fsync_seconds_total');
      const fsyncs = metric(m1, 'tessera_ingester_wal_fsyncs_total') - metric(m0, 'tessera_ingester_wal_fsyncs_total');
      notes.push(`WAL fsync: ${fsyncs} calls, ${fsyncS.toFixed(2)} s in the measured ${run.elapsedS.toFixed(1)} s`);
      const heapMiB = (name: string): string => (metric(m1, name) / 2 ** 20).toFixed(0);
      notes.push(
        `end of run: V8 heap used ${heapMiB('nodejs_heap_size_used_bytes')} of ${heapMiB('nodejs_heap_size_total_bytes')} MiB, ` +
          `external ${heapMiB('nodejs_external_memory_bytes')} MiB`,
      );
      notes.push(`Tessera WAL on disk ${(dirBytes(target.walDir) / 2 ** 20).toFixed(1)} MiB vs counter ${(wal1 / 2 ** 20).toFixed(1)} MiB`);
    } else {
      const compactions = metric(m1, 'prometheus_tsdb_compactions_total');
      if (compactions > 0) notes.push(`Prometheus compacted its head ${compactions}× (head memory and WAL shrink on compaction)`);
      notes.push(
        `end of run: Go heap in use ${(metric(m1, 'go_memstats_heap_inuse_bytes') / 2 ** 20).toFixed(0)} MiB, ` +
          `head chunks ${metric(m1, 'prometheus_tsdb_head_chunks')}`,
      );
      const memSeries = metric(m1, 'prometheus_tsdb_head_series');
      if (memSeries !== workload.series) notes.push(`prometheus_tsdb_head_series = ${memSeries}, expected ${workload.series}`);
    }
    if (counterSamples !== ackedSamples) notes.push(`${target.samplesMetric} grew by ${counterSamples}, client acknowledged ${ackedSamples}`);
    const totalSamples = metric(m1, target.samplesMetric);
    return {
      kind,
      series: workload.series,
      creationSeriesPerS: workload.series / creation.elapsedS,
      creationS: creation.elapsedS,
      samplesPerS: ackedSamples / run.elapsedS,
      counterSamples,
      ackedSamples,
      requests: run.ok,
      nonOk: run.failed + creation.failed + warm.failed,
      p50Ms: quantile(run.latenciesMs, 0.5),
      p99Ms: quantile(run.latenciesMs, 0.99),
      idleRssKiB,
      finalRssKiB: mem.rssKiB,
      peakRssKiB: mem.peakKiB,
      walBytesPerSample: wal1 > wal0 ? (wal1 - wal0) / counterSamples : NaN,
      walBytesPerSampleTotal: wal1 / totalSamples,
      targetCores: (cpu1 - cpu0) / run.elapsedS,
      clientCores: run.clientCpuS / run.elapsedS,
      otherCores: Math.max(0, machine1.busy - machine0.busy - (cpu1 - cpu0) - run.clientCpuS) / run.elapsedS,
      stealCores: (machine1.steal - machine0.steal) / run.elapsedS,
      rounds: client.roundsStarted,
      rssTimeline,
      notes,
    };
  } finally {
    clearInterval(sampler);
    client.close();
    await target.stop();
    if (!s.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
