/**
 * A throw-away `s3rver` (the npm package: an S3 protocol server storing objects in a directory)
 * for integration tests, run as its own process on 127.0.0.1 through `s3rver-launcher.ts`.
 * Not exported from the package.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, it } from 'vitest';

/** s3rver's built-in credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** A running s3rver. */
export interface TestS3 {
  readonly port: number;
  /** `127.0.0.1:<port>`, for `endpoint` with `insecure: true`. */
  readonly endpoint: string;
  /** Creates a bucket. */
  createBucket(name: string): Promise<void>;
  /** Kills the server (SIGKILL, like a crash). Its data directory stays. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory. */
  restart(): Promise<void>;
  /** Kills it and removes its directory. */
  stop(): Promise<void>;
}

/** True when the s3rver package is installed. */
function haveS3rver(): boolean {
  try {
    createRequire(import.meta.url).resolve('s3rver');
    return true;
  } catch {
    return false;
  }
}

/** Our launcher (see its module comment for what it repairs in s3rver). */
const LAUNCHER = fileURLToPath(new URL('./s3rver-launcher.ts', import.meta.url));

function launch(dir: string, port: number, bucket: string): Promise<{ child: ChildProcess; port: number }> {
  const args = ['--openssl-legacy-provider', '--disable-warning=ExperimentalWarning', LAUNCHER, dir, String(port), bucket];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`s3rver did not start: ${out}`));
    }, 15_000);
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = /listening on [^:]+:(\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}: ${out}`));
    });
  });
}

async function killChild(c: ChildProcess | undefined): Promise<void> {
  if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });
}

/** Starts s3rver on a free port with bucket `bucket` created. */
export async function startS3rver(bucket: string): Promise<TestS3> {
  if (!haveS3rver()) throw new Error('the s3rver package is not installed');
  const dir = await mkdtemp(join(tmpdir(), 's3rver-'));
  let { child, port } = await launch(dir, 0, bucket).catch(async (e: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw e;
  });
  let current: ChildProcess | undefined = child;
  const endpoint = `127.0.0.1:${port}`;
  const admin = new S3Client({ endpoint: `http://${endpoint}`, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  return {
    port,
    endpoint,
    async createBucket(name) {
      await admin.send(new CreateBucketCommand({ Bucket: name }));
    },
    async kill() {
      await killChild(current);
      current = undefined;
    },
    async restart() {
      if (current !== undefined) return;
      ({ child, port } = await launch(dir, port, bucket));
      current = child;
    },
    async stop() {
      admin.destroy();
      await killChild(current);
      current = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts s3rver for an integration suite, or explains why not: when it cannot start, prints a
 * visible notice and returns undefined (the suite is skipped), or with TESSERA_REQUIRE_EXTERNAL=1
 * returns the error so that the suite fails instead.
 */
export async function s3rverForSuite(suite: string, bucket: string): Promise<{ server?: TestS3; error?: Error }> {
  try {
    return { server: await startS3rver(bucket) };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    if (process.env['TESSERA_REQUIRE_EXTERNAL'] === '1') return { error };
    console.warn(`[${suite}] SKIPPED: s3rver could not start (${error.message}); set TESSERA_REQUIRE_EXTERNAL=1 to fail instead`);
    return {};
  }
}

/**
 * {@link s3rverForSuite} wired into the calling test file: when s3rver is required
 * (TESSERA_REQUIRE_EXTERNAL=1) but cannot start, registers a failing test naming why; stops the
 * server after the file's tests. Returns undefined when the suite is to be skipped or fail.
 */
export async function s3rverSuite(suite: string, bucket: string): Promise<TestS3 | undefined> {
  const { server, error } = await s3rverForSuite(suite, bucket);
  if (error !== undefined) {
    it(`${suite}: s3rver is required (TESSERA_REQUIRE_EXTERNAL=1)`, () => {
      throw error;
    });
  }
  afterAll(async () => {
    await server?.stop();
  });
  return server;
}
