/**
 * The HA tracker through the HTTP push route of a distributor in front of a real Ingester (as in
 * `-target=all`), and the `/distributor/ha_tracker` page.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { Matcher } from '@tessera/model';
import { Ingester } from '@tessera/ingester';
import { MemoryKV } from '@tessera/ring';
import { ConfigError, createHttpServer } from '@tessera/server';
import { Distributor } from './distributor.ts';
import { HaTracker } from './ha-tracker.ts';
import { haTrackerConfigFromOptions, haTrackerOptions } from './ha-tracker-options.ts';
import { registerHaTrackerPage, type HaTrackerPage } from './ha-tracker-page.ts';
import { haTrackerStateCodec } from './ha-tracker-state.ts';
import { FakeClock, HA_CONFIG, body, haLimits, haSeries, silentLogger } from './ha-tracker-test-support.ts';
import { registerPushRoutes } from './routes.ts';

interface Stack {
  app: FastifyInstance;
  ingester: Ingester;
  clock: FakeClock;
  dir: string;
}

const stacks: Stack[] = [];

afterEach(async () => {
  for (const s of stacks.splice(0)) {
    await s.app.close();
    await s.ingester.stop();
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

/** Push route + HA page + distributor with an HA tracker + a real ingester in a temp dir. */
async function stack(): Promise<Stack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-ha-'));
  const registry = new Registry();
  const clock = new FakeClock();
  const ingester = new Ingester(
    { dataDir: dir, blockRangeMs: 2 * 3600_000, retentionMs: 2 ** 40, truncateIntervalMs: 3600_000, walSegmentBytes: 1 << 20, walFsyncIntervalMs: 0 },
    { logger: silentLogger, registry, seriesLimits: () => ({ maxSeriesPerUser: 0, maxSeriesPerMetric: 0 }) },
  );
  await ingester.start();
  const tracker = new HaTracker(HA_CONFIG, { kv: new MemoryKV(haTrackerStateCodec), registry, logger: silentLogger, now: clock.now });
  const distributor = new Distributor({ maxRecvMsgSize: 1 << 20 }, { logger: silentLogger, registry, limits: haLimits(), ingester, now: clock.now, haTracker: tracker });
  const app = createHttpServer({ logger: silentLogger, registry, bodyLimitBytes: 1 << 20 });
  registerPushRoutes(app, distributor, { authEnabled: true });
  registerHaTrackerPage(app, tracker);
  const s = { app, ingester, clock, dir };
  stacks.push(s);
  return s;
}

