/**
 * The web console is served by the querier: at `/` in targets `all` and `querier` (with the
 * Prometheus prefix written into the page), and not at all by the ingester or the distributor.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { consoleDistDir } from '@tessera/console';
import { createLogger, loadConfig } from '@tessera/server';
import { MemoryKV, ringDescCodec } from '@tessera/ring';
import { startTessera, type TesseraHandle } from './app.ts';
import { tesseraOptions } from './config.ts';

const logger = createLogger({ level: 'silent' });
const built = existsSync(join(consoleDistDir(), 'index.html'));

describe('console routes per target', () => {
  const handles: TesseraHandle[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const h of handles.reverse()) await h.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const kv = new MemoryKV(ringDescCodec);
  const start = async (args: string[]): Promise<TesseraHandle> => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-console-targets-'));
    dirs.push(dir);
    const cluster = args.includes('-target=all') ? [] : ['-ring.store=memory', '-ring.replication-factor=1', '-internal.auth-token=t'];
    const cfg = loadConfig(tesseraOptions, ['-server.http-listen-address=127.0.0.1', '-server.http-listen-port=0', '-querier.query-workers=0', `-data.dir=${dir}`, ...cluster, ...args]);
    const h = await startTessera(cfg, { logger, ringKV: kv });
    handles.push(h);
    return h;
  };

  it('serves the console from targets all and querier, with the configured Prometheus prefix', async () => {
    const all = await start(['-target=all', '-http.prometheus-http-prefix=/prom']);
    await start(['-target=ingester', '-ingester.id=ing-0']);
    const querier = await start(['-target=querier']);
    for (const [h, prefix] of [[all, '/prom'], [querier, '/prometheus']] as const) {
      const res = await fetch(`${h.url}/`);
      const body = await res.text();
      if (built) {
        expect(res.status).toBe(200);
        expect(body).toContain(`<meta name="tessera-prometheus-prefix" content="${prefix}"`);
        const asset = /src="(\/assets\/[^"]+\.js)"/.exec(body)?.[1];
        expect(asset).toBeDefined();
        const js = await fetch(`${h.url}${asset}`);
        expect(js.status).toBe(200);
        expect(js.headers.get('cache-control')).toContain('immutable');
      } else {
        expect(res.status).toBe(503);
        expect(body).toContain('npm run build -w @tessera/console');
      }
    }
  });

  it('leaves / to nobody in the ingester and distributor targets', async () => {
    const distributor = await start(['-target=distributor']);
    const ingester = handles.find((h) => h.target === 'ingester') ?? (await start(['-target=ingester', '-ingester.id=ing-1']));
    for (const h of [distributor, ingester]) expect((await fetch(`${h.url}/`)).status).toBe(404);
  });
});
