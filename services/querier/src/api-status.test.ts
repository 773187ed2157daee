import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { headTsdbStatus, type TsdbStatus } from '@tessera/ingester';
import { createHttpServer, createLogger } from '@tessera/server';
import { mergeTsdbStatus, registerTsdbStatusApi, type TsdbStatusReader } from './api-status.ts';
import { TestHeads } from './routes-test-app.ts';

const heads = new TestHeads();
for (let i = 0; i < 4; i++) heads.add('team-a', { __name__: 'up', job: 'node', instance: `h${i}` }, [[1000, 1], [16_000, 1]]);
heads.add('team-a', { __name__: 'go_goroutines', job: 'node', instance: 'h0' }, [[2000, 7]]);
heads.add('team-b', { __name__: 'secret_metric' }, [[5000, 1]]);

function appWith(readers: () => readonly TsdbStatusReader[], replicationFactor = 1) {
  const app = createHttpServer({ logger: createLogger({ level: 'silent' }), registry: new Registry(), bodyLimitBytes: 1 << 20 });
  registerTsdbStatusApi(app, readers, { authEnabled: true, prefix: '/prometheus', replicationFactor });
  return app;
}
const local: TsdbStatusReader = { tsdbStatus: (t, limit) => headTsdbStatus(heads.heads.get(t), limit) };
const app = appWith(() => [local]);
afterAll(() => app.close());

async function get(url: string, tenant: string | null = 'team-a') {
  const res = await app.inject({ method: 'GET', url, headers: tenant === null ? {} : { 'x-scope-orgid': tenant } });
  return { status: res.statusCode, body: res.json() as { status: string; data: Record<string, unknown>; error?: string } };
}

describe('GET /prometheus/api/v1/status/tsdb', () => {
  it("answers the tenant's cardinality in Prometheus's shape", async () => {
    const { status, body } = await get('/prometheus/api/v1/status/tsdb');
    expect(status).toBe(200);
    expect(body.status).toBe('success');
    expect(body.data.headStats).toEqual({ numSeries: 5, numLabelPairs: 2 + 1 + 4, chunkCount: 5, minTime: 1000, maxTime: 16_000 });
    expect(body.data.seriesCountByMetricName).toEqual([
      { name: 'up', value: 4 },
      { name: 'go_goroutines', value: 1 },
    ]);
    expect(body.data.seriesCountByLabelValuePair).toContainEqual({ name: 'job=node', value: 5 });
    expect(Object.keys(body.data)).toEqual(['headStats', 'seriesCountByMetricName', 'labelValueCountByLabelName', 'memoryInBytesByLabelName', 'seriesCountByLabelValuePair']);
  });

  it('shows a tenant only its own series, and an unknown tenant an empty head', async () => {
    const b = await get('/prometheus/api/v1/status/tsdb', 'team-b');
    expect(b.body.data.seriesCountByMetricName).toEqual([{ name: 'secret_metric', value: 1 }]);
    const res = await app.inject({ method: 'GET', url: '/prometheus/api/v1/status/tsdb', headers: { 'x-scope-orgid': 'nobody' } });
    expect(res.body).toContain('"minTime":9223372036854775807,"maxTime":-9223372036854775808');
    expect(res.json().data.seriesCountByMetricName).toEqual([]);
  });

  it('honours limit and refuses bad ones and a missing tenant', async () => {
    const { body } = await get('/prometheus/api/v1/status/tsdb?limit=1');
    expect(body.data.seriesCountByLabelValuePair).toEqual([{ name: 'job=node', value: 5 }]);
    for (const bad of ['0', '-1', 'x', '1.5']) {
      const r = await get(`/prometheus/api/v1/status/tsdb?limit=${bad}`);
      expect(r.status).toBe(400);
      expect(r.body.error).toContain('limit');
    }
    expect((await get('/prometheus/api/v1/status/tsdb', null)).status).toBe(401);
    const post = await app.inject({ method: 'POST', url: '/prometheus/api/v1/status/tsdb', headers: { 'x-scope-orgid': 'team-a' } });
    expect(post.statusCode).toBe(405);
  });
});

describe('mergeTsdbStatus', () => {
  const one = headTsdbStatus(heads.heads.get('team-a'), 10);
  it('divides replicated counts by the replication factor', () => {
    const merged = mergeTsdbStatus([one, one, one], 3, 10);
    expect(merged).toEqual(one);
  });
  it('adds up ingesters that hold different series', () => {
    const other: TsdbStatus = headTsdbStatus(heads.heads.get('team-b'), 10);
    const merged = mergeTsdbStatus([one, other], 1, 10);
    expect(merged.headStats.numSeries).toBe(6);
    expect(merged.seriesCountByMetricName.map((s) => s.name)).toEqual(['up', 'go_goroutines', 'secret_metric']);
    expect(merged.headStats.minTime).toBe(1000);
    expect(merged.headStats.maxTime).toBe(16_000);
  });
  it('answers through replicas in a cluster as the single process does', async () => {
    const cluster = appWith(() => [local, local, local], 3);
    const res = await cluster.inject({ method: 'GET', url: '/prometheus/api/v1/status/tsdb', headers: { 'x-scope-orgid': 'team-a' } });
    const single = await get('/prometheus/api/v1/status/tsdb');
    expect(res.json()).toEqual(single.body);
    await cluster.close();
  });
});
