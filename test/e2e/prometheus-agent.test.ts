/**
 * Real client: Prometheus 2.42 in agent mode scrapes a tiny local target every second and
 * remote-writes to a Tessera child process as tenant-a. Tessera's series API must show the scraped
 * series with the labels Prometheus attaches, to tenant-a only; after a clean stop the values
 * Tessera kept are those the target served.
 *
 * Skipped with a notice when /usr/bin/prometheus is absent, unless TESSERA_REQUIRE_EXTERNAL=1.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Matcher } from '@tessera/model';
import { loadConfig } from '@tessera/server';
import { XorIterator } from '@tessera/chunkenc';
import { startTessera, tesseraOptions } from '@tessera/tessera';
import {
  ChildRun,
  REPO_ROOT,
  REQUIRE_EXTERNAL,
  fetchSeries,
  findExecutable,
  freePort,
  killAllChildren,
  spawnTessera,
  tempDir,
  waitFor,
} from './process-helpers.ts';

const PROMETHEUS = findExecutable('prometheus');
if (PROMETHEUS === null && !REQUIRE_EXTERNAL) {
  console.warn('[e2e] prometheus not found on PATH: skipping the Prometheus agent remote-write test');
}

const JOB = 'e2e-target';
const TEMPERATURE = 21.5;

/**
 * Serves a text exposition with a counter (two label sets) and a gauge. The counter of the first
 * label set counts the scrapes, so every sample Prometheus takes is a distinct, known value.
 */
function startTarget(): Promise<{ server: Server; port: number; scrapes: () => number }> {
  let scrapes = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    scrapes++;
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(
      [
        '# HELP demo_requests_total Requests handled.',
        '# TYPE demo_requests_total counter',
        `demo_requests_total{method="get",code="200"} ${scrapes}`,
        'demo_requests_total{method="post",code="500"} 3',
        '# HELP demo_temperature_celsius Current temperature.',
        '# TYPE demo_temperature_celsius gauge',
        `demo_temperature_celsius{room="kitchen"} ${TEMPERATURE}`,
        '',
      ].join('\n'),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr !== null ? addr.port : 0, scrapes: () => scrapes });
    });
  });
}

/**
 * A pass-through HTTP proxy to Tessera that sets `X-Scope-OrgID` when the client did not send it.
 * Debian's Prometheus 2.42 drops `remote_write.headers` (prometheus/prometheus#13030); sites
 * running such a build put a proxy in front, as Cortex's docs did before Prometheus 2.25. The
 * proxy records whether Prometheus sent the header itself, so a fixed build is exercised directly.
 */
function startTenantProxy(upstream: string, tenant: string): Promise<{ server: Server; port: number; stats: { pushes: number; headerFromClient: number } }> {
  const stats = { pushes: 0, headerFromClient: 0 };
  const agent = new Agent({ keepAlive: true });
  const up = new URL(upstream);
  const server = createServer((req, res) => {
    const headers = { ...req.headers };
    if (req.url === '/api/v1/push') stats.pushes++;
    if (headers['x-scope-orgid'] !== undefined) stats.headerFromClient++;
    else headers['x-scope-orgid'] = tenant;
    const out = request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers, agent },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    out.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(out);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr !== null ? addr.port : 0, stats });
    });
  });
}

