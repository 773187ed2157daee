import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createHttpServer, createLogger } from '@tessera/server';
import type { TemplateExpander } from './alerting-rule.ts';
import { GroupEvaluator } from './group-evaluator.ts';
import { createRulerMetrics } from './metrics.ts';
import { localGroups, registerStateApi } from './state-api.ts';
import { MemorySeriesStore } from './test-support.ts';

const logger = createLogger({ level: 'error' });
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const expand: TemplateExpander = async (_n, text) => text;
const app = createHttpServer({ logger, registry: new Registry(), bodyLimitBytes: 1 << 20 });
const store = new MemorySeriesStore();
let group: GroupEvaluator;

beforeAll(async () => {
  group = new GroupEvaluator(
    {
      tenant: 't1',
      namespace: 'ns',
      name: 'g1',
      intervalMs: 30_000,
      queryOffsetMs: 0,
      limit: 0,
      rules: [
        { record: 'r:up', expr: 'sum(up)', forMs: 0, keepFiringForMs: 0, labels: {}, annotations: {} },
        { alert: 'Up', expr: 'up > 0', forMs: 60_000, keepFiringForMs: 0, labels: { sev: 'low' }, annotations: { s: 'x' } },
        { alert: 'Down', expr: 'up == 0', forMs: 0, keepFiringForMs: 120_000, labels: {}, annotations: {} },
      ],
    },
    {
      query: store,
      writer: store,
      sender: { send: () => {} },
      expand: () => expand,
      template: { externalLabels: {}, externalUrl: '' },
      logger,
      metrics: createRulerMetrics(new Registry()),
      resendDelayMs: 60_000,
      outageToleranceMs: 3_600_000,
      forGracePeriodMs: 600_000,
    },
  );
  store.add('t1', { __name__: 'up', job: 'a' }, [[T0 - 10_000, 1.5]]);
  await group.evaluate(T0);
  registerStateApi(app, localGroups((tenant) => (tenant === 't1' ? [group] : [])), { prefix: '/prometheus', authEnabled: true });
  await app.ready();
});
afterAll(() => app.close());

async function get(path: string, tenant = 't1'): Promise<{ status: number; body: any }> {
  const res = await app.inject({ method: 'GET', url: path, headers: { 'x-scope-orgid': tenant } });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

describe('state API', () => {
  it('answers api/v1/rules in Prometheus shape', async () => {
    const { status, body } = await get('/prometheus/api/v1/rules');
    expect(status).toBe(200);
    const g = body.data.groups[0];
    expect(Object.keys(g)).toEqual(['name', 'file', 'rules', 'interval', 'limit', 'evaluationTime', 'lastEvaluation']);
    expect(g).toMatchObject({ name: 'g1', file: 'ns', interval: 30, limit: 0, lastEvaluation: '2026-01-01T12:00:00Z' });
    const [rec, up, down] = g.rules;
    expect(Object.keys(rec)).toEqual(['name', 'query', 'health', 'evaluationTime', 'lastEvaluation', 'type']);
    expect(rec).toMatchObject({ name: 'r:up', query: 'sum(up)', health: 'ok', type: 'recording' });
    expect(Object.keys(up)).toEqual(['state', 'name', 'query', 'duration', 'keepFiringFor', 'labels', 'annotations', 'alerts', 'health', 'evaluationTime', 'lastEvaluation', 'type']);
    expect(up).toMatchObject({ state: 'pending', name: 'Up', duration: 60, keepFiringFor: 0, labels: { sev: 'low' }, annotations: { s: 'x' }, type: 'alerting' });
    expect(up.alerts).toEqual([{ labels: { alertname: 'Up', job: 'a', sev: 'low' }, annotations: { s: 'x' }, state: 'pending', activeAt: '2026-01-01T12:00:00Z', value: '1.5e+00' }]);
    expect(down).toMatchObject({ state: 'inactive', keepFiringFor: 120, alerts: [] });
  });

  it('filters by type, rule_name[], rule_group[], file[] and excludes alerts on request', async () => {
    const names = async (qs: string): Promise<string[][]> =>
      (await get(`/prometheus/api/v1/rules?${qs}`)).body.data.groups.map((g: { rules: { name: string }[] }) => g.rules.map((r) => r.name));
    expect(await names('type=record')).toEqual([['r:up']]);
    expect(await names('type=alert')).toEqual([['Up', 'Down']]);
    expect(await names('rule_name[]=Down&rule_name[]=r:up')).toEqual([['r:up', 'Down']]);
    expect(await names('rule_name[]=nope')).toEqual([]);
    expect(await names('rule_group[]=g1')).toEqual([['r:up', 'Up', 'Down']]);
    expect(await names('file[]=other')).toEqual([]);
    const { body } = await get('/prometheus/api/v1/rules?exclude_alerts=true');
    expect(body.data.groups[0].rules[1].alerts).toBeUndefined();
    const bad = await get('/prometheus/api/v1/rules?type=foo');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
  });

  it('answers api/v1/alerts with the pending and firing alerts of the tenant only', async () => {
    const { body } = await get('/prometheus/api/v1/alerts');
    expect(body).toEqual({ status: 'success', data: { alerts: [{ labels: { alertname: 'Up', job: 'a', sev: 'low' }, annotations: { s: 'x' }, state: 'pending', activeAt: '2026-01-01T12:00:00Z', value: '1.5e+00' }] } });
    expect((await get('/prometheus/api/v1/alerts', 'other')).body.data.alerts).toEqual([]);
    const post = await app.inject({ method: 'POST', url: '/prometheus/api/v1/alerts', headers: { 'x-scope-orgid': 't1' } });
    expect(post.statusCode).toBe(405);
  });
});
