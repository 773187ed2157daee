/**
 * End-to-end: notifications through the real `tessera` command (`-target=all`). A tenant uploads
 * an Alertmanager configuration (`POST /api/v1/alerts`: a route grouping by alertname and job, a
 * webhook receiver with basic auth) and a rule group; pushed data crosses the threshold for two
 * instances; a webhook server in the test receives ONE firing notification holding both alerts
 * (Alertmanager's webhook body, grouped), then, when the data drops, the resolved one. The
 * recording rule's series is queryable, and the notifications are counted in /metrics.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiData, freePort, makeTempDir, metricValue, push, removeDir, spawnCli, waitReady, type CliProcess } from './helpers.ts';

const TENANT = 'team-notify';

const RULES = `name: load
interval: 1s
rules:
  - record: job:load:max
    expr: max by (job) (load)
  - alert: HighLoad
    expr: load > 10
    for: 1s
    labels:
      severity: page
    annotations:
      summary: "{{ $labels.instance }} load is {{ $value }}"
`;

const amConfig = (hook: string): string => `
template_files:
  notes.tmpl: '{{ define "x" }}x{{ end }}'
alertmanager_config: |
  route:
    receiver: nobody
    group_by: [alertname]
    group_wait: 2s
    group_interval: 2s
    repeat_interval: 1h
    routes:
      - matchers: ['severity="page"']
        receiver: hook
        group_by: [alertname, job]
  receivers:
    - name: nobody
    - name: hook
      webhook_configs:
        - url: ${hook}
          http_config:
            basic_auth: { username: tessera, password: hunter2 }
`;

interface Body {
  version: string;
  groupKey: string;
  truncatedAlerts: number;
  status: string;
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; generatorURL: string; fingerprint: string }[];
}

let dir: string;
let proc: CliProcess;
let url: string;
let hook: Server;
let hookUrl: string;
const received: { headers: IncomingHttpHeaders; body: Body }[] = [];
let loads = { a: 5, b: 5 };
let stopPushing = false;
let pusher: Promise<void>;

async function waitUntil<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms; received ${JSON.stringify(received.map((r) => r.body))}\n${proc.stderr().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  hook = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) as Body });
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/notify`;
  dir = await makeTempDir('tessera-notify-');
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  proc = spawnCli([
    '-server.http-listen-address=127.0.0.1',
    `-server.http-listen-port=${port}`,
    `-data.dir=${dir}`,
    '-querier.query-workers=0',
    '-ruler.poll-interval=1s',
    '-ruler.resend-delay=1s',
    '-ruler.external.url=http://tessera.example',
    '-alertmanager.web.external-url=http://tessera.example/alertmanager',
    '-log.level=warn',
  ]);
  await waitReady(url, proc, 20_000);
  pusher = (async () => {
    while (!stopPushing) {
      const now = Date.now();
      await push(url, [
        { labels: { __name__: 'load', job: 'api', instance: 'a' }, samples: [[now, loads.a]] },
        { labels: { __name__: 'load', job: 'api', instance: 'b' }, samples: [[now, loads.b]] },
      ], { tenant: TENANT }).catch(() => {});
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
}, 30_000);

afterAll(async () => {
  stopPushing = true;
  await pusher;
  await proc?.kill();
  await new Promise((r) => hook?.close(r));
  if (dir !== undefined) await removeDir(dir);
});

describe('notifications end to end', () => {
  it('stores the Alertmanager configuration, refusing an invalid one with 400', async () => {
    const headers = { 'X-Scope-OrgID': TENANT, 'Content-Type': 'application/yaml' };
    const bad = await fetch(`${url}/api/v1/alerts`, { method: 'POST', headers, body: amConfig(hookUrl).replace('receiver: hook', 'receiver: nope') });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('undefined receiver "nope" used in route');
    const none = await fetch(`${url}/api/v1/alerts`, { headers });
    expect(none.status).toBe(404);
    const ok = await fetch(`${url}/api/v1/alerts`, { method: 'POST', headers, body: amConfig(hookUrl) });
    expect(ok.status).toBe(201);
    const back = await fetch(`${url}/api/v1/alerts`, { headers });
    expect(back.status).toBe(200);
    const text = await back.text();
    expect(text).toContain('alertmanager_config:');
    expect(text).toContain(hookUrl);
    expect(text).toContain('notes.tmpl');
    const rules = await fetch(`${url}/prometheus/config/v1/rules/ns`, { method: 'POST', headers, body: RULES });
    expect(rules.status).toBe(202);
  });

  it('records the rule series', async () => {
    const v = await waitUntil('recorded series', 15_000, async () => {
      const d = await apiData<{ result: { value: [number, string] }[] }>(url, '/prometheus/api/v1/query', [['query', 'job:load:max']], { tenant: TENANT });
      return d.result[0];
    });
    expect(v.value[1]).toBe('5');
  });

  it('sends one firing notification grouping both instances', async () => {
    loads = { a: 20, b: 30 };
    const first = await waitUntil('firing notification', 20_000, () => received.find((r) => r.body.status === 'firing'));
    // Both alerts fire together (for: 1s) and group_wait gathers them into one notification.
    await waitUntil('both alerts', 10_000, () => received.find((r) => r.body.status === 'firing' && r.body.alerts.length === 2));
    const body = received.find((r) => r.body.status === 'firing' && r.body.alerts.length === 2)!.body;
    expect(first.headers['authorization']).toBe(`Basic ${Buffer.from('tessera:hunter2').toString('base64')}`);
    expect(first.headers['content-type']).toBe('application/json');
    expect(body).toMatchObject({
      version: '4',
      receiver: 'hook',
      status: 'firing',
      groupKey: '{}/{severity="page"}:{alertname="HighLoad", job="api"}',
      groupLabels: { alertname: 'HighLoad', job: 'api' },
      commonLabels: { alertname: 'HighLoad', job: 'api', severity: 'page' },
      commonAnnotations: {},
      externalURL: 'http://tessera.example/alertmanager',
      truncatedAlerts: 0,
    });
    expect(Object.keys(body)).toEqual(['receiver', 'status', 'alerts', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'version', 'groupKey', 'truncatedAlerts']);
    expect(body.alerts.map((a) => [a.status, a.labels['instance'], a.annotations['summary'], a.endsAt])).toEqual([
      ['firing', 'a', 'a load is 20', '0001-01-01T00:00:00Z'],
      ['firing', 'b', 'b load is 30', '0001-01-01T00:00:00Z'],
    ]);
    for (const a of body.alerts) {
      expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(a.generatorURL).toMatch(/^http:\/\/tessera\.example\//);
      expect(Date.now() - Date.parse(a.startsAt)).toBeLessThan(60_000);
    }
    // Nothing goes to the root route's receiver (it has no integrations) and no repeats within the hour.
    await new Promise((r) => setTimeout(r, 3000));
    expect(received.filter((r) => r.body.status === 'firing')).toHaveLength(1);
  });

  it('sends the resolved notification when the data drops', async () => {
    loads = { a: 1, b: 1 };
    const resolved = await waitUntil('resolved notification', 30_000, () => received.find((r) => r.body.status === 'resolved'));
    expect(resolved.body.groupKey).toBe('{}/{severity="page"}:{alertname="HighLoad", job="api"}');
    expect(resolved.body.alerts.map((a) => [a.status, a.labels['instance']])).toEqual([
      ['resolved', 'a'],
      ['resolved', 'b'],
    ]);
    for (const a of resolved.body.alerts) expect(Date.parse(a.endsAt)).toBeGreaterThan(Date.parse(a.startsAt));
    expect(await metricValue(url, 'tessera_alertmanager_notifications_total', { tenant: TENANT, integration: 'webhook' })).toBeGreaterThanOrEqual(2);
    expect(await metricValue(url, 'tessera_alertmanager_notifications_failed_total', { tenant: TENANT, integration: 'webhook' }).catch(() => 0)).toBe(0);
  });

  it('deletes the configuration', async () => {
    const del = await fetch(`${url}/api/v1/alerts`, { method: 'DELETE', headers: { 'X-Scope-OrgID': TENANT } });
    expect(del.status).toBe(200);
    expect((await fetch(`${url}/api/v1/alerts`, { headers: { 'X-Scope-OrgID': TENANT } })).status).toBe(404);
  });
});