/** Sorts label sets by their JSON form so that lists compare independently of order. */
function sorted(sets: Record<string, string>[]): Record<string, string>[] {
  const key = (o: Record<string, string>): string => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  return [...sets].sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

describe.skipIf(PROMETHEUS === null && !REQUIRE_EXTERNAL)('Prometheus agent remote-writes to Tessera', () => {
  const dirs: { remove(): void }[] = [];
  const servers: Server[] = [];
  afterAll(async () => {
    await killAllChildren();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    for (const d of dirs) d.remove();
  });

  it('shows the scraped series to the writing tenant only, with the values served', { timeout: 60_000 }, async () => {
    if (PROMETHEUS === null) throw new Error('TESSERA_REQUIRE_EXTERNAL=1 but prometheus is not on PATH');
    const tmp = tempDir('tessera-e2e-prom-');
    dirs.push(tmp);
    const t = await startTarget();
    servers.push(t.server);
    const instance = `127.0.0.1:${t.port}`;
    const tessera = await spawnTessera({ dataDir: join(tmp.path, 'tessera') });
    const proxy = await startTenantProxy(tessera.url, 'tenant-a');
    servers.push(proxy.server);

    const promPort = await freePort();
    const configFile = join(tmp.path, 'prometheus.yml');
    writeFileSync(
      configFile,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        `  - job_name: ${JOB}`,
        '    static_configs:',
        `      - targets: ['${instance}']`,
        '        labels:',
        '          env: e2e',
        'remote_write:',
        `  - url: http://127.0.0.1:${proxy.port}/api/v1/push`,
        '    headers:',
        '      X-Scope-OrgID: tenant-a',
        '    queue_config:',
        '      batch_send_deadline: 1s',
        '      min_backoff: 100ms',
        '      max_backoff: 1s',
        '',
      ].join('\n'),
    );
    const prom = new ChildRun(
      'prometheus',
      PROMETHEUS,
      [
        '--enable-feature=agent',
        `--config.file=${configFile}`,
        `--storage.agent.path=${join(tmp.path, 'agent')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=info',
      ],
      REPO_ROOT,
    );

    try {
      const started = Date.now();
      const common = { job: JOB, instance, env: 'e2e' };
      const expected = sorted([
        { __name__: 'demo_requests_total', method: 'get', code: '200', ...common },
        { __name__: 'demo_requests_total', method: 'post', code: '500', ...common },
        { __name__: 'demo_temperature_celsius', room: 'kitchen', ...common },
        { __name__: 'up', ...common },
      ]);
      const seen = await waitFor('the scraped series in Tessera', 30_000, async () => {
        if (prom.status !== null) throw new Error(`prometheus exited: ${JSON.stringify(prom.status)}`);
        const got = await fetchSeries(tessera.url, 'tenant-a', `{job="${JOB}"}`);
        const names = new Set(got.map((s) => s.__name__));
        return ['demo_requests_total', 'demo_temperature_celsius', 'up'].every((n) => names.has(n)) ? got : undefined;
      }, 250);
      const visibleAfterMs = Date.now() - started;

      const user = seen.filter((s) => !s.__name__!.startsWith('scrape_'));
      expect(sorted(user)).toEqual(expected);
      // The rest are Prometheus's per-scrape series, with the same target labels.
      const synthetic = seen.filter((s) => s.__name__!.startsWith('scrape_'));
      expect(synthetic.map((s) => s.__name__).sort()).toEqual(
        expect.arrayContaining(['scrape_duration_seconds', 'scrape_samples_scraped']),
      );
      for (const s of synthetic) expect(Object.keys(s).sort()).toEqual(['__name__', 'env', 'instance', 'job']);
      for (const s of synthetic) expect(s).toMatchObject(common);

      // Another tenant sees none of it, neither by job nor by any name.
      expect(await fetchSeries(tessera.url, 'tenant-b', `{job="${JOB}"}`)).toEqual([]);
      expect(await fetchSeries(tessera.url, 'tenant-b', '{__name__=~".+"}')).toEqual([]);

      // A few more scrapes, then stop the client and the server cleanly.
      const scrapesBefore = t.scrapes();
      await waitFor('two more scrapes', 10_000, async () => (t.scrapes() >= scrapesBefore + 2 ? true : undefined));
      const promExit = await prom.stop('SIGTERM');
      expect(promExit.code, prom.tail()).toBe(0);
      const tesseraExit = await tessera.run.stop('SIGTERM');
      expect(tesseraExit, tessera.run.tail()).toEqual({ code: 0, signal: null });

      // The samples Tessera kept carry exactly the values the target served.
      const h = await startTessera(
        loadConfig(tesseraOptions, [`-data.dir=${join(tmp.path, 'tessera')}`, '-server.http-listen-address=127.0.0.1', '-server.http-listen-port=0', '-log.level=warn']),
      );
      try {
        const head = h.ingester.head('tenant-a');
        expect(head).toBeDefined();
        expect(h.ingester.head('tenant-b')).toBeUndefined();
        const valuesOf = (name: string, extra: Matcher[] = []): number[] => {
          const series = head!.select([Matcher.create('=', '__name__', name), ...extra], -Infinity, Infinity);
          expect(series, name).toHaveLength(1);
          const out: number[] = [];
          const it = new XorIterator();
          series[0]!.forEachChunk(-Infinity, Infinity, (bytes) => {
            it.reset(bytes);
            while (it.next()) out.push(it.v);
            expect(it.err).toBeNull();
          });
          return out;
        };
        const up = valuesOf('up');
        expect(up.length).toBeGreaterThanOrEqual(2);
        expect(new Set(up)).toEqual(new Set([1]));
        expect(new Set(valuesOf('demo_temperature_celsius'))).toEqual(new Set([TEMPERATURE]));
        expect(new Set(valuesOf('demo_requests_total', [Matcher.create('=', 'code', '500')]))).toEqual(new Set([3]));
        // The scrape counter: consecutive scrape numbers, each at most once, none beyond what was served.
        const counts = valuesOf('demo_requests_total', [Matcher.create('=', 'code', '200')]);
        expect(counts.length).toBeGreaterThanOrEqual(2);
        counts.forEach((v, i) => {
          expect(Number.isInteger(v) && v >= 1 && v <= t.scrapes()).toBe(true);
          if (i > 0) expect(v).toBe(counts[i - 1]! + 1);
        });
      } finally {
        await h.stop();
      }
      expect(proxy.stats.pushes).toBeGreaterThan(0);
      console.info(
        `[e2e] prometheus agent: series visible in Tessera after ${visibleAfterMs} ms; ${t.scrapes()} scrapes, ` +
          `${proxy.stats.pushes} pushes, X-Scope-OrgID sent by Prometheus itself on ${proxy.stats.headerFromClient} ` +
          `(0 on Debian's 2.42, see prometheus/prometheus#13030; the proxy set it)`,
      );
    } catch (e) {
      if (e instanceof Error) e.message += `\n${prom.tail()}\n${tessera.run.tail()}`;
      throw e;
    }
  });
});
