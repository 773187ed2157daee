/**
 * End-to-end: Grafana compatibility. Every request Grafana's Prometheus data source sends (as
 * /work/shared/GRAFANA.md lists them: method, content type, parameter encoding, the extra headers
 * and the custom query parameters Grafana appends to every URL) goes to a Tessera holding a small
 * but realistic tenant — request counters per job/instance/code, `up`, a classic histogram with
 * metadata, a deployment marker, gauges with NaN and ±Inf — and every answer is checked field by
 * field against Prometheus's documented shapes and what Grafana reads: `status`, `data.resultType`,
 * `metric` / `value` / `values` with timestamps as JSON numbers and values as Go-parsable strings,
 * `warnings` / `infos` only as non-empty string arrays, and the error envelope with the status
 * codes Grafana parses (400, 422, 503), besides 405 on GET-only routes so Grafana retries with GET.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricType, encodeWriteRequest, snappyCompress } from '@tessera/remotewrite';
import { getJson, makeTempDir, postFormJson, push, pushBody, removeDir, startInProcess, type InProcessTessera, type JsonResponse, type PushSeries, type QueryParams } from './helpers.ts';

const TENANT = 'grafana-org';
const API = '/prometheus/api/v1';
const MIN = 60_000;
const SCRAPE = 15_000;
/** An hour of 15s scrapes ending now; +500ms so that no sample sits on a whole second. */
const T0 = Math.floor(Date.now() / MIN) * MIN - 60 * MIN + 500;
const N = 240;
const at = (k: number): number => T0 + k * SCRAPE;
const series = (labels: Record<string, string>, f: (k: number) => number, ks = N): PushSeries => ({
  labels,
  samples: Array.from({ length: ks }, (_, k) => [at(k), f(k)] as const),
});

const INSTANCES = ['10.0.0.1:9090', '10.0.0.2:9090'];
/** Increase per scrape of `http_requests_total` by code: rates 0.2/s and 0.05/s. */
const PER_SCRAPE: Record<string, number> = { '200': 3, '500': 0.75 };
const BUCKETS: [string, number][] = [['0.1', 2], ['0.5', 5], ['1', 8], ['+Inf', 10]];
const DATA: PushSeries[] = [
  ...['api', 'web'].flatMap((job) =>
    INSTANCES.flatMap((instance) => [
      ...Object.entries(PER_SCRAPE).map(([code, d]) => series({ __name__: 'http_requests_total', job, instance, method: 'GET', code }, (k) => d * k)),
      series({ __name__: 'up', job, instance }, () => 1),
    ]),
  ),
  ...BUCKETS.map(([le, d]) => series({ __name__: 'http_request_duration_seconds_bucket', job: 'api', le }, (k) => d * k)),
  series({ __name__: 'http_request_duration_seconds_sum', job: 'api' }, (k) => 3 * k),
  series({ __name__: 'http_request_duration_seconds_count', job: 'api' }, (k) => 10 * k),
  series({ __name__: 'node_memory_free_bytes', instance: INSTANCES[0]! }, () => 4e9),
  series({ __name__: 'node_memory_free_bytes', instance: INSTANCES[1]! }, () => 2e9),
  series({ __name__: 'deployment_version', app: 'checkout' }, (k) => (k < 120 ? 1 : 2)),
  ...(
    [['ok', 21.5], ['broken', NaN], ['overflow', Infinity], ['underflow', -Infinity]] as const
  ).map(([sensor, v]) => series({ __name__: 'temperature_celsius', sensor }, () => v)),
  series({ __name__: 'legacy_metric', job: 'batch' }, (k) => k, 9), // only in the first two minutes
];
const METADATA = [
  { type: MetricType.COUNTER, metricFamilyName: 'http_requests_total', help: 'Requests served.', unit: '' },
  { type: MetricType.HISTOGRAM, metricFamilyName: 'http_request_duration_seconds', help: 'Request latency.', unit: 'seconds' },
  { type: MetricType.GAUGE, metricFamilyName: 'node_memory_free_bytes', help: 'Free memory.', unit: 'bytes' },
  { type: MetricType.GAUGE, metricFamilyName: 'up', help: 'Whether the target is up.', unit: '' },
];

