import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@tessera/server';
import { alertsEndpoint, ExternalNotifier, MAX_BATCH_SIZE, splitUrls } from './external-notifier.ts';
import { senderMetrics } from './metrics.ts';

interface Req {
  path: string;
  headers: IncomingHttpHeaders;
  alerts: { labels: Record<string, string> }[];
}

async function receiver(status = 200, delayMs = 0) {
  const got: Req[] = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, alerts: JSON.parse(body) as Req['alerts'] });
      setTimeout(() => {
        res.statusCode = status;
        res.end();
      }, delayMs);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, got, close: () => new Promise((r) => srv.close(r)) };
}

const alert = (i: number) => ({ labels: { alertname: 'A', i: String(i) }, annotations: {}, startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-01-01T00:04:00Z', generatorURL: '' });

function notifier(urls: Record<string, string[]>, capacity = 10_000) {
  const registry = new Registry();
  const n = new ExternalNotifier(
    { queueCapacity: capacity, timeoutMs: 2000, urls: (t) => urls[t] ?? [] },
    { metrics: senderMetrics(registry, capacity), logger: createLogger({ level: 'error' }) },
  );
  return { n, registry };
}

describe('external Alertmanager client', () => {
  it('builds the v2 endpoint under the URL path, with basic auth from the URL and the tenant header', () => {
    expect(alertsEndpoint('http://am:9093', 't1').url).toBe('http://am:9093/api/v2/alerts');
    const e = alertsEndpoint('https://u:p%40ss@host/alertmanager/', 't1');
    expect(e.url).toBe('https://host/alertmanager/api/v2/alerts');
    expect(e.headers['authorization']).toBe(`Basic ${Buffer.from('u:p@ss').toString('base64')}`);
    expect(e.headers['x-scope-orgid']).toBe('t1');
    expect(splitUrls(' http://a , ,http://b')).toEqual(['http://a', 'http://b']);
  });

  it('posts every alert in batches of at most 64 to each Alertmanager, each tenant to its own', async () => {
    const a = await receiver();
    const b = await receiver();
    const { n, registry } = notifier({ t1: [a.base, `${b.base}/prefix`], t2: [b.base] });
    n.send('t1', Array.from({ length: 150 }, (_, i) => alert(i)));
    n.send('t2', [alert(1000)]);
    n.send('t3', [alert(2000)]); // no Alertmanager: nothing
    await n.flush();
    expect(a.got.map((r) => r.alerts.length)).toEqual([MAX_BATCH_SIZE, MAX_BATCH_SIZE, 150 - 2 * MAX_BATCH_SIZE]);
    expect(a.got.flatMap((r) => r.alerts.map((x) => x.labels['i']))).toEqual(Array.from({ length: 150 }, (_, i) => String(i)));
    expect(a.got.every((r) => r.path === '/api/v2/alerts' && r.headers['x-scope-orgid'] === 't1')).toBe(true);
    expect(b.got.filter((r) => r.path === '/prefix/api/v2/alerts')).toHaveLength(3);
    expect(b.got.filter((r) => r.headers['x-scope-orgid'] === 't2').map((r) => r.alerts.length)).toEqual([1]);
    const text = await registry.metrics();
    expect(text).toContain(`tessera_ruler_notifications_sent_total{tenant="t1",alertmanager="${a.base}/"} 150`);
    expect(text).not.toMatch(/tessera_ruler_notifications_dropped_total\{/);
    await a.close();
    await b.close();
  });

  it('counts errors per Alertmanager, and drops only what no Alertmanager took', async () => {
    const good = await receiver();
    const bad = await receiver(500);
    const { n, registry } = notifier({ t1: [good.base, bad.base], t2: [bad.base] });
    n.send('t1', [alert(1), alert(2)]);
    n.send('t2', [alert(3)]);
    await n.flush();
    const text = await registry.metrics();
    expect(text).toContain(`tessera_ruler_notifications_errors_total{tenant="t1",alertmanager="${bad.base}/"} 2`);
    expect(text).toContain(`tessera_ruler_notifications_sent_total{tenant="t1",alertmanager="${good.base}/"} 2`);
    expect(text).toContain('tessera_ruler_notifications_dropped_total{tenant="t2"} 1');
    expect(text).not.toContain('tessera_ruler_notifications_dropped_total{tenant="t1"}');
    await good.close();
    await bad.close();
  });

  it('drops the oldest alerts when the queue is full', async () => {
    const slow = await receiver(200, 300);
    const { n, registry } = notifier({ t1: [slow.base] }, 100);
    n.send('t1', Array.from({ length: 64 }, (_, i) => alert(i))); // first batch leaves at once
    n.send('t1', Array.from({ length: 150 }, (_, i) => alert(100 + i))); // 150 queued, capacity 100
    await n.flush();
    const sent = slow.got.flatMap((r) => r.alerts.map((x) => Number(x.labels['i'])));
    expect(sent).toHaveLength(64 + 100);
    expect(sent.slice(64)).toEqual(Array.from({ length: 100 }, (_, i) => 150 + i));
    expect(await registry.metrics()).toContain('tessera_ruler_notifications_dropped_total{tenant="t1"} 50');
    await slow.close();
  });
});
