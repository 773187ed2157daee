/**
 * Robustness and isolation of the Prometheus query API, end to end against an in-process Tessera.
 *
 * Fuzz: ~1,600 malformed or hostile requests from a fixed seed (api-fuzz-cases.ts), sent eight at
 * a time. Every answer must arrive within 5 s, be JSON, and be either `{"status":"success",…}`
 * (200) or the error envelope with a status that matches its `errorType` (bad_data 4xx, execution
 * 422, timeout 503, …). A 500 is a bug and is reported with its input. Afterwards the server must
 * still be ready and answer a valid query correctly; and while a heavy query runs, `/ready` must
 * answer at once (evaluation never holds the event loop). The server runs with
 * `-querier.timeout=2s`, so a query that legitimately runs long ends well within the bound.
 *
 * Isolation: tenants A and B push series (and metric metadata) with names, label names and values
 * of their own; through every query endpoint — query, query_range, series, labels, label values,
 * metadata, query_exemplars, and the tenant-free format_query — B sees exactly its own data and
 * never a byte of A's, while A, through the same probes, does see its own (so a probe that could
 * not see anything proves nothing). Requests without a tenant get 401 and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWriteRequest, snappyCompress, type WriteRequestObject } from '@tessera/remotewrite';
import { getJson, push, pushBody, startInProcess, within, type InProcessTessera, type PushSeries, type QueryParams } from './helpers.ts';
import { API, buildFuzzCases, type FuzzCase } from './api-fuzz-cases.ts';

const NOW = Date.now();
const NOW_S = Math.floor(NOW / 1000);
const FUZZ_TENANT = 'fuzz';
const BOUND_MS = 5_000;
const CONCURRENCY = 8;

/** Which HTTP statuses each `errorType` may come with. */
const STATUS_OF_ERROR_TYPE: Record<string, readonly number[]> = {
  bad_data: [400, 405, 408, 413, 414, 415, 431],
  execution: [422],
  timeout: [503],
  canceled: [499],
  internal: [500],
  unavailable: [503],
  not_found: [404],
  unauthorized: [401],
  forbidden: [403],
  too_many_requests: [429],
};

/** Series of the fuzz tenant; label values made to trip backtracking regex engines. */
function fuzzData(): PushSeries[] {
  const samples: [number, number][] = [];
  for (let t = NOW - 30 * 60_000; t <= NOW - 1000; t += 15_000) samples.push([t, (t / 1000) % 97]);
  const out: PushSeries[] = [];
  const jobs = ['a'.repeat(40), 'x'.repeat(40), `${'a'.repeat(30)}!`, 'api', 'word '.repeat(12)];
  for (let i = 0; i < 10; i++) {
    out.push({ labels: { __name__: 'x', job: jobs[i % jobs.length]!, instance: String(i) }, samples });
    out.push({ labels: { __name__: 'y', job: jobs[i % jobs.length]!, instance: String(i) }, samples });
  }
  for (const le of ['0.1', '1', '+Inf']) out.push({ labels: { __name__: 'h_bucket', le }, samples: samples.map(([t, v]) => [t, v * Number(le === '+Inf' ? 3 : le)]) });
  return out;
}

interface Outcome {
  c: FuzzCase;
  status: number;
  ms: number;
  text: string;
  problem: string | null;
}

/** Sends one case and checks the generic contract (see the file comment). */
async function send(baseUrl: string, c: FuzzCase): Promise<Outcome> {
  const headers: Record<string, string> = {};
  const tenant = c.tenant === undefined ? FUZZ_TENANT : c.tenant;
  if (tenant !== null) headers['X-Scope-OrgID'] = tenant;
  if (c.contentType !== undefined) headers['Content-Type'] = c.contentType;
  const started = performance.now();
  let status = 0;
  let text = '';
  let contentType = '';
  try {
    const res = await fetch(baseUrl + c.path, { method: c.method, headers, body: c.body, signal: AbortSignal.timeout(BOUND_MS) });
    status = res.status;
    contentType = res.headers.get('content-type') ?? '';
    text = await res.text();
  } catch (e) {
    const ms = performance.now() - started;
    return { c, status, ms, text, problem: `no answer within ${BOUND_MS} ms or connection failed: ${(e as Error).message}` };
  }
  const ms = performance.now() - started;
  const problem = checkAnswer(c, status, contentType, text, ms);
  return { c, status, ms, text, problem };
}