/** Headers of Grafana's Go client on the query path; `X-Scope-OrgID` is a custom data-source header. */
const GRAFANA_HEADERS = {
  'User-Agent': 'Grafana/12.1.0',
  'Accept-Encoding': 'gzip',
  'X-Scope-OrgID': TENANT,
  'X-Grafana-Org-Id': '1',
  'X-Datasource-Uid': 'tessera',
  'X-Dashboard-Uid': 'dash-7',
  'X-Panel-Id': '4',
  'X-Panel-Plugin-Id': 'timeseries',
  'X-Query-Group-Id': '3f1c0b7e-2a9d-4c55-9a55-0d7a1e2b9c11',
  'X-Grafana-From-Expr': 'now-1h',
};
/** Resource calls also carry the browser's cache hint, which we ignore. */
const RESOURCE_HEADERS = { ...GRAFANA_HEADERS, 'X-Grafana-Cache': 'private, max-age=60' };
/** `jsonData.customQueryParameters`: appended to the URL of every request, POSTs included. */
const CUSTOM = 'dedup=true&partial_response=false';

/** Go's strconv.ParseFloat accepts these spellings; Prometheus writes nothing else. */
const GO_FLOAT = /^(NaN|[+-]Inf|-?\d+(\.\d+)?(e[+-]\d\d+)?)$/;
const sec = (ms: number): number => ms / 1000;
/** Grafana's AlignTimeRange: floor((t + off)/step)·step − off, in seconds. */
const align = (tSec: number, step: number, off = 0): number => Math.floor((tSec + off) / step) * step - off;
/** Cache level Low: start snapped down, end up, to the minute. */
const snapDown = (ms: number): string => String(Math.floor(ms / MIN) * 60);
const snapUp = (ms: number): string => String(Math.ceil(ms / MIN) * 60);

type Sample = [number, string];
interface ApiBody {
  status: string;
  data?: unknown;
  error?: string;
  errorType?: string;
  warnings?: unknown;
  infos?: unknown;
}
interface SeriesResult {
  metric: Record<string, string>;
  value?: Sample;
  values?: Sample[];
}

let server: InProcessTessera;
let dir: string;

/** Grafana's POST: form body, custom parameters in the URL. */
const gPost = (path: string, params: QueryParams, headers: Record<string, string> = GRAFANA_HEADERS): Promise<JsonResponse<ApiBody>> =>
  postFormJson<ApiBody>(server.url, `${API}${path}?${CUSTOM}`, params, { headers });
/** Grafana's GET: every parameter in the query string, custom ones too. */
const gGet = (path: string, params: QueryParams = [], headers: Record<string, string> = RESOURCE_HEADERS): Promise<JsonResponse<ApiBody>> =>
  getJson<ApiBody>(server.url, `${API}${path}`, [...params, ['dedup', 'true'], ['partial_response', 'false']], { headers });

/** A success envelope as Grafana parses it: only known keys, annotations as non-empty string arrays. */
function expectSuccess(res: JsonResponse<ApiBody>): ApiBody {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.contentType).toMatch(/^application\/json/);
  expect(res.body.status).toBe('success');
  for (const key of Object.keys(res.body)) expect(['status', 'data', 'warnings', 'infos']).toContain(key);
  for (const key of ['warnings', 'infos'] as const) {
    const list = res.body[key];
    if (list === undefined) continue;
    expect(Array.isArray(list) && list.length > 0, `${key} must be a non-empty array when present`).toBe(true);
    for (const s of list as unknown[]) expect(typeof s).toBe('string');
  }
  return res.body;
}

/** One `[ts, "v"]` pair: a finite JSON number (ms precision at most) and a Go float string. */
function expectSample(p: unknown): Sample {
  expect(Array.isArray(p) && p.length === 2, JSON.stringify(p)).toBe(true);
  const [ts, v] = p as [unknown, unknown];
  expect(typeof ts).toBe('number');
  expect(Number.isFinite(ts)).toBe(true);
  expect(Math.round((ts as number) * 1000) / 1000).toBe(ts);
  expect(typeof v).toBe('string');
  expect(v as string).toMatch(GO_FLOAT);
  return [ts as number, v as string];
}

