/**
 * Same answers as Prometheus: one dataset (parity-dataset.ts: ~145 series of counters with
 * resets, gauges, a classic histogram, NaN values, series ending in stale markers and series that
 * just stop) is remote-written to an in-process Tessera and to Debian's Prometheus 2.42; then
 * 131 PromQL expressions run through both HTTP APIs as instant queries (three times each) and,
 * where the type allows, range queries (517 pairs), and every pair of answers must agree (parity-compare.ts: same result type, label
 * sets, timestamps, values within 1e-9 relative, and order where the query sorts).
 *
 * Prometheus 2.42 differs from 3.x (which Tessera follows) in ways this test steers around rather
 * than normalises (one exception below):
 * - Range windows (and the lookback) are left-closed in 2.42, left-open in 3.x: no sample ever sits
 *   on a window edge (see parity-dataset.ts), and subquery ranges are never a multiple of their
 *   step, so no inner evaluation point sits on the subquery's left edge either.
 * - `holt_winters` became `double_exponential_smoothing` and experimental: not queried. Nor are
 *   functions new in 3.x (`sort_by_label`, `limitk`, `mad_over_time`, `info`...).
 * - Regex `.` matches newlines in 3.x only: no label value holds a newline.
 * - `warnings`/`infos`: 3.x annotates more (e.g. "metric might not be a counter"); not compared.
 * - topk/bottomk ties may pick different series: the data has no ties where they are used.
 * - rate()'s zero-point limit combines with the half-interval rule differently since 2.51
 *   (prometheus/prometheus#13725) when a counter starts inside the window close to zero: every
 *   counter starts large (see parity-dataset.ts).
 * - Query-parameter error texts differ (3.x prefixes range-query parse errors with `invalid
 *   parameter "query"`): for errors only `errorType` and the status are compared.
 *
 * One documented normalisation, per query (`dropPromName`): `atan2` keeps the metric name in
 * 2.42 and drops it since 2.47 like every arithmetic operator (prometheus/prometheus#12595); for
 * that query only, `__name__` is removed from Prometheus's answer before comparing, so Tessera's
 * answer must have no `__name__` and otherwise equal labels and values.
 *
 * Each disagreement is printed with the query and both answers' differences. Skipped with a
 * notice when /usr/bin/prometheus is absent, unless TESSERA_REQUIRE_EXTERNAL=1.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snappyCompress } from '@tessera/remotewrite';
import { getJson, postFormJson, pushBody, startInProcess, type InProcessTessera, type QueryParams } from './helpers.ts';
import { ChildRun, REPO_ROOT, REQUIRE_EXTERNAL, findExecutable, freePort, killAllChildren, tempDir, waitFor } from './process-helpers.ts';
import { buildDataset, encodeWriteRequestSlice, SCRAPE_MS, SCRAPES } from './parity-dataset.ts';
import { diffAnswers, type ApiAnswer } from './parity-compare.ts';

const PROMETHEUS = findExecutable('/usr/bin/prometheus') ?? findExecutable('prometheus');
if (PROMETHEUS === null && !REQUIRE_EXTERNAL) {
  console.warn('[e2e] /usr/bin/prometheus not found: skipping the Prometheus parity test');
}

const TENANT = 'parity';
const MIN = 60_000;
/** The first scrape's slot: a whole minute, 50 minutes ago (all data within Prometheus's head). */
const BASE = Math.floor((Date.now() - 50 * MIN) / MIN) * MIN;
/** Instant query times: early, mid-run, and after the last scrape (series ending by lookback). */
const INSTANT_TIMES = [BASE + 12 * MIN, BASE + 30 * MIN, BASE + 47 * MIN];
/** Range queries: 45 minutes, from before the data's fifth minute to after its end. */
const RANGE_START = BASE + 4 * MIN;
const RANGE_END = BASE + 49 * MIN;
const AT = (BASE + 20 * MIN) / 1000;