function checkAnswer(c: FuzzCase, status: number, contentType: string, text: string, ms: number): string | null {
  if (ms > BOUND_MS) return `took ${Math.round(ms)} ms`;
  if (!contentType.startsWith('application/json')) return `content type ${JSON.stringify(contentType)}`;
  let body: { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return 'body is not JSON';
  }
  if (status === 200) {
    if (body.status !== 'success' || !('data' in body)) return 'a 200 that is not {"status":"success","data":…}';
  } else {
    if (body.status !== 'error' || typeof body.errorType !== 'string' || typeof body.error !== 'string') return `a ${status} without the error envelope`;
    const allowed = STATUS_OF_ERROR_TYPE[body.errorType];
    if (allowed === undefined) return `unknown errorType ${body.errorType}`;
    if (!allowed.includes(status)) return `errorType ${body.errorType} with status ${status}`;
    if (status === 500) return 'internal error (500)';
  }
  if (c.expectStatus !== undefined && status !== c.expectStatus) return `expected ${c.expectStatus}, got ${status}`;
  if (c.expectError !== undefined && !String(body.error).includes(c.expectError)) return `expected the error to say ${JSON.stringify(c.expectError)}`;
  return null;
}

function describeCase(o: Outcome): string {
  const cut = (s: string | undefined, n = 240): string => (s === undefined ? '' : s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  return `[${o.c.family}] ${o.c.method} ${cut(o.c.path)}${o.c.body === undefined ? '' : ` body=${cut(o.c.body)}`}${o.c.tenant === undefined ? '' : ` tenant=${cut(String(o.c.tenant), 40)}`}\n    → ${o.status} in ${Math.round(o.ms)} ms: ${o.problem}: ${cut(o.text, 300)}`;
}

let tessera: InProcessTessera;

beforeAll(async () => {
  tessera = await startInProcess(['-querier.timeout=2s']);
  const res = await push(tessera.url, fuzzData(), { tenant: FUZZ_TENANT });
  expect(res.status).toBeLessThan(300);
});

afterAll(async () => {
  await tessera?.stop();
});

describe('query API under malformed and hostile requests', () => {
  it('answers every request well-formed, in time, without internal errors', { timeout: 90_000 }, async () => {
    const cases = buildFuzzCases(4242, NOW_S);
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    const outcomes: Outcome[] = new Array(cases.length);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) {
          const i = next++;
          outcomes[i] = await send(tessera.url, cases[i]!);
        }
      }),
    );
    const elapsed = performance.now() - started;
    const byStatus = new Map<number, number>();
    for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
    const slowest = outcomes.reduce((a, b) => (b.ms > a.ms ? b : a));
    console.log(
      `[fuzz] ${cases.length} requests in ${(elapsed / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort(([a], [b]) => a - b)))}; ` +
        `slowest ${Math.round(slowest.ms)} ms ([${slowest.c.family}] ${slowest.c.path.slice(0, 120)})`,
    );
    const bad = outcomes.filter((o) => o.problem !== null);
    if (bad.length > 0) console.log(`[fuzz] ${bad.length} bad answers:\n${bad.slice(0, 40).map(describeCase).join('\n')}`);
    expect(bad.map(describeCase)).toEqual([]);
    // The fuzz reached the engine too: some inputs were valid and succeeded.
    expect(byStatus.get(200) ?? 0).toBeGreaterThan(50);
  });

  it('is still ready and answers a valid query correctly afterwards', async () => {
    const ready = await fetch(`${tessera.url}/ready`);
    expect(ready.status).toBe(200);
    const res = await getJson<{ data: { result: Array<{ value: [number, string] }> } }>(tessera.url, `${API}/query`, [['query', 'count(x)'], ['time', String(NOW_S)]], { tenant: FUZZ_TENANT });
    expect(res.status).toBe(200);
    expect(res.body.data.result.map((r) => r.value[1])).toEqual(['10']);
  });

  it('answers a 100 KB query sent by GET, and a request head over 1 MiB with 431 in the error envelope', async () => {
    // A dashboard variable expanded into a long regex: Prometheus (Go) accepts request heads up to 1 MiB.
    const values = Array.from({ length: 8_000 }, (_, i) => `value-${i}`).join('|');
    const query = `count(x{job=~"${values}|api"})`;
    expect(encodeURIComponent(query).length).toBeGreaterThan(100_000);
    const res = await getJson<{ data: { result: Array<{ value: [number, string] }> } }>(tessera.url, `${API}/query`, [['query', query], ['time', String(NOW_S)]], { tenant: FUZZ_TENANT });
    expect(res.status).toBe(200);
    expect(res.body.data.result.map((r) => r.value[1])).toEqual(['2']); // instances 3 and 8 have job="api"
    const huge = await fetch(`${tessera.url}${API}/query?query=${'x'.repeat(1_100_000)}`, { headers: { 'X-Scope-OrgID': FUZZ_TENANT } });
    expect(huge.status).toBe(431);
    expect(await huge.json()).toMatchObject({ status: 'error', errorType: 'bad_data' });
  });

  it('keeps the event loop free while a heavy query runs on a worker', async () => {
    const heavy = getJson(tessera.url, `${API}/query`, [['query', 'max_over_time(x[1y:1s])'], ['time', String(NOW_S)]], { tenant: FUZZ_TENANT });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    const ready = await within(fetch(`${tessera.url}/ready`), 1_000, '/ready during a heavy query');
    expect(ready.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(500);
    const answer = await within(heavy, BOUND_MS, 'the heavy query');
    // It may finish or time out (2 s), but it answers in the envelope either way.
    expect([200, 422, 503]).toContain(answer.status);
  });
});

