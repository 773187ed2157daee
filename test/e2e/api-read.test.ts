/**
 * End-to-end: the read API answers in exactly Prometheus's shapes (what Grafana and promtool
 * parse): the success envelope, label objects sorted by labels, sorted names and values, `limit`
 * with its truncation warning, `start`/`end` as Unix seconds with fractions or RFC 3339, POST form
 * bodies equal to GET, and the `{status:"error", errorType, error}` envelope for bad parameters.
 * Also `/ready`, `/metrics` and build info.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiData,
  getJson,
  getText,
  listSeries,
  makeTempDir,
  postFormJson,
  push,
  removeDir,
  startInProcess,
  type InProcessTessera,
  type QueryParams,
} from './helpers.ts';

const TENANT = 'reader';
const API = '/prometheus/api/v1';
const NOW = Date.now();

/** "Old" series have samples only in [OLD_FIRST, OLD_LAST]; "recent" ones only after RECENT_FIRST. */
const OLD_FIRST = NOW - 40 * 60_000 + 123;
const OLD_LAST = NOW - 30 * 60_000 + 456;
const RECENT_FIRST = NOW - 5 * 60_000 + 789;
const RECENT_LAST = NOW - 60_000;

type LabelSet = Record<string, string>;

const OLD: LabelSet[] = [{ __name__: 'old_metric', job: 'batch', shift: 'night' }];
// Pushed in an order different from the sorted one, with label names that sort differently
// from insertion order, to see the API sort them.
const RECENT: LabelSet[] = [
  { __name__: 'requests_total', job: 'web', status: '500' },
  { __name__: 'cpu_seconds', job: 'web', mode: 'user' },
  { __name__: 'requests_total', job: 'api', status: '200' },
  { __name__: 'requests_total', job: 'web', status: '200' },
  { __name__: 'cpu_seconds', job: 'api', mode: 'idle' },
];
/** RECENT in Prometheus's series order: label pairs compared in turn, name then value. */
const RECENT_SORTED: LabelSet[] = [
  { __name__: 'cpu_seconds', job: 'api', mode: 'idle' },
  { __name__: 'cpu_seconds', job: 'web', mode: 'user' },
  { __name__: 'requests_total', job: 'api', status: '200' },
  { __name__: 'requests_total', job: 'web', status: '200' },
  { __name__: 'requests_total', job: 'web', status: '500' },
];

const sec = (ms: number): string => (ms / 1000).toFixed(3);
const rfc = (ms: number): string => new Date(ms).toISOString();

