/**
 * The rule state APIs against Debian's Prometheus: the same rule group runs in a real Prometheus
 * (rule file) and in Tessera (uploaded through the config API); `/api/v1/rules` and
 * `/api/v1/alerts` must answer the same JSON, key order included, apart from evaluation times and
 * durations (checked for their format only) and the group's `file` (a path in Prometheus, the
 * namespace in Tessera). The group covers recording and alerting rules, firing, pending and
 * inactive alerts, `keep_firing_for`, rendered templates, a template error, evaluation errors
 * (health `err` with Prometheus's `lastError`) and expressions shown in canonical form. The
 * series written (ALERTS, ALERTS_FOR_STATE, the recorded series) must have the same label sets
 * and values.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChildRun, REPO_ROOT, REQUIRE_EXTERNAL, findExecutable, freePort, killAllChildren, spawnTessera, tempDir, waitFor } from './process-helpers.ts';

const PROMETHEUS = findExecutable('/usr/bin/prometheus') ?? findExecutable('prometheus');
const TENANT = 'parity';

const GROUP = `name: parity
interval: 1s
rules:
  - record: r:one
    expr: vector(1)
    labels:
      src: x
  - record: r:dup
    expr: label_replace(vector(1), "x", "1", "", "") or label_replace(vector(2), "x", "2", "", "")
    labels:
      x: same
  - alert: AlwaysOn
    expr: vector(1.5)    >    1
    keep_firing_for: 1m
    labels:
      severity: page
      doubled: "{{ $value }}{{ $value }}"
    annotations:
      summary: "value {{ $value | humanize }} {{ $labels.severity }}"
      broken: "{{ \\"x\\" | humanizeDuration }}"
  - alert: Pending
    expr: sum by (job) (label_replace(vector(2), "job", "api", "", "")) > 1
    for: 1h
  - alert: Never
    expr: vector(0) > 1
  - alert: Dup
    expr: label_replace(vector(1), "a", "1", "", "") or label_replace(vector(2), "a", "2", "", "")
    labels:
      a: fixed
`;

type Json = Record<string, unknown>;

/** Replaces the volatile values by placeholders, after checking their format. */
function normalize(body: Json): Json {
  return JSON.parse(JSON.stringify(body), (key, value: unknown) => {
    if (key === 'lastEvaluation' || key === 'activeAt') {
      expect(value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      return '<time>';
    }
    if (key === 'evaluationTime') {
      expect(typeof value).toBe('number');
      return '<duration>';
    }
    if (key === 'file') return '<file>';
    return value;
  }) as Json;
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<Json> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

const suite = PROMETHEUS === null && !REQUIRE_EXTERNAL ? describe.skip : describe;
if (PROMETHEUS === null && !REQUIRE_EXTERNAL) {
  console.warn('[ruler-prometheus-parity.test] SKIPPED: prometheus not found (set TESSERA_REQUIRE_EXTERNAL=1 to fail instead)');
}

suite('rule state APIs: Tessera vs Prometheus', () => {
  const dirs: { remove(): void }[] = [];
  afterAll(async () => {
    await killAllChildren();
    for (const d of dirs) d.remove();
  });

  it('answers api/v1/rules and api/v1/alerts like Prometheus', { timeout: 90_000 }, async () => {
    expect(PROMETHEUS, 'prometheus is required (TESSERA_REQUIRE_EXTERNAL=1)').not.toBeNull();
    const tmp = tempDir('tessera-e2e-rules-parity-');
    dirs.push(tmp);
    writeFileSync(join(tmp.path, 'rules.yml'), `groups:\n${GROUP.replace(/^(?=.)/gm, '    ').replace(/^ {4}name:/, '  - name:')}`);
    writeFileSync(join(tmp.path, 'prometheus.yml'), 'global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n');
    const promPort = await freePort();
    const prom = new ChildRun(
      'prometheus',
      PROMETHEUS!,
      [`--config.file=${join(tmp.path, 'prometheus.yml')}`, `--web.listen-address=127.0.0.1:${promPort}`, `--storage.tsdb.path=${join(tmp.path, 'prom-data')}`],
      REPO_ROOT,
    );
    const promUrl = `http://127.0.0.1:${promPort}`;
    const tessera = await spawnTessera({ dataDir: join(tmp.path, 'tessera'), args: ['-ruler.poll-interval=1s', '-querier.query-workers=0'], logLevel: 'warn' });
    const res = await fetch(`${tessera.url}/prometheus/config/v1/rules/ns`, { method: 'POST', headers: { 'X-Scope-OrgID': TENANT }, body: GROUP });
    expect(res.status, await res.text()).toBe(202);

    // Both have evaluated a few times (AlwaysOn fires from its first evaluation on).
    const rulesOf = async (url: string, headers: Record<string, string> = {}): Promise<Json> => getJson(`${url}/api/v1/rules`, headers);
    const firing = (b: Json): boolean => JSON.stringify(b).includes('"state":"firing"');
    await waitFor('Prometheus evaluated the rules', 30_000, async () => (firing(await rulesOf(promUrl).catch(() => ({}))) ? true : undefined), 200);
    await waitFor('Tessera evaluated the rules', 30_000, async () => (firing(await rulesOf(`${tessera.url}/prometheus`, { 'X-Scope-OrgID': TENANT })) ? true : undefined), 200);
    await new Promise((r) => setTimeout(r, 2500));

    const promRules = normalize(await rulesOf(promUrl));
    const ourRules = normalize(await rulesOf(`${tessera.url}/prometheus`, { 'X-Scope-OrgID': TENANT }));
    expect(JSON.stringify(ourRules, null, 1)).toBe(JSON.stringify(promRules, null, 1));

    const promAlerts = normalize(await getJson(`${promUrl}/api/v1/alerts`));
    const ourAlerts = normalize(await getJson(`${tessera.url}/prometheus/api/v1/alerts`, { 'X-Scope-OrgID': TENANT }));
    expect(JSON.stringify(ourAlerts, null, 1)).toBe(JSON.stringify(promAlerts, null, 1));

    // The series the rules wrote: the same label sets (and values, but the times of ALERTS_FOR_STATE).
    const series = async (url: string, query: string, headers: Record<string, string> = {}): Promise<string[]> => {
      const body = (await getJson(`${url}/api/v1/query?query=${encodeURIComponent(query)}`, headers)) as { data: { result: { metric: Json; value: [number, string] }[] } };
      return body.data.result.map((r) => JSON.stringify([r.metric, query.startsWith('ALERTS_FOR_STATE') ? '<time>' : r.value[1]])).sort();
    };
    for (const q of ['ALERTS', 'ALERTS_FOR_STATE', '{__name__=~"r:.*"}']) {
      expect(await series(`${tessera.url}/prometheus`, q, { 'X-Scope-OrgID': TENANT }), q).toEqual(await series(promUrl, q));
    }
    await prom.stop();
  });
});