// ---- Isolation -----------------------------------------------------------------------------------

const A = 'iso-tenant-a';
const B = 'iso-tenant-b';
/** Strings only A's data holds: none may ever appear in an answer to B. */
const A_SECRETS = ['a_secret_total', 'a_only_label', 'a-secret-value', 'a-job', 'A SECRET HELP', 'A help for shared'];

function isoSeries(tenantLetter: 'a' | 'b'): WriteRequestObject {
  const samples = [
    { timestamp: NOW - 60_000, value: 1 },
    { timestamp: NOW - 30_000, value: 2 },
  ];
  const ts = (labels: Record<string, string>): WriteRequestObject['timeseries'][number] => ({
    labels: Object.entries(labels).sort(([x], [y]) => (x < y ? -1 : 1)).map(([name, value]) => ({ name, value })),
    samples,
    exemplars: [],
    histograms: [],
  });
  return tenantLetter === 'a'
    ? {
        timeseries: [ts({ __name__: 'a_secret_total', job: 'a-job', a_only_label: 'a-secret-value' }), ts({ __name__: 'shared_metric', team: 'a', job: 'a-job' })],
        metadata: [
          { type: 1, metricFamilyName: 'a_secret_total', help: 'A SECRET HELP', unit: '' },
          { type: 2, metricFamilyName: 'shared_metric', help: 'A help for shared', unit: '' },
        ],
      }
    : {
        timeseries: [ts({ __name__: 'b_metric', job: 'b-job' }), ts({ __name__: 'shared_metric', team: 'b', job: 'b-job' })],
        metadata: [
          { type: 2, metricFamilyName: 'b_metric', help: 'B help', unit: '' },
          { type: 2, metricFamilyName: 'shared_metric', help: 'B help for shared', unit: '' },
        ],
      };
}

