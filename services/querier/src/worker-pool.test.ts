import { afterEach, describe, expect, it } from 'vitest';
import { Counter, Gauge, Registry } from 'prom-client';
import { createLogger, TesseraError } from '@tessera/server';
import { wallClockMs, type ExecRequest } from './query-exec.ts';
import { QueryWorkerPool } from './worker-pool.ts';

const FAKE = new URL('./worker-pool-fake-worker.ts', import.meta.url);
const pools: QueryWorkerPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
});

function pool(size: number, opts: { killGraceMs?: number; workerUrl?: URL } = {}) {
  const registers = [new Registry()];
  const metrics = {
    queueLength: new Gauge({ name: 'q', help: 'q', registers }),
    busyWorkers: new Gauge({ name: 'b', help: 'b', registers }),
    restarts: new Counter({ name: 'r', help: 'r', registers }),
  };
  const p = new QueryWorkerPool({ size, logger: createLogger({ level: 'silent' }), metrics, workerUrl: FAKE, ...opts });
  pools.push(p);
  const value = async (m: Gauge | Counter): Promise<number> => (await m.get()).values[0]?.value ?? NaN;
  return { p, value, metrics };
}

function req(expr: string, timeoutMs = 10_000): ExecRequest {
  const now = wallClockMs();
  return {
    expr,
    kind: 'instant',
    startMs: 0,
    endMs: 0,
    stepMs: 0,
    deadline: now + timeoutMs,
    lookbackDeltaMs: 300_000,
    maxSamples: 1e9,
    enableExperimentalFunctions: false,
    defaultSubqueryStepMs: 60_000,
    stats: false,
    receivedAt: now,
    preparationSeconds: 0,
  };
}

const never = new AbortController().signal;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function failure(p: Promise<unknown>): Promise<TesseraError> {
  try {
    await p;
  } catch (e) {
    expect(TesseraError.is(e)).toBe(true);
    return e as TesseraError;
  }
  throw new Error('expected a failure');
}

describe('QueryWorkerPool', () => {
  it('transfers the data to the worker instead of copying it', async () => {
    const { p } = pool(1);
    const data = new ArrayBuffer(1 << 20);
    const out = await p.exec(req('echo'), data, never);
    expect(out.body).toBe('echo bytes=1048576');
    expect(data.byteLength).toBe(0); // detached: ownership moved to the worker
  });

  it('terminates and replaces a worker that does not answer past the deadline', async () => {
    const { p, value, metrics } = pool(1, { killGraceMs: 200 });
    const started = performance.now();
    const err = await failure(p.exec(req('hang', 200), new ArrayBuffer(8), never));
    expect([err.kind, err.message]).toEqual(['timeout', 'query timed out in query execution']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect((await p.exec(req('after'), new ArrayBuffer(8), never)).body).toBe('after bytes=8');
    expect(await value(metrics.restarts)).toBe(1);
  });

  it.each([['exit'], ['throw']])('fails the query of a worker that dies (%s) with a 500 and replaces the worker', async (how) => {
    const { p, value, metrics } = pool(1);
    await p.exec(req('warm'), new ArrayBuffer(8), never);
    const err = await failure(p.exec(req(how), new ArrayBuffer(8), never));
    expect([err.kind, err.status, err.code]).toEqual(['internal', 500, 'query-worker-crashed']);
    expect((await p.exec(req('after'), new ArrayBuffer(8), never)).body).toBe('after bytes=8');
    expect(await value(metrics.restarts)).toBe(1);
  });

  it('answers a canceled running query at once and keeps its worker busy until it stops', async () => {
    const { p, value, metrics } = pool(1);
    const ac = new AbortController();
    const running = failure(p.exec(req('wait:5000'), new ArrayBuffer(8), ac.signal));
    await sleep(100);
    expect(await value(metrics.busyWorkers)).toBe(1);
    const t = performance.now();
    ac.abort();
    expect((await running).message).toBe('query was canceled in query execution');
    expect(performance.now() - t).toBeLessThan(50);
    expect((await p.exec(req('next'), new ArrayBuffer(8), never)).body).toBe('next bytes=8');
    expect(await value(metrics.busyWorkers)).toBe(0);
  });

  it('queues queries FIFO while the workers are busy', async () => {
    const { p, value, metrics } = pool(1);
    const order: number[] = [];
    const all = [0, 1, 2, 3].map((i) => p.exec(req('wait:100'), new ArrayBuffer(8), never).then(() => order.push(i)));
    await sleep(50);
    expect(await value(metrics.busyWorkers)).toBe(1);
    expect(await value(metrics.queueLength)).toBe(3);
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(await value(metrics.queueLength)).toBe(0);
    expect(await value(metrics.busyWorkers)).toBe(0);
  });

  it('runs queries on every worker at once', async () => {
    const { p, value, metrics } = pool(2);
    await Promise.all([p.exec(req('warm'), new ArrayBuffer(8), never), p.exec(req('warm'), new ArrayBuffer(8), never)]);
    const both = Promise.all([p.exec(req('wait:300'), new ArrayBuffer(8), never), p.exec(req('wait:300'), new ArrayBuffer(8), never)]);
    await sleep(100);
    expect(await value(metrics.busyWorkers)).toBe(2);
    expect(await value(metrics.queueLength)).toBe(0);
    await both;
  });

  it('does not respawn a worker that cannot even load in a tight loop', async () => {
    const { p, value, metrics } = pool(1, { workerUrl: new URL('./no-such-worker.ts', import.meta.url) });
    const err = await failure(p.exec(req('x'), new ArrayBuffer(8), never));
    expect(err.kind).toBe('internal');
    await sleep(500);
    expect(await value(metrics.restarts)).toBe(1);
  });
});
