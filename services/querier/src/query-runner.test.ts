import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { Matcher } from '@tessera/model';
import { createLogger, TesseraError } from '@tessera/server';
import { queryHeadChunks } from '@tessera/ingester';
import type { Head } from '@tessera/tsdb';
import type { ChunkReader } from './ingester-queryable.ts';
import { createQueryRunner, type QueryRequest, type QueryRunner, type QueryRunnerOptions } from './query-runner.ts';
import { closeHeads, loadHead, makeDataset, SPAN_MS, T0, type HeadSet } from './query-test-data.ts';

const set: HeadSet = { heads: [], dirs: [] };
const tenants = new Map<string, Head>();
/** The in-process ingester: one head per tenant. */
const reader: ChunkReader = {
  queryChunks: (tenant: string, m: readonly Matcher[], mint: number, maxt: number) => {
    const h = tenants.get(tenant);
    return h === undefined ? [] : queryHeadChunks(h, m, mint, maxt);
  },
};

beforeAll(() => {
  tenants.set('small', loadHead(set, makeDataset(42)));
  tenants.set('heavy', loadHead(set, makeDataset(1, 10)));
});
afterAll(() => closeHeads(set));

const runners: QueryRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.close();
});

function runner(workers: number, extra: Partial<QueryRunnerOptions> = {}): { r: QueryRunner; registry: Registry } {
  const registry = new Registry();
  const r = createQueryRunner({ workers, ingesters: () => [reader], logger: createLogger({ level: 'silent' }), registry, enableExperimentalFunctions: true, ...extra });
  runners.push(r);
  return { r, registry };
}

const NO_LIMITS = { maxFetchedSeries: 0, maxFetchedChunks: 0, maxSamples: 0 };

function instant(expr: string, t = T0 + 90 * 60_000, over: Partial<QueryRequest> = {}): QueryRequest {
  return { tenant: 'small', expr, kind: 'instant', startMs: t, endMs: t, stepMs: 0, timeoutMs: 30_000, lookbackDeltaMs: 0, stats: false, limits: NO_LIMITS, ...over };
}

function rangeQ(expr: string, over: Partial<QueryRequest> = {}): QueryRequest {
  return { tenant: 'small', expr, kind: 'range', startMs: T0, endMs: T0 + SPAN_MS, stepMs: 60_000, timeoutMs: 30_000, lookbackDeltaMs: 0, stats: false, limits: NO_LIMITS, ...over };
}

/** About 3 s of evaluation on this machine class (sorting a 1h window for each of 10,800 steps × 60 series). */
const HEAVY = rangeQ('quantile_over_time(0.5, req_total[1h])', { tenant: 'heavy', stepMs: 1000 });

const never = new AbortController().signal;

async function failure(p: Promise<unknown>): Promise<TesseraError> {
  try {
    await p;
  } catch (e) {
    expect(TesseraError.is(e)).toBe(true);
    return e as TesseraError;
  }
  throw new Error('expected the query to fail');
}

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? NaN;
}

const CORPUS: QueryRequest[] = [
  instant('req_total'),
  instant('sum by (job) (rate(req_total[5m]))'),
  instant('temp[10m]'),
  instant('scalar(sum(temp))'),
  instant('"a string"'),
  instant('sparse', T0 + 2 * 3600_000),
  instant('topk(2, req_total)'),
  instant('rate(temp[5m])'), // an info annotation (not a counter)
  instant('max_over_time(deriv(temp[10m])[1h:1m] @ end())'),
  instant('req_total + on(job) req_total'), // an execution error
  instant('info(rate(req_total[5m]))'),
  rangeQ('sum(rate(req_total[5m])) by (instance)'),
  rangeQ('histogram_quantile(0.9, rate(req_total[5m]))'), // a warning (no le label)
  rangeQ('sparse * 2', { stepMs: 15_000 }),
  rangeQ('absent(nothing)'),
  rangeQ('timestamp(temp offset 5m)', { lookbackDeltaMs: 60_000 }),
  rangeQ('1 + 1'),
];

