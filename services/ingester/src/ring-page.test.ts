import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { MemoryKV, Ring, ringDescCodec, type InstanceDesc, type RingDesc } from '@tessera/ring';
import { createHttpServer } from '@tessera/server';
import { formatAge, registerRingPage, type RingPageJson } from './ring-page.ts';
import { silentLogger } from './test-support.ts';

const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
const KEY = 'ingester-ring';
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

function inst(id: string, state: InstanceDesc['state'], tokens: number[], heartbeatAgoMs: number, addr = '10.0.0.1:9009'): InstanceDesc {
  return { id, addr, state, tokens, heartbeatMs: NOW - heartbeatAgoMs, registeredMs: NOW - 86_400_000 };
}

async function setup(instances: InstanceDesc[]): Promise<{ app: FastifyInstance; kv: MemoryKV<RingDesc>; ring: Ring }> {
  const kv = new MemoryKV(ringDescCodec);
  await kv.cas(KEY, () => ({ instances: Object.fromEntries(instances.map((i) => [i.id, i])) }));
  const ring = new Ring(kv, { replicationFactor: 3, heartbeatTimeoutMs: 60_000, now: () => NOW });
  await ring.start();
  const app = createHttpServer({ logger: silentLogger, registry: new Registry(), bodyLimitBytes: 1 << 20 });
  registerRingPage(app, ring, { kv, now: () => NOW });
  apps.push(app);
  return { app, kv, ring };
}

// One token each: an instance owns the arc up to its token, so ing-a (token Q, arc from 3Q round) holds half, the others a quarter.
const Q = 2 ** 30;
const ring3 = () => [
  inst('ing-a', 'ACTIVE', [Q], 4_000),
  inst('ing-b', 'LEAVING', [2 * Q], 5_000),
  inst('dead <b>&"x"', 'ACTIVE', [3 * Q], 125_000, '10.0.0.9:9009'),
];

describe('ring page', () => {
  it('renders an HTML table with states, tokens, ownership and heartbeat age, escaped', async () => {
    const { app } = await setup(ring3());
    const res = await app.inject({ method: 'GET', url: '/ingester/ring' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = res.body;
    expect(html).not.toContain('<b>');
    expect(html).toContain('<td>dead &lt;b&gt;&amp;&quot;x&quot;</td><td>10.0.0.9:9009</td><td>UNHEALTHY</td>');
    expect(html).toContain('<td>ing-a</td><td>10.0.0.1:9009</td><td>ACTIVE</td><td class="num">1</td><td class="num">50.00%</td>');
    expect(html).toContain('<td>ing-b</td><td>10.0.0.1:9009</td><td>LEAVING</td><td class="num">1</td><td class="num">25.00%</td>');
    expect(html).toContain('4s ago');
    expect(html).toContain('2m5s ago');
    // Only the unhealthy instance has a forget button, carrying its (escaped) id.
    expect(html.match(/<form /g)).toHaveLength(1);
    expect(html).toContain('name="forget" value="dead &lt;b&gt;&amp;&quot;x&quot;"');
    expect(html).toContain('1 UNHEALTHY');
  });

  it('answers JSON for ?format=json and for Accept: application/json', async () => {
    const { app } = await setup(ring3());
    for (const req of [{ url: '/ingester/ring?format=json' }, { url: '/ingester/ring', headers: { accept: 'application/json' } }]) {
      const res = await app.inject({ method: 'GET', ...req });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const j = res.json<RingPageJson>();
      expect(j).toMatchObject({ ring: 'ingester', key: KEY, replicationFactor: 3, heartbeatTimeoutSeconds: 60 });
      expect(j.instances.map((i) => [i.id, i.state, i.tokens, i.ownedPercent, i.lastHeartbeatAgeSeconds])).toEqual([
        ['dead <b>&"x"', 'UNHEALTHY', 1, 25, 125],
        ['ing-a', 'ACTIVE', 1, 50, 4],
        ['ing-b', 'LEAVING', 1, 25, 5],
      ]);
      expect(j.instances[1]!.lastHeartbeat).toBe(new Date(NOW - 4000).toISOString());
    }
  });

  it('forgets an unhealthy instance from the form and redirects back to the page', async () => {
    const { app, kv } = await setup(ring3());
    const res = await app.inject({
      method: 'POST',
      url: '/ingester/ring',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ forget: 'dead <b>&"x"' }).toString(),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/ingester/ring?forgotten=${encodeURIComponent('dead <b>&"x"')}`);
    expect(Object.keys((await kv.get(KEY))!.instances).sort()).toEqual(['ing-a', 'ing-b']);
    const page = await app.inject({ method: 'GET', url: res.headers.location as string });
    expect(page.body).toContain('Instance dead &lt;b&gt;&amp;&quot;x&quot; was removed from the ring.');
    expect(page.body).not.toContain('<td>dead');
  });

  it('refuses to forget a healthy instance unless forced, and unknown ones', async () => {
    const { app, kv } = await setup(ring3());
    const form = (body: Record<string, string>) => ({
      method: 'POST' as const,
      url: '/ingester/ring',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(body).toString(),
    });
    const healthy = await app.inject(form({ forget: 'ing-a' }));
    expect(healthy.statusCode).toBe(409);
    expect(healthy.body).toContain('instance ing-a is ACTIVE, not UNHEALTHY');
    expect((await kv.get(KEY))!.instances['ing-a']).toBeDefined();
    const unknown = await app.inject(form({ forget: 'nope' }));
    expect(unknown.statusCode).toBe(404);
    const forced = await app.inject(form({ forget: 'ing-a', force: 'true' }));
    expect(forced.statusCode).toBe(303);
    expect((await kv.get(KEY))!.instances['ing-a']).toBeUndefined();
  });

  it('forgets through JSON too', async () => {
    const { app, ring } = await setup(ring3());
    const bad = await app.inject({ method: 'POST', url: '/ingester/ring?format=json', payload: { forget: 'ing-b' } });
    expect(bad.statusCode).toBe(409);
    expect(bad.json()).toMatchObject({ status: 'error' });
    const ok = await app.inject({ method: 'POST', url: '/ingester/ring', headers: { accept: 'application/json' }, payload: { forget: 'dead <b>&"x"' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'success', data: { forgotten: 'dead <b>&"x"' } });
    expect(ring.status().map((s) => s.id)).toEqual(['ing-a', 'ing-b']);
  });
});

describe('formatAge', () => {
  it.each([
    [0, '0s ago'],
    [59_999, '59s ago'],
    [61_000, '1m1s ago'],
    [3_600_000 + 120_000, '1h2m ago'],
    [3 * 86_400_000 + 4 * 3_600_000, '3d4h ago'],
    [-1, 'in the future'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
