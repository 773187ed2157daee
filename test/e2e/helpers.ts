/**
 * Shared plumbing of the end-to-end tests: temporary data directories, an in-process Tessera,
 * remote-write bodies and pushes, JSON reads of the Prometheus API, `/metrics` scraping, and the
 * real CLI as a child process. Generic on purpose: every e2e test file may import it, and none of
 * it knows about a particular test's data.
 *
 * Everything talks to 127.0.0.1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWriteRequest, snappyCompress, type WriteRequestObject } from '@tessera/remotewrite';
import { loadConfig } from '@tessera/server';
import { startTessera, tesseraOptions, type TesseraHandle } from '@tessera/tessera';
import { seededRandom as modelSeededRandom } from '@tessera/model';

/** Root of the work tree (the CLI runs with it as its working directory). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The Node 24 binary the project pins; the system `node` is too old to strip types. */
export const NODE_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'node');

/** The CLI's entry point. */
export const CLI_MAIN = join(REPO_ROOT, 'services', 'tessera', 'src', 'main.ts');

/** Content type of a remote-write 1.0 request. */
export const REMOTE_WRITE_CONTENT_TYPE = 'application/x-protobuf';

// ---- Temporary directories -------------------------------------------------------------------

/** Creates a fresh temporary directory named after `prefix`. */
export function makeTempDir(prefix = 'tessera-e2e-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes a directory tree made by {@link makeTempDir}; a missing one is fine. */
export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** Writes `text` to `<dir>/<name>` and returns the path. */
export async function writeTempFile(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

// ---- In-process Tessera ----------------------------------------------------------------------

/** A Tessera started in this process by {@link startInProcess}. */
export interface InProcessTessera {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly handle: TesseraHandle;
  /** Stops the server (idempotent); the data directory is left in place. */
  stop(): Promise<void>;
}

/** Options of {@link startInProcess}. */
export interface StartInProcessOptions {
  /** Data directory; a fresh temporary one when absent. */
  dataDir?: string;
  /** Value of `-auth.enabled`; default true. */
  authEnabled?: boolean;
}

/**
 * Starts Tessera in this process on a free port of 127.0.0.1 with quiet logs. `flags` are extra
 * command-line flags in `-name=value` form, applied after the defaults given here, so they win.
 */
export async function startInProcess(flags: readonly string[] = [], opts: StartInProcessOptions = {}): Promise<InProcessTessera> {
  const dataDir = opts.dataDir ?? (await makeTempDir());
  const argv = [
    `-data.dir=${dataDir}`,
    '-server.http-listen-address=127.0.0.1',
    '-server.http-listen-port=0',
    `-auth.enabled=${opts.authEnabled ?? true}`,
    '-log.level=warn',
    ...flags,
  ];
  const handle = await startTessera(loadConfig(tesseraOptions, argv));
  return { url: handle.url, port: handle.port, dataDir, handle, stop: () => handle.stop() };
}

// ---- Writing -----------------------------------------------------------------------------------

/**
 * A series to push. `labels` as an object is sent sorted by name (as the spec requires); as a
 * list of pairs it is sent exactly in the given order, duplicates included, so tests can send
 * what a broken client would.
 */
export interface PushSeries {
  labels: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
  /** `[timestampMs, value]` pairs, in the order sent. */
  samples: ReadonlyArray<readonly [number, number]>;
}

/** The protobuf WriteRequest (uncompressed) for `series`. */
export function writeRequestBytes(series: readonly PushSeries[]): Uint8Array {
  const req: WriteRequestObject = {
    timeseries: series.map((s) => {
      const pairs = Array.isArray(s.labels)
        ? (s.labels as ReadonlyArray<readonly [string, string]>)
        : Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return {
        labels: pairs.map(([name, value]) => ({ name, value })),
        samples: s.samples.map(([timestamp, value]) => ({ timestamp, value })),
        exemplars: [],
        histograms: [],
      };
    }),
    metadata: [],
  };
  return encodeWriteRequest(req);
}

/** A complete remote-write 1.0 body: the snappy-compressed WriteRequest for `series`. */
export function remoteWriteBody(series: readonly PushSeries[]): Uint8Array {
  return snappyCompress(writeRequestBytes(series));
}

/** An HTTP answer as a test sees it. */
export interface TextResponse {
  status: number;
  text: string;
}

/** Options of {@link pushBody} and {@link push}. */
export interface PushOptions {
  /** `X-Scope-OrgID`; omitted when undefined. */
  tenant?: string | undefined;
  /** `Content-Type`; default remote-write 1.0's. `null` sends none. */
  contentType?: string | null;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Path of the push endpoint; default `/api/v1/push`. */
  path?: string;
}

/** POSTs a raw body to the push endpoint, with remote-write's headers unless overridden. */
export async function pushBody(baseUrl: string, body: Uint8Array | string, opts: PushOptions = {}): Promise<TextResponse> {
  const headers: Record<string, string> = { 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0', ...opts.headers };
  const contentType = opts.contentType === undefined ? REMOTE_WRITE_CONTENT_TYPE : opts.contentType;
  if (contentType !== null) headers['Content-Type'] = contentType;
  if (opts.tenant !== undefined) headers['X-Scope-OrgID'] = opts.tenant;
  const res = await fetch(baseUrl + (opts.path ?? '/api/v1/push'), { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

/** Pushes `series` as one remote-write request. */
export function push(baseUrl: string, series: readonly PushSeries[], opts: PushOptions = {}): Promise<TextResponse> {
  return pushBody(baseUrl, remoteWriteBody(series), opts);
}

// ---- Reading -----------------------------------------------------------------------------------

/** A JSON answer: status code and parsed body (`undefined` when the body is not JSON). */
export interface JsonResponse<T = unknown> {
  status: number;
  contentType: string;
  body: T;
}

/** Query parameters; repeated keys (`match[]`) as repeated pairs. */
export type QueryParams = ReadonlyArray<readonly [string, string]>;

/** Options of the read helpers. */
export interface ReadOptions {
  tenant?: string | undefined;
  headers?: Record<string, string>;
}

async function asJson<T>(res: Response): Promise<JsonResponse<T>> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: body as T };
}

function readHeaders(opts: ReadOptions): Record<string, string> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.tenant !== undefined) headers['X-Scope-OrgID'] = opts.tenant;
  return headers;
}

/** GETs `path` with `params` in the query string and parses the JSON answer. */
export async function getJson<T = unknown>(baseUrl: string, path: string, params: QueryParams = [], opts: ReadOptions = {}): Promise<JsonResponse<T>> {
  const qs = new URLSearchParams(params as [string, string][]).toString();
  const res = await fetch(baseUrl + path + (qs === '' ? '' : `?${qs}`), { headers: readHeaders(opts) });
  return asJson<T>(res);
}

/** POSTs `params` as an `application/x-www-form-urlencoded` body and parses the JSON answer. */
export async function postFormJson<T = unknown>(baseUrl: string, path: string, params: QueryParams = [], opts: ReadOptions = {}): Promise<JsonResponse<T>> {
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { ...readHeaders(opts), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params as [string, string][]).toString(),
  });
  return asJson<T>(res);
}

