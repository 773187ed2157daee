// The memory phase: a target started fresh, given every series and then exactly K samples per
// series (one 2 h block range of data at most), left idle for 2 s, and read. Unlike the end of
// the throughput phase, both targets then hold the same data, and neither has compacted its head
// into a block, so RSS per series compares the cost of an active series and its head chunks.

import fs from 'node:fs';
import path from 'node:path';
import { LoadClient } from './load.ts';
import { BenchFailure } from './measure.ts';
import { summariseHeapSnapshot, type HeapSummary } from './heap-summary.ts';
import {
  blockDirs, dirBytes, readCpuSeconds, readMachineCpuSeconds, readMemory, scrapeExposition, startTarget,
  type ExpositionSample, type ProcessMemory, type RunningTarget, type TargetKind,
} from './targets.ts';
import { SendBuffer, type Workload } from './workload.ts';

/** Prometheus's and Tessera's default block range: chunks are cut at its boundaries. */
export const BLOCK_RANGE_MS = 2 * 3_600_000;
/** How long the target is left idle after the last answer before it is read. */
const IDLE_BEFORE_READ_MS = 2000;

/** Settings of one memory phase. */
export interface MemorySettings {
  connections: number;
  /** Samples per series to send, round 0 (series creation) included. */
  samplesPerSeries: number;
  dataRoot: string;
  keepData: boolean;
  /** Tessera only: take a heap snapshot into this directory after the readings, and summarise it. */
  heapSnapshotDir?: string;
}

/** Figures of one target's memory phase. */
export interface MemoryResult {
  kind: TargetKind;
  series: number;
  samplesPerSeries: number;
  /** Seconds from the first request to the last answer, and the samples/s that makes. */
  pushS: number;
  samplesPerS: number;
  /** VmRSS 1 s after start-up, before any request, KiB. */
  idleRssKiB: number;
  /** Readings after the idle wait. */
  mem: ProcessMemory;
  /** CPU cores used by everything but the target and the client while pushing, and stolen. */
  otherCores: number;
  stealCores: number;
  /** True when the target compacted its head (the figures then do not compare equal data). */
  compacted: boolean;
  /** How the absence of compaction was checked, for the report. */
  compactionCheck: string;
  /** The runtime's own memory figures, one line. */
  runtime: string;
  /** Heap snapshot summary (Tessera with `heapSnapshotDir`), and where the file is. */
  heap?: { file: string; summary: HeapSummary; liveHeapBytes: number };
  notes: string[];
}

/**
 * The time axis of a memory phase: round 0 on a block-range boundary, so that all K ≤ 480 samples
 * of every series fall into one 2 h range (no chunk is cut early at a range end, in either
 * system), and the newest sample at least 15 s in the past.
 */
export function memoryPhaseT0(samplesPerSeries: number, stepMs: number, now = Date.now()): number {
  const span = (samplesPerSeries - 1) * stepMs;
  return Math.floor((now - span - stepMs) / BLOCK_RANGE_MS) * BLOCK_RANGE_MS;
}

/** A metric's value summed over its label sets; NaN when the target does not expose it. */
function sum(m: readonly ExpositionSample[], name: string): number {
  let found = false;
  let total = 0;
  for (const s of m) {
    if (s.name !== name) continue;
    found = true;
    total += s.value;
  }
  return found ? total : NaN;
}
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

