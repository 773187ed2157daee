/**
 * Per-tenant query limits at the HTTP layer, each producing its own error (or clamp), what the
 * runner is asked for, how runner failures become statuses, cancellation when the client goes
 * away, and the slow-query log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PromQLError } from '@tessera/promql';
import { TesseraError } from '@tessera/server';
import type { QueryRequest, QueryResponse } from './query-runner.ts';
import { buildTestApp, type TestApp, type TestAppOptions } from './routes-test-app.ts';

const NOW = 1_700_000_000_000;
const T = 'team-a';
const API = '/prometheus/api/v1';

type Params = [string, string][];

let t: TestApp | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function app(opts: TestAppOptions = {}): Promise<TestApp> {
  t = await buildTestApp({ now: NOW, ...opts });
  const minutes = Array.from({ length: 61 }, (_, i) => NOW - 3600_000 + i * 60_000);
  t.heads.add(T, { __name__: 'up', job: 'api' }, minutes.map((ts) => [ts, 1]));
  t.heads.add(T, { __name__: 'up', job: 'db' }, minutes.map((ts) => [ts, 0]));
  t.heads.add(T, { __name__: 'old_metric', job: 'batch' }, [[NOW - 3000_000, 5]]);
  return t;
}

async function get(path: string, params: Params, tenant = T): Promise<{ status: number; body: any }> {
  const res = await t!.app.inject({ method: 'GET', url: `${path}?${new URLSearchParams(params).toString()}`, headers: { 'x-scope-orgid': tenant } });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

const range = (start: number, end: number, step: number): Params => [['start', String(start / 1000)], ['end', String(end / 1000)], ['step', String(step / 1000)]];

/** A runner whose queries wait until the test releases them (or their signal aborts). */
function blockingRunner(): {
  run(req: QueryRequest, signal: AbortSignal): Promise<QueryResponse>;
  release(): void;
  started: Promise<void>;
  signals: AbortSignal[];
} {
  let releaseAll!: () => void;
  const gate = new Promise<void>((r) => (releaseAll = r));
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const signals: AbortSignal[] = [];
  return {
    signals,
    started,
    release: () => releaseAll(),
    async run(_req, signal) {
      signals.push(signal);
      markStarted();
      await Promise.race([gate, new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new TesseraError('canceled', 'query-canceled', 'query was canceled'))))]);
      return { body: '{"status":"success","data":{"resultType":"vector","result":[]}}', seriesFetched: 0, samplesProcessed: 0 };
    },
  };
}

describe('max total query length (-query-frontend.max-total-query-length)', () => {
  it('refuses a longer range query with a message naming the limit and its flag', async () => {
    await app({ limits: { maxTotalQueryLength: 3600_000 } });
    const ok = await get(`${API}/query_range`, [['query', 'up'], ...range(NOW - 3600_000, NOW, 60_000)]);
    expect(ok.status).toBe(200);
    const res = await get(`${API}/query_range`, [['query', 'up'], ...range(NOW - 7200_000, NOW, 60_000)]);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error:
        'the total query time range exceeds the limit (query length: 2h, limit: 1h) (max-total-query-length). ' +
        'To adjust the related per-tenant limit, configure -query-frontend.max-total-query-length, or contact your service administrator.',
    });
    const metrics = await t!.registry.getSingleMetricAsString('tessera_querier_queries_rejected_total');
    expect(metrics).toMatch(/reason="max-total-query-length"\} 1$/m);
  });

  it('applies per tenant', async () => {
    await app({ limits: (tenant) => (tenant === T ? { maxTotalQueryLength: 60_000 } : {}) });
    expect((await get(`${API}/query_range`, [['query', 'up'], ...range(NOW - 7200_000, NOW, 60_000)])).status).toBe(400);
    expect((await get(`${API}/query_range`, [['query', 'up'], ...range(NOW - 7200_000, NOW, 60_000)], 'other')).status).toBe(200);
  });
});

describe('max partial query length (-querier.max-partial-query-length)', () => {
  it('counts selector ranges and lookback, not just end - start', async () => {
    await app({ limits: { maxPartialQueryLength: 3600_000 } });
    expect((await get(`${API}/query`, [['query', 'rate(up[30m])'], ['time', String(NOW / 1000)]])).status).toBe(200);
    const res = await get(`${API}/query`, [['query', 'rate(up[2h])'], ['time', String(NOW / 1000)]]);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(
      'the query time range exceeds the limit (query length: 2h, limit: 1h) (max-query-length). ' +
        'To adjust the related per-tenant limit, configure -querier.max-partial-query-length, or contact your service administrator.',
    );
    // 56m of range plus the 5m lookback of an instant selector.
    const r = await get(`${API}/query_range`, [['query', 'up'], ...range(NOW - 56 * 60_000, NOW, 60_000)]);
    expect(r.body.error).toMatch(/query length: 1h1m, limit: 1h/);
    // A query that reads no data has no length.
    expect((await get(`${API}/query_range`, [['query', 'time()'], ...range(NOW - 86_400_000, NOW, 3600_000)])).status).toBe(200);
  });
});