/** One probe per endpoint: path and parameters. */
const PROBES: ReadonlyArray<{ name: string; path: string; params: QueryParams }> = [
  ...['{__name__=~".+"}', 'a_secret_total', 'shared_metric', '{a_only_label=~".+"}', 'count({__name__=~".+"})', 'absent(a_secret_total)', 'sum by (a_only_label, job) ({__name__=~".+"})'].flatMap((q) => [
    { name: `query ${q}`, path: `${API}/query`, params: [['query', q], ['time', String(NOW_S)]] as QueryParams },
    { name: `query_range ${q}`, path: `${API}/query_range`, params: [['query', q], ['start', String(NOW_S - 600)], ['end', String(NOW_S)], ['step', '60']] as QueryParams },
  ]),
  ...['{__name__=~".+"}', 'a_secret_total', '{job=~"a.*"}', '{a_only_label!=""}'].map((m) => ({ name: `series ${m}`, path: `${API}/series`, params: [['match[]', m]] as QueryParams })),
  { name: 'labels', path: `${API}/labels`, params: [] },
  { name: 'labels match', path: `${API}/labels`, params: [['match[]', '{__name__=~".+"}']] },
  ...['__name__', 'a_only_label', 'job', 'team'].map((l) => ({ name: `label ${l} values`, path: `${API}/label/${l}/values`, params: [] as QueryParams })),
  { name: 'label job values match', path: `${API}/label/job/values`, params: [['match[]', '{__name__=~".+"}']] },
  { name: 'metadata', path: `${API}/metadata`, params: [] },
  { name: 'metadata a_secret_total', path: `${API}/metadata`, params: [['metric', 'a_secret_total']] },
  { name: 'metadata shared_metric', path: `${API}/metadata`, params: [['metric', 'shared_metric']] },
  { name: 'query_exemplars', path: `${API}/query_exemplars`, params: [['query', '{__name__=~".+"}'], ['start', String(NOW_S - 600)], ['end', String(NOW_S)]] },
];