/** One expression of the parity suite. */
interface ParityQuery {
  expr: string;
  /** Run as a range query too (needs a scalar or instant-vector expression); default true. */
  range?: boolean;
  /** Step of the range query in ms; default 60 s. A multiple of 15 s, or 60 s with subqueries. */
  stepMs?: number;
  /** The instant answer's order matters (the outermost call sorts). */
  ordered?: boolean;
  /** Remove `__name__` from Prometheus's answer first (see the file comment: atan2 only). */
  dropPromName?: boolean;
}

const Q = (expr: string, opts: Omit<ParityQuery, 'expr'> = {}): ParityQuery => ({ expr, ...opts });
const MATRIX = { range: false } as const;

const QUERIES: ParityQuery[] = [
  // Selectors: every matcher type, offset (both signs), @, staleness, NaN, ended series.
  Q('http_requests_total', { stepMs: 15_000 }),
  Q('http_requests_total{method="GET"}'),
  Q('http_requests_total{code!="200"}', { stepMs: 45_000 }),
  Q('http_requests_total{instance=~"api-[13]"}'),
  Q('http_requests_total{code!~"2..",method=~"GET|POST"}'),
  Q('{__name__=~"rpc_duration_seconds_(sum|count)",service="a"}'),
  Q('node_memory_free_bytes offset 5m'),
  Q('node_memory_free_bytes offset -2m'),
  Q(`node_memory_free_bytes @ ${AT}`),
  Q('node_memory_free_bytes @ start()'),
  Q('node_memory_free_bytes @ end() offset 3m'),
  Q('flappy_up', { stepMs: 15_000 }),
  Q('batch_processed_total', { stepMs: 30_000 }),
  Q('room_temperature_celsius', { stepMs: 15_000 }),
  Q('http_requests_total{instance="api-1",method="GET",code="200"}[3m]', MATRIX),
  Q('flappy_up[10m]', MATRIX),
  Q('room_temperature_celsius[2m]', MATRIX),
  Q('node_memory_free_bytes[1m] offset 2m', MATRIX),
  Q('rate(http_requests_total{code="500"}[5m])[10m30s:1m]', MATRIX),
  // Counters and gauges over windows.
  Q('rate(http_requests_total[5m])'),
  Q('irate(http_requests_total[2m])', { stepMs: 30_000 }),
  Q('increase(http_requests_total[10m])'),
  Q('rate(rpc_duration_seconds_count[1m])', { stepMs: 15_000 }),
  Q('delta(node_memory_free_bytes[5m])'),
  Q('idelta(room_temperature_celsius[2m])'),
  Q('deriv(node_memory_free_bytes[10m])'),
  Q('predict_linear(node_memory_free_bytes[10m], 3600)'),
  Q('resets(http_requests_total[30m])'),
  Q('changes(flappy_up[15m])'),
  Q('rate(batch_processed_total[5m])'),
  Q('rate(node_cpu_seconds_total{mode="idle"}[1m])'),
  // *_over_time.
  Q('avg_over_time(node_memory_free_bytes[5m])'),
  Q('min_over_time(room_temperature_celsius[10m])'),
  Q('max_over_time(room_temperature_celsius[10m])'),
  Q('sum_over_time(http_requests_total{code="404"}[3m])'),
  Q('count_over_time(flappy_up[10m])'),
  Q('quantile_over_time(0.9, node_memory_free_bytes[15m])'),
  Q('quantile_over_time(0.25, room_temperature_celsius[15m])'),
  Q('stddev_over_time(node_memory_free_bytes[10m])'),
  Q('stdvar_over_time(node_cpu_seconds_total{mode="user"}[10m])'),
  Q('last_over_time(flappy_up[10m])'),
  Q('present_over_time(batch_processed_total[10m])'),
  Q('absent_over_time(nonexistent_metric{job="x"}[5m])'),
  Q('absent_over_time(flappy_up{instance="b-0"}[5m])'),
  // Aggregations.
  Q('sum by (code) (rate(http_requests_total[5m]))'),
  Q('avg without (instance) (http_requests_total)'),
  Q('count by (__name__) ({job="batch"})'),
  Q('min by (method) (http_requests_total)'),
  Q('max without (mode) (node_cpu_seconds_total)'),
  Q('topk(3, node_memory_free_bytes)'),
  Q('bottomk by (method) (2, rate(http_requests_total[5m]))'),
  Q('quantile by (method) (0.75, rate(http_requests_total[5m]))'),
  Q('count_values("value", flappy_up)'),
  Q('count_values by (job) ("v", build_info)'),
  Q('stddev by (job) (node_memory_free_bytes)'),
  Q('stdvar(rate(node_cpu_seconds_total[5m]))'),
  Q('group by (instance) (http_requests_total)'),
  Q('sum without (le) (rpc_duration_seconds_bucket)'),
  Q('avg(room_temperature_celsius)'),
  // Binary operators.
  Q('node_memory_free_bytes / 1024 / 1024'),
  Q('2 * http_requests_total - 1'),
  Q('-node_memory_free_bytes % 7'),
  Q('node_cpu_seconds_total{mode="user"} ^ 0.5'),
  Q('room_temperature_celsius atan2 10', { dropPromName: true }),
  Q('ceil(room_temperature_celsius / 100)'),
  Q('sum by (instance, method) (rate(http_requests_total{code="500"}[5m])) / on (instance, method) sum by (instance, method) (rate(http_requests_total[5m]))'),
  Q('rate(http_requests_total[5m]) / ignoring (code) group_left sum without (code) (rate(http_requests_total[5m]))'),
  Q('http_requests_total * on (instance) group_left (version) build_info'),
  Q('build_info * on (instance) group_right (version) http_requests_total{method="GET"}'),
  Q('node_memory_free_bytes > 5e8'),
  Q('node_memory_free_bytes > bool 5e8'),
  Q('node_memory_free_bytes offset 1m < node_memory_free_bytes'),
  Q('rate(http_requests_total[5m]) >= bool on (instance, method, code) rate(http_requests_total[5m] offset 5m)'),
  Q('room_temperature_celsius != 0'),
  Q('room_temperature_celsius == bool room_temperature_celsius'),
  Q('http_requests_total and http_requests_total{code="200"}'),
  Q('http_requests_total{code="500"} or on (instance) build_info'),
  Q('http_requests_total unless on (method) http_requests_total{method="GET"}'),
  Q('flappy_up or batch_processed_total'),
  Q('1 + 2 * 3 ^ 2 % 5'),
  Q('http_requests_total + on (instance) http_requests_total', { range: false }),
  // Histograms.
  Q('histogram_quantile(0.9, rate(rpc_duration_seconds_bucket[5m]))'),
  Q('histogram_quantile(0.5, sum by (le, service) (rate(rpc_duration_seconds_bucket[5m])))'),
  Q('histogram_quantile(0.99, sum by (le) (increase(rpc_duration_seconds_bucket[10m])))'),
  Q('rate(rpc_duration_seconds_sum[5m]) / rate(rpc_duration_seconds_count[5m])'),
  // Labels, sorting, absence.
  Q('label_replace(http_requests_total, "status_class", "${1}xx", "code", "(.).*")'),
  Q('label_replace(node_memory_free_bytes, "host", "$1", "instance", "node-(\\\\d+)")'),
  Q('label_join(node_memory_free_bytes, "id", "-", "job", "instance")'),
  Q('label_replace(http_requests_total, "instance", "all", "instance", ".*")', { range: false }),
  Q('sort(node_memory_free_bytes)', { ordered: true }),
  Q('sort_desc(sum by (instance) (rate(http_requests_total[5m])))', { ordered: true }),
  Q('sort(rate(node_cpu_seconds_total[5m]))', { ordered: true }),
  Q('sort_desc(room_temperature_celsius)', { ordered: true }),
  Q('sort(room_temperature_celsius)', { ordered: true }),
  Q('topk(2, room_temperature_celsius)'),
  Q('quantile(0.5, room_temperature_celsius)'),
  Q('stddev(room_temperature_celsius)'),
  Q('deriv(room_temperature_celsius[10m])'),
  Q('label_replace(node_memory_free_bytes, "__name__", "renamed_$1", "instance", "node-(.*)")'),
  Q('count by (le) (rpc_duration_seconds_bucket)'),
  Q('sum(rate(http_requests_total[5m])) by (code) > 1'),
  Q('rate(http_requests_total{code="200"}[5m] @ end())'),
  Q('timestamp(node_memory_free_bytes offset 5m)'),
  Q('absent(nonexistent{job="x",env=~"p.*"})'),
  Q('absent(http_requests_total)'),
  Q('absent(flappy_up{instance="b-0"})'),
  // Subqueries (ranges never a multiple of their step).
  Q('max_over_time(rate(http_requests_total[1m])[5m30s:1m])'),
  Q('avg_over_time(sum(node_memory_free_bytes)[10m15s:30s])'),
  Q('min_over_time(deriv(node_memory_free_bytes[5m])[20m10s:2m])'),
  Q('sum_over_time(flappy_up[7m30s:])'),
  Q('quantile_over_time(0.5, rate(http_requests_total[2m])[10m10s:15s])'),
  // Time and scalar functions.
  Q('time()'),
  Q('vector(time())'),
  Q('minute()'),
  Q('hour(timestamp(node_memory_free_bytes))'),
  Q('day_of_week(vector(time()))'),
  Q('days_in_month()'),
  Q('timestamp(flappy_up)'),
  Q('scalar(sum(node_memory_free_bytes))'),
  Q('scalar(http_requests_total)'),
  Q('vector(1) + scalar(count(build_info))'),
  // Math.
  Q('clamp(room_temperature_celsius, 0, 20)'),
  Q('clamp_min(room_temperature_celsius, 5)'),
  Q('clamp_max(room_temperature_celsius, 5)'),
  Q('round(node_memory_free_bytes / 1e6, 0.5)'),
  Q('abs(room_temperature_celsius)'),
  Q('ceil(room_temperature_celsius) - floor(room_temperature_celsius)'),
  Q('sqrt(node_cpu_seconds_total{mode="system"})'),
  Q('ln(node_memory_free_bytes) + log2(node_memory_free_bytes) - log10(node_memory_free_bytes)'),
  Q('exp(room_temperature_celsius / 10)'),
  Q('sgn(room_temperature_celsius)'),
];