describe('max query lookback (-querier.max-query-lookback)', () => {
  it('moves a range query’s start into the window on its own step grid', async () => {
    await app({ limits: { maxQueryLookback: 600_000 } });
    const start = NOW - 3600_000 + 7_000;
    const res = await get(`${API}/query_range`, [['query', 'up{job="api"}'], ...range(start, NOW, 60_000)]);
    expect(res.status).toBe(200);
    const times = res.body.data.result[0].values.map((v: [number, string]) => v[0] * 1000);
    expect(times[0]).toBe(NOW - 600_000 + 7_000);
    expect(times).toHaveLength(10);
    expect(t!.requests.at(-1)!.startMs).toBe(NOW - 600_000 + 7_000);
  });

  it('answers empty for a query wholly before the window, and leaves data-free queries alone', async () => {
    await app({ limits: { maxQueryLookback: 600_000 } });
    const r = await get(`${API}/query_range`, [['query', 'up'], ...range(NOW - 3600_000, NOW - 1800_000, 60_000)]);
    expect(r.body).toEqual({ status: 'success', data: { resultType: 'matrix', result: [] } });
    const i = await get(`${API}/query`, [['query', 'up'], ['time', String((NOW - 1200_000) / 1000)]]);
    expect(i.body).toEqual({ status: 'success', data: { resultType: 'vector', result: [] } });
    const s = await get(`${API}/query_range`, [['query', 'time()'], ...range(NOW - 3600_000, NOW - 3540_000, 60_000)]);
    expect(s.body.data.result[0].values).toHaveLength(2);
    expect(t!.requests).toHaveLength(1);
  });

  it('also bounds series, label names and label values', async () => {
    await app({ limits: { maxQueryLookback: 600_000 } });
    const series = await get(`${API}/series`, [['match[]', '{job=~".+"}']]);
    expect(series.body.data.map((s: Record<string, string>) => s['__name__'])).toEqual(['up', 'up']);
    expect((await get(`${API}/label/__name__/values`, [])).body.data).toEqual(['up']);
    const old = await get(`${API}/labels`, [['end', String((NOW - 1200_000) / 1000)]]);
    expect(old.body).toEqual({ status: 'success', data: [] });
  });
});

describe('max concurrent queries per tenant (-querier.max-concurrent-queries-per-tenant)', () => {
  it('answers 429 while the tenant is at its limit, and only for that tenant', async () => {
    const runner = blockingRunner();
    await app({ limits: { maxConcurrentQueriesPerTenant: 1 }, runner });
    const first = t!.app.inject({ method: 'GET', url: `${API}/query?query=up`, headers: { 'x-scope-orgid': T } });
    await runner.started;
    const second = await get(`${API}/query`, [['query', 'up']]);
    expect(second.status).toBe(429);
    expect(second.body).toEqual({
      status: 'error',
      errorType: 'too_many_requests',
      error:
        'the query was rejected because the tenant already runs 1 queries, the most it may run at once (max-concurrent-queries-per-tenant). ' +
        'Retry later; to adjust the related per-tenant limit, configure -querier.max-concurrent-queries-per-tenant, or contact your service administrator.',
    });
    const inflight = await t!.registry.getSingleMetricAsString('tessera_querier_inflight_queries');
    expect(inflight).toMatch(/^tessera_querier_inflight_queries 1$/m);
    runner.release();
    expect((await first).statusCode).toBe(200);
    expect((await get(`${API}/query`, [['query', 'up']], 'other')).status).toBe(200);
    expect((await get(`${API}/query`, [['query', 'up']])).status).toBe(200);
  });
});

