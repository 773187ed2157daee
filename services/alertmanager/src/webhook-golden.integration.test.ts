/**
 * Golden comparison with the real Alertmanager (Debian's prometheus-alertmanager 0.25): the same
 * configuration and the same alerts given to it and to Tessera's; the webhook bodies must be
 * equal (the JSON text, key order included), and so must the alerts listed by the v2 API.
 * Skipped with a notice without the binary; failing instead when TESSERA_REQUIRE_EXTERNAL=1.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@tessera/server';
import { systemClock } from './clock.ts';
import { parseAlertmanagerConfig } from './config.ts';
import { alertmanagerMetrics } from './metrics.ts';
import { alertmanagerAvailable, ALERTMANAGER_BIN, startRealAlertmanager, type RealAlertmanager } from './real-alertmanager.ts';
import { TenantAlertmanager } from './tenant-alertmanager.ts';

const available = alertmanagerAvailable();
const required = process.env['TESSERA_REQUIRE_EXTERNAL'] === '1';
if (!available && !required) console.warn(`[alertmanager] ${ALERTMANAGER_BIN} not found: skipping the golden comparison with the real Alertmanager`);

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const config = (hook: string): string => `
route:
  receiver: main
  group_by: [alertname, team]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - matchers: ['severity=~"critical|page"']
      receiver: main
      group_by: [alertname]
receivers:
  - name: main
    webhook_configs:
      - url: ${hook}
        max_alerts: 3
        http_config:
          basic_auth: { username: am, password: 's3cret' }
inhibit_rules:
  - source_matchers: [severity="page"]
    target_matchers: [severity="critical"]
    equal: [team]
`;

describe.skipIf(!available && !required)('webhook bodies equal the real Alertmanager\'s', () => {
  let server: Server;
  const received: Received[] = [];
  let real: RealAlertmanager;
  let ours: TenantAlertmanager;
  let hookBase = '';

  beforeAll(async () => {
    if (!available) throw new Error(`TESSERA_REQUIRE_EXTERNAL=1 but ${ALERTMANAGER_BIN} is missing`);
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    hookBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    real = await startRealAlertmanager(config(`${hookBase}/real`));
    ours = new TenantAlertmanager(parseAlertmanagerConfig(config(`${hookBase}/ours`)), {
      tenant: 'golden',
      clock: systemClock,
      metrics: alertmanagerMetrics(new Registry()),
      logger: createLogger({ level: 'error' }),
      externalURL: () => real.url,
    });
  });

  afterAll(async () => {
    ours?.stop();
    await real?.stop();
    await new Promise((r) => server?.close(r));
  });

  const post = async (alerts: unknown[]): Promise<void> => {
    const res = await fetch(`${real.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    expect(res.status, await res.text()).toBe(200);
    expect(ours.receive(alerts as never)).toEqual([]);
  };

  const bodies = async (path: string, n: number): Promise<string[]> => {
    const deadline = Date.now() + 15_000;
    while (received.filter((r) => r.path === path).length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return received.filter((r) => r.path === path).map((r) => r.body);
  };

  const sortByKey = (list: string[]): string[] => list.sort((a, b) => (JSON.parse(a).groupKey < JSON.parse(b).groupKey ? -1 : 1));

  it('firing, grouped, truncated, inhibited, then resolved: byte-equal bodies', async () => {
    const now = Date.now();
    const iso = (ms: number): string => new Date(ms).toISOString();
    const gen = 'http://ruler.example/graph?g0.expr=up+%3D%3D+0&g0.tab=1';
    const alerts = [
      { labels: { alertname: 'Down', team: 'db', instance: 'db-2:9100', job: 'node' }, annotations: { summary: 'db-2 is down', runbook: 'https://r.example/down' }, startsAt: iso(now - 600_000), endsAt: iso(now + 240_000), generatorURL: gen },
      { labels: { alertname: 'Down', team: 'db', instance: 'db-1:9100', job: 'node' }, annotations: { summary: 'db-1 is down', runbook: 'https://r.example/down' }, startsAt: iso(now - 601_234), endsAt: iso(now + 240_000), generatorURL: gen },
      { labels: { alertname: 'Down', team: 'db', instance: 'db-0:9100' }, annotations: { summary: 'db-0 "quoted" \u00e9' }, startsAt: iso(now - 700_000), endsAt: iso(now - 5_000), generatorURL: gen },
      { labels: { alertname: 'Down', team: 'db', instance: 'db-3:9100', job: 'aaa' }, annotations: { summary: 'db-3' }, startsAt: iso(now - 600_000), endsAt: iso(now + 240_000), generatorURL: gen },
      { labels: { alertname: 'Disk', team: 'web', severity: 'critical' }, annotations: {}, startsAt: iso(now - 600_000), endsAt: iso(now + 240_000), generatorURL: '' },
      { labels: { alertname: 'Disk', team: 'ops', severity: 'critical' }, annotations: { a: '1' }, startsAt: iso(now - 600_000), endsAt: iso(now + 240_000), generatorURL: '' },
      { labels: { alertname: 'Pager', team: 'ops', severity: 'page' }, annotations: {}, startsAt: iso(now - 600_000), endsAt: iso(now + 240_000), generatorURL: '' },
    ];
    // The inhibiting alert first (Alertmanager's inhibitor learns of alerts asynchronously).
    await post(alerts.slice(6));
    expect(await bodies('/real', 1)).toEqual(await bodies('/ours', 1));
    await new Promise((r) => setTimeout(r, 300));
    await post(alerts.slice(0, 6));
    // Two groups: Disk (its team=ops alert muted by Pager) and Down/db; Pager did not change.
    const realFirst = sortByKey((await bodies('/real', 3)).slice(1));
    const oursFirst = sortByKey((await bodies('/ours', 3)).slice(1));
    expect(realFirst).toHaveLength(2);
    expect(realFirst.join()).not.toContain('"annotations":{"a":"1"}'); // Disk of team ops: muted by Pager
    expect(oursFirst).toEqual(realFirst);

    // Same headers where they matter.
    const rh = received.find((r) => r.path === '/real')!.headers;
    const oh = received.find((r) => r.path === '/ours')!.headers;
    expect(oh['authorization']).toBe(rh['authorization']);
    expect(oh['content-type']).toBe(rh['content-type']);

    // The v2 API lists the same alerts (updatedAt aside: each stamps its own arrival).
    const realList = (await (await fetch(`${real.url}/api/v2/alerts`)).json()) as Record<string, unknown>[];
    const strip = (l: Record<string, unknown>[]): string => JSON.stringify(l.map(({ updatedAt: _u, ...rest }) => rest).sort((a, b) => ((a['fingerprint'] as string) < (b['fingerprint'] as string) ? -1 : 1)));
    expect(strip(ours.listAlerts() as unknown as Record<string, unknown>[])).toBe(strip(realList));

    // Resolve one alert of the db group: the next tick notifies the group again.
    const resolvedAt = Date.now();
    await post([{ ...alerts[1]!, endsAt: iso(resolvedAt) }]);
    const realSecond = (await bodies('/real', 4)).slice(3);
    const oursSecond = (await bodies('/ours', 4)).slice(3);
    expect(realSecond).toHaveLength(1);
    expect(oursSecond).toEqual(realSecond);
  }, 40_000);
});
