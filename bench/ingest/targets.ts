// The systems under test, each started as a child process on a fresh data directory, and the
// probes the benchmark reads from outside: /proc (memory, CPU), /metrics, and the WAL on disk.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TESSERA_NODE_FLAGS } from '@tessera/tessera';

/** Which system a target is. */
export type TargetKind = 'tessera' | 'prometheus';

/** Where the single-process Tessera's entry point lives, from bench/ingest/. */
const TESSERA_MAIN = fileURLToPath(new URL('../../services/tessera/bin/tessera.mjs', import.meta.url));
/** Debian's Prometheus. */
export const PROMETHEUS_BIN = '/usr/bin/prometheus';

/** A started target. */
export interface RunningTarget {
  readonly kind: TargetKind;
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  /** Remote-write path. */
  readonly pushPath: string;
  /** Directory whose size is the target's WAL. */
  readonly walDir: string;
  /** The target's storage directory: Prometheus's `--storage.tsdb.path`, Tessera's `-data.dir`. */
  readonly storageDir: string;
  /** Counter of samples the target appended, as named on its /metrics. */
  readonly samplesMetric: string;
  /** The last lines the process wrote to stdout/stderr, for error messages. */
  outputTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Options of {@link startTarget}. */
export interface StartTargetOptions {
  dataDir: string;
  /** Tessera only: retention window, hours (see README: keeps back-dated samples in the head). */
  retentionHours: number;
  /** Tessera only: write a V8 CPU profile into this directory on exit. */
  cpuProfileDir?: string;
  /** Tessera only: write a V8 heap snapshot into this directory on SIGUSR2. */
  heapSnapshotDir?: string;
}

/** A free TCP port on 127.0.0.1 (bound and released; racy in theory, fine here). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** GETs a URL on 127.0.0.1; resolves with status and body text. */
export function httpGet(port: number, urlPath: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${urlPath} timed out`)));
    req.on('error', reject);
  });
}

/** Starts a target and waits until it answers its readiness endpoint. */
export async function startTarget(kind: TargetKind, o: StartTargetOptions): Promise<RunningTarget> {
  fs.mkdirSync(o.dataDir, { recursive: true });
  const port = await freePort();
  let child: ChildProcess;
  let readyPath: string;
  let pushPath: string;
  let walDir: string;
  let storageDir: string;
  let samplesMetric: string;
  if (kind === 'tessera') {
    const nodeFlags = [...TESSERA_NODE_FLAGS];
    if (o.cpuProfileDir !== undefined) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${o.cpuProfileDir}`);
    if (o.heapSnapshotDir !== undefined) nodeFlags.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${o.heapSnapshotDir}`);
    child = spawn(process.execPath, [
      ...nodeFlags, TESSERA_MAIN,
      '-auth.enabled=false', `-data.dir=${o.dataDir}`, '-server.http-listen-address=127.0.0.1',
      `-server.http-listen-port=${port}`, '-log.level=warn',
      `-blocks-storage.tsdb.retention-period=${o.retentionHours}h`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    readyPath = '/ready';
    pushPath = '/api/v1/push';
    walDir = o.dataDir;
    storageDir = o.dataDir;
    samplesMetric = 'tessera_ingester_ingested_samples_total';
  } else {
    const config = path.join(o.dataDir, 'prometheus.yml');
    const storage = path.join(o.dataDir, 'tsdb');
    // No scrape jobs: Prometheus only receives remote writes.
    fs.writeFileSync(config, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
    child = spawn(PROMETHEUS_BIN, [
      `--config.file=${config}`, `--storage.tsdb.path=${storage}`, '--web.enable-remote-write-receiver',
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    readyPath = '/-/ready';
    pushPath = '/api/v1/write';
    walDir = path.join(storage, 'wal');
    storageDir = storage;
    samplesMetric = 'prometheus_tsdb_head_samples_appended_total';
  }
  const tail: string[] = [];
  const keep = (c: Buffer): void => {
    tail.push(c.toString('utf8'));
    if (tail.length > 50) tail.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const target: RunningTarget = {
    kind,
    pid: child.pid!,
    host: '127.0.0.1',
    port,
    pushPath,
    walDir,
    storageDir,
    samplesMetric,
    outputTail: () => tail.join('').split('\n').slice(-30).join('\n'),
    stop: async (graceMs = 60_000) => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`${kind} exited during start-up:\n${target.outputTail()}`);
    try {
      if ((await httpGet(port, readyPath, 2000)).status === 200) return target;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await target.stop(5000);
      throw new Error(`${kind} not ready after 60 s:\n${target.outputTail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A process's memory as /proc/<pid>/status reports it, KiB. */
export interface ProcessMemory {
  /** VmRSS: resident now. */
  rssKiB: number;
  /** VmHWM: the highest VmRSS of the process's life. */
  peakKiB: number;
  /** RssAnon: anonymous pages (heaps, stacks). */
  anonKiB: number;
  /** RssFile + RssShmem: file-backed pages (the binary, memory-mapped files). */
  fileKiB: number;
}

/** Resident memory of a process now and at its peak (see {@link ProcessMemory}). */
export function readMemory(pid: number): ProcessMemory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    if (m === null) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rssKiB: field('VmRSS'), peakKiB: field('VmHWM'), anonKiB: field('RssAnon'), fileKiB: field('RssFile') + field('RssShmem') };
}

