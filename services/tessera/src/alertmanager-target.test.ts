/**
 * `-target=alertmanager` (no ring needed) as a cluster's rulers reach it: configurations through
 * `/api/v1/alerts`, alerts posted by a ruler's alert sender to `-ruler.alertmanager-url` =
 * `<alertmanager>/alertmanager` with the tenant in X-Scope-OrgID, notifications to the webhook.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@tessera/server';
import { startTessera, type TesseraHandle } from './app.ts';
import { tesseraOptions } from './config.ts';
import { buildAlertSender, buildBase } from './modules.ts';

const logger = createLogger({ level: 'silent' });
const cleanup: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('the alertmanager target', () => {
  it('takes a ruler\'s alerts for a tenant and notifies its webhook', async () => {
    const bodies: { groupKey: string; alerts: { labels: Record<string, string> }[] }[] = [];
    const hook: Server = createServer((req, res) => {
      let t = '';
      req.on('data', (d: Buffer) => (t += d.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(t) as (typeof bodies)[number]);
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => hook.close(r)));
    const dataDir = mkdtempSync(join(tmpdir(), 'am-target-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));

    const config = loadConfig(tesseraOptions, ['-target=alertmanager', '-server.http-listen-address=127.0.0.1', '-server.http-listen-port=0', `-data.dir=${dataDir}`]);
    const am: TesseraHandle = await startTessera(config, { logger });
    cleanup.push(() => am.stop());
    const services = (await (await fetch(`${am.url}/services`)).json()) as { services: { name: string }[] };
    expect(services.services.map((s) => s.name)).toContain('alertmanager');

    const yaml = `alertmanager_config: |\n  route: { receiver: h, group_wait: 0s, group_by: [alertname] }\n  receivers: [{ name: h, webhook_configs: [{ url: 'http://127.0.0.1:${(hook.address() as AddressInfo).port}/' }] }]\n`;
    const post = await fetch(`${am.url}/api/v1/alerts`, { method: 'POST', headers: { 'X-Scope-OrgID': 'team-x', 'Content-Type': 'application/yaml' }, body: yaml });
    expect(post.status).toBe(201);

    // The sender of a ruler process configured with -ruler.alertmanager-url.
    const rulerConfig = loadConfig(tesseraOptions, ['-target=ruler', `-ruler.alertmanager-url=${am.url}/alertmanager`, `-data.dir=${dataDir}`]);
    const { sender, service } = buildAlertSender(buildBase(rulerConfig, logger), null);
    const now = Date.now();
    const alert = (tenant: string) => ({ labels: { alertname: 'Down', tenant }, annotations: {}, startsAt: new Date(now).toISOString(), endsAt: new Date(now + 60_000).toISOString(), generatorURL: '' });
    sender.send('team-x', [alert('team-x')]);
    sender.send('team-y', [alert('team-y')]); // no configuration: refused by the alertmanager (404), counted
    await service.stop();

    for (let i = 0; i < 100 && bodies.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(bodies.map((b) => [b.groupKey, b.alerts.map((a) => a.labels['tenant'])])).toEqual([['{}:{alertname="Down"}', ['team-x']]]);
    const listed = (await (await fetch(`${am.url}/alertmanager/api/v2/alerts`, { headers: { 'X-Scope-OrgID': 'team-x' } })).json()) as unknown[];
    expect(listed).toHaveLength(1);
  });
});
