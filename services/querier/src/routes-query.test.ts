/**
 * The expression query endpoints over a real head: `query`, `query_range`, `format_query` and
 * `query_exemplars` — Prometheus's response shapes, parameter forms (RFC 3339, Unix seconds with
 * fractions, durations and float steps), GET and POST alike, and Prometheus's error texts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './routes-test-app.ts';

const NOW = 1_700_000_000_000; // 2023-11-14T22:13:20Z
const T = 'team-a';
const API = '/prometheus/api/v1';

type Params = [string, string][];

let t: TestApp;

async function call(method: 'GET' | 'POST', path: string, params: Params, tenant = T): Promise<{ status: number; body: any; text: string }> {
  const qs = new URLSearchParams(params).toString();
  const res = await t.app.inject({
    method,
    url: method === 'GET' && qs !== '' ? `${path}?${qs}` : path,
    headers: { 'x-scope-orgid': tenant, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(method === 'POST' ? { payload: qs } : {}),
  });
  return { status: res.statusCode, text: res.body, body: JSON.parse(res.body) };
}
const get = (path: string, params: Params, tenant?: string) => call('GET', path, params, tenant);

beforeAll(async () => {
  t = await buildTestApp({ now: NOW });
  // Two gauges every 15s over the last hour, and a counter growing by 1 a second.
  const steps = Array.from({ length: 241 }, (_, i) => NOW - 3600_000 + i * 15_000);
  t.heads.add(T, { __name__: 'up', job: 'api', instance: 'a' }, steps.map((ts) => [ts, 1]));
  t.heads.add(T, { __name__: 'up', job: 'db', instance: 'b' }, steps.map((ts, i) => [ts, i % 2]));
  t.heads.add(T, { __name__: 'requests_total', job: 'api' }, steps.map((ts) => [ts, (ts - steps[0]!) / 1000]));
  // Another tenant's data must never show up for T.
  t.heads.add('team-b', { __name__: 'up', job: 'secret', instance: 'z' }, steps.map((ts) => [ts, 7]));
});

afterAll(async () => {
  await t.close();
});

describe('query', () => {
  it('answers an instant vector in Prometheus shape, with the timestamp as seconds and values as strings', async () => {
    const res = await get(`${API}/query`, [['query', 'up'], ['time', String(NOW / 1000)]]);
    expect(res.status).toBe(200);
    expect(res.text.startsWith('{"status":"success","data":{"resultType":"vector","result":[')).toBe(true);
    expect(res.body).toEqual({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { __name__: 'up', instance: 'a', job: 'api' }, value: [NOW / 1000, '1'] },
          { metric: { __name__: 'up', instance: 'b', job: 'db' }, value: [NOW / 1000, '0'] },
        ],
      },
    });
  });

  it('evaluates at the current time when time is absent, and keeps millisecond fractions', async () => {
    const res = await get(`${API}/query`, [['query', 'time()']]);
    expect(res.body.data).toEqual({ resultType: 'scalar', result: [NOW / 1000, String(NOW / 1000)] });
    const frac = await get(`${API}/query`, [['query', 'time()'], ['time', '1700000000.123']]);
    expect(frac.body.data.result).toEqual([1700000000.123, '1700000000.123']);
  });

  it.each([
    ['Unix seconds', String(NOW / 1000 - 60)],
    ['Unix seconds with a fraction', (NOW / 1000 - 60).toFixed(3)],
    ['RFC 3339 UTC', new Date(NOW - 60_000).toISOString()],
    ['RFC 3339 with an offset', '2023-11-15T00:12:20+02:00'],
    ['RFC 3339 with nanoseconds', '2023-11-14T22:12:20.000000000Z'],
  ])('accepts time as %s', async (_what, time) => {
    const res = await get(`${API}/query`, [['query', 'time()'], ['time', time]]);
    expect(res.status).toBe(200);
    expect(res.body.data.result[0]).toBe(NOW / 1000 - 60);
  });

  it('evaluates 1+1 at time=4 (1970) without complaint, as Grafana sends it', async () => {
    const res = await get(`${API}/query`, [['query', '1+1'], ['time', '4']]);
    expect(res.body).toEqual({ status: 'success', data: { resultType: 'scalar', result: [4, '2'] } });
  });

  it('answers POST form bodies exactly as GET', async () => {
    const params: Params = [['query', 'max by (job) (requests_total)'], ['time', String(NOW / 1000)]];
    const a = await call('GET', `${API}/query`, params);
    const b = await call('POST', `${API}/query`, params);
    expect(a.status).toBe(200);
    expect(b.text).toBe(a.text);
    expect(a.body.data.result).toEqual([{ metric: { job: 'api' }, value: [NOW / 1000, '3600'] }]);
  });

  it('merges URL and body parameters, the body winning', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `${API}/query?time=${NOW / 1000}&query=up`,
      headers: { 'x-scope-orgid': T, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'query=count(up)',
    });
    expect(JSON.parse(res.body).data.result).toEqual([{ metric: {}, value: [NOW / 1000, '2'] }]);
  });

  it('never shows another tenant’s series', async () => {
    const res = await get(`${API}/query`, [['query', '{__name__=~".+"}'], ['time', String(NOW / 1000)]]);
    expect(res.body.data.result.map((s: any) => s.metric.job)).not.toContain('secret');
    const b = await get(`${API}/query`, [['query', 'up'], ['time', String(NOW / 1000)]], 'team-b');
    expect(b.body.data.result).toEqual([{ metric: { __name__: 'up', instance: 'z', job: 'secret' }, value: [NOW / 1000, '7'] }]);
  });

  it('includes data.stats for stats=all and not otherwise', async () => {
    const res = await get(`${API}/query`, [['query', 'up'], ['time', String(NOW / 1000)], ['stats', 'all']]);
    const stats = res.body.data.stats;
    expect(Object.keys(res.body.data)).toEqual(['resultType', 'result', 'stats']);
    expect(Object.keys(stats.timings).sort()).toEqual(
      ['evalTotalTime', 'execQueueTime', 'execTotalTime', 'innerEvalTime', 'queryPreparationTime', 'resultSortTime'].sort(),
    );
    expect(stats.samples.totalQueryableSamples).toBe(2);
    expect(typeof stats.samples.peakSamples).toBe('number');
    const plain = await get(`${API}/query`, [['query', 'up'], ['time', String(NOW / 1000)]]);
    expect(plain.body.data.stats).toBeUndefined();
  });

  it('applies limit to a vector with Prometheus 3’s truncation warning', async () => {
    const cut = await get(`${API}/query`, [['query', 'up'], ['time', String(NOW / 1000)], ['limit', '1']]);
    expect(cut.body).toEqual({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { __name__: 'up', instance: 'a', job: 'api' }, value: [NOW / 1000, '1'] }] },
      warnings: ['results truncated due to limit'],
    });
    const exact = await get(`${API}/query`, [['query', 'up'], ['time', String(NOW / 1000)], ['limit', '2']]);
    expect(exact.body.warnings).toBeUndefined();
    expect(exact.body.data.result).toHaveLength(2);
    const scalar = await get(`${API}/query`, [['query', '1'], ['time', '10'], ['limit', '1']]);
    expect(scalar.body).toEqual({ status: 'success', data: { resultType: 'scalar', result: [10, '1'] } });
  });

  it('passes info annotations through', async () => {
    const res = await get(`${API}/query`, [['query', 'rate(up[5m])'], ['time', String(NOW / 1000)]]);
    expect(res.body.infos).toEqual([expect.stringContaining('metric might not be a counter')]);
    expect(res.body.warnings).toBeUndefined();
  });

  it.each([
    [[['query', 'up{'], ['time', '1']], 'invalid parameter "query": 1:4: parse error: unexpected end of input inside braces'],
    [[['query', 'rate(up)']], 'invalid parameter "query": 1:6: parse error: expected type range vector in call to function "rate", got instant vector'],
    [[['query', 'up'], ['time', 'soon']], `invalid parameter "time": invalid time value for 'time': cannot parse "soon" to a valid timestamp`],
    [[['query', 'up'], ['timeout', '5 minutes']], 'invalid parameter "timeout": cannot parse "5 minutes" to a valid duration'],
    [[['query', 'up'], ['lookback_delta', '1.5s']], 'error parsing lookback delta duration: cannot parse "1.5s" to a valid duration'],
    [[['query', 'up'], ['limit', '-1']], 'invalid parameter "limit": limit must be non-negative'],
  ] as [Params, string][])('%j is 400 bad_data: %s', async (params, message) => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await call(method, `${API}/query`, params);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 'error', errorType: 'bad_data', error: message });
    }
  });

  it('reports an execution failure as 422 execution', async () => {
    const res = await get(`${API}/query`, [['query', 'up + on() up'], ['time', String(NOW / 1000)]]);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ status: 'error', errorType: 'execution' });
  });
});

describe('query_range', () => {
  const range = (start: number, end: number, step: string): Params => [['start', String(start / 1000)], ['end', String(end / 1000)], ['step', step]];

  it('answers a matrix evaluated at start + k·step, as given', async () => {
    // A start off the minute grid (Grafana's UTC-offset alignment) must stay where it is.
    const start = NOW - 120_000 + 7_000;
    const res = await get(`${API}/query_range`, [['query', 'up{job="api"}'], ...range(start, NOW, '60')]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { __name__: 'up', instance: 'a', job: 'api' },
            values: [
              [start / 1000, '1'],
              [(start + 60_000) / 1000, '1'],
            ],
          },
        ],
      },
    });
  });

  it.each([
    ['a duration', '1m'],
    ['a compound duration', '1m0s'],
    ['float seconds', '60'],
    ['float seconds with a fraction', '60.0'],
  ])('accepts step as %s', async (_what, step) => {
    const res = await get(`${API}/query_range`, [['query', 'time()'], ...range(NOW - 180_000, NOW, step)]);
    expect(res.body.data.result[0].values.map((v: [number, string]) => v[0])).toEqual([NOW - 180_000, NOW - 120_000, NOW - 60_000, NOW].map((x) => x / 1000));
  });

  it('accepts a fractional step and RFC 3339 bounds', async () => {
    const res = await get(`${API}/query_range`, [
      ['query', 'time()'],
      ['start', new Date(NOW - 1000).toISOString()],
      ['end', new Date(NOW).toISOString()],
      ['step', '0.5'],
    ]);
    expect(res.body.data.result[0].values).toEqual([
      [NOW / 1000 - 1, String(NOW / 1000 - 1)],
      [NOW / 1000 - 0.5, String(NOW / 1000 - 0.5)],
      [NOW / 1000, String(NOW / 1000)],
    ]);
  });

  it('answers POST form bodies exactly as GET', async () => {
    const params: Params = [['query', 'sum(up)'], ...range(NOW - 600_000, NOW, '30'), ['timeout', '60s']];
    const a = await call('GET', `${API}/query_range`, params);
    const b = await call('POST', `${API}/query_range`, params);
    expect(a.status).toBe(200);
    expect(b.text).toBe(a.text);
    expect(a.body.data.result[0].values).toHaveLength(21);
  });

  it('allows 11,000 points per series and refuses 11,001', async () => {
    const ok = await get(`${API}/query_range`, [['query', '1'], ...range(NOW - 11_000_000, NOW, '1')]);
    expect(ok.status).toBe(200);
    expect(ok.body.data.result[0].values).toHaveLength(11_001);
    const over = await get(`${API}/query_range`, [['query', '1'], ...range(NOW - 11_001_000, NOW, '1')]);
    expect(over.status).toBe(400);
    expect(over.body).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    });
  });

  it('applies limit to the series of a matrix', async () => {
    const res = await get(`${API}/query_range`, [['query', 'up'], ...range(NOW - 60_000, NOW, '60'), ['limit', '1']]);
    expect(res.body.data.result).toHaveLength(1);
    expect(res.body.data.result[0].metric.instance).toBe('a');
    expect(res.body.warnings).toEqual(['results truncated due to limit']);
  });

  it('includes data.stats for stats=all', async () => {
    const res = await get(`${API}/query_range`, [['query', 'up'], ...range(NOW - 60_000, NOW, '60'), ['stats', 'all']]);
    expect(res.body.data.stats.samples.totalQueryableSamples).toBe(4);
  });

  it.each([
    [[['query', 'up'], ['end', '2'], ['step', '1']], 'invalid parameter "start": cannot parse "" to a valid timestamp'],
    [[['query', 'up'], ['start', 'x'], ['end', '2'], ['step', '1']], 'invalid parameter "start": cannot parse "x" to a valid timestamp'],
    [[['query', 'up'], ['start', '1'], ['end', '2023-13-01T00:00:00Z'], ['step', '1']], 'invalid parameter "end": cannot parse "2023-13-01T00:00:00Z" to a valid timestamp'],
    [[['query', 'up'], ['start', '2'], ['end', '1'], ['step', '1']], 'end timestamp must not be before start time'],
    [[['query', 'up'], ['start', '1'], ['end', '2']], 'invalid parameter "step": cannot parse "" to a valid duration'],
    [[['query', 'up'], ['start', '1'], ['end', '2'], ['step', 'fast']], 'invalid parameter "step": cannot parse "fast" to a valid duration'],
    [[['query', 'up'], ['start', '1'], ['end', '2'], ['step', '0']], 'zero or negative query resolution step widths are not accepted. Try a positive integer'],
    [[['query', 'up'], ['start', '1'], ['end', '2'], ['step', '-15']], 'zero or negative query resolution step widths are not accepted. Try a positive integer'],
    [[['query', 'up'], ['start', '1'], ['end', '2'], ['step', '0.0001']], 'zero or negative query resolution step widths are not accepted. Try a positive integer'],
    [[['query', 'up'], ['start', '1'], ['end', '2'], ['step', 'Inf']], 'invalid parameter "step": cannot parse "Inf" to a valid duration. It overflows int64'],
    [[['query', 'up['], ['start', '1'], ['end', '2'], ['step', '1']], 'invalid parameter "query": 1:4: parse error: unexpected end of input in duration expression'],
    [[['query', 'up[5m]'], ['start', '1'], ['end', '2'], ['step', '1']], 'invalid parameter "query": invalid expression type "range vector" for range query, must be Scalar or instant Vector'],
    [[['query', '"hello"'], ['start', '1'], ['end', '2'], ['step', '1']], 'invalid parameter "query": invalid expression type "string" for range query, must be Scalar or instant Vector'],
  ] as [Params, string][])('%j is 400 bad_data', async (params, message) => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await call(method, `${API}/query_range`, params);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 'error', errorType: 'bad_data', error: message });
    }
  });

  it('checks parameters in Prometheus’s order: a bad start is reported before a bad step', async () => {
    const res = await get(`${API}/query_range`, [['query', 'up{'], ['start', 'x'], ['step', '0']]);
    expect(res.body.error).toBe('invalid parameter "start": cannot parse "x" to a valid timestamp');
  });
});

describe('format_query', () => {
  it('pretty-prints a query, GET and POST', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await call(method, `${API}/format_query`, [['query', 'sum(rate(x[5m]))by(job)']]);
      expect(res.body).toEqual({ status: 'success', data: 'sum by (job) (rate(x[5m]))' });
    }
  });

  it('refuses an unparsable query with the parameter named', async () => {
    const res = await get(`${API}/format_query`, [['query', 'foo{']]);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unexpected end of input inside braces' });
  });
});

describe('query_exemplars', () => {
  it('answers an empty list for a valid request, GET and POST (Grafana’s probe uses milliseconds)', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await call(method, `${API}/query_exemplars`, [['query', 'test'], ['start', String(NOW)], ['end', String(NOW + 1000)]]);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'success', data: [] });
    }
  });

  it('still parses the query and the times', async () => {
    const bad = await get(`${API}/query_exemplars`, [['query', 'rate(']]);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 'error', errorType: 'bad_data', error: expect.stringMatching(/^1:6: parse error: /) });
    const upside = await get(`${API}/query_exemplars`, [['query', 'up'], ['start', '10'], ['end', '5']]);
    expect(upside.body).toEqual({ status: 'error', errorType: 'bad_data', error: 'end timestamp must not be before start timestamp' });
  });
});

describe('methods', () => {
  it.each(['query', 'query_range', 'format_query', 'query_exemplars', 'series', 'labels'])('%s answers PUT and DELETE with 405', async (path) => {
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await t.app.inject({ method, url: `${API}/${path}`, headers: { 'x-scope-orgid': T } });
      expect(res.statusCode).toBe(405);
      expect(res.headers['allow']).toBe('GET, POST');
    }
  });
});

describe('extreme inputs', () => {
  const huge = ['-292273086-05-16T16:47:06Z', '292277025-08-18T07:12:54.999999999Z', '-9e15', '9e15', '1e300', '-1e18', '0', 'NaN', '', '1e-9'];
  const steps = ['1', '0.001', '1e12', '1000y', '0x10', '1ms', '9223372036', ''];
  const queries = ['up', 'rate(up[1000y])', 'up offset -1000y', 'up @ 9e12', 'sum(up)[1000y:1ms]', '((((((((((up))))))))))', '1e308 * 10', 'vector(time())'];

  it('every combination of huge times, odd steps and heavy queries answers a well-formed envelope', async () => {
    let n = 0;
    for (const query of queries) {
      for (const start of huge) {
        for (const step of steps) {
          const end = huge[(huge.indexOf(start) + 3) % huge.length]!;
          const res = await get(`${API}/query_range`, [['query', query], ['start', start], ['end', end], ['step', step], ['timeout', '2s']]);
          expect([200, 400, 422, 503], `${query} ${start} ${end} ${step}: ${res.text}`).toContain(res.status);
          expect(res.body.status).toBe(res.status === 200 ? 'success' : 'error');
          if (res.status !== 200) expect(typeof res.body.error).toBe('string');
          n++;
        }
        const inst = await get(`${API}/query`, [['query', query], ['time', start], ['timeout', '2s']]);
        expect([200, 400, 422, 503], `${query} @ ${start}: ${inst.text}`).toContain(inst.status);
        n++;
      }
    }
    expect(n).toBe(queries.length * huge.length * (steps.length + 1));
  });
});
