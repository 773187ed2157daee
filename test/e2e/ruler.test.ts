/**
 * End-to-end: rules and alerts through the real `tessera` command (`-target=all`). A tenant
 * uploads a rule group through the config API; pushed data crosses a threshold; the recording
 * rule's series becomes queryable, the alert goes pending then firing in `/api/v1/alerts` with
 * its rendered labels and annotations, ALERTS is queryable, `/api/v1/rules` shows health and
 * state, and the alert resolves when the data drops. Another tenant sees none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiData, freePort, getJson, makeTempDir, push, removeDir, spawnCli, waitReady, type CliProcess } from './helpers.ts';

const TENANT = 'team-rules';
const GROUP = `name: load
interval: 1s
rules:
  - record: job:load:max
    expr: max by (job) (load)
    labels:
      source: ruler
  - alert: HighLoad
    expr: job:load:max > 10
    for: 2s
    labels:
      severity: page
      team: "{{ $labels.job }}-oncall"
    annotations:
      summary: "{{ $labels.job }} load is {{ $value }}"
      description: 'value {{ printf "%.1f" $value }} on {{ $externalURL }}'
`;

interface AlertJson {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt: string;
  value: string;
}
interface RuleJson {
  name: string;
  type: string;
  health: string;
  state?: string;
  lastError?: string;
  alerts?: AlertJson[];
  lastEvaluation: string;
}
interface GroupJson {
  name: string;
  file: string;
  interval: number;
  rules: RuleJson[];
}

let dir: string;
let proc: CliProcess;
let url: string;
let stopPushing = false;
let loadValue = 5;
let pusher: Promise<void>;

async function waitUntil<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms${last === undefined ? '' : ` (${String(last)})`}\n${proc.stderr().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const alerts = (): Promise<{ alerts: AlertJson[] }> => apiData(url, '/prometheus/api/v1/alerts', [], { tenant: TENANT });

let args: string[];

beforeAll(async () => {
  dir = await makeTempDir('tessera-ruler-');
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  args = [
    '-server.http-listen-address=127.0.0.1',
    `-server.http-listen-port=${port}`,
    `-data.dir=${dir}`,
    '-querier.query-workers=0',
    '-ruler.poll-interval=1s',
    '-ruler.resend-delay=1s',
    '-ruler.for-grace-period=0s',
    '-ruler.external.url=http://tessera.example',
    '-log.level=warn',
  ];
  proc = spawnCli(args);
  await waitReady(url, proc, 20_000);
  // The load series, pushed every 250 ms with the current value.
  pusher = (async () => {
    while (!stopPushing) {
      await push(url, [{ labels: { __name__: 'load', job: 'api', instance: 'a' }, samples: [[Date.now(), loadValue]] }], { tenant: TENANT }).catch(() => {});
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
}, 30_000);

afterAll(async () => {
  stopPushing = true;
  await pusher;
  await proc?.kill();
  if (dir !== undefined) await removeDir(dir);
});

describe('ruler end to end', () => {
  it('accepts the rule group through the config API', async () => {
    const res = await fetch(`${url}/prometheus/config/v1/rules/team-ns`, { method: 'POST', headers: { 'X-Scope-OrgID': TENANT, 'Content-Type': 'application/yaml' }, body: GROUP });
    expect(res.status).toBe(202);
    const back = await fetch(`${url}/prometheus/config/v1/rules/team-ns/load`, { headers: { 'X-Scope-OrgID': TENANT } });
    expect(back.status).toBe(200);
    expect(await back.text()).toContain('HighLoad');
  });

  it('evaluates the recording rule into a queryable series', async () => {
    const v = await waitUntil('recorded series', 15_000, async () => {
      const data = await apiData<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(url, '/prometheus/api/v1/query', [['query', 'job:load:max']], { tenant: TENANT });
      return data.result[0];
    });
    expect(v.metric).toEqual({ __name__: 'job:load:max', job: 'api', source: 'ruler' });
    expect(v.value[1]).toBe('5');
    const groups = await apiData<{ groups: GroupJson[] }>(url, '/prometheus/api/v1/rules', [], { tenant: TENANT });
    expect(groups.groups).toHaveLength(1);
    const g = groups.groups[0]!;
    expect(g).toMatchObject({ name: 'load', file: 'team-ns', interval: 1 });
    expect(g.rules.map((r) => [r.name, r.type, r.health])).toEqual([
      ['job:load:max', 'recording', 'ok'],
      ['HighLoad', 'alerting', 'ok'],
    ]);
    expect(g.rules[1]!.state).toBe('inactive');
  });

  it('fires the alert after `for` once the data crosses the threshold, with rendered labels and annotations', async () => {
    loadValue = 20;
    const pending = await waitUntil('pending alert', 15_000, async () => (await alerts()).alerts.find((a) => a.state === 'pending'));
    expect(pending.labels).toEqual({ alertname: 'HighLoad', job: 'api', severity: 'page', source: 'ruler', team: 'api-oncall' });
    const firing = await waitUntil('firing alert', 15_000, async () => (await alerts()).alerts.find((a) => a.state === 'firing'));
    expect(firing.annotations).toEqual({ summary: 'api load is 20', description: 'value 20.0 on http://tessera.example' });
    expect(firing.value).toBe('2e+01');
    expect(Date.parse(firing.activeAt)).toBe(Date.parse(pending.activeAt));
    const rules = await apiData<{ groups: GroupJson[] }>(url, '/prometheus/api/v1/rules', [['type', 'alert']], { tenant: TENANT });
    expect(rules.groups[0]!.rules).toHaveLength(1);
    expect(rules.groups[0]!.rules[0]!).toMatchObject({ name: 'HighLoad', state: 'firing', health: 'ok' });
    expect(rules.groups[0]!.rules[0]!.alerts![0]!.state).toBe('firing');
    const series = await waitUntil('ALERTS series', 10_000, async () => {
      const data = await apiData<{ result: { metric: Record<string, string> }[] }>(url, '/prometheus/api/v1/query', [['query', 'ALERTS{alertstate="firing"}']], { tenant: TENANT });
      return data.result[0];
    });
    expect(series.metric).toEqual({ __name__: 'ALERTS', alertname: 'HighLoad', alertstate: 'firing', job: 'api', severity: 'page', source: 'ruler', team: 'api-oncall' });
  });

  it('keeps tenants apart', async () => {
    const other = await apiData<{ groups: GroupJson[] }>(url, '/prometheus/api/v1/rules', [], { tenant: 'someone-else' });
    expect(other.groups).toEqual([]);
    const otherAlerts = await apiData<{ alerts: AlertJson[] }>(url, '/prometheus/api/v1/alerts', [], { tenant: 'someone-else' });
    expect(otherAlerts.alerts).toEqual([]);
    const noTenant = await getJson(url, '/prometheus/api/v1/alerts');
    expect(noTenant.status).toBe(401);
  });

  it('resolves the alert when the data drops, and stops evaluating a deleted group', async () => {
    loadValue = 1;
    await waitUntil('alert resolved', 15_000, async () => ((await alerts()).alerts.length === 0 ? true : undefined));
    const del = await fetch(`${url}/prometheus/config/v1/rules/team-ns/load`, { method: 'DELETE', headers: { 'X-Scope-OrgID': TENANT } });
    expect(del.status).toBe(202);
    await waitUntil('group gone', 5_000, async () => {
      const d = await apiData<{ groups: GroupJson[] }>(url, '/prometheus/api/v1/rules', [], { tenant: TENANT });
      return d.groups.length === 0 ? true : undefined;
    });
    // The recorded series ends with a staleness marker: an instant query no longer returns it.
    await waitUntil('recorded series stale', 5_000, async () => {
      const data = await apiData<{ result: unknown[] }>(url, '/prometheus/api/v1/query', [['query', 'job:load:max']], { tenant: TENANT });
      return data.result.length === 0 ? true : undefined;
    });
  });

  it('restores the `for` state of a pending alert after a restart', { timeout: 60_000 }, async () => {
    const slow = 'name: slow\ninterval: 1s\nrules:\n  - alert: SlowBurn\n    expr: load > 10\n    for: 1h\n';
    const res = await fetch(`${url}/prometheus/config/v1/rules/team-ns`, { method: 'POST', headers: { 'X-Scope-OrgID': TENANT }, body: slow });
    expect(res.status).toBe(202);
    loadValue = 20;
    const before = await waitUntil('SlowBurn pending', 15_000, async () => (await alerts()).alerts.find((a) => a.labels.alertname === 'SlowBurn'));
    // Pending for 10 s, then a clean restart on the same data directory.
    await new Promise((r) => setTimeout(r, 10_000));
    proc.child.kill('SIGTERM');
    await proc.exited;
    proc = spawnCli(args);
    await waitReady(url, proc, 20_000);
    const after = await waitUntil('SlowBurn pending again', 15_000, async () => {
      const a = (await alerts()).alerts.find((x) => x.labels.alertname === 'SlowBurn');
      if (a === undefined) return undefined;
      const groups = await apiData<{ groups: { name: string; lastEvaluation: string }[] }>(url, '/prometheus/api/v1/rules', [['rule_group[]', 'slow']], { tenant: TENANT });
      return { alert: a, lastEvaluation: Date.parse(groups.groups[0]!.lastEvaluation) };
    });
    // Not restored, the alert would be active since the first evaluation after the restart;
    // restored, it keeps the ~10 s it had spent pending (the outage itself does not count).
    expect(after.alert.state).toBe('pending');
    expect(Date.parse(after.alert.activeAt)).toBeLessThanOrEqual(after.lastEvaluation - 7_000);
    expect(Date.parse(after.alert.activeAt)).toBeGreaterThan(Date.parse(before.activeAt));
  });
});
