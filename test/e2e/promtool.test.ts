/**
 * Real client: Debian's `promtool` (2.42) runs `query instant`, `query range`, `query series` and
 * `query labels` against Tessera's Prometheus API (the URL carries the `/prometheus` prefix) and
 * prints what it parsed; the printed values, labels and series must be those pushed.
 *
 * promtool 2.42 has no `--http.config.file` and only `query range` takes `--header`, but Go's HTTP
 * client sends the user and password of the URL (`http://user:pw@host/…`) as basic auth on every
 * request. So besides a Tessera with `-auth.enabled=false` (tenant `anonymous`), a second one with
 * a tenants file is queried by all four commands through URL credentials, and by `query range`
 * with a bearer token and with `X-Scope-OrgID` given as `--header`.
 *
 * Skipped with a notice when promtool is absent, unless TESSERA_REQUIRE_EXTERNAL=1.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, push, removeDir, startInProcess, writeTempFile, type InProcessTessera, type PushSeries } from './helpers.ts';
import { REQUIRE_EXTERNAL, findExecutable } from './process-helpers.ts';

const PROMTOOL = findExecutable('promtool');
if (PROMTOOL === null && !REQUIRE_EXTERNAL) {
  console.warn('[e2e] promtool not found on PATH: skipping the promtool query tests');
}

const MIN = 60_000;
/** First sample: a whole minute half an hour ago, plus 250ms so no sample sits on a step. */
const T0 = Math.floor(Date.now() / MIN) * MIN - 30 * MIN + 250;
const SCRAPE = 15_000;
const N = 120;
const at = (k: number): number => T0 + k * SCRAPE;
const samples = (f: (k: number) => number): [number, number][] => Array.from({ length: N }, (_, k) => [at(k), f(k)]);

type LabelSet = Record<string, string>;
const REQ = 'promtool_requests_total';
const TEMP = 'promtool_temperature_celsius';
/** Counters grow by `slope` per scrape, so `rate` is slope/15 everywhere. */
const COUNTERS: { labels: LabelSet; slope: number }[] = [
  { labels: { __name__: REQ, job: 'api', instance: 'a:9090', code: '200' }, slope: 5 },
  { labels: { __name__: REQ, job: 'api', instance: 'a:9090', code: '500' }, slope: 1 },
  { labels: { __name__: REQ, job: 'web', instance: 'b:9090', code: '200' }, slope: 2 },
];
const kitchen = (k: number): number => 20 + (k % 4) * 0.25;
const DATA: PushSeries[] = [
  ...COUNTERS.map((c) => ({ labels: c.labels, samples: samples((k) => c.slope * k) })),
  { labels: { __name__: TEMP, room: 'kitchen' }, samples: samples(kitchen) },
  { labels: { __name__: TEMP, room: 'cellar' }, samples: samples(() => 12.5) },
  // Only in the first two minutes: outside a later series/labels time range.
  { labels: { __name__: 'promtool_old_metric', job: 'batch' }, samples: [[at(0), 1], [at(8), 2]] },
];

/** Runs promtool; resolves with its exit code and output (never rejects on a non-zero exit). */
function promtool(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (PROMTOOL === null) throw new Error('TESSERA_REQUIRE_EXTERNAL=1 but promtool is not on PATH');
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the Tessera under test serves from this very event loop.
    execFile(PROMTOOL, args, { timeout: 15_000, env: { PATH: process.env.PATH ?? '' } }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') reject(err);
      else resolve({ code: err === null ? 0 : (err.code as number), stdout, stderr });
    });
  });
}

/** Runs promtool and returns stdout, failing with its stderr when it did not exit 0. */
async function ok(args: readonly string[]): Promise<string> {
  const r = await promtool(args);
  expect(r.code, `promtool ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

/** How promtool (Go's model.Metric) prints a label set: name first, then `k="v"` sorted, ", "-joined. */
function metricText(l: LabelSet): string {
  const { __name__: name, ...rest } = l;
  const pairs = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`);
  return `${name ?? ''}{${pairs.join(', ')}}`;
}

