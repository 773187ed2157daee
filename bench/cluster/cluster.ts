// A Tessera cluster on this machine for the cluster benchmark: a real redis-server holding the
// ring, 3 ingesters and 1 distributor (replication factor 3), each its own child process on a
// free port under one fresh directory. Started once per measurement and stopped afterwards.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TESSERA_NODE_FLAGS } from '@tessera/tessera';
import { freePort, httpGet } from '../ingest/targets.ts';

/** The `tessera` command's launcher, from bench/cluster/. */
const TESSERA_MAIN = fileURLToPath(new URL('../../services/tessera/bin/tessera.mjs', import.meta.url));
/** Ingesters in the cluster; every series is written to all of them (RF = 3). */
export const INGESTERS = 3;
/** The replication factor the distributor is started with. */
export const REPLICATION_FACTOR = 3;

/** One child process of the cluster. */
export interface ClusterProcess {
  /** `redis`, `ing-1` … `ing-3`, `distributor`. */
  readonly name: string;
  readonly pid: number;
  /** Its HTTP (or, for Redis, RESP) port on 127.0.0.1. */
  readonly port: number;
  /** The last lines it wrote to stdout/stderr. */
  outputTail(): string;
  /** SIGTERM, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Whether it has exited. */
  exited(): boolean;
}

/** A running cluster. */
export interface RunningCluster {
  readonly redis: ClusterProcess;
  readonly ingesters: readonly ClusterProcess[];
  readonly distributor: ClusterProcess;
  /** Every process: Redis, the ingesters, the distributor. */
  readonly all: readonly ClusterProcess[];
  /** Stops the distributor, then the ingesters (they flush their WAL), then Redis. */
  stop(): Promise<void>;
}

/** Options of {@link startCluster}. */
export interface StartClusterOptions {
  /** Fresh directory: the ingesters' and distributor's data directories go below it. */
  dir: string;
  /** Ingesters' retention window, hours (as bench/ingest sets it for the single process). */
  retentionHours: number;
}

function launch(name: string, command: string, args: string[], port: number): ClusterProcess {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const keep = (c: Buffer): void => {
    tail.push(c.toString('utf8'));
    if (tail.length > 50) tail.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let done = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    done = true;
    resolve();
  }));
  return {
    name,
    pid: child.pid!,
    port,
    outputTail: () => tail.join('').split('\n').slice(-30).join('\n'),
    exited: () => done,
    stop: async (graceMs = 60_000) => {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Polls `probe` every 100 ms until it returns true; throws after `timeoutMs` or if `p` exits. */
async function waitUntil(what: string, p: ClusterProcess, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.exited()) throw new Error(`${p.name} exited while waiting for ${what}:\n${p.outputTail()}`);
    try {
      if (await probe()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${p.outputTail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ring entries as `GET /ingester/ring?format=json` lists them. */
interface RingJson {
  instances: Array<{ id: string; state: string }>;
}

/**
 * Starts Redis, the ingesters and the distributor, and resolves once the distributor's ring
 * shows every ingester ACTIVE. On failure, stops whatever it started and rethrows.
 */
export async function startCluster(o: StartClusterOptions): Promise<RunningCluster> {
  const started: ClusterProcess[] = [];
  const stopAll = async (): Promise<void> => {
    // Reverse start order: the distributor first (no more writes), Redis last (ingesters leave the ring).
    for (const p of [...started].reverse()) await p.stop();
  };
  try {
    const redisPort = await freePort();
    const redis = launch('redis', 'redis-server', [
      '--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no',
    ], redisPort);
    started.push(redis);
    await waitUntil('redis-server to accept connections', redis, 10_000, async () => redis.outputTail().includes('Ready to accept connections'));

    const common = [
      '-server.http-listen-address=127.0.0.1', '-auth.enabled=false', '-log.level=warn',
      '-ring.store=redis', `-ring.redis.address=127.0.0.1:${redisPort}`,
    ];
    const node = (name: string, args: string[], port: number): ClusterProcess =>
      launch(name, process.execPath, [...TESSERA_NODE_FLAGS, TESSERA_MAIN, ...common, `-server.http-listen-port=${port}`, ...args], port);

    const ingesters: ClusterProcess[] = [];
    for (let i = 1; i <= INGESTERS; i++) {
      const port = await freePort();
      const dataDir = path.join(o.dir, `ing-${i}`);
      fs.mkdirSync(dataDir, { recursive: true });
      const p = node(`ing-${i}`, [
        '-target=ingester', `-ingester.id=ing-${i}`, `-data.dir=${dataDir}`, '-ingester.ring.num-tokens=512',
        `-blocks-storage.tsdb.retention-period=${o.retentionHours}h`,
      ], port);
      started.push(p);
      ingesters.push(p);
    }
    const distPort = await freePort();
    const distDir = path.join(o.dir, 'distributor');
    fs.mkdirSync(distDir, { recursive: true });
    const distributor = node('distributor', ['-target=distributor', `-ring.replication-factor=${REPLICATION_FACTOR}`, `-data.dir=${distDir}`], distPort);
    started.push(distributor);

    for (const p of [...ingesters, distributor]) {
      await waitUntil(`${p.name} /ready`, p, 60_000, async () => (await httpGet(p.port, '/ready', 2000)).status === 200);
    }
    await waitUntil(`${INGESTERS} ACTIVE ingesters in the distributor's ring`, distributor, 30_000, async () => {
      const { status, body } = await httpGet(distributor.port, '/ingester/ring?format=json', 2000);
      if (status !== 200) return false;
      const ring = JSON.parse(body) as RingJson;
      return ring.instances.filter((i) => i.state === 'ACTIVE').length === INGESTERS;
    });
    return { redis, ingesters, distributor, all: [...started], stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