/** GETs `path` and returns the status and body as text. */
export async function getText(baseUrl: string, path: string, opts: ReadOptions = {}): Promise<TextResponse> {
  const res = await fetch(baseUrl + path, { headers: readHeaders(opts) });
  return { status: res.status, text: await res.text() };
}

/** The `data` of a successful Prometheus API answer; throws with the answer when it failed. */
export async function apiData<T = unknown>(baseUrl: string, path: string, params: QueryParams = [], opts: ReadOptions = {}): Promise<T> {
  const res = await getJson<{ status: string; data: T }>(baseUrl, path, params, opts);
  if (res.status !== 200 || res.body?.status !== 'success') {
    throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body.data;
}

/** Every series (as label objects) of a tenant matching `selector`, via the series API. */
export function listSeries(
  baseUrl: string,
  tenant: string | undefined,
  selector = '{__name__=~".+"}',
  extra: QueryParams = [],
): Promise<Record<string, string>[]> {
  return apiData<Record<string, string>[]>(baseUrl, '/prometheus/api/v1/series', [['match[]', selector], ...extra], { tenant });
}

// ---- Metrics -----------------------------------------------------------------------------------

/** One sample of the text exposition format. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses Prometheus text exposition into samples (comments skipped). */
export function parseMetrics(text: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE_LINE.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const p of (m[2] ?? '').matchAll(LABEL_PAIR)) labels[p[1]!] = p[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/**
 * The value of the sample of `name` whose labels include `labels`, from `/metrics`; 0 when there
 * is none (a counter never touched).
 */
export async function metricValue(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await getText(baseUrl, '/metrics');
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  let sum = 0;
  for (const s of parseMetrics(res.text)) {
    if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

// ---- The CLI as a child process ----------------------------------------------------------------

/** A free TCP port on 127.0.0.1 (bound, read, released: another process could take it, rarely). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** How a child process ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running CLI started by {@link spawnCli}. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Settles when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** Whether the process has exited. */
  hasExited(): boolean;
  /** Sends SIGKILL if still running and waits for the exit (for cleanup). */
  kill(): Promise<ExitStatus>;
}

/** Starts `node services/tessera/src/main.ts ...args` from the repository root. */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(NODE_BIN, ['--disable-warning=ExperimentalWarning', CLI_MAIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  let done = false;
  const exited = new Promise<ExitStatus>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    hasExited: () => done,
    kill: async () => {
      if (!done) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Runs the CLI to completion (for commands that exit by themselves), with a time limit. */
export async function runCli(args: readonly string[], timeoutMs = 10_000): Promise<ExitStatus & { stdout: string; stderr: string }> {
  const p = spawnCli(args);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  try {
    const status = await p.exited;
    return { ...status, stdout: p.stdout(), stderr: p.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `<baseUrl>/ready` until it answers 200. Fails early when `proc` exits first, with its
 * output in the message.
 */
export async function waitReady(baseUrl: string, proc?: CliProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc?.hasExited() === true) {
      throw new Error(`process exited before it was ready:\nstdout: ${proc.stdout()}\nstderr: ${proc.stderr()}`);
    }
    try {
      const res = await fetch(`${baseUrl}/ready`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new Error(`${baseUrl}/ready not 200 after ${timeoutMs} ms${proc === undefined ? '' : `\nstderr: ${proc.stderr()}`}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits up to `ms` for `p`; rejects with `what` in the message when it takes longer. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- Determinism -------------------------------------------------------------------------------

/** A fixed-seed pseudo-random generator (mulberry32) returning floats in [0, 1): reproducible generated data and fuzz inputs. */
export const seededRandom = modelSeededRandom;