describe('read API', () => {
  let dir: string;
  let server: InProcessTessera;
  let url: string;

  beforeAll(async () => {
    dir = await makeTempDir();
    server = await startInProcess([], { dataDir: dir });
    url = server.url;
    const old = await push(url, OLD.map((labels) => ({ labels, samples: [[OLD_FIRST, 1], [OLD_LAST, 2]] })), { tenant: TENANT });
    expect(old.status, old.text).toBe(200);
    const recent = await push(url, RECENT.map((labels) => ({ labels, samples: [[RECENT_FIRST, 1], [RECENT_LAST, 2]] })), { tenant: TENANT });
    expect(recent.status, recent.text).toBe(200);
  });

  afterAll(async () => {
    await server.stop();
    await removeDir(dir);
  });

  describe('success shapes', () => {
    it('series: the exact Prometheus JSON, label objects sorted by labels', async () => {
      const res = await fetch(`${url}${API}/series?match[]=${encodeURIComponent('{job=~".+"}')}`, { headers: { 'X-Scope-OrgID': TENANT } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const expected = [...RECENT_SORTED.slice(0, 2), ...OLD, ...RECENT_SORTED.slice(2)];
      // Key order inside each object does not matter to JSON clients; compare parsed, and check
      // the envelope's key order on the raw text.
      const text = await res.text();
      expect(text.startsWith('{"status":"success","data":[')).toBe(true);
      expect(JSON.parse(text)).toEqual({ status: 'success', data: expected });
    });

    it('series: a selector matching nothing gives an empty list, not null', async () => {
      const res = await getJson(url, `${API}/series`, [['match[]', 'no_such_metric']], { tenant: TENANT });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'success', data: [] });
    });

    it('labels: sorted names, __name__ first', async () => {
      expect(await apiData(url, `${API}/labels`, [], { tenant: TENANT })).toEqual(['__name__', 'job', 'mode', 'shift', 'status']);
    });

    it('label values: sorted, restricted by match[]', async () => {
      expect(await apiData(url, `${API}/label/__name__/values`, [], { tenant: TENANT })).toEqual(['cpu_seconds', 'old_metric', 'requests_total']);
      expect(await apiData(url, `${API}/label/status/values`, [['match[]', '{job="web"}']], { tenant: TENANT })).toEqual(['200', '500']);
      expect(await apiData(url, `${API}/label/job/values`, [['match[]', 'cpu_seconds']], { tenant: TENANT })).toEqual(['api', 'web']);
      expect(await apiData(url, `${API}/label/nonexistent/values`, [], { tenant: TENANT })).toEqual([]);
    });
  });

  describe('limit', () => {
    it.each([
      ['series', `${API}/series`, [['match[]', '{job=~".+"}']] as QueryParams, 6],
      ['labels', `${API}/labels`, [] as QueryParams, 5],
      ['label values', `${API}/label/__name__/values`, [] as QueryParams, 3],
    ])('%s: limit below the count truncates and warns; at the count it does not', async (_what, path, params, count) => {
      const full = await getJson<{ data: unknown[] }>(url, path, params, { tenant: TENANT });
      expect(full.body.data).toHaveLength(count);

      const cut = await getJson(url, path, [...params, ['limit', '2']], { tenant: TENANT });
      expect(cut.status).toBe(200);
      expect(cut.body).toEqual({ status: 'success', data: full.body.data.slice(0, 2), warnings: ['results truncated due to limit'] });

      const exact = await getJson(url, path, [...params, ['limit', String(count)]], { tenant: TENANT });
      expect(exact.body).toEqual({ status: 'success', data: full.body.data });
      const zero = await getJson(url, path, [...params, ['limit', '0']], { tenant: TENANT });
      expect(zero.body, 'limit=0 means no limit').toEqual({ status: 'success', data: full.body.data });
    });

    it('a negative or non-numeric limit is 400 bad_data', async () => {
      for (const limit of ['-1', 'abc', '1.5']) {
        const res = await getJson(url, `${API}/labels`, [['limit', limit]], { tenant: TENANT });
        expect(res.status, `limit=${limit}`).toBe(400);
        expect(res.body).toMatchObject({ status: 'error', errorType: 'bad_data', error: expect.stringMatching(/limit/) });
      }
    });
  });

  describe('start and end', () => {
    const all = { match: '{__name__=~".+"}' };
    const names = async (params: QueryParams): Promise<string[]> =>
      (await listSeries(url, TENANT, all.match, params)).map((s) => s['__name__']!).filter((n, i, a) => a.indexOf(n) === i);

    it.each([
      ['Unix seconds with fractions', sec],
      ['RFC 3339 with milliseconds', rfc],
    ])('%s: a series whose samples all lie before start is not listed', async (_what, fmt) => {
      expect(await names([['start', fmt(RECENT_FIRST - 60_000)]])).toEqual(['cpu_seconds', 'requests_total']);
      expect(await names([['end', fmt(OLD_LAST + 60_000)]])).toEqual(['old_metric']);
      expect(await names([['start', fmt(OLD_LAST + 60_000)], ['end', fmt(RECENT_FIRST - 60_000)]])).toEqual([]);
      // Bounds are inclusive, to the millisecond.
      expect(await names([['start', fmt(OLD_LAST)], ['end', fmt(OLD_LAST)]])).toEqual(['old_metric']);
      expect(await names([['start', fmt(OLD_LAST + 1)], ['end', fmt(RECENT_FIRST - 1)]])).toEqual([]);
      expect(await names([['start', fmt(RECENT_FIRST)], ['end', fmt(RECENT_FIRST)]])).toEqual(['cpu_seconds', 'requests_total']);
    });

    it('RFC 3339 with an offset and whole Unix seconds', async () => {
      const offset = new Date(OLD_LAST + 60_000 + 2 * 3600_000).toISOString().replace('Z', '+02:00');
      expect(await names([['start', offset]])).toEqual(['cpu_seconds', 'requests_total']);
      expect(await names([['end', String(Math.floor((OLD_LAST + 60_000) / 1000))]])).toEqual(['old_metric']);
    });

    it('labels and label values honour the range too', async () => {
      const recent: QueryParams = [['start', sec(RECENT_FIRST - 60_000)]];
      expect(await apiData(url, `${API}/labels`, recent, { tenant: TENANT })).toEqual(['__name__', 'job', 'mode', 'status']);
      expect(await apiData(url, `${API}/label/job/values`, recent, { tenant: TENANT })).toEqual(['api', 'web']);
      const old: QueryParams = [['end', sec(OLD_LAST + 60_000)]];
      expect(await apiData(url, `${API}/labels`, old, { tenant: TENANT })).toEqual(['__name__', 'job', 'shift']);
      expect(await apiData(url, `${API}/label/job/values`, old, { tenant: TENANT })).toEqual(['batch']);
    });

    it.each([
      ['start', 'yesterday'],
      ['end', '2024-13-01T00:00:00Z'],
      ['start', '12:00'],
    ])('an unparsable %s=%s is 400 bad_data naming the parameter', async (name, value) => {
      const res = await getJson(url, `${API}/series`, [['match[]', 'up'], [name, value]], { tenant: TENANT });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 'error', errorType: 'bad_data', error: expect.stringContaining(`"${name}"`) });
    });

    it('end before start is 400 bad_data', async () => {
      const res = await getJson(url, `${API}/labels`, [['start', '200'], ['end', '100']], { tenant: TENANT });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    });
  });

  describe('POST form bodies', () => {
    it.each([
      ['series', `${API}/series`, [['match[]', 'cpu_seconds'], ['match[]', '{status="500"}']] as QueryParams],
      ['series with range and limit', `${API}/series`, [['match[]', '{__name__=~".+"}'], ['start', sec(RECENT_FIRST - 1000)], ['limit', '3']] as QueryParams],
      ['labels', `${API}/labels`, [['match[]', 'old_metric'], ['match[]', 'cpu_seconds']] as QueryParams],
    ])('%s: repeated match[] in a form body answers as GET does', async (_what, path, params) => {
      const get = await getJson(url, path, params, { tenant: TENANT });
      const post = await postFormJson(url, path, params, { tenant: TENANT });
      expect(get.status).toBe(200);
      expect(post.status).toBe(200);
      expect(post.body).toEqual(get.body);
    });

    it('two match[] selectors in a form body give the union, exactly', async () => {
      const twice = (a: string, b: string): QueryParams => [['match[]', a], ['match[]', b]];
      const series = await postFormJson(url, `${API}/series`, twice('old_metric', '{mode="idle"}'), { tenant: TENANT });
      expect(series.body).toEqual({ status: 'success', data: [RECENT_SORTED[0], OLD[0]] });
      const labels = await postFormJson(url, `${API}/labels`, twice('old_metric', 'cpu_seconds'), { tenant: TENANT });
      expect(labels.body).toEqual({ status: 'success', data: ['__name__', 'job', 'mode', 'shift'] });
      const values = await getJson(url, `${API}/label/job/values`, twice('old_metric', '{status="200"}'), { tenant: TENANT });
      expect(values.body).toEqual({ status: 'success', data: ['api', 'batch', 'web'] });
      // As in Prometheus, label values is GET-only.
      const post = await postFormJson(url, `${API}/label/job/values`, twice('old_metric', '{status="200"}'), { tenant: TENANT });
      expect(post.status).toBe(405);
    });

    it('a form body and query string together: both are read', async () => {
      const res = await fetch(`${url}${API}/series?match[]=old_metric`, {
        method: 'POST',
        headers: { 'X-Scope-OrgID': TENANT, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([['match[]', '{mode="idle"}']]).toString(),
      });
      expect(await res.json()).toEqual({ status: 'success', data: [RECENT_SORTED[0], OLD[0]] });
    });
  });

  describe('errors', () => {
    it.each(['up{', '{job=~"("}', 'up{job="a"', '{}', '{job=""}', '1 + 1'])('match[]=%s is 400 bad_data', async (selector) => {
      for (const read of [getJson, postFormJson]) {
        const res = await read(url, `${API}/series`, [['match[]', selector]], { tenant: TENANT });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ status: 'error', errorType: 'bad_data', error: expect.stringContaining('match[]') });
      }
    });

    it('a bad match[] on labels and label values is 400 too', async () => {
      for (const path of [`${API}/labels`, `${API}/label/job/values`]) {
        const res = await getJson(url, path, [['match[]', 'up{']], { tenant: TENANT });
        expect(res.status, path).toBe(400);
        expect(res.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
      }
    });

    it('series without match[] is 400 bad_data', async () => {
      for (const read of [getJson, postFormJson]) {
        const res = await read(url, `${API}/series`, [], { tenant: TENANT });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ status: 'error', errorType: 'bad_data', error: expect.stringMatching(/match\[\]/) });
      }
    });

    it.each(['bad-name', '0abc', 'a.b'])('label values of the invalid label name %s is 400 bad_data', async (name) => {
      const res = await getJson(url, `${API}/label/${encodeURIComponent(name)}/values`, [], { tenant: TENANT });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 'error', errorType: 'bad_data', error: expect.stringContaining(name) });
    });

    it('an unknown API path is 404 in the error envelope', async () => {
      const res = await getJson(url, `${API}/nonexistent`, [], { tenant: TENANT });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ status: 'error', errorType: 'not_found' });
    });
  });

  describe('operational endpoints', () => {
    it('/ready is 200', async () => {
      const res = await getText(url, '/ready');
      expect(res.status).toBe(200);
      expect(res.text.trim()).toBe('ready');
    });

    it('/config shows the configuration in effect as YAML', async () => {
      const res = await fetch(`${url}/config`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/yaml/);
      const text = await res.text();
      expect(text).toMatch(/^target: all$/m);
      expect(text).toMatch(/^auth_enabled: true$/m);
      expect(text).toMatch(/http_listen_port: 0$/m);
      expect(text).toMatch(/max_label_names_per_series: 30$/m);
    });

    it('/metrics exposes tessera_ metrics in the text format', async () => {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toMatch(/^# TYPE tessera_distributor_received_samples_total counter$/m);
      expect(text).toMatch(new RegExp(`^tessera_ingester_ingested_samples_total\\{tenant="${TENANT}"\\} 12$`, 'm'));
      expect(text).toMatch(new RegExp(`^tessera_ingester_memory_series\\{tenant="${TENANT}"\\} 6$`, 'm'));
      expect(text).toMatch(/^tessera_request_duration_seconds_bucket\{/m);
    });

    it.each(['/api/v1/status/buildinfo', `${API}/status/buildinfo`])('%s has the Prometheus build-info shape', async (path) => {
      const res = await getJson<{ status: string; data: Record<string, unknown> }>(url, path);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('success');
      const data = res.body.data;
      for (const key of ['version', 'revision', 'branch', 'buildUser', 'buildDate', 'goVersion']) {
        expect(typeof data[key], key).toBe('string');
      }
      expect(data['version']).toMatch(/^\d+\.\d+\.\d+/);
    });
  });
});
