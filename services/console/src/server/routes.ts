// Serves the built console (services/console/dist, made by `vite build` in the root `prepare`
// script) at `/` (index.html, no-cache) and `/assets/*` (content-hashed files, cached for a year).
// Node-side code: it never imports the browser sources.
import { readFile, readdir } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type ConsoleRoutesOptions = {
  /** The Vite output folder (index.html and assets/). */
  distDir: string;
  /** `-http.prometheus-http-prefix`, written into index.html for the browser's API calls. */
  prometheusPrefix?: string;
};

/** The dist folder next to this package's sources. */
export function consoleDistDir(): string {
  return fileURLToPath(new URL('../../dist', import.meta.url));
}

export const CONSOLE_NOT_BUILT = 'console-not-built';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.svg', '.json', '.map', '.txt']);
// Names Vite gives assets: no slashes, no `..`; anything else is a 404 without touching the disk.
const ASSET_NAME = /^[\w-]+(?:\.[\w-]+)*$/;

const gzip = promisify(gzipCb);

type Entry = { body: Buffer; gzip?: Buffer; type: string };

function notBuiltPage(distDir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tessera console not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:42em;margin:3em auto;line-height:1.5">
<h1>The Tessera console is not built</h1>
<p>Its files were not found in <code>${escapeHtml(distDir)}</code>. <code>npm ci</code> builds them
(the root <code>prepare</code> script) unless it ran with <code>--ignore-scripts</code>. Build them with:</p>
<pre>npm run build -w @tessera/console</pre>
<p>then reload this page. The API (<code>/prometheus/api/v1/…</code>) works without the console.</p>
</body></html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function registerConsoleRoutes(app: FastifyInstance, opts: ConsoleRoutesOptions): void {
  const { distDir } = opts;
  const prefix = opts.prometheusPrefix ?? '/prometheus';
  // Files are immutable once built (hashed names), so they are cached after the first read; a
  // missing file is not cached, so a dist built after start is picked up.
  const cache = new Map<string, Entry>();

  const load = async (rel: string, transform?: (s: string) => string): Promise<Entry | null> => {
    const hit = cache.get(rel);
    if (hit) return hit;
    let body: Buffer;
    try {
      body = await readFile(join(distDir, rel));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') return null;
      throw err;
    }
    if (transform) body = Buffer.from(transform(body.toString('utf8')));
    const ext = extname(rel);
    const entry: Entry = { body, type: TYPES[ext] ?? 'application/octet-stream' };
    if (COMPRESSIBLE.has(ext) && body.length > 1024) entry.gzip = await gzip(body, { level: 9 });
    cache.set(rel, entry);
    return entry;
  };

  const send = (req: FastifyRequest, reply: FastifyReply, e: Entry, cacheControl: string): FastifyReply => {
    reply.header('content-type', e.type).header('cache-control', cacheControl).header('vary', 'accept-encoding').header('x-content-type-options', 'nosniff');
    const accepts = String(req.headers['accept-encoding'] ?? '');
    if (e.gzip && /\bgzip\b/.test(accepts)) return reply.header('content-encoding', 'gzip').send(e.gzip);
    return reply.send(e.body);
  };

  const indexHtml = (html: string): string =>
    html.replace(/(<meta name="tessera-prometheus-prefix" content=")[^"]*(")/, `$1${escapeHtml(prefix)}$2`);

  const index = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const e = await load('index.html', indexHtml);
    if (!e) {
      req.log.warn({ code: CONSOLE_NOT_BUILT, distDir }, 'console not built');
      return reply.code(503).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(notBuiltPage(distDir));
    }
    return send(req, reply, e, 'no-cache');
  };

  // Read and compress the files once at start, off the request path (a missing dist is fine here).
  void (async () => {
    await load('index.html', indexHtml);
    for (const name of await readdir(join(distDir, 'assets'))) if (ASSET_NAME.test(name)) await load(join('assets', name));
  })().catch(() => {});

  app.get('/', index);
  app.get('/index.html', index);
  app.get<{ Params: { '*': string } }>('/assets/*', async (req, reply) => {
    const name = req.params['*'];
    const e = ASSET_NAME.test(name) ? await load(join('assets', name)) : null;
    if (!e) {
      return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send(`not found: ${req.url}\n`);
    }
    return send(req, reply, e, 'public, max-age=31536000, immutable');
  });
}
