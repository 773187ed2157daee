/**
 * A throw-away `redis-server` for integration tests: started on a free 127.0.0.1 port without
 * persistence, and killed afterwards. Not exported from the package.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A running test Redis. */
export interface TestRedis {
  readonly port: number;
  readonly address: string;
  /** Kills the server (SIGKILL: like a crash; it keeps nothing, having no persistence). */
  kill(): Promise<void>;
  /** Starts a new server on the same port (after {@link kill}). */
  restart(): Promise<void>;
}

/** True if a `redis-server` binary is on the PATH. */
export function haveRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Finds a port that is free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${out}`));
    });
  });
}

/** Starts a redis-server on a free port. */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined = await launch(port);
  return {
    port,
    address: `127.0.0.1:${port}`,
    async kill() {
      const c = child;
      child = undefined;
      if (c === undefined || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
    async restart() {
      child ??= await launch(port);
    },
  };
}

/**
 * Whether Redis integration tests can run. When `redis-server` is absent this prints a visible
 * notice (tests are skipped), or, with TESSERA_REQUIRE_EXTERNAL=1, returns `fail: true` so the
 * caller registers a failing test instead of skipping.
 */
export function redisTestMode(suite: string): { run: boolean; fail: boolean } {
  if (haveRedisServer()) return { run: true, fail: false };
  if (process.env['TESSERA_REQUIRE_EXTERNAL'] === '1') return { run: false, fail: true };
  console.warn(`[${suite}] SKIPPED: redis-server not found on PATH (set TESSERA_REQUIRE_EXTERNAL=1 to fail instead)`);
  return { run: false, fail: false };
}
