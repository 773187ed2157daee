/**
 * Differential test against a real Prometheus server: for each query, our parser's format_query
 * output (or parse error) must equal Prometheus's `/api/v1/format_query` answer.
 *
 * Needs a `prometheus` binary (PATH or $PROMETHEUS_BIN); skips with a notice when there is none,
 * and fails instead when TESSERA_REQUIRE_EXTERNAL=1. The queries avoid what changed between
 * Prometheus 2.4x and 3.5 (number printing with exponents, UTF-8 names, durations as numbers,
 * lexer messages inside brackets), so they hold for any recent server.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromQLParseError } from './errors.ts';
import { parseExpr } from './parser.ts';
import { formatExpr } from './prettier.ts';

const BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';
const available = spawnSync(BIN, ['--version']).status === 0;
const required = process.env.TESSERA_REQUIRE_EXTERNAL === '1';
if (!available && !required) {
  console.warn(`[skip] format.integration.test.ts: no "${BIN}" binary found; set PROMETHEUS_BIN to run it`);
}

const QUERIES = [
  'sum(rate(foo{a="b"}[5m] offset 1m)) by (job)',
  'foo{c="3", a="1", b=~"2"} @ 100 offset -5m',
  'a + on(x, y) group_left(z) b * ignoring(q) c',
  'a and b or c unless d > bool 1',
  '-1 ^ 2 - -3 * (4 % 5)',
  'topk(3, x) without (a, b)',
  'count_values("value", x)',
  'max_over_time(rate(x[1m])[1h:1m] @ end())',
  'label_replace(x, "dst", "$1", "src", "(.*)")',
  'histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket{job="apiserver", verb!="WATCH"}[5m])))',
  'sum by (cluster) (max by (cluster, instance) (rate(node_cpu_seconds_total{mode!="idle", cluster=~"prod-.*"}[5m])))',
  '-(sum by (job) (rate(http_requests_total{job="apiserver", handler="/api/v1/query", code=~"5.."}[5m])) + 1)',
  'sum by (job, instance) (rate(http_requests_total{job="apiserver"}[5m])) / on (job, instance) group_left (version) sum by (job, instance, version) (build_info)',
  '1 and 1', '1 == 1', 'foo{__name__="bar"}', '{x=""}', 'rate(some_metric)', 'floor()', 'topk(some_metric)',
  'sum (some_metric) without (test) by (test)', 'sum without(==)(some_metric)', 'foo + bool bar', '(1))',
  'some_metric OFFSET 1m[5m]', 'rate(some_metric[5m]) @ 1234', 'foo @ +Inf', 'non_existent_function()',
  'foo{__name__="bar" lol}', 'foo{a*"b"}', '"\\c"', '1 offset 1d', 'x[5m] + 1', '-"string"',
];

let server: ChildProcess | null = null;
let dir = '';
let base = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr !== null ? addr.port : 0));
    });
  });
}

describe.skipIf(!available && !required)('format_query matches a real Prometheus', () => {
  beforeAll(async () => {
    if (!available) throw new Error(`TESSERA_REQUIRE_EXTERNAL=1 but no "${BIN}" binary was found`);
    dir = mkdtempSync(path.join(tmpdir(), 'tessera-prom-'));
    writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\n');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(BIN, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${base}/-/ready`).then((r) => r.ok, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('prometheus did not become ready');
  });

  afterAll(() => {
    server?.kill();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it.each(QUERIES)('%s', async (q) => {
    const res = await fetch(`${base}/api/v1/format_query`, { method: 'POST', body: new URLSearchParams({ query: q }) });
    const body = (await res.json()) as { status: string; data?: string; error?: string };
    const theirs = body.status === 'success' ? body.data : `invalid parameter "query": ${body.error?.replace(/^invalid parameter "query": /, '')}`;
    let ours: string;
    try {
      ours = formatExpr(parseExpr(q));
    } catch (e) {
      if (!PromQLParseError.is(e)) throw e;
      ours = `invalid parameter "query": ${e.message}`;
    }
    expect(ours).toBe(theirs);
  });
});