/** `data` of a vector or matrix answer, each series checked. */
function expectResult(res: JsonResponse<ApiBody>, type: 'vector' | 'matrix'): SeriesResult[] {
  const data = expectSuccess(res).data as { resultType: string; result: SeriesResult[] };
  expect(data.resultType).toBe(type);
  expect(Array.isArray(data.result)).toBe(true);
  for (const s of data.result) {
    expect(Object.keys(s).sort()).toEqual(['metric', type === 'vector' ? 'value' : 'values']);
    for (const [k, v] of Object.entries(s.metric)) {
      expect(typeof k).toBe('string');
      expect(typeof v).toBe('string');
    }
    if (type === 'vector') expectSample(s.value);
    else {
      expect(s.values!.length).toBeGreaterThan(0);
      s.values!.forEach(expectSample);
    }
  }
  return data.result;
}

/** The error envelope: exactly status, errorType and a message, with the status code given. */
function expectError(res: JsonResponse<ApiBody>, status: number, errorType: string): string {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.contentType).toMatch(/^application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['error', 'errorType', 'status']);
  expect(res.body.status).toBe('error');
  expect(res.body.errorType).toBe(errorType);
  expect(typeof res.body.error).toBe('string');
  expect(res.body.error!.length).toBeGreaterThan(0);
  return res.body.error!;
}

const strings = (res: JsonResponse<ApiBody>): string[] => {
  const data = expectSuccess(res).data as unknown[];
  expect(Array.isArray(data)).toBe(true);
  for (const s of data) expect(typeof s).toBe('string');
  return data as string[];
};

beforeAll(async () => {
  dir = await makeTempDir('tessera-e2e-grafana-');
  server = await startInProcess([], { dataDir: dir });
  const res = await push(server.url, DATA, { tenant: TENANT });
  expect(res.status, res.text).toBe(200);
  const meta = await pushBody(server.url, snappyCompress(encodeWriteRequest({ timeseries: [], metadata: METADATA })), { tenant: TENANT });
  expect(meta.status, meta.text).toBe(200);
  const other = await push(server.url, [series({ __name__: 'secret_metric', team: 'other' }, () => 1)], { tenant: 'other-org' });
  expect(other.status, other.text).toBe(200);
});

afterAll(async () => {
  await server?.stop();
  if (dir !== undefined) await removeDir(dir);
});