/** Parses promtool's text form of a vector: `metric => value @[ts]` per line. */
function parseVector(out: string): { metric: string; value: number; ts: number }[] {
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const m = /^(.*) => (\S+) @\[([\d.]+)\]$/.exec(line);
      if (m === null) throw new Error(`not a vector line: ${line}`);
      return { metric: m[1]!, value: Number(m[2]), ts: Number(m[3]) };
    });
}

/** Parses promtool's text form of a matrix: `metric =>` then `value @[ts]` lines, per series. */
function parseMatrix(out: string): Map<string, [number, number][]> {
  const series = new Map<string, [number, number][]>();
  let cur: [number, number][] | undefined;
  for (const line of out.trim().split('\n')) {
    const head = /^(.*) =>$/.exec(line);
    if (head !== null) {
      cur = [];
      series.set(head[1]!, cur);
      continue;
    }
    const p = /^(\S+) @\[([\d.]+)\]$/.exec(line);
    if (p === null || cur === undefined) throw new Error(`not a matrix line: ${line}`);
    cur.push([Number(p[2]), Number(p[1])]);
  }
  return series;
}

const lines = (out: string): string[] => out.trim().split('\n');
const secs = (ms: number): string => String(ms / 1000);

describe.skipIf(PROMTOOL === null && !REQUIRE_EXTERNAL)('promtool query against Tessera', () => {
  let dir: string;
  let open: InProcessTessera;
  let url: string;

  beforeAll(async () => {
    dir = await makeTempDir('tessera-e2e-promtool-');
    open = await startInProcess([], { dataDir: join(dir, 'open'), authEnabled: false });
    url = `${open.url}/prometheus`;
    const res = await push(open.url, DATA);
    expect(res.status, res.text).toBe(200);
  });

  afterAll(async () => {
    await open?.stop();
    await removeDir(dir);
  });

  it('query instant: every series with the value current at --time (Unix seconds and RFC 3339)', async () => {
    const t = at(100) + 5_000; // latest samples: k = 100
    const expected = [...COUNTERS.map((c) => ({ metric: metricText(c.labels), value: c.slope * 100, ts: t / 1000 }))].sort((a, b) =>
      a.metric < b.metric ? -1 : 1,
    );
    const got = parseVector(await ok(['query', 'instant', `--time=${secs(t)}`, url, REQ]));
    expect([...got].sort((a, b) => (a.metric < b.metric ? -1 : 1))).toEqual(expected);

    const rfc = parseVector(await ok(['query', 'instant', `--time=${new Date(t).toISOString()}`, url, `${TEMP}{room="kitchen"}`]));
    expect(rfc).toEqual([{ metric: metricText({ __name__: TEMP, room: 'kitchen' }), value: kitchen(100), ts: t / 1000 }]);
  });

  it('query instant -o json: the vector exactly, values as strings', async () => {
    const t = at(40) + 1_000;
    const out = await ok(['query', 'instant', '-o', 'json', `--time=${secs(t)}`, url, `sum by (job) (${REQ})`]);
    const parsed = JSON.parse(out) as unknown[];
    expect(parsed).toEqual([
      { metric: { job: 'api' }, value: [t / 1000, String(6 * 40)] },
      { metric: { job: 'web' }, value: [t / 1000, String(2 * 40)] },
    ]);
  });

  it('query instant: a scalar, and the health-check style 1+1 at Unix second 4', async () => {
    expect(await ok(['query', 'instant', '--time=4', url, '1+1'])).toBe('scalar: 2 @[4]\n');
    const t = at(60) + 2_000;
    expect(await ok(['query', 'instant', `--time=${secs(t)}`, url, `scalar(sum(${REQ}))`])).toBe(`scalar: ${8 * 60} @[${t / 1000}]\n`);
  });

  it('query range: rate per job at start + k·step, both in the text and the JSON output', async () => {
    const start = Math.floor(at(20) / MIN) * MIN + MIN; // whole minutes, all inside the data
    const end = start + 10 * MIN;
    const expr = `sum by (job) (rate(${REQ}[2m]))`;
    const args = ['query', 'range', `--start=${new Date(start).toISOString()}`, `--end=${secs(end)}`, '--step=1m', url, expr];
    const got = parseMatrix(await ok(args));
    expect([...got.keys()]).toEqual(['{job="api"}', '{job="web"}']);
    const grid = Array.from({ length: 11 }, (_, i) => (start + i * MIN) / 1000);
    for (const [metric, rate] of [['{job="api"}', 6 / 15], ['{job="web"}', 2 / 15]] as const) {
      const points = got.get(metric)!;
      expect(points.map(([ts]) => ts)).toEqual(grid);
      for (const [, v] of points) expect(v).toBeCloseTo(rate, 12);
    }

    const json = JSON.parse(await ok(['query', 'range', '-o', 'json', `--start=${secs(start)}`, `--end=${secs(end)}`, '--step=5m', url, `${TEMP}{room="cellar"}`]));
    expect(json).toEqual([
      { metric: { __name__: TEMP, room: 'cellar' }, values: [0, 5, 10].map((m) => [(start + m * MIN) / 1000, '12.5']) },
    ]);
  });

  it('defaults: instant at "now" and range over the last 5 minutes, times sent with nanosecond fractions', async () => {
    const before = Date.now();
    const [v] = parseVector(await ok(['query', 'instant', url, 'vector(1)']));
    expect(v!.metric).toBe('{}');
    expect(v!.ts * 1000).toBeGreaterThanOrEqual(before - 1);
    expect(v!.ts * 1000).toBeLessThanOrEqual(Date.now());
    expect(Math.round(v!.ts * 1000) / 1000).toBe(v!.ts); // evaluated at whole milliseconds
    const range = parseMatrix(await ok(['query', 'range', url, 'vector(2)']));
    const points = range.get('{}')!;
    expect(points.length).toBeGreaterThan(100);
    expect(points.every(([, x]) => x === 2)).toBe(true);
    expect(points.at(-1)![0] - points[0]![0]).toBeGreaterThan(299);
  });

  it('query series: label sets of every --match, limited by --start/--end', async () => {
    const all = lines(await ok(['query', 'series', `--match=${REQ}{job="api"}`, '--match=promtool_old_metric', url]));
    expect(all.sort()).toEqual(
      [...COUNTERS.filter((c) => c.labels.job === 'api').map((c) => c.labels), { __name__: 'promtool_old_metric', job: 'batch' }]
        .map((l) => `{${Object.keys(l).sort().map((k) => `${k}=${JSON.stringify(l[k])}`).join(', ')}}`)
        .sort(),
    );
    // From the 10th minute on, the old series has no samples.
    const later = lines(await ok(['query', 'series', '--match={__name__=~"promtool_.+"}', `--start=${secs(at(40))}`, `--end=${secs(at(N - 1))}`, url]));
    expect(later.some((l) => l.includes('promtool_old_metric'))).toBe(false);
    expect(later).toHaveLength(COUNTERS.length + 2);
  });

  it('query labels: the values of a label, with --match and without', async () => {
    expect(lines(await ok(['query', 'labels', url, 'job']))).toEqual(['api', 'batch', 'web']);
    expect(lines(await ok(['query', 'labels', `--match=${TEMP}`, url, 'room']))).toEqual(['cellar', 'kitchen']);
    expect(lines(await ok(['query', 'labels', url, '__name__']))).toEqual(['promtool_old_metric', REQ, TEMP]);
  });

  it('reports Prometheus errors as promtool prints them: errorType and message, exit code 1', async () => {
    const parse = await promtool(['query', 'instant', url, 'rate(']);
    expect(parse.code).toBe(1);
    expect(parse.stderr).toMatch(/^query error: bad_data: invalid parameter "query": 1:6: parse error: /);
    const exec = await promtool(['query', 'instant', url, `${REQ} + on(job) ${REQ}`]);
    expect(exec.code).toBe(1);
    expect(exec.stderr).toMatch(/^query error: execution: found duplicate series for the match group/);
  });
});

