/**
 * Helpers for end-to-end tests that run Tessera (and other programs) as real child processes:
 * free ports, temporary directories, spawning with captured output, readiness waits, and a
 * registry of children that are killed when the test file ends, whatever its outcome.
 *
 * Every child listens on 127.0.0.1 only; nothing here talks to any other address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

/** The repository root: the working directory of every Tessera child. */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** The Node 24 binary the project pins (the system `node` is too old to run the sources). */
export const NODE_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'node');

/** Tessera's entry point, relative to {@link REPO_ROOT}. */
export const TESSERA_MAIN = 'services/tessera/src/main.ts';

/** True when tests needing an external binary must fail rather than skip when it is missing. */
export const REQUIRE_EXTERNAL = process.env.TESSERA_REQUIRE_EXTERNAL === '1';

/** A free TCP port on 127.0.0.1, found by listening on port 0 and closing again. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** A temporary directory under the OS temp dir, with a function that removes it. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The path of an executable found on PATH (or the absolute path itself), or null. */
export function findExecutable(name: string): string | null {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here; try the next directory
    }
  }
  return null;
}

/** Polls `probe` every `intervalMs` until it returns a value other than undefined, or throws on timeout. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() >= deadline) {
      const why = lastErr === null ? '' : ` (last error: ${lastErr instanceof Error ? lastErr.message : String(lastErr)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** How a child ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running child process with its output captured in memory. */
export class ChildRun {
  readonly child: ChildProcess;
  readonly name: string;
  #stdout = '';
  #stderr = '';
  readonly exited: Promise<ExitStatus>;
  #status: ExitStatus | null = null;

  constructor(name: string, command: string, args: readonly string[], cwd: string) {
    this.name = name;
    this.child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.#stdout += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.#stderr += d.toString()));
    this.exited = new Promise((res) => {
      // 'error' (e.g. spawn failure) may come without 'close'; both settle the same promise.
      this.child.once('error', (err) => {
        this.#stderr += `\n[spawn error] ${err.message}`;
        this.#status ??= { code: null, signal: null };
        res(this.#status);
      });
      this.child.once('close', (code, signal) => {
        this.#status ??= { code, signal };
        res(this.#status);
      });
    });
    live.add(this);
    void this.exited.then(() => live.delete(this));
  }

  /** Everything the child wrote to stdout so far. */
  get stdout(): string {
    return this.#stdout;
  }

  /** Everything the child wrote to stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /** The exit status, or null while it runs. */
  get status(): ExitStatus | null {
    return this.#status;
  }

  /** stdout lines that parse as JSON objects (pino's log lines). */
  jsonLines(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.#stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a line cut by SIGKILL is not a log record
      }
    }
    return out;
  }

  /** The last `max` characters of stdout and stderr, for failure messages. */
  tail(max = 4000): string {
    const cut = (s: string): string => (s.length > max ? `…${s.slice(-max)}` : s);
    return `--- ${this.name} stdout ---\n${cut(this.#stdout)}\n--- ${this.name} stderr ---\n${cut(this.#stderr)}`;
  }

  /** Sends `signal` (unless the child has ended) and waits for the exit, SIGKILLing after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<ExitStatus> {
    if (this.#status === null) this.child.kill(signal);
    const timer = setTimeout(() => {
      if (this.#status === null) this.child.kill('SIGKILL');
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Children still running; {@link killAllChildren} ends them. */
const live = new Set<ChildRun>();

/** SIGKILLs every child still running and waits for them; for afterAll/afterEach hooks. */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop('SIGKILL')));
}

// If the test process itself goes away, take the children with it.
process.once('exit', () => {
  for (const c of live) c.child.kill('SIGKILL');
});

/** A Tessera child process listening on 127.0.0.1. */
export interface TesseraProcess {
  readonly run: ChildRun;
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
}

/** Options of {@link spawnTessera}. */
export interface SpawnTesseraOptions {
  dataDir: string;
  /** Further flags, e.g. `-auth.enabled=false`. */
  args?: readonly string[];
  /** How long to wait for `GET /ready` to answer 200. Default 20 s. */
  readyTimeoutMs?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * Starts `node services/tessera/src/main.ts -target=all` on a free port and waits until
 * `GET /ready` answers 200. Throws with the child's output if it exits or times out first.
 */
export async function spawnTessera(opts: SpawnTesseraOptions): Promise<TesseraProcess> {
  const port = await freePort();
  const args = [
    '--disable-warning=ExperimentalWarning',
    TESSERA_MAIN,
    '-target=all',
    '-server.http-listen-address=127.0.0.1',
    `-server.http-listen-port=${port}`,
    `-data.dir=${opts.dataDir}`,
    `-log.level=${opts.logLevel ?? 'info'}`,
    ...(opts.args ?? []),
  ];
  const run = new ChildRun('tessera', NODE_BIN, args, REPO_ROOT);
  const url = `http://127.0.0.1:${port}`;
  try {
    const ready = waitFor('Tessera /ready', opts.readyTimeoutMs ?? 20_000, async () => {
      if (run.status !== null) return false;
      const res = await fetch(`${url}/ready`);
      await res.arrayBuffer();
      return res.status === 200 ? true : undefined;
    });
    const died = run.exited.then((s) => {
      throw new Error(`tessera exited before it was ready (${JSON.stringify(s)})`);
    });
    died.catch(() => {}); // only the race below observes it
    if ((await Promise.race([ready, died])) !== true) throw new Error(`tessera exited before it was ready (${JSON.stringify(run.status)})`);
  } catch (e) {
    await run.stop('SIGKILL');
    throw new Error(`${(e as Error).message}\n${run.tail()}`, { cause: e });
  }
  return { run, port, url };
}

/** GETs the Prometheus series API as `tenant` and returns the label sets (throws unless 200). */
export async function fetchSeries(url: string, tenant: string, match: string): Promise<Record<string, string>[]> {
  const res = await fetch(`${url}/prometheus/api/v1/series?match[]=${encodeURIComponent(match)}`, {
    headers: { 'X-Scope-OrgID': tenant },
  });
  const body = (await res.json()) as { status: string; data: Record<string, string>[] };
  if (res.status !== 200 || body.status !== 'success') {
    throw new Error(`series API answered ${res.status}: ${JSON.stringify(body)}`);
  }
  return body.data;
}