describe('what the runner is asked', () => {
  it('passes the fetch and sample limits, the capped timeout and the lookback delta', async () => {
    await app({ limits: { maxFetchedSeriesPerQuery: 11, maxFetchedChunksPerQuery: 22, maxSamplesPerQuery: 33, queryTimeout: 30_000 } });
    await get(`${API}/query`, [['query', 'up'], ['time', '100']]);
    await get(`${API}/query`, [['query', 'up'], ['time', '100'], ['timeout', '2m'], ['lookback_delta', '1m']]);
    await get(`${API}/query_range`, [['query', 'up'], ...range(NOW - 60_000, NOW, 60_000), ['timeout', '10s'], ['stats', 'all']]);
    const [a, b, c] = t!.requests;
    expect(a).toEqual({
      tenant: T,
      expr: 'up',
      kind: 'instant',
      startMs: 100_000,
      endMs: 100_000,
      stepMs: 0,
      timeoutMs: 30_000,
      lookbackDeltaMs: 300_000,
      stats: false,
      limits: { maxFetchedSeries: 11, maxFetchedChunks: 22, maxSamples: 33 },
    });
    expect([b!.timeoutMs, b!.lookbackDeltaMs]).toEqual([30_000, 60_000]);
    expect(c).toMatchObject({ kind: 'range', startMs: NOW - 60_000, endMs: NOW, stepMs: 60_000, timeoutMs: 10_000, stats: true });
  });

  it('reports the fetched-series limit as 422 execution, naming its flag', async () => {
    await app({ limits: { maxFetchedSeriesPerQuery: 1 } });
    expect((await get(`${API}/query`, [['query', 'up{job="api"}'], ['time', String(NOW / 1000)]])).status).toBe(200);
    const res = await get(`${API}/query`, [['query', 'up'], ['time', String(NOW / 1000)]]);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ status: 'error', errorType: 'execution', error: expect.stringContaining('-querier.max-fetched-series-per-query') });
  });

  it('reports the fetched-chunks limit as 422 execution, naming its flag', async () => {
    await app({ limits: { maxFetchedChunksPerQuery: 1 } });
    const res = await get(`${API}/query`, [['query', 'up'], ['time', String(NOW / 1000)]]);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ status: 'error', errorType: 'execution', error: expect.stringContaining('-querier.max-fetched-chunks-per-query') });
  });

  it('reports the max samples limit as 422 execution', async () => {
    await app({ limits: { maxSamplesPerQuery: 1 } });
    const res = await get(`${API}/query`, [['query', 'up'], ['time', String(NOW / 1000)]]);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory in query execution' });
  });
});

describe('runner failures', () => {
  it.each([
    [new TesseraError('execution', 'max-series-per-query', 'too many series'), 422, 'execution'],
    [new TesseraError('timeout', 'query-timeout', 'query timed out in query execution'), 503, 'timeout'],
    [new TesseraError('canceled', 'query-canceled', 'query was canceled in query execution'), 499, 'canceled'],
    [new TesseraError('bad_data', 'parse-error', 'bad'), 400, 'bad_data'],
    [new PromQLError('timeout', 'query-timeout', 'query timed out in expression evaluation'), 503, 'timeout'],
    [new Error('worker exploded'), 500, 'internal'],
  ])('%s → %i %s', async (err, status, errorType) => {
    await app({ runner: { run: async () => Promise.reject(err) } });
    const res = await get(`${API}/query`, [['query', 'up']]);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ status: 'error', errorType });
    // The slot is given back whatever happened.
    expect(await t!.registry.getSingleMetricAsString('tessera_querier_inflight_queries')).toMatch(/ 0$/m);
  });
});

describe('cancellation', () => {
  it('aborts the query when the client disconnects', async () => {
    const runner = blockingRunner();
    await app({ runner });
    await t!.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = t!.app.server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
    const client = new AbortController();
    const pending = fetch(`http://127.0.0.1:${port}${API}/query?query=up`, { headers: { 'x-scope-orgid': T }, signal: client.signal }).catch(() => null);
    await runner.started;
    expect(runner.signals[0]!.aborted).toBe(false);
    client.abort();
    await pending;
    await expect.poll(() => runner.signals[0]!.aborted).toBe(true);
    await expect.poll(async () => t!.registry.getSingleMetricAsString('tessera_querier_inflight_queries')).toMatch(/ 0$/m);
  });
});

describe('slow-query log (-querier.slow-query-log-threshold)', () => {
  const slowLines = (): Record<string, unknown>[] => t!.logs.filter((l) => l['msg'] === 'slow query');

  it('logs every query at threshold 0, with tenant, query, range, step, duration, series and samples', async () => {
    await app({ slowQueryLogThresholdMs: 0 });
    await get(`${API}/query_range`, [['query', 'sum(up)'], ...range(NOW - 120_000, NOW, 60_000)]);
    const lines = slowLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      tenant: T,
      query: 'sum(up)',
      kind: 'range',
      start: (NOW - 120_000) / 1000,
      end: NOW / 1000,
      rangeSeconds: 120,
      stepSeconds: 60,
      seriesFetched: 2,
      samplesProcessed: 6,
    });
    expect(typeof lines[0]!['durationSeconds']).toBe('number');
    await get(`${API}/query`, [['query', 'up + on() up'], ['time', String(NOW / 1000)]]);
    expect(slowLines()[1]).toMatchObject({ kind: 'instant', status: 422, error: expect.stringContaining('matching') });
  });

  it('stays quiet for queries under the threshold', async () => {
    await app({ slowQueryLogThresholdMs: 10_000 });
    await get(`${API}/query`, [['query', 'up']]);
    expect(slowLines()).toEqual([]);
  });
});