describe.skipIf(PROMTOOL === null && !REQUIRE_EXTERNAL)('promtool query with authentication', () => {
  let dir: string;
  let server: InProcessTessera;
  let header: InProcessTessera;
  const A = { __name__: 'auth_probe', team: 'a' };
  const B = { __name__: 'auth_probe', team: 'b' };
  const userUrl = (user: string, pw: string): string => `http://${user}:${encodeURIComponent(pw)}@127.0.0.1:${server.port}/prometheus`;

  beforeAll(async () => {
    dir = await makeTempDir('tessera-e2e-promtool-auth-');
    const file = await writeTempFile(
      dir,
      'tenants.yaml',
      ['tenants:', '  team-a:', '    bearer_tokens: ["tok-a-71x"]', '    basic_auth: [{username: alice, password: "pw-a"}]', '  team-b:', '    bearer_tokens: ["tok-b-93q"]', ''].join('\n'),
    );
    server = await startInProcess([`-auth.tenants-file=${file}`, '-querier.query-workers=1'], { dataDir: join(dir, 'files') });
    header = await startInProcess(['-querier.query-workers=1'], { dataDir: join(dir, 'header') });
    for (const [t, auth, labels] of [[server, 'Bearer tok-a-71x', A], [server, 'Bearer tok-b-93q', B]] as const) {
      const res = await push(t.url, [{ labels, samples: samples((k) => k) }], { headers: { Authorization: auth } });
      expect(res.status, res.text).toBe(200);
    }
    const res = await push(header.url, [{ labels: B, samples: samples(() => 7) }], { tenant: 'team-x' });
    expect(res.status, res.text).toBe(200);
  });

  afterAll(async () => {
    await server?.stop();
    await header?.stop();
    await removeDir(dir);
  });

  it('basic auth in the URL: all four commands see the credentials\' tenant only', async () => {
    const u = userUrl('alice', 'pw-a');
    const t = at(50) + 1_000;
    expect(parseVector(await ok(['query', 'instant', `--time=${secs(t)}`, u, 'auth_probe']))).toEqual([
      { metric: metricText(A), value: 50, ts: t / 1000 },
    ]);
    const range = parseMatrix(await ok(['query', 'range', `--start=${secs(t)}`, `--end=${secs(t + MIN)}`, '--step=30s', u, 'auth_probe']));
    expect([...range.keys()]).toEqual([metricText(A)]);
    expect(range.get(metricText(A))!.map(([, v]) => v)).toEqual([50, 52, 54]);
    expect(lines(await ok(['query', 'series', '--match=auth_probe', u]))).toEqual(['{__name__="auth_probe", team="a"}']);
    expect(lines(await ok(['query', 'labels', u, 'team']))).toEqual(['a']);
  });

  it('wrong credentials get 401 and no data', async () => {
    const r = await promtool(['query', 'instant', userUrl('alice', 'wrong'), 'auth_probe']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/401/);
    expect(r.stderr).not.toMatch(/team-a|team-b/);
  });

  it('query range --header: a bearer token, or X-Scope-OrgID without a tenants file', async () => {
    const t = at(50) + 1_000;
    const window = [`--start=${secs(t)}`, `--end=${secs(t + MIN)}`, '--step=1m'];
    const noCreds = `http://127.0.0.1:${server.port}/prometheus`;
    const bearer = parseMatrix(await ok(['query', 'range', '--header=Authorization=Bearer tok-b-93q', ...window, noCreds, 'auth_probe']));
    expect([...bearer.entries()]).toEqual([[metricText(B), [[t / 1000, 50], [(t + MIN) / 1000, 54]]]]);

    const org = parseMatrix(await ok(['query', 'range', '--header=X-Scope-OrgID=team-x', ...window, `${header.url}/prometheus`, 'auth_probe']));
    expect([...org.entries()]).toEqual([[metricText(B), [[t / 1000, 7], [(t + MIN) / 1000, 7]]]]);
    // Without the header that server knows no tenant.
    const none = await promtool(['query', 'range', ...window, `${header.url}/prometheus`, 'auth_probe']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/401/);
  });
});
