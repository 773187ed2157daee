import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { FilesystemBucket } from '@tessera/objstore';
import { createHttpServer, createLogger } from '@tessera/server';
import { AlertmanagerConfigStore } from './config-store.ts';
import { MultitenantAlertmanager } from './multitenant.ts';
import { registerAlertmanagerRoutes } from './routes.ts';
import { TesseraAlertSender } from './sender.ts';

const CONFIG = `alertmanager_config: |
  route:
    receiver: hook
    group_by: [alertname]
  receivers:
    - name: hook
      webhook_configs: [{ url: 'http://127.0.0.1:9/hook' }]
`;

let dir: string;
let bucket: FilesystemBucket;
let app: FastifyInstance;
let am: MultitenantAlertmanager;
const logger = createLogger({ level: 'error' });

function build(): MultitenantAlertmanager {
  return new MultitenantAlertmanager({ pollIntervalMs: 60_000, externalURL: () => 'http://x' }, { store: new AlertmanagerConfigStore(bucket), logger, registry: new Registry() });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'am-routes-'));
  bucket = new FilesystemBucket(dir);
  am = build();
  await am.start();
  app = createHttpServer({ logger, registry: new Registry(), bodyLimitBytes: 1 << 20 });
  registerAlertmanagerRoutes(app, am, { authEnabled: true });
});

afterEach(async () => {
  await app.close();
  await am.stop();
  await bucket.close();
  rmSync(dir, { recursive: true, force: true });
});

const req = (method: 'GET' | 'POST' | 'DELETE', url: string, tenant: string | null, payload?: string, type = 'application/yaml') =>
  app.inject({ method, url, headers: { ...(tenant === null ? {} : { 'x-scope-orgid': tenant }), ...(payload === undefined ? {} : { 'content-type': type }) }, ...(payload === undefined ? {} : { payload }) });

describe('/api/v1/alerts', () => {
  it('stores, returns and deletes a tenant\'s configuration, in the bucket under alertmanager/<tenant>', async () => {
    expect((await req('GET', '/api/v1/alerts', 't1')).statusCode).toBe(404);
    const post = await req('POST', '/api/v1/alerts', 't1', CONFIG);
    expect(post.statusCode).toBe(201);
    expect(await bucket.exists('alertmanager/t1')).toBe(true);
    const get = await req('GET', '/api/v1/alerts', 't1');
    expect(get.statusCode).toBe(200);
    expect(get.body).toContain('receiver: hook');
    expect((await req('GET', '/api/v1/alerts', 't2')).statusCode).toBe(404);
    expect(am.has('t1')).toBe(true);
    expect((await req('DELETE', '/api/v1/alerts', 't1')).statusCode).toBe(200);
    expect(am.has('t1')).toBe(false);
    expect(await bucket.exists('alertmanager/t1')).toBe(false);
  });

  it('answers 400 with the problem, as plain text, and keeps the previous configuration', async () => {
    await req('POST', '/api/v1/alerts', 't1', CONFIG);
    const bad = await req('POST', '/api/v1/alerts', 't1', CONFIG.replace('receiver: hook', 'receiver: nope'));
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toBe('error validating Alertmanager config: undefined receiver "nope" used in route\n');
    expect((await req('GET', '/api/v1/alerts', 't1')).body).toContain('receiver: hook');
  });

  it('accepts JSON bodies too (JSON is YAML)', async () => {
    const json = JSON.stringify({ alertmanager_config: 'route: { receiver: r }\nreceivers: [{ name: r }]\n' });
    expect((await req('POST', '/api/v1/alerts', 't1', json, 'application/json')).statusCode).toBe(201);
  });

  it('requires a tenant', async () => {
    expect((await req('GET', '/api/v1/alerts', null)).statusCode).toBe(401);
    expect((await req('POST', '/api/v1/alerts', null, CONFIG)).statusCode).toBe(401);
  });

  it('picks up configurations stored through another process at the next poll', async () => {
    const other = build();
    await other.start();
    await req('POST', '/api/v1/alerts', 't1', CONFIG);
    expect(other.has('t1')).toBe(false);
    await other.sync();
    expect(other.has('t1')).toBe(true);
    await req('DELETE', '/api/v1/alerts', 't1');
    await other.sync();
    expect(other.has('t1')).toBe(false);
    await other.stop();
  });
});

describe('/alertmanager/api/v2/alerts', () => {
  it('takes alerts for a configured tenant and lists them', async () => {
    const alerts = JSON.stringify([{ labels: { alertname: 'A', job: 'j' }, annotations: { s: 'x' }, generatorURL: 'http://g' }]);
    expect((await req('POST', '/alertmanager/api/v2/alerts', 't1', alerts, 'application/json')).statusCode).toBe(404);
    await req('POST', '/api/v1/alerts', 't1', CONFIG);
    expect((await req('POST', '/alertmanager/api/v2/alerts', 't1', alerts, 'application/json')).statusCode).toBe(200);
    const list = await req('GET', '/alertmanager/api/v2/alerts', 't1');
    const got = list.json() as { labels: Record<string, string>; receivers: { name: string }[]; status: { state: string } }[];
    expect(got.map((a) => [a.labels, a.receivers, a.status.state])).toEqual([[{ alertname: 'A', job: 'j' }, [{ name: 'hook' }], 'active']]);
    const bad = await req('POST', '/alertmanager/api/v2/alerts', 't1', JSON.stringify([{ labels: {} }]), 'application/json');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('at least one label pair required');
  });

  it('receives the ruler\'s alerts through the AlertSender for tenants with a configuration only', async () => {
    await req('POST', '/api/v1/alerts', 't1', CONFIG);
    const sender = new TesseraAlertSender({ builtin: am, external: null, logger });
    const a = { labels: { alertname: 'R' }, annotations: {}, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 60_000).toISOString(), generatorURL: '' };
    sender.send('t1', [a]);
    sender.send('t2', [a]);
    expect(am.listAlerts('t1')!.map((x) => x.labels['alertname'])).toEqual(['R']);
    expect(am.listAlerts('t2')).toBeNull();
  });
});