describe('tenant isolation across every query endpoint', () => {
  const answers = new Map<string, { a: { status: number; text: string }; b: { status: number; text: string } }>();

  beforeAll(async () => {
    for (const [tenant, letter] of [[A, 'a'], [B, 'b']] as const) {
      const res = await pushBody(tessera.url, snappyCompress(encodeWriteRequest(isoSeries(letter))), { tenant });
      expect(res.status).toBeLessThan(300);
    }
    for (const p of PROBES) {
      const ask = async (tenant: string): Promise<{ status: number; text: string }> => {
        const qs = new URLSearchParams(p.params as [string, string][]).toString();
        const res = await fetch(`${tessera.url}${p.path}${qs === '' ? '' : `?${qs}`}`, { headers: { 'X-Scope-OrgID': tenant } });
        return { status: res.status, text: await res.text() };
      };
      answers.set(p.name, { a: await ask(A), b: await ask(B) });
    }
  });

  it("never shows B a byte of A's data, through any endpoint", () => {
    for (const p of PROBES) {
      const { b } = answers.get(p.name)!;
      expect(b.status, p.name).toBe(200);
      // Only what the request itself said may come back (e.g. absent()'s labels would echo it).
      for (const secret of A_SECRETS) {
        if (p.params.some(([, v]) => v.includes(secret))) continue;
        expect(b.text.includes(secret), `${p.name}: B's answer contains ${secret}: ${b.text}`).toBe(false);
      }
    }
  });

  it('answers B exactly its own data and A its own, through the same probes', () => {
    const data = (name: string, who: 'a' | 'b'): unknown => (JSON.parse(answers.get(name)![who].text) as { data: unknown }).data;
    const vectorLabels = (name: string, who: 'a' | 'b'): Array<Record<string, string>> =>
      ((data(name, who) as { result: Array<{ metric: Record<string, string> }> }).result).map((r) => r.metric);
    const values = (name: string, who: 'a' | 'b'): string[] =>
      ((data(name, who) as { result: Array<{ value: [number, string] }> }).result).map((r) => r.value[1]);

    expect(vectorLabels('query {__name__=~".+"}', 'b').map((m) => m['__name__']).sort()).toEqual(['b_metric', 'shared_metric']);
    expect(vectorLabels('query {__name__=~".+"}', 'a').map((m) => m['__name__']).sort()).toEqual(['a_secret_total', 'shared_metric']);
    expect(vectorLabels('query a_secret_total', 'b')).toEqual([]);
    expect(vectorLabels('query a_secret_total', 'a')).toHaveLength(1);
    expect(vectorLabels('query shared_metric', 'b')).toEqual([{ __name__: 'shared_metric', job: 'b-job', team: 'b' }]);
    expect(values('query count({__name__=~".+"})', 'b')).toEqual(['2']);
    expect(values('query absent(a_secret_total)', 'b')).toEqual(['1']);
    expect(values('query absent(a_secret_total)', 'a')).toEqual([]);
    expect((data('query_range a_secret_total', 'b') as { result: unknown[] }).result).toEqual([]);
    expect((data('query_range a_secret_total', 'a') as { result: unknown[] }).result).toHaveLength(1);

    expect((data('series {__name__=~".+"}', 'b') as Array<Record<string, string>>).map((s) => s['__name__']).sort()).toEqual(['b_metric', 'shared_metric']);
    expect(data('series a_secret_total', 'b')).toEqual([]);
    expect(data('series a_secret_total', 'a')).toHaveLength(1);
    expect(data('labels', 'b')).toEqual(['__name__', 'job', 'team']);
    expect(data('labels', 'a')).toEqual(['__name__', 'a_only_label', 'job', 'team']);
    expect(data('labels match', 'b')).toEqual(['__name__', 'job', 'team']);
    expect(data('label __name__ values', 'b')).toEqual(['b_metric', 'shared_metric']);
    expect(data('label a_only_label values', 'b')).toEqual([]);
    expect(data('label a_only_label values', 'a')).toEqual(['a-secret-value']);
    expect(data('label job values', 'b')).toEqual(['b-job']);
    expect(data('label team values', 'b')).toEqual(['b']);
    expect(data('label job values match', 'b')).toEqual(['b-job']);

    expect(Object.keys(data('metadata', 'b') as object).sort()).toEqual(['b_metric', 'shared_metric']);
    expect(Object.keys(data('metadata', 'a') as object).sort()).toEqual(['a_secret_total', 'shared_metric']);
    expect(data('metadata a_secret_total', 'b')).toEqual({});
    expect(data('metadata shared_metric', 'b')).toEqual({ shared_metric: [{ type: 'gauge', help: 'B help for shared', unit: '' }]});
    expect(data('query_exemplars', 'b')).toEqual([]);
  });

  it('formats queries the same for every tenant (format_query reads no data)', async () => {
    const params: QueryParams = [['query', 'sum(rate(a_secret_total{job="a-job"}[5m]))by(job)']];
    const a = await getJson(tessera.url, `${API}/format_query`, params, { tenant: A });
    const b = await getJson(tessera.url, `${API}/format_query`, params, { tenant: B });
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(b.body).toEqual({ status: 'success', data: 'sum by (job) (rate(a_secret_total{job="a-job"}[5m]))' });
  });

  it('refuses every endpoint without a tenant, revealing nothing', async () => {
    for (const p of PROBES) {
      const qs = new URLSearchParams(p.params as [string, string][]).toString();
      const res = await fetch(`${tessera.url}${p.path}${qs === '' ? '' : `?${qs}`}`);
      const text = await res.text();
      expect(res.status, p.name).toBe(401);
      expect(JSON.parse(text)).toMatchObject({ status: 'error', errorType: 'unauthorized' });
      for (const secret of [...A_SECRETS, 'b_metric', 'b-job', 'B help']) expect(text.includes(secret), `${p.name}: ${text}`).toBe(false);
    }
  });
});
