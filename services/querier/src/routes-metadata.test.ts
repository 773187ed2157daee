/**
 * The series, label and metadata endpoints and build info: Prometheus's shapes, GET-only routes
 * answering POST with 405 (never 404), the `U__` escaping of label names in paths, metadata
 * limits, and the routes that must not exist yet (rules, alerts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './routes-test-app.ts';

const NOW = 1_700_000_000_000;
const T = 'team-a';
const API = '/prometheus/api/v1';

let t: TestApp;

async function req(method: string, url: string, tenant: string | null = T): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const res = await t.app.inject({ method: method as 'GET', url, headers: tenant === null ? {} : { 'x-scope-orgid': tenant } });
  return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
}

beforeAll(async () => {
  t = await buildTestApp({ now: NOW });
  t.heads.add(T, { __name__: 'http_requests_total', job: 'api', code: '200' }, [[NOW - 60_000, 1]]);
  t.heads.add(T, { __name__: 'http_requests_total', job: 'api', code: '500' }, [[NOW - 60_000, 1]]);
  t.heads.add(T, { __name__: 'node_load1', instance: 'n1', my_label: 'x' }, [[NOW - 60_000, 1]]);
  t.heads.add('team-b', { __name__: 'secret_metric', job: 'hidden' }, [[NOW - 60_000, 1]]);
  t.metadata.add(T, [
    { metricFamilyName: 'http_requests_total', type: 'counter', help: 'Requests.', unit: '' },
    { metricFamilyName: 'http_requests_total', type: 'counter', help: 'Requests served.', unit: '' },
    { metricFamilyName: 'node_load1', type: 'gauge', help: '1m load average.', unit: '' },
    { metricFamilyName: 'go_gc_seconds', type: 'summary', help: 'GC pauses.', unit: 'seconds' },
  ]);
  t.metadata.add('team-b', [{ metricFamilyName: 'secret_metric', type: 'gauge', help: 'Hidden.', unit: '' }]);
});

afterAll(async () => {
  await t.close();
});

describe('series and labels', () => {
  it('lists series sorted by labels, from this tenant only', async () => {
    const res = await req('GET', `${API}/series?match[]=${encodeURIComponent('{__name__=~".+"}')}`);
    expect(res.body).toEqual({
      status: 'success',
      data: [
        { __name__: 'http_requests_total', code: '200', job: 'api' },
        { __name__: 'http_requests_total', code: '500', job: 'api' },
        { __name__: 'node_load1', instance: 'n1', my_label: 'x' },
      ],
    });
  });

  it('label values take U__-escaped names, as Grafana sends non-legacy names', async () => {
    expect((await req('GET', `${API}/label/U__my__label/values`)).body).toEqual({ status: 'success', data: ['x'] });
    expect((await req('GET', `${API}/label/U___5f_job/values`)).body).toEqual({ status: 'success', data: [] });
    expect((await req('GET', `${API}/label/job/values`)).body).toEqual({ status: 'success', data: ['api'] });
  });

  it('label values refuse an invalid name, naming it', async () => {
    const res = await req('GET', `${API}/label/${encodeURIComponent('a.b')}/values`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 'error', errorType: 'bad_data', error: 'invalid label name: "a.b"' });
  });

  it('time errors use Prometheus’s wording for optional times', async () => {
    const res = await req('GET', `${API}/labels?start=yesterday`);
    expect(res.body).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: `invalid parameter "start": invalid time value for 'start': cannot parse "yesterday" to a valid timestamp`,
    });
    const limit = await req('GET', `${API}/labels?limit=abc`);
    expect(limit.body.error).toBe('invalid parameter "limit": strconv.Atoi: parsing "abc": invalid syntax');
  });

  it('authenticates before reading parameters', async () => {
    const res = await req('GET', `${API}/label/${encodeURIComponent('a.b')}/values`, null);
    expect(res.status).toBe(401);
  });
});

describe('metadata', () => {
  it('answers {metric: [{type, help, unit}]} sorted by metric, distinct entries kept', async () => {
    const res = await req('GET', `${API}/metadata`);
    expect(res.body).toEqual({
      status: 'success',
      data: {
        go_gc_seconds: [{ type: 'summary', help: 'GC pauses.', unit: 'seconds' }],
        http_requests_total: [
          { type: 'counter', help: 'Requests.', unit: '' },
          { type: 'counter', help: 'Requests served.', unit: '' },
        ],
        node_load1: [{ type: 'gauge', help: '1m load average.', unit: '' }],
      },
    });
  });

  it('honours metric, limit and limit_per_metric', async () => {
    expect((await req('GET', `${API}/metadata?metric=node_load1`)).body.data).toEqual({ node_load1: [{ type: 'gauge', help: '1m load average.', unit: '' }] });
    expect(Object.keys((await req('GET', `${API}/metadata?limit=2`)).body.data)).toEqual(['go_gc_seconds', 'http_requests_total']);
    expect(Object.keys((await req('GET', `${API}/metadata?limit=40000`)).body.data)).toHaveLength(3);
    expect((await req('GET', `${API}/metadata?metric=http_requests_total&limit_per_metric=1`)).body.data).toEqual({
      http_requests_total: [{ type: 'counter', help: 'Requests.', unit: '' }],
    });
    expect((await req('GET', `${API}/metadata?metric=nope`)).body).toEqual({ status: 'success', data: {} });
  });

  it('refuses a non-numeric limit', async () => {
    const res = await req('GET', `${API}/metadata?limit=lots`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 'error', errorType: 'bad_data', error: 'limit must be a number' });
    expect((await req('GET', `${API}/metadata?limit_per_metric=x`)).body.error).toBe('limit_per_metric must be a number');
  });

  it('shows each tenant its own metadata only', async () => {
    expect((await req('GET', `${API}/metadata`, 'team-b')).body.data).toEqual({ secret_metric: [{ type: 'gauge', help: 'Hidden.', unit: '' }] });
    expect((await req('GET', `${API}/metadata`, 'team-c')).body).toEqual({ status: 'success', data: {} });
  });
});

describe('build info', () => {
  it.each(['/api/v1/status/buildinfo', `${API}/status/buildinfo`])('%s answers Prometheus’s shape without features', async (path) => {
    const res = await req('GET', path, null);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('success');
    expect(res.body.data.version).toBe('1.2.3');
    expect(res.body.data.features).toBeUndefined();
  });
});

describe('methods and missing routes', () => {
  it.each([`${API}/label/job/values`, `${API}/metadata`, `${API}/status/buildinfo`, '/api/v1/status/buildinfo'])(
    'GET-only %s answers POST with 405, as Prometheus does',
    async (path) => {
      const res = await t.app.inject({ method: 'POST', url: path, headers: { 'x-scope-orgid': T, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
      expect(res.statusCode).toBe(405);
      expect(res.headers['allow']).toBe('GET');
      expect(JSON.parse(res.body)).toMatchObject({ status: 'error' });
    },
  );

  it.each(['alerts'])('%s does not exist yet: 404, not a fake answer', async (path) => {
    expect((await req('GET', `${API}/${path}`)).status).toBe(404);
  });

  // Grafana's alert list and its recording-rule loader read data.groups; a 404 shows as an error.
  it('rules answers the truth until a ruler exists: no groups; POST 405', async () => {
    const res = await req('GET', `${API}/rules`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', data: { groups: [] } });
    const post = await t.app.inject({ method: 'POST', url: `${API}/rules`, headers: { 'x-scope-orgid': T } });
    expect(post.statusCode).toBe(405);
  });
});