describe('data source setup', () => {
  it('Save & test: POST query=1+1&time=4 answers the scalar 2 at Unix second 4, byte for byte', async () => {
    const res = await fetch(`${server.url}${API}/query?${CUSTOM}`, {
      method: 'POST',
      headers: { ...GRAFANA_HEADERS, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'query=1%2B1&time=4',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"status":"success","data":{"resultType":"scalar","result":[4,"2"]}}');
    // A browser-built form names its charset.
    const utf8 = await fetch(`${server.url}${API}/query`, {
      method: 'POST',
      headers: { ...GRAFANA_HEADERS, 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: 'query=1%2B1&time=4',
    });
    expect(await utf8.json()).toEqual({ status: 'success', data: { resultType: 'scalar', result: [4, '2'] } });
    // A data source set to GET sends the same as a query string.
    const get = await gGet('/query', [['query', '1+1'], ['time', '4']], GRAFANA_HEADERS);
    expect(expectSuccess(get).data).toEqual({ resultType: 'scalar', result: [4, '2'] });
  });

  it('buildinfo: POST gets 405 (Grafana retries), GET looks like Prometheus (no features), under the prefix and at the root', async () => {
    const post = await gPost('/status/buildinfo', []);
    expect(post.status).toBe(405);
    for (const base of [API, '/api/v1']) {
      const res = await getJson<ApiBody>(server.url, `${base}/status/buildinfo`, [], { headers: GRAFANA_HEADERS });
      const data = expectSuccess(res).data as Record<string, unknown>;
      expect(typeof data.version).toBe('string');
      expect(data.version).not.toBe('');
      expect(data).not.toHaveProperty('features');
      for (const k of ['revision', 'branch', 'buildUser', 'buildDate', 'goVersion']) expect(typeof data[k]).toBe('string');
    }
  });

  it('rules: recording-rule expansion at init and the alert list read data.groups (no rules yet); POST 405, then GET', async () => {
    expect((await gPost('/rules', [])).status).toBe(405);
    expect(expectSuccess(await gGet('/rules')).data).toEqual({ groups: [] });
    expect(expectSuccess(await gGet('/rules', [['type', 'record']])).data).toEqual({ groups: [] });
    expectError(await gGet('/rules', [['type', 'recordings']]), 400, 'bad_data');
    // Credentials are checked as on every tenant API.
    const anonymous = await getJson<ApiBody>(server.url, `${API}/rules`);
    expect(anonymous.status).toBe(401);
  });

  it('exemplar probe: query=test with start/end in milliseconds (read as seconds) succeeds with []', async () => {
    const now = Date.now();
    const probe = await gPost('/query_exemplars', [['query', 'test'], ['start', String(now - 3_600_000)], ['end', String(now)]]);
    expect(expectSuccess(probe).data).toEqual([]);
    const get = await gGet('/query_exemplars', [['query', 'test'], ['start', String(now - 3_600_000)], ['end', String(now)]]);
    expect(expectSuccess(get).data).toEqual([]);
  });
});

describe('autocomplete, metrics browser, builder', () => {
  const start = snapDown(at(180));
  const end = snapUp(at(N - 1));

  it('metric names: GET label/__name__/values with limit and snapped start/end; series outside the range left out', async () => {
    const names = strings(await gGet('/label/__name__/values', [['limit', '40000'], ['start', start], ['end', end]]));
    expect(names).toEqual([
      'deployment_version',
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_sum',
      'http_requests_total',
      'node_memory_free_bytes',
      'temperature_celsius',
      'up',
    ]);
    expect(strings(await gGet('/label/__name__/values', [['limit', '40000']]))).toContain('legacy_metric');
  });

  it('label names: POST labels with limit, start/end and (11.x) one match[] per metric', async () => {
    const all = strings(await gPost('/labels', [['limit', '40000'], ['start', start], ['end', end]]));
    expect(all).toEqual(['__name__', 'app', 'code', 'instance', 'job', 'le', 'method', 'sensor']);
    const per = strings(await gPost('/labels', [['match[]', 'http_requests_total'], ['match[]', 'up'], ['limit', '40000'], ['start', start], ['end', end]]));
    expect(per).toEqual(['__name__', 'code', 'instance', 'job', 'method']);
  });

  it('metrics browser: names, label names and values narrowed by match[] selectors', async () => {
    const byJob = strings(await gGet('/label/__name__/values', [['match[]', '{job="web"}'], ['limit', '40000'], ['start', start], ['end', end]]));
    expect(byJob).toEqual(['http_requests_total', 'up']);
    const labels = strings(await gPost('/labels', [['match[]', '{__name__="http_requests_total",job="api",code="500"}'], ['start', start], ['end', end]]));
    expect(labels).toEqual(['__name__', 'code', 'instance', 'job', 'method']);
    const codes = strings(await gGet('/label/code/values', [['match[]', '{__name__="http_requests_total",job="api"}'], ['limit', '40000'], ['start', start], ['end', end]]));
    expect(codes).toEqual(['200', '500']);
  });

  it('builder pickers and metrics explorer: RE2 regexes with (?i), ad-hoc filters over several metrics', async () => {
    expect(strings(await gGet('/label/__name__/values', [['match[]', '{__name__=~".*duration.*"}']]))).toEqual([
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_sum',
    ]);
    expect(strings(await gGet('/label/__name__/values', [['match[]', '{__name__=~"(?i).*HTTP.*TOTAL.*"}']]))).toEqual(['http_requests_total']);
    const adhoc = strings(await gGet('/label/instance/values', [['match[]', '{__name__=~"http_requests_total|up",job="web"}']]));
    expect(adhoc).toEqual(INSTANCES);
  });

  it('UTF-8 support: U__-escaped label names in the path, quoted names in selectors', async () => {
    expect(strings(await gGet('/label/U__job/values', [['match[]', '{"__name__"="up"}']]))).toEqual(['api', 'web']);
    expect(strings(await gGet('/label/sensor/values', [['match[]', '{"temperature_celsius", "sensor"=~"o.*"}']]))).toEqual(['ok', 'overflow']);
  });

  it('series endpoint option: POST series with match[]={__name__!=""}, limit and start/end; limit truncates with a warning', async () => {
    const res = await gPost('/series', [['match[]', '{__name__!=""}'], ['limit', '40000'], ['start', String(Math.ceil(sec(at(0))))], ['end', String(Math.ceil(sec(at(N))))]]);
    const data = expectSuccess(res).data as Record<string, string>[];
    expect(data).toHaveLength(DATA.length);
    for (const s of data) {
      expect(typeof s.__name__).toBe('string');
      for (const v of Object.values(s)) expect(typeof v).toBe('string');
    }
    const cut = expectSuccess(await gPost('/series', [['match[]', '{__name__!=""}'], ['limit', '3']]));
    expect(cut.data).toEqual(data.slice(0, 3));
    expect(cut.warnings).toEqual(['results truncated due to limit']);
  });

  it('metadata: GET with and without limit / metric; type, help, unit strings; POST refused with 405', async () => {
    const all = expectSuccess(await gGet('/metadata')).data as Record<string, { type: string; help: string; unit: string }[]>;
    expect(Object.keys(all).sort()).toEqual(METADATA.map((m) => m.metricFamilyName).sort());
    expect(all.http_request_duration_seconds![0]).toEqual({ type: 'histogram', help: 'Request latency.', unit: 'seconds' });
    expect(all.http_requests_total![0]).toEqual({ type: 'counter', help: 'Requests served.', unit: '' });
    expect(expectSuccess(await gGet('/metadata', [['limit', '40000']])).data).toEqual(all);
    expect(Object.keys(expectSuccess(await gGet('/metadata', [['limit', '1']])).data as object)).toHaveLength(1);
    expect(expectSuccess(await gGet('/metadata', [['metric', 'up']])).data).toEqual({ up: [{ type: 'gauge', help: 'Whether the target is up.', unit: '' }] });
    expect(expectSuccess(await gGet('/metadata', [['metric', 'secret_metric']])).data).toEqual({});
    const post = await gPost('/metadata', [['limit', '1000']]);
    expect(post.status).toBe(405);
    expect(post.body.status).toBe('error');
  });

  it('GET-only routes answer a POST with 405 and Allow: GET, never 404, and the GET retry succeeds', async () => {
    for (const path of ['/label/job/values', '/metadata', '/status/buildinfo']) {
      const res = await fetch(`${server.url}${API}${path}?${CUSTOM}`, {
        method: 'POST',
        headers: { ...RESOURCE_HEADERS, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'limit=40000',
      });
      expect(res.status, path).toBe(405);
      expect(res.headers.get('allow')).toBe('GET');
      await res.arrayBuffer();
      expectSuccess(await gGet(path, [['limit', '40000']]));
    }
  });
});

describe('template variables', () => {
  const start = String(Math.ceil(sec(at(100))));
  const end = String(Math.ceil(sec(at(N - 1))));

  it('label_names(), label_names(m), label_values(l), label_values(m, l), metrics(re)', async () => {
    expect(strings(await gPost('/labels', [['limit', '40000'], ['start', start], ['end', end]]))).toContain('sensor');
    const names = strings(await gPost('/labels', [['match[]', '{__name__=~".*node_memory.*"}'], ['start', start], ['end', end]]));
    expect(names).toEqual(['__name__', 'instance']);
    expect(strings(await gGet('/label/job/values', [['limit', '40000'], ['start', start], ['end', end]]))).toEqual(['api', 'web']);
    const inst = strings(await gGet('/label/instance/values', [['match[]', 'http_requests_total{job="api", code="500"}'], ['start', start], ['end', end]]));
    expect(inst).toEqual(INSTANCES);
    expect(strings(await gGet('/label/__name__/values', [['match[]', '{__name__=~"http_.*_total"}'], ['start', start], ['end', end]]))).toEqual(['http_requests_total']);
  });

  it('query_result(expr): instant query at ceil(to), vector and scalar', async () => {
    const t = Math.ceil(sec(at(200)));
    const vec = expectResult(await gPost('/query', [['query', 'topk(1, sum by (instance) (node_memory_free_bytes))'], ['time', String(t)]]), 'vector');
    expect(vec).toEqual([{ metric: { instance: INSTANCES[0] }, value: [t, '4000000000'] }]);
    const scalar = expectSuccess(await gPost('/query', [['query', 'scalar(sum(up))'], ['time', String(t)]])).data;
    expect(scalar).toEqual({ resultType: 'scalar', result: [t, '4'] });
  });

  it('any other variable text: POST series with the selector', async () => {
    const data = expectSuccess(await gPost('/series', [['match[]', 'up{job="web"}'], ['start', start], ['end', end]])).data;
    expect(data).toEqual(INSTANCES.map((instance) => ({ __name__: 'up', instance, job: 'web' })));
  });
});

describe('panels and Explore', () => {
  const from = at(40);
  const to = at(200);

  it('code-mode range query as Grafana POSTs it: $__rate_interval as 1m0s, aligned start/end, step, timeout', async () => {
    const step = 15;
    const start = align(sec(from), step);
    const end = align(sec(to), step);
    const res = await gPost('/query_range', [
      ['query', 'sum by (job) (rate(http_requests_total{job=~"api|web"}[1m0s]))'],
      ['start', String(start)],
      ['end', String(end)],
      ['step', String(step)],
      ['timeout', '60s'],
    ]);
    const result = expectResult(res, 'matrix');
    expect(result.map((s) => s.metric)).toEqual([{ job: 'api' }, { job: 'web' }]);
    const grid = Array.from({ length: (end - start) / step + 1 }, (_, i) => start + i * step);
    for (const s of result) {
      expect(s.values!.map(([ts]) => ts)).toEqual(grid);
      for (const [, v] of s.values!) expect(Number(v)).toBeCloseTo(2 * (3 + 0.75) / 15, 12);
    }
    expect(res.body).not.toHaveProperty('warnings');
    expect(res.body).not.toHaveProperty('infos');
  });

  it('start need not be on the UTC step grid (+05:45, step 10m): points at start + k·step exactly', async () => {
    const step = 600;
    const off = 5 * 3600 + 45 * 60;
    const start = align(sec(from), step, off);
    const end = align(sec(to), step, off);
    expect(start % step).not.toBe(0);
    const [s] = expectResult(await gPost('/query_range', [['query', 'sum(up)'], ['start', String(start)], ['end', String(end)], ['step', String(step)]]), 'matrix');
    expect(s!.values).toEqual(Array.from({ length: (end - start) / step + 1 }, (_, i) => [start + i * step, '4']));
  });

  it('fractional step and fractional start; an incremental refresh with a later start repeats the same points', async () => {
    const start = Math.ceil(sec(at(100))) + 0.25;
    const q: QueryParams = [['query', 'http_requests_total{job="api", instance="10.0.0.1:9090", code="200"}'], ['end', String(start + 5)], ['step', '0.5']];
    const [s] = expectResult(await gPost('/query_range', [...q, ['start', String(start)]]), 'matrix');
    expect(s!.metric).toEqual({ __name__: 'http_requests_total', code: '200', instance: INSTANCES[0], job: 'api', method: 'GET' });
    expect(s!.values).toEqual(Array.from({ length: 11 }, (_, i) => [start + i * 0.5, '300']));
    const [later] = expectResult(await gPost('/query_range', [...q, ['start', String(start + 2)]]), 'matrix');
    expect(later!.values).toEqual(s!.values!.slice(4));
  });

  it('instant query keeps the millisecond fraction of time; Explore "Both" and parallel queries', async () => {
    const time = sec(at(150) + 3_123);
    const instant = gPost('/query', [['query', 'http_requests_total{code="500", job="api"}'], ['time', String(time)], ['timeout', '2m']]);
    const range = gPost('/query_range', [['query', 'http_requests_total{code="500", job="api"}'], ['start', String(align(time - 300, 15))], ['end', String(align(time, 15))], ['step', '15']]);
    const parallel = Array.from({ length: 10 }, (_, i) => gPost('/query', [['query', `sum(up) + ${i}`], ['time', String(time)]]));
    const [vec, mat, ...rest] = await Promise.all([instant, range, ...parallel]);
    const v = expectResult(vec!, 'vector');
    expect(v.map((s) => s.value)).toEqual([[time, '112.5'], [time, '112.5']]);
    expect(v.map((s) => s.metric.instance)).toEqual(INSTANCES);
    expect(expectResult(mat!, 'matrix')).toHaveLength(2);
    rest.forEach((r, i) => expect(expectResult(r, 'vector')[0]!.value).toEqual([time, String(4 + i)]));
  });

  it('an instant query of a range selector (Explore, table view) answers a matrix of raw samples, ms kept', async () => {
    const t = sec(at(150) + 1_000);
    const m = expectResult(await gPost('/query', [['query', 'up{job="api"}[1m]'], ['time', String(t)]]), 'matrix');
    expect(m.map((s) => s.metric.instance)).toEqual(INSTANCES);
    for (const s of m) expect(s.values).toEqual([147, 148, 149, 150].map((k) => [sec(at(k)), '1']));
  });

  it('NaN, +Inf and -Inf as the strings Go parses, in vectors and matrices', async () => {
    const t = sec(at(100) + 1_000);
    const vec = expectResult(await gPost('/query', [['query', 'temperature_celsius'], ['time', String(t)]]), 'vector');
    expect(Object.fromEntries(vec.map((s) => [s.metric.sensor, s.value![1]]))).toEqual({ broken: 'NaN', ok: '21.5', overflow: '+Inf', underflow: '-Inf' });
    const mat = expectResult(await gPost('/query_range', [['query', 'temperature_celsius{sensor!="ok"}'], ['start', String(t)], ['end', String(t + 60)], ['step', '60']]), 'matrix');
    expect(mat.map((s) => s.values!.map(([, x]) => x))).toEqual([['NaN', 'NaN'], ['+Inf', '+Inf'], ['-Inf', '-Inf']]);
  });

  it('a classic histogram quantile, as the builder renders it', async () => {
    const t = String(sec(at(150)));
    const vec = expectResult(await gPost('/query', [['query', 'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[1m0s])))'], ['time', t]]), 'vector');
    expect(vec).toHaveLength(1);
    expect(vec[0]!.metric).toEqual({});
    expect(Number(vec[0]!.value![1])).toBeCloseTo(0.5, 9);
  });

  it('warnings and infos: arrays of strings only when there are some', async () => {
    const t = String(sec(at(150)));
    const warned = await gPost('/query', [['query', 'quantile(2, node_memory_free_bytes)'], ['time', t]]);
    expectResult(warned, 'vector');
    expect(warned.body.warnings).toEqual([expect.stringMatching(/quantile value should be between 0 and 1/)]);
    expect(warned.body).not.toHaveProperty('infos');
    const info = await gPost('/query_range', [['query', 'rate(node_memory_free_bytes[1m0s])'], ['start', t], ['end', t], ['step', '15']]);
    expectResult(info, 'matrix');
    expect(info.body.infos).toEqual([expect.stringMatching(/might not be a counter/)]);
  });

  it('stats=all and Grafana v13 thresholds: statistics in data.stats, unknown parameters ignored', async () => {
    const res = await gPost('/query', [
      ['query', 'sum(up)'],
      ['time', String(sec(at(150)))],
      ['stats', 'all'],
      ['max_samples_processed_warning_threshold', '1000000'],
      ['max_samples_processed_error_threshold', '5000000'],
      ['no_such_parameter', 'x'],
    ]);
    const data = expectSuccess(res).data as { resultType: string; result: unknown[]; stats: { samples: { totalQueryableSamples: unknown } } };
    expect(data.resultType).toBe('vector');
    expect(data.stats.samples.totalQueryableSamples).toBe(4);
  });

  it('alert rule evaluation: an instant query carrying the alerting headers', async () => {
    const t = sec(at(150) + 500);
    const headers = {
      ...GRAFANA_HEADERS,
      FromAlert: 'true',
      'X-Rule-Name': 'Errors high',
      'X-Rule-Uid': 'rule-1',
      'X-Rule-Folder': 'Ops',
      'X-Rule-Source': 'grafana',
      'X-Rule-Type': 'alerting',
      'X-Rule-Version': '3',
      'X-Grafana-User': 'admin',
    };
    const v = expectResult(await gPost('/query', [['query', 'sum by (job) (rate(http_requests_total{code="500"}[5m])) > 0.05'], ['time', String(t)]], headers), 'vector');
    expect(v.map((s) => s.metric)).toEqual([{ job: 'api' }, { job: 'web' }]);
    for (const s of v) expect(Number(s.value![1])).toBeCloseTo(0.1, 12);
  });

  it('format_query (Explore "Format query"), GET and POST', async () => {
    const q: QueryParams = [['query', 'sum(rate(http_requests_total{job="api"}[5m]))by(code)']];
    const expected = 'sum by (code) (rate(http_requests_total{job="api"}[5m]))';
    expect(expectSuccess(await gPost('/format_query', q)).data).toBe(expected);
    expect(expectSuccess(await gGet('/format_query', q, GRAFANA_HEADERS)).data).toBe(expected);
    expectError(await gPost('/format_query', [['query', 'sum(']]), 400, 'bad_data');
  });

  it('annotations: range query with the annotation step; values > 0 only where the event is, with its tag labels', async () => {
    const step = 60;
    const start = align(sec(at(80)), step);
    const end = align(sec(at(200)), step);
    const res = await gPost('/query_range', [['query', 'changes(deployment_version[2m]) > 0'], ['start', String(start)], ['end', String(end)], ['step', String(step)]]);
    const [s, ...none] = expectResult(res, 'matrix');
    expect(none).toEqual([]);
    expect(s!.metric).toEqual({ app: 'checkout' });
    // The change happens between samples 119 and 120: windows (t − 2m, t] holding both.
    const events = Array.from({ length: (end - start) / step + 1 }, (_, i) => start + i * step).filter(
      (t) => t * 1000 >= at(120) && t * 1000 - 120_000 < at(119),
    );
    expect(events.length).toBeGreaterThan(0);
    expect(s!.values).toEqual(events.map((t) => [t, '1']));
  });

  it('exemplars with the toggle on: the aligned range of the panel, POST and GET, an array', async () => {
    const q: QueryParams = [['query', 'sum(rate(http_requests_total[1m0s]))'], ['start', String(align(sec(from), 15))], ['end', String(align(sec(to), 15))]];
    expect(expectSuccess(await gPost('/query_exemplars', q)).data).toEqual([]);
    expect(expectSuccess(await gGet('/query_exemplars', q, GRAFANA_HEADERS)).data).toEqual([]);
    expectError(await gPost('/query_exemplars', [['query', 'rate(']]), 400, 'bad_data');
  });
});

describe('errors as Grafana shows them', () => {
  const t = String(sec(at(150)));

  it('parse error: 400 bad_data naming the problem', async () => {
    const msg = expectError(await gPost('/query_range', [['query', 'sum(rate(up[5m])'], ['start', t], ['end', t], ['step', '15']]), 400, 'bad_data');
    expect(msg).toMatch(/^invalid parameter "query": 1:\d+: parse error: /);
  });

  it('execution error: 422 execution', async () => {
    expectError(await gPost('/query', [['query', 'http_requests_total + on(job) up'], ['time', t]]), 422, 'execution');
  });

  it('timeout parameter honoured: 503 timeout', async () => {
    expectError(await gPost('/query', [['query', 'count_over_time(http_requests_total[30m:1ms])'], ['time', t], ['timeout', '1ms']]), 503, 'timeout');
  });

  it('too many points, bad step, bad time: 400 bad_data with Prometheus\'s texts', async () => {
    const tooMany = expectError(await gPost('/query_range', [['query', 'up'], ['start', '0'], ['end', '1000000'], ['step', '1']]), 400, 'bad_data');
    expect(tooMany).toBe('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
    expectError(await gPost('/query_range', [['query', 'up'], ['start', t], ['end', t], ['step', '0']]), 400, 'bad_data');
    expectError(await gPost('/query', [['query', 'up'], ['time', 'yesterday']]), 400, 'bad_data');
  });

  it('a variable with a bad selector: 400 with the reason in error (shown as data.message)', async () => {
    const msg = expectError(await gGet('/label/job/values', [['match[]', 'up{job=']]), 400, 'bad_data');
    expect(msg).toMatch(/^invalid parameter "match\[\]": /);
  });

  it('a new, empty tenant: Save & test works, lists are [] and metadata {}, never null', async () => {
    const headers = { ...RESOURCE_HEADERS, 'X-Scope-OrgID': 'empty-org' };
    expect(expectSuccess(await gPost('/query', [['query', '1+1'], ['time', '4']], headers)).data).toEqual({ resultType: 'scalar', result: [4, '2'] });
    expect(strings(await gGet('/label/__name__/values', [['limit', '40000']], headers))).toEqual([]);
    expect(strings(await gPost('/labels', [['limit', '40000']], headers))).toEqual([]);
    expect(expectSuccess(await gPost('/series', [['match[]', '{__name__!=""}']], headers)).data).toEqual([]);
    expect(expectSuccess(await gGet('/metadata', [['limit', '40000']], headers)).data).toEqual({});
    expect(expectResult(await gPost('/query_range', [['query', 'up'], ['start', '0'], ['end', '600'], ['step', '60']], headers), 'matrix')).toEqual([]);
  });

  it('another tenant\'s data stays invisible to the data source\'s X-Scope-OrgID', async () => {
    expect(strings(await gGet('/label/__name__/values'))).not.toContain('secret_metric');
    expect(expectResult(await gPost('/query', [['query', 'secret_metric'], ['time', t]]), 'vector')).toEqual([]);
  });
});