/** CPU time (user + system) a process has used, seconds (from /proc/<pid>/stat, all threads). */
export function readCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ on Linux
  return (Number(rest[11]) + Number(rest[12])) / ticksPerSecond;
}

/** Total size of the regular files under a directory, bytes (0 if it does not exist). */
export function dirBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

/** One sample line of the text exposition format. */
export interface ExpositionSample {
  name: string;
  /** The label set as written between the braces, '' when there is none. */
  labels: string;
  value: number;
}

/** Parses the sample lines of a text-format /metrics body (comments and blank lines skipped). */
export function parseExposition(body: string): ExpositionSample[] {
  const out: ExpositionSample[] = [];
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const nameEnd = line.search(/[{ ]/);
    const name = line.slice(0, nameEnd);
    const close = line.lastIndexOf('}');
    const labels = line[nameEnd] === '{' && close > nameEnd ? line.slice(nameEnd + 1, close) : '';
    const valueStart = close >= 0 ? close + 2 : nameEnd + 1;
    const value = Number(line.slice(valueStart).split(' ')[0]);
    if (!Number.isNaN(value)) out.push({ name, labels, value });
  }
  return out;
}

/** Scrapes a target's /metrics and returns every sample line (see {@link parseExposition}). */
export async function scrapeExposition(port: number, timeoutMs?: number): Promise<ExpositionSample[]> {
  const { status, body } = await httpGet(port, '/metrics', timeoutMs);
  if (status !== 200) throw new Error(`GET /metrics answered ${status}`);
  return parseExposition(body);
}

/**
 * Scrapes a target's /metrics and returns each metric name's value summed over its label sets
 * (text exposition format; histogram/summary suffixes stay part of the name).
 */
export async function scrapeMetrics(port: number, timeoutMs?: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of await scrapeExposition(port, timeoutMs)) out.set(s.name, (out.get(s.name) ?? 0) + s.value);
  return out;
}

/** Names of the persisted TSDB blocks in a Prometheus storage directory (ULID-named directories). */
export function blockDirs(storageDir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(storageDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isDirectory() && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(e.name)).map((e) => e.name);
}

/**
 * Bytes a Prometheus-style WAL has written: the largest size seen of every numbered segment file
 * in `dir`, summed. Prometheus deletes old segments after a head compaction, so the directory's
 * size alone can shrink; polling often enough remembers segments before they go. Checkpoint
 * directories are rewrites of existing data and are not counted.
 */
export class SegmentBytesTracker {
  readonly #dir: string;
  readonly #maxSize = new Map<string, number>();

  /** Tracks the segment files directly inside `dir`. */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Looks at the directory now and returns the bytes written so far. */
  poll(): number {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.#dir);
    } catch {
      // not created yet
    }
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const size = fs.statSync(path.join(this.#dir, name)).size;
        if (size > (this.#maxSize.get(name) ?? 0)) this.#maxSize.set(name, size);
      } catch {
        // deleted between readdir and stat
      }
    }
    let total = 0;
    for (const v of this.#maxSize.values()) total += v;
    return total;
  }
}

/** Machine-wide CPU seconds from /proc/stat: busy (all but idle and iowait) and stolen by the hypervisor. */
export function readMachineCpuSeconds(): { busy: number; steal: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const ticks = 100; // USER_HZ
  const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]!;
  return { busy: busy / ticks, steal: (f[7] ?? 0) / ticks };
}

/**
 * Waits until the machine's busy CPU (all processes, this one included, which is idle while it
 * waits) stays under `maxBusyCores` for `windows` consecutive windows of `windowS` seconds.
 * Resolves with the seconds waited, or with -1 when `timeoutS` passed first.
 */
export async function waitForQuietMachine(o: { maxBusyCores: number; windowS: number; windows: number; timeoutS: number }): Promise<number> {
  const started = Date.now();
  let quiet = 0;
  while (quiet < o.windows) {
    if (Date.now() - started > o.timeoutS * 1000) return -1;
    const a = readMachineCpuSeconds();
    await new Promise((r) => setTimeout(r, o.windowS * 1000));
    const b = readMachineCpuSeconds();
    quiet = (b.busy - a.busy) / o.windowS < o.maxBusyCores && (b.steal - a.steal) / o.windowS < 0.1 ? quiet + 1 : 0;
  }
  return (Date.now() - started) / 1000;
}
