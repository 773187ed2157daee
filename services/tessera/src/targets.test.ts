/**
 * The cluster targets wired together in one process over one in-memory ring (the KV store is
 * injected, so no Redis is needed): 3 ingesters, a distributor and a querier, each its own
 * startTessera with its own HTTP port, talking over the internal RPC with the shared token.
 * test/e2e/cluster.test.ts runs the same as separate processes over Redis, with a crash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, isConfigError, loadConfig } from '@tessera/server';
import { encodeWriteRequest, snappyCompress } from '@tessera/remotewrite';
import { MemoryKV, ringDescCodec } from '@tessera/ring';
import { startTessera, type TesseraHandle } from './app.ts';
import { advertisedAddress, checkTargetConfig, tesseraOptions } from './config.ts';

const TOKEN = 'test-token';
const logger = createLogger({ level: 'silent' });

function config(args: string[]): ReturnType<typeof loadConfig<typeof tesseraOptions.defs>> {
  return loadConfig(tesseraOptions, ['-server.http-listen-address=127.0.0.1', '-server.http-listen-port=0', '-querier.query-workers=0', ...args]);
}

function configProblem(args: string[], opts: { ringKVInjected?: boolean } = {}): string {
  try {
    checkTargetConfig(config(args), opts);
  } catch (e) {
    expect(isConfigError(e)).toBe(true);
    return (e as Error).message;
  }
  return '';
}

describe('cluster options', () => {
  it('refuses cluster targets without a shared ring or, with auth on, without an internal token', () => {
    expect(configProblem(['-target=ingester', `-internal.auth-token=${TOKEN}`])).toMatch(/-target=ingester .* set -ring.store=redis/);
    expect(configProblem(['-target=querier', '-ring.store=redis'])).toMatch(/-target=querier with -auth.enabled=true requires -internal.auth-token/);
    expect(configProblem(['-target=distributor', '-ring.store=redis', '-auth.enabled=false'])).toBe('');
    expect(configProblem(['-target=distributor', `-internal.auth-token=${TOKEN}`], { ringKVInjected: true })).toBe('');
    expect(configProblem(['-target=all'])).toBe('');
    expect(() => config(['-ring.replication-factor=0'])).toThrow(/replication-factor/);
    expect(() => config(['-target=nonesuch'])).toThrow(/target/);
  });

  it('advertises 127.0.0.1:<port> by default, and fills in the port of a bare host', () => {
    expect(advertisedAddress(config([]), 9009)).toBe('127.0.0.1:9009');
    expect(advertisedAddress(config(['-ingester.ring.instance-addr=ingester-0.ingesters']), 9009)).toBe('ingester-0.ingesters:9009');
    expect(advertisedAddress(config(['-ingester.ring.instance-addr=10.1.2.3:9095']), 9009)).toBe('10.1.2.3:9095');
    expect(advertisedAddress(config(['-ingester.ring.instance-addr=fd00::1']), 9009)).toBe('[fd00::1]:9009');
  });
});

describe('cluster targets in one process over a shared in-memory ring', () => {
  const handles: TesseraHandle[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const h of handles.reverse()) await h.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('pushes through the distributor to 3 ingesters (RF=3) and reads everything back through the querier', async () => {
    const kv = new MemoryKV(ringDescCodec);
    const common = ['-ring.store=memory', '-ring.replication-factor=3', `-internal.auth-token=${TOKEN}`];
    const start = async (args: string[]): Promise<TesseraHandle> => {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-targets-'));
      dirs.push(dir);
      const h = await startTessera(config([...common, ...args, `-data.dir=${dir}`]), { logger, ringKV: kv });
      handles.push(h);
      return h;
    };
    const ingesters = await Promise.all([0, 1, 2].map((i) => start(['-target=ingester', `-ingester.id=ing-${i}`])));
    const distributor = await start(['-target=distributor']);
    const querier = await start(['-target=querier']);
    expect(() => distributor.ingester).toThrow(/runs no ingester/);
    for (const h of [...ingesters, distributor, querier]) expect((await fetch(`${h.url}/ready`)).status).toBe(200);
    const ring = (await (await fetch(`${querier.url}/ingester/ring?format=json`)).json()) as { instances: { id: string; state: string; address: string }[] };
    expect(ring.instances.map((i) => `${i.id} ${i.state} ${i.address}`)).toEqual(ingesters.map((h, i) => `ing-${i} ACTIVE 127.0.0.1:${h.port}`));
    const services = (await (await fetch(`${ingesters[0]!.url}/services`)).json()) as { target: string; services: { name: string }[] };
    expect(services.target).toBe('ingester');
    expect(services.services.map((s) => s.name)).toEqual(expect.arrayContaining(['ingester', 'ring', 'ingester-lifecycle']));

    const now = Date.now();
    const timeseries = Array.from({ length: 30 }, (_, i) => ({
      labels: [{ name: '__name__', value: 'wired' }, { name: 'i', value: String(i) }],
      samples: [{ timestamp: now - 10_000, value: i }, { timestamp: now, value: 2 * i }],
      exemplars: [],
      histograms: [],
    }));
    const push = await fetch(`${distributor.url}/api/v1/push`, {
      method: 'POST',
      body: snappyCompress(encodeWriteRequest({ timeseries, metadata: [{ type: 2, metricFamilyName: 'wired', help: 'A wired gauge.', unit: '' }] })),
      headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Scope-OrgID': 'team' },
    });
    expect(push.status, await push.text()).toBe(200);
    // RF=3 over 3 ingesters: each holds every series.
    for (const h of ingesters) expect(h.ingester.head('team')?.numSeries).toBe(30);

    const get = async (path: string): Promise<{ status: string; data: unknown }> => {
      const res = await fetch(`${querier.url}/prometheus/api/v1/${path}`, { headers: { 'X-Scope-OrgID': 'team' } });
      expect(res.status).toBe(200);
      return (await res.json()) as { status: string; data: unknown };
    };
    const sum = (await get(`query?query=sum(wired)&time=${now / 1000}`)).data as { result: { value: [number, string] }[] };
    expect(sum.result[0]!.value[1]).toBe(String(2 * (29 * 30) / 2));
    expect(((await get('series?match[]=wired')).data as unknown[]).length).toBe(30);
    expect((await get('label/i/values')).data).toHaveLength(30);
    expect((await get('labels')).data).toEqual(['__name__', 'i']);
    expect((await get('metadata')).data).toEqual({ wired: [{ type: 'gauge', help: 'A wired gauge.', unit: '' }] });
    // Another tenant sees nothing.
    const other = await fetch(`${querier.url}/prometheus/api/v1/series?match[]=wired`, { headers: { 'X-Scope-OrgID': 'other' } });
    expect(((await other.json()) as { data: unknown[] }).data).toEqual([]);

    // A graceful stop of an ingester leaves the ring; writes then go to the two others (quorum).
    await ingesters[2]!.stop();
    const left = (await (await fetch(`${distributor.url}/ingester/ring?format=json`)).json()) as { instances: { id: string }[] };
    expect(left.instances.map((i) => i.id)).toEqual(['ing-0', 'ing-1']);
    const again = await fetch(`${distributor.url}/api/v1/push`, {
      method: 'POST',
      body: snappyCompress(encodeWriteRequest({ timeseries: [{ labels: [{ name: '__name__', value: 'after' }], samples: [{ timestamp: now, value: 1 }], exemplars: [], histograms: [] }], metadata: [] })),
      headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Scope-OrgID': 'team' },
    });
    expect(again.status, await again.text()).toBe(200);
    expect(((await get('series?match[]=after')).data as unknown[]).length).toBe(1);
  });
});

describe('HA tracker wiring', () => {
  it('keeps one replica of an HA pair and shows the election on /distributor/ha_tracker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-ha-wiring-'));
    const h = await startTessera(
      config(['-auth.enabled=false', '-distributor.ha-tracker.enable=true', '-distributor.ha-tracker.enable-for-all-users=true', `-data.dir=${dir}`]),
      { logger },
    );
    try {
      const push = async (replica: string): Promise<number> => {
        const ts = [{ labels: [{ name: '__name__', value: 'up' }, { name: '__replica__', value: replica }, { name: 'cluster', value: 'prom' }], samples: [{ timestamp: Date.now(), value: 1 }], exemplars: [], histograms: [] }];
        const res = await fetch(`${h.url}/api/v1/push`, { method: 'POST', body: snappyCompress(encodeWriteRequest({ timeseries: ts, metadata: [] })), headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' } });
        await res.arrayBuffer();
        return res.status;
      };
      expect(await push('a')).toBe(200);
      expect(await push('b')).toBe(202);
      const page = (await (await fetch(`${h.url}/distributor/ha_tracker?format=json`)).json()) as unknown;
      expect(JSON.stringify(page)).toContain('"prom"');
      expect(h.ingester.head('anonymous')?.numSeries).toBe(1);
    } finally {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