async function push(s: Stack, tenant: string, bytes: Uint8Array): Promise<{ status: number; text: string }> {
  const r = await s.app.inject({
    method: 'POST',
    url: '/api/v1/push',
    headers: { 'x-scope-orgid': tenant, 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
    payload: Buffer.from(bytes),
  });
  return { status: r.statusCode, text: r.body };
}

/** Every stored `up` series of a tenant with its sample timestamps (from the chunks' bounds and counts). */
function stored(s: Stack, tenant: string): { labels: string; samples: number; minT: number; maxT: number }[] {
  return s.ingester.queryChunks(tenant, [Matcher.create('=', '__name__', 'up')], -Infinity, Infinity).map((cs) => ({
    labels: cs.labels.toString(),
    // An XOR chunk starts with its sample count, big-endian uint16.
    samples: cs.chunks.reduce((n, c) => n + ((c.data[0]! << 8) | c.data[1]!), 0),
    minT: cs.chunks[0]!.minT,
    maxT: cs.chunks.at(-1)!.maxT,
  }));
}

describe('HA tracker through the push route, into a real ingester', () => {
  it('stores one series for the pair; the standby gets 202; after failover the other one is stored', async () => {
    const s = await stack();
    const t0 = s.clock.ms;
    expect((await push(s, 'ha1', body([haSeries('a', 'prom')], t0, 1))).status).toBe(200);
    const dropped = await push(s, 'ha1', body([haSeries('b', 'prom')], t0 + 500, 2));
    expect(dropped.status).toBe(202);
    expect(dropped.text).toMatch(/replicas-did-not-match/);
    expect(stored(s, 'ha1')).toEqual([{ labels: 'up{cluster="prom", job="node"}', samples: 1, minT: t0, maxT: t0 }]);

    // The elected replica dies; 31s later the standby's samples land in the same series.
    s.clock.advance(31);
    const t1 = s.clock.ms;
    expect((await push(s, 'ha1', body([haSeries('b', 'prom')], t1, 3))).status).toBe(200);
    expect((await push(s, 'ha1', body([haSeries('a', 'prom')], t1 + 1, 4))).status).toBe(202);
    expect(stored(s, 'ha1')).toEqual([{ labels: 'up{cluster="prom", job="node"}', samples: 2, minT: t0, maxT: t1 }]);
  });

  it('stores both replicas as separate series for a tenant without HA deduplication', async () => {
    const s = await stack();
    expect((await push(s, 'plain', body([haSeries('a', 'prom')], s.clock.ms))).status).toBe(200);
    expect((await push(s, 'plain', body([haSeries('b', 'prom')], s.clock.ms))).status).toBe(200);
    expect(stored(s, 'plain').map((x) => x.labels)).toEqual([
      'up{__replica__="a", cluster="prom", job="node"}',
      'up{__replica__="b", cluster="prom", job="node"}',
    ]);
  });
});

describe('/distributor/ha_tracker', () => {
  it('lists the elected replicas as JSON, with ages from the tracker clock', async () => {
    const s = await stack();
    const t0 = s.clock.ms;
    await push(s, 'ha1', body([haSeries('a', 'prom')], t0));
    s.clock.advance(12);
    for (const url of ['/distributor/ha_tracker?format=json', '/distributor/ha_tracker']) {
      const r = await s.app.inject({ method: 'GET', url, headers: url.includes('format') ? {} : { accept: 'application/json' } });
      expect(r.statusCode).toBe(200);
      const page = r.json() as HaTrackerPage;
      expect(page.failoverTimeoutSeconds).toBe(30);
      expect(page.clusters).toEqual([
        {
          tenant: 'ha1',
          cluster: 'prom',
          replica: 'a',
          electedAt: new Date(t0).toISOString(),
          lastSeen: new Date(t0).toISOString(),
          ageSeconds: 12,
          failoverInSeconds: 18,
        },
      ]);
    }
  });

  it('renders an HTML table with label values escaped', async () => {
    const s = await stack();
    await push(s, 'ha1', body([haSeries('<b>r1</b>', 'prom&"x"')], s.clock.ms));
    const r = await s.app.inject({ method: 'GET', url: '/distributor/ha_tracker', headers: { accept: 'text/html' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body).toContain('<td>ha1</td><td>prom&amp;&quot;x&quot;</td><td>&lt;b&gt;r1&lt;/b&gt;</td>');
    expect(r.body).not.toContain('<b>r1</b>');
  });

  it('says so when no cluster is known', async () => {
    const s = await stack();
    const r = await s.app.inject({ method: 'GET', url: '/distributor/ha_tracker' });
    expect(r.body).toContain('No HA cluster has written to this distributor yet');
  });
});

describe('haTrackerOptions', () => {
  it("has Mimir's defaults", () => {
    expect(haTrackerConfigFromOptions(haTrackerOptions.defaults())).toEqual({ updateTimeoutMs: 15_000, updateTimeoutJitterMaxMs: 5_000, failoverTimeoutMs: 30_000 });
    expect(haTrackerOptions.defaults().haTrackerEnabled).toBe(false);
  });

  it('refuses a failover timeout that does not exceed the update timeout plus jitter', () => {
    const v = { ...haTrackerOptions.defaults(), haTrackerFailoverTimeout: 20_000 };
    expect(() => haTrackerConfigFromOptions(v)).toThrow(ConfigError);
    expect(() => haTrackerConfigFromOptions(v)).toThrow(/-distributor\.ha-tracker\.failover-timeout \(20000ms\) must be greater/);
  });
});
