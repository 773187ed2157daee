import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TesseraError } from '@tessera/server';
import { IngesterPool, splitHostPort } from './ingester-pool.ts';

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server on 127.0.0.1 answering with `answer`; records requests and new connections. */
async function server(answer: (req: Seen, res: http.ServerResponse) => void): Promise<{ addr: string; seen: Seen[]; connections: () => number }> {
  const seen: Seen[] = [];
  let connections = 0;
  const srv = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const s = { url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts) };
      seen.push(s);
      answer(s, res);
    });
  });
  srv.on('connection', () => connections++);
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { addr: `127.0.0.1:${(srv.address() as AddressInfo).port}`, seen, connections: () => connections };
}

describe('IngesterPool', () => {
  it('POSTs protobuf with the tenant and the internal token over one kept-alive connection', async () => {
    const s = await server((req, res) => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.concat([req.body, Buffer.from('!')])));
    const pool = new IngesterPool({ authToken: 's3cret' });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await pool.post(s.addr, '/internal/ingester/push', 'tenant-1', new Uint8Array([1, 2, i]), 1000);
        expect(res.status).toBe(200);
        expect([...res.body]).toEqual([1, 2, i, 33]);
        expect(res.contentType).toBe('application/x-protobuf');
      }
      expect(s.seen[0]!.url).toBe('/internal/ingester/push');
      expect(s.seen[0]!.headers['x-scope-orgid']).toBe('tenant-1');
      expect(s.seen[0]!.headers['x-tessera-internal-token']).toBe('s3cret');
      expect(s.seen[0]!.headers['content-type']).toBe('application/x-protobuf');
      expect(s.connections()).toBe(1);
    } finally {
      pool.close();
    }
  });

  it('sends no token header when none is configured, and hands back error statuses as answers', async () => {
    const s = await server((_req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('ingester is shutting down'));
    const pool = new IngesterPool({ authToken: '' });
    try {
      const res = await pool.post(s.addr, '/internal/ingester/push', 't', new Uint8Array(0), 1000);
      expect(res.status).toBe(503);
      expect(res.body.toString()).toBe('ingester is shutting down');
      expect(s.seen[0]!.headers['x-tessera-internal-token']).toBeUndefined();
    } finally {
      pool.close();
    }
  });

  it('fails with ingester-timeout when the answer does not come in time', async () => {
    const s = await server(() => {}); // never answers
    const pool = new IngesterPool({ authToken: '' });
    try {
      const t0 = performance.now();
      const err = await pool.post(s.addr, '/internal/ingester/push', 't', new Uint8Array(1), 150).then(() => null, (e: unknown) => e);
      expect(TesseraError.is(err)).toBe(true);
      expect(err).toMatchObject({ kind: 'unavailable', code: 'ingester-timeout' });
      expect(performance.now() - t0).toBeLessThan(1500);
    } finally {
      pool.close();
    }
  });

  it('fails with ingester-unreachable when nothing listens', async () => {
    const s = await server(() => {});
    const addr = s.addr;
    await new Promise((r) => servers.pop()!.close(r));
    const pool = new IngesterPool({ authToken: '' });
    try {
      await expect(pool.post(addr, '/x', 't', new Uint8Array(1), 1000)).rejects.toMatchObject({ kind: 'unavailable', code: 'ingester-unreachable' });
    } finally {
      pool.close();
    }
  });

  it('splits host:port, IPv6 in brackets included, and refuses addresses without a port', () => {
    expect(splitHostPort('10.0.0.1:9009')).toEqual({ host: '10.0.0.1', port: 9009 });
    expect(splitHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(() => splitHostPort('ingester-1')).toThrow(/not host:port/);
  });
});
