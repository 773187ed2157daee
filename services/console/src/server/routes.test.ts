import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerConsoleRoutes } from './routes.ts';

const INDEX = '<!doctype html><html><head><meta name="tessera-prometheus-prefix" content="/prometheus" /><script type="module" src="/assets/index-abc123.js"></script></head><body></body></html>';
const JS = `console.log(${JSON.stringify('x'.repeat(4000))});`;

describe('registerConsoleRoutes', () => {
  let dir: string;
  let app: FastifyInstance;

  afterEach(async () => {
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function serve(build: boolean, prefix?: string): Promise<FastifyInstance> {
    dir = await mkdtemp(join(tmpdir(), 'console-dist-'));
    if (build) {
      await mkdir(join(dir, 'assets'));
      await writeFile(join(dir, 'index.html'), INDEX);
      await writeFile(join(dir, 'assets', 'index-abc123.js'), JS);
    }
    app = Fastify();
    registerConsoleRoutes(app, { distDir: dir, ...(prefix ? { prometheusPrefix: prefix } : {}) });
    app.get('/prometheus/api/v1/query', async () => ({ status: 'success' }));
    return app;
  }

  it('serves index.html at / without caching, with the Prometheus prefix written in', async () => {
    await serve(true, '/prom');
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<meta name="tessera-prometheus-prefix" content="/prom" />');
  });

  it('serves hashed assets for a year, gzipped when the browser accepts it', async () => {
    await serve(true);
    const plain = await app.inject({ url: '/assets/index-abc123.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body).toBe(JS);
    const zipped = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.rawPayload.length).toBeLessThan(JS.length / 10);
    expect(gunzipSync(zipped.rawPayload).toString()).toBe(JS);
  });

  it('answers 404 for unknown or escaping asset paths, and leaves the API routes alone', async () => {
    await serve(true);
    for (const url of ['/assets/nope.js', '/assets/..%2Findex.html', '/assets/a/b.js', '/assets/']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
    }
    expect((await app.inject({ url: '/prometheus/api/v1/query' })).json()).toEqual({ status: 'success' });
  });

  it('answers / with a 503 page saying how to build the console when it is not built', async () => {
    await serve(false);
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('The Tessera console is not built');
    expect(res.body).toContain('npm run build -w @tessera/console');
    // Built later: picked up without a restart.
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), INDEX);
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
  });
});