describe('query runner', () => {
  it('gives identical answers on worker threads and on the calling thread', async () => {
    const w = runner(2).r;
    const inThread = runner(0).r;
    let errors = 0;
    for (const q of CORPUS) {
      const outcome = async (r: QueryRunner): Promise<string> => {
        try {
          return (await r.run(q, never)).body;
        } catch (e) {
          errors++;
          return `${(e as TesseraError).kind}: ${(e as Error).message}`;
        }
      };
      const [a, b] = await Promise.all([outcome(w), outcome(inThread)]);
      expect(a, q.expr).toBe(b);
      expect(a.length, q.expr).toBeGreaterThan(40);
    }
    expect(errors).toBe(2); // the execution error, on both runners
    const body = JSON.parse((await w.run(instant('sum by (job) (rate(req_total[5m]))'), never)).body);
    expect(body.data.resultType).toBe('vector');
    expect(body.data.result).toHaveLength(2);
    const info = JSON.parse((await w.run(instant('rate(temp[5m])'), never)).body);
    expect(info.infos[0]).toMatch(/metric might not be a counter/);
  });

  it('reports series fetched, samples processed and stats', async () => {
    const { r } = runner(1);
    const res = await r.run(rangeQ('rate(req_total[5m])', { stats: true }), never);
    expect(res.seriesFetched).toBe(6);
    expect(res.samplesProcessed).toBeGreaterThan(1000);
    const stats = JSON.parse(res.body).data.stats;
    expect(stats.samples.totalQueryableSamples).toBe(res.samplesProcessed);
    expect(stats.samples.peakSamples).toBeGreaterThan(0);
    for (const k of ['evalTotalTime', 'resultSortTime', 'queryPreparationTime', 'innerEvalTime', 'execQueueTime', 'execTotalTime']) {
      expect(stats.timings[k]).toBeGreaterThanOrEqual(0);
    }
    expect(stats.timings.execTotalTime).toBeGreaterThanOrEqual(stats.timings.evalTotalTime);
    expect(JSON.parse((await r.run(instant('req_total'), never)).body).data.stats).toBeUndefined();
  });

  it('maps errors to Prometheus error types and Tessera codes', async () => {
    const { r, registry } = runner(1);
    const parse = await failure(r.run(instant('sum(x'), never));
    expect([parse.kind, parse.status, parse.code]).toEqual(['bad_data', 400, 'parse-error']);
    expect(parse.message).toMatch(/^invalid parameter "query": 1:6: parse error: /);
    const type = await failure(r.run(rangeQ('req_total[5m]'), never));
    expect(type.message).toBe('invalid parameter "query": invalid expression type "range vector" for range query, must be Scalar or instant Vector');
    const exec = await failure(r.run(instant('req_total + on(job) req_total'), never));
    expect([exec.kind, exec.status]).toEqual(['execution', 422]);
    const samples = await failure(r.run(rangeQ('req_total', { limits: { ...NO_LIMITS, maxSamples: 100 } }), never));
    expect([samples.kind, samples.code, samples.message]).toEqual(['execution', 'too-many-samples', 'query processing would load too many samples into memory in query execution']);
    const series = await failure(r.run(instant('req_total + temp', undefined, { limits: { ...NO_LIMITS, maxFetchedSeries: 8 } }), never));
    expect([series.kind, series.status, series.code]).toEqual(['execution', 422, 'max-series-per-query']);
    expect(series.message).toContain('(limit: 8 series)');
    expect(series.message).toContain('-querier.max-fetched-series-per-query');
    const chunks = await failure(r.run(rangeQ('req_total', { limits: { ...NO_LIMITS, maxFetchedChunks: 10 } }), never));
    expect([chunks.kind, chunks.code]).toEqual(['execution', 'max-chunks-per-query']);
    expect(await metric(registry, 'tessera_querier_queries_total', { outcome: 'bad_data' })).toBe(2);
    expect(await metric(registry, 'tessera_querier_queries_total', { outcome: 'execution' })).toBe(4);
    expect(await metric(registry, 'tessera_querier_queries_total', { outcome: 'success' })).toBe(0);
  });

  it('does not block the main thread while a heavy query runs on a worker', async () => {
    const { r } = runner(1);
    const heavy = r.run(HEAVY, never);
    const started = performance.now();
    let worst = 0;
    let ticks = 0;
    let done = false;
    void heavy.finally(() => (done = true));
    while (!done) {
      const t = performance.now();
      await new Promise((res) => setTimeout(res, 10));
      worst = Math.max(worst, performance.now() - t - 10);
      ticks++;
    }
    const res = await heavy;
    const elapsed = performance.now() - started;
    expect(JSON.parse(res.body).data.result).toHaveLength(60);
    expect(elapsed).toBeGreaterThan(500); // it really was heavy
    // A blocked loop would fire late by the whole evaluation (seconds) and hardly tick; the
    // bounds leave room for CPU contention from parallel test files on a 2-core machine.
    const msg = `timers late by up to ${worst.toFixed(0)} ms, ${ticks} ticks in ${elapsed.toFixed(0)} ms`;
    expect(ticks, msg).toBeGreaterThan(elapsed / 200);
    expect(worst, msg).toBeLessThan(Math.max(200, elapsed / 5));
  });

  it('stops a running query when it is canceled, freeing the worker', async () => {
    const { r, registry } = runner(1);
    const ac = new AbortController();
    const started = performance.now();
    const heavy = r.run(HEAVY, ac.signal);
    setTimeout(() => ac.abort(), 300);
    const err = await failure(heavy);
    expect([err.kind, err.status, err.code]).toEqual(['canceled', 499, 'query-canceled']);
    // The worker stops at its next check: a small query gets it quickly.
    const res = await r.run(instant('temp'), never);
    expect(JSON.parse(res.body).data.result).toHaveLength(3);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(await metric(registry, 'tessera_querier_queries_total', { outcome: 'canceled' })).toBe(1);
  });

  it('times out a query that runs past its timeout', async () => {
    const { r } = runner(1);
    await r.run(instant('temp'), never); // the worker has started
    const started = performance.now();
    const err = await failure(r.run({ ...HEAVY, timeoutMs: 300 }, never));
    expect([err.kind, err.status, err.code, err.message]).toEqual(['timeout', 503, 'query-timeout', 'query timed out in query execution']);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('queues queries FIFO while every worker is busy, with queue and busy gauges', async () => {
    const { r, registry } = runner(1);
    const order: string[] = [];
    const heavy = r.run(HEAVY, never).then(() => order.push('heavy'));
    await new Promise((res) => setTimeout(res, 100));
    const a = r.run(instant('temp', undefined, { stats: true }), never).then((x) => {
      order.push('a');
      return x;
    });
    const b = r.run(instant('req_total'), never).then(() => order.push('b'));
    // Queued behind the heavy query: a query canceled or timed out there leaves the queue.
    const ac = new AbortController();
    const c = failure(r.run(instant('sparse'), ac.signal));
    const d = failure(r.run(instant('sparse', undefined, { timeoutMs: 200 }), never));
    await new Promise((res) => setTimeout(res, 50));
    expect(await metric(registry, 'tessera_querier_query_queue_length')).toBe(4);
    expect(await metric(registry, 'tessera_querier_query_workers_busy')).toBe(1);
    ac.abort();
    expect((await c).message).toBe('query was canceled in query queue');
    const timedOut = await d;
    expect([timedOut.kind, timedOut.message]).toEqual(['timeout', 'query timed out in query queue']);
    expect(await metric(registry, 'tessera_querier_query_queue_length')).toBe(2);
    const resA = await a;
    await Promise.all([heavy, b]);
    expect(order).toEqual(['heavy', 'a', 'b']);
    expect(JSON.parse(resA.body).data.stats.timings.execQueueTime).toBeGreaterThan(0.3);
    expect(await metric(registry, 'tessera_querier_query_queue_length')).toBe(0);
    expect(await metric(registry, 'tessera_querier_query_workers_busy')).toBe(0);
  });

  it('fails the query of a worker that dies with a 500 and replaces the worker', async () => {
    const { r, registry } = runner(1, { workerMaxHeapMb: 24 });
    // Millions of points: far more than a 24 MB heap holds.
    const err = await failure(r.run(rangeQ('req_total', { tenant: 'heavy', stepMs: 50 }), never));
    expect([err.kind, err.status, err.code]).toEqual(['internal', 500, 'query-worker-crashed']);
    expect(await metric(registry, 'tessera_querier_query_worker_restarts_total')).toBe(1);
    const res = await r.run(instant('temp'), never);
    expect(JSON.parse(res.body).data.result).toHaveLength(3);
    expect(await metric(registry, 'tessera_querier_queries_total', { outcome: 'internal' })).toBe(1);
  });

  it('fails pending queries when closed, and refuses new ones', async () => {
    const { r } = runner(1);
    const heavy = failure(r.run(HEAVY, never));
    const queued = failure(r.run(instant('temp'), never));
    await new Promise((res) => setTimeout(res, 50));
    await r.close();
    expect((await heavy).kind).toBe('unavailable');
    expect((await queued).kind).toBe('unavailable');
    expect((await failure(r.run(instant('temp'), never))).status).toBe(503);
  });
});