const secs = (ms: number): string => String(ms / 1000);

interface Comparison {
  label: string;
  ordered: boolean;
  prom: ApiAnswer;
  tess: ApiAnswer;
}

/** `answer` with `__name__` removed from every series (the `dropPromName` normalisation). */
function withoutName(answer: ApiAnswer): ApiAnswer {
  const result = (answer.body as { data?: { result?: unknown } } | undefined)?.data?.result;
  if (Array.isArray(result)) for (const s of result as Array<{ metric?: Record<string, string> }>) delete s.metric?.['__name__'];
  return answer;
}

describe.skipIf(PROMETHEUS === null && !REQUIRE_EXTERNAL)('PromQL answers agree with Prometheus 2.42', () => {
  let tessera: InProcessTessera;
  let prom: ChildRun;
  let promUrl = '';
  let dir: { path: string; remove(): void } | undefined;
  const dataset = buildDataset(BASE);

  beforeAll(async () => {
    if (PROMETHEUS === null) throw new Error('TESSERA_REQUIRE_EXTERNAL=1 but /usr/bin/prometheus is absent');
    dir = tempDir('tessera-parity-');
    const port = await freePort();
    const config = join(dir.path, 'prometheus.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
    prom = new ChildRun('prometheus', PROMETHEUS, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir.path, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ], REPO_ROOT);
    promUrl = `http://127.0.0.1:${port}`;
    tessera = await startInProcess([], { dataDir: join(dir.path, 'tessera-data') });
    await waitFor('Prometheus /-/ready', 20_000, async () => {
      if (prom.status !== null) throw new Error(`prometheus exited: ${prom.tail()}`);
      const res = await fetch(`${promUrl}/-/ready`);
      await res.arrayBuffer();
      return res.status === 200 ? true : undefined;
    });
    // In time order, five minutes of scrapes per request: Prometheus refuses samples more than an
    // hour older than its newest, and both refuse out-of-order ones.
    for (let from = BASE; from < BASE + SCRAPES * SCRAPE_MS; from += 20 * SCRAPE_MS) {
      const body = snappyCompress(encodeWriteRequestSlice(dataset, from, from + 20 * SCRAPE_MS));
      const [p, t] = await Promise.all([pushBody(promUrl, body, { path: '/api/v1/write' }), pushBody(tessera.url, body, { tenant: TENANT })]);
      if (p.status >= 300) throw new Error(`Prometheus refused a push: ${p.status} ${p.text}\n${prom.tail()}`);
      if (t.status >= 300) throw new Error(`Tessera refused a push: ${t.status} ${t.text}`);
    }
  });

  afterAll(async () => {
    await tessera?.stop();
    await killAllChildren();
    dir?.remove();
  });

  it('both hold every series of the dataset', async () => {
    const params: QueryParams = [['match[]', '{__name__=~".+"}'], ['start', secs(BASE)], ['end', secs(RANGE_END)]];
    const p = await getJson<{ data: unknown[] }>(promUrl, '/api/v1/series', params);
    const t = await getJson<{ data: unknown[] }>(tessera.url, '/prometheus/api/v1/series', params, { tenant: TENANT });
    expect(p.body.data).toHaveLength(dataset.length);
    expect(t.body.data).toHaveLength(dataset.length);
    expect(dataset.length).toBeGreaterThanOrEqual(100);
  });

  it('answers every query as Prometheus does', { timeout: 120_000 }, async () => {
    const comparisons: Comparison[] = [];
    let n = 0;
    for (const q of QUERIES) {
      for (const time of INSTANT_TIMES) {
        const params: QueryParams = [['query', q.expr], ['time', secs(time)]];
        // Tessera alternately by GET and by POST form: both must answer the same.
        const tessAsk = n++ % 2 === 0 ? getJson : postFormJson;
        const [prom, tess] = await Promise.all([
          getJson(promUrl, '/api/v1/query', params),
          tessAsk(tessera.url, '/prometheus/api/v1/query', params, { tenant: TENANT }),
        ]);
        if (q.dropPromName === true) withoutName(prom);
        comparisons.push({ label: `${q.expr}  [instant @${secs(time)} = base+${(time - BASE) / MIN}m]`, ordered: q.ordered === true, prom, tess });
      }
      if (q.range !== false) {
        const step = q.stepMs ?? 60_000;
        const params: QueryParams = [['query', q.expr], ['start', secs(RANGE_START)], ['end', secs(RANGE_END)], ['step', secs(step)]];
        const [prom, tess] = await Promise.all([
          getJson(promUrl, '/api/v1/query_range', params),
          postFormJson(tessera.url, '/prometheus/api/v1/query_range', params, { tenant: TENANT }),
        ]);
        if (q.dropPromName === true) withoutName(prom);
        comparisons.push({ label: `${q.expr}  [range step=${step / 1000}s]`, ordered: false, prom, tess });
      }
    }

    const report: string[] = [];
    let nonEmpty = 0;
    for (const c of comparisons) {
      const diffs = diffAnswers(c.prom, c.tess, c.ordered);
      if (diffs.length > 0) report.push(`✗ ${c.label}\n  ${diffs.slice(0, 8).join('\n  ')}${diffs.length > 8 ? `\n  … ${diffs.length - 8} more` : ''}`);
      const data = (c.prom.body as { data?: { result?: unknown } } | undefined)?.data;
      if (data !== undefined && (!Array.isArray(data.result) || data.result.length > 0)) nonEmpty++;
    }
    console.log(`[parity] base ${BASE / 1000}: ${comparisons.length} query pairs compared (${QUERIES.length} expressions), ${report.length} disagreements, ${nonEmpty} non-empty answers`);
    if (report.length > 0) console.log(`[parity] disagreements:\n${report.join('\n')}`);
    expect(comparisons.length).toBeGreaterThanOrEqual(50);
    // Guard against agreeing on nothing: most answers must hold data.
    expect(nonEmpty).toBeGreaterThan(comparisons.length * 0.8);
    expect(report).toEqual([]);
  });
});