/** Runs one target's memory phase on `workload` (whose t0 is the phase's round 0). */
export async function measureMemory(kind: TargetKind, workload: Workload, s: MemorySettings, retentionHours: number): Promise<MemoryResult> {
  const K = s.samplesPerSeries;
  const dataDir = fs.mkdtempSync(path.join(s.dataRoot, `ingest-mem-${kind}-${workload.series}-`));
  const snapshotDir = kind === 'tessera' ? s.heapSnapshotDir : undefined;
  const target = await startTarget(kind, { dataDir, retentionHours, ...(snapshotDir !== undefined ? { heapSnapshotDir: snapshotDir } : {}) });
  const client = new LoadClient(workload, {
    host: target.host, port: target.port, path: target.pushPath, connections: s.connections, maxRound: K - 1,
  });
  try {
    // The rebased time axis must still produce exactly the requests the reference decoder expects.
    workload.verify(workload.requestsPerRound - 1, K - 1, new SendBuffer(workload.maxBodyBytes));
    await new Promise((r) => setTimeout(r, 1000));
    const idleRssKiB = readMemory(target.pid).rssKiB;
    const cpu0 = readCpuSeconds(target.pid);
    const machine0 = readMachineCpuSeconds();
    const clientCpu0 = process.cpuUsage();
    const t0 = performance.now();
    const run = await client.runPhase({ maxRequests: K * workload.requestsPerRound });
    const pushS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(clientCpu0);
    const targetCpuS = readCpuSeconds(target.pid) - cpu0;
    const machine1 = readMachineCpuSeconds();
    if (run.failed > 0) {
      throw new BenchFailure(`${kind} failed during the memory phase: ${run.failed} request(s) not answered 2xx; first: ${run.firstFailure}\n--- ${kind} output ---\n${target.outputTail()}`);
    }
    await new Promise((r) => setTimeout(r, IDLE_BEFORE_READ_MS));
    const mem = readMemory(target.pid);
    const m = await scrapeExposition(target.port);
    const r: MemoryResult = {
      kind,
      series: workload.series,
      samplesPerSeries: K,
      pushS,
      samplesPerS: (run.ok * workload.samplesPerRequest) / pushS,
      idleRssKiB,
      mem,
      otherCores: Math.max(0, machine1.busy - machine0.busy - targetCpuS - (cpu.user + cpu.system) / 1e6) / pushS,
      stealCores: (machine1.steal - machine0.steal) / pushS,
      compacted: false,
      compactionCheck: '',
      runtime: '',
      notes: [],
    };
    const appended = sum(m, target.samplesMetric);
    if (appended !== K * workload.series) r.notes.push(`${target.samplesMetric} = ${appended}, expected ${K * workload.series}`);
    if (kind === 'tessera') inspectTessera(r, m, target, workload.series);
    else inspectPrometheus(r, m, target, workload.series);
    if (snapshotDir !== undefined) r.heap = await takeHeapSnapshot(target, snapshotDir);
    return r;
  } finally {
    client.close();
    await target.stop();
    if (!s.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Tessera: discarded samples fail the run; no compaction exists, retention must not have cut. */
function inspectTessera(r: MemoryResult, m: readonly ExpositionSample[], target: RunningTarget, series: number): void {
  const discarded = sum(m, 'tessera_discarded_samples_total');
  if (discarded > 0) throw new BenchFailure(`tessera discarded ${discarded} samples (tessera_discarded_samples_total) in the memory phase`);
  const memSeries = sum(m, 'tessera_ingester_memory_series');
  if (memSeries !== series) r.notes.push(`tessera_ingester_memory_series = ${memSeries}, expected ${series}`);
  // Tessera has no head compaction; its only way to drop data is the retention truncation, which
  // always writes a WAL checkpoint directory.
  const checkpoints = findDirs(target.storageDir, /^checkpoint\.\d+$/);
  r.compacted = checkpoints.length > 0;
  r.compactionCheck = r.compacted
    ? `retention truncation ran (${checkpoints.length} WAL checkpoint(s))`
    : 'no head compaction in Tessera; retention truncation did not run (no WAL checkpoint)';
  const space = (name: string): number =>
    m.filter((s) => s.name === 'nodejs_heap_space_size_used_bytes' && s.labels.includes(`space="${name}"`)).reduce((a, s) => a + s.value, 0);
  r.runtime =
    `V8 heap used ${mib(sum(m, 'nodejs_heap_size_used_bytes'))} of ${mib(sum(m, 'nodejs_heap_size_total_bytes'))} MiB ` +
    `(old space ${mib(space('old'))}, new ${mib(space('new'))}, large objects ${mib(space('large_object'))}, code ${mib(space('code'))}), ` +
    `external ${mib(sum(m, 'nodejs_external_memory_bytes'))} MiB`;
}

/** Prometheus: compactions counted and block directories looked for; m-mapped head chunks measured. */
function inspectPrometheus(r: MemoryResult, m: readonly ExpositionSample[], target: RunningTarget, series: number): void {
  const compactions = sum(m, 'prometheus_tsdb_compactions_total');
  const truncations = sum(m, 'prometheus_tsdb_head_truncations_total');
  const blocks = blockDirs(target.storageDir);
  r.compacted = compactions > 0 || truncations > 0 || blocks.length > 0;
  r.compactionCheck =
    `prometheus_tsdb_compactions_total ${compactions}, head truncations ${truncations}, ` +
    `${blocks.length} block director${blocks.length === 1 ? 'y' : 'ies'} in its storage`;
  const memSeries = sum(m, 'prometheus_tsdb_head_series');
  if (memSeries !== series) r.notes.push(`prometheus_tsdb_head_series = ${memSeries}, expected ${series}`);
  const mmapped = dirBytes(path.join(target.storageDir, 'chunks_head'));
  r.runtime =
    `Go heap in use ${mib(sum(m, 'go_memstats_heap_inuse_bytes'))} MiB (sys ${mib(sum(m, 'go_memstats_sys_bytes'))}), ` +
    `head chunks ${sum(m, 'prometheus_tsdb_head_chunks')}, full chunks in m-mapped files (chunks_head/) ${mib(mmapped)} MiB`;
}

/** Directories directly under `dir` or one level below whose name matches. */
function findDirs(dir: string, name: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (name.test(e.name)) out.push(path.join(d, e.name));
      else if (depth < 4) walk(path.join(d, e.name), depth + 1);
    }
  };
  walk(dir, 0);
  return out;
}

/**
 * Sends SIGUSR2 (Tessera runs with `--heapsnapshot-signal=SIGUSR2`), waits until the snapshot is
 * written (V8 writes it on the main thread, so /metrics answers again only afterwards), reads the
 * live heap V8 reports after the full GC that precedes a snapshot, and summarises the file.
 */
async function takeHeapSnapshot(target: RunningTarget, dir: string): Promise<NonNullable<MemoryResult['heap']>> {
  const before = new Set(fs.readdirSync(dir));
  process.kill(target.pid, 'SIGUSR2');
  const deadline = Date.now() + 600_000;
  let file: string | undefined;
  for (;;) {
    if (Date.now() > deadline) throw new Error('no heap snapshot after 10 min');
    await new Promise((r) => setTimeout(r, 500));
    file ??= fs.readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (file === undefined) continue;
    try {
      const m = await scrapeExposition(target.port, 5000);
      const size0 = fs.statSync(path.join(dir, file)).size;
      await new Promise((r) => setTimeout(r, 500));
      if (fs.statSync(path.join(dir, file)).size !== size0) continue;
      const full = path.join(dir, file);
      return { file: full, summary: summariseHeapSnapshot(full), liveHeapBytes: sum(m, 'nodejs_heap_size_used_bytes') };
    } catch {
      // still writing
    }
  }
}
