/**
 * An HTTP proxy on 127.0.0.1 that sits between the S3 client and s3rver and misbehaves on
 * request: answers with an error status, never answers, cuts a response body short, or holds a
 * request until released. Integration tests use it to drive the S3 backend's retries and
 * visibility rules. Not exported from the package.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What the proxy does with one request. */
export type Fault =
  | { readonly kind: 'pass' }
  /** Answer `status` with an S3 error document of code `code`, without forwarding. */
  | { readonly kind: 'error'; readonly status: number; readonly code: string }
  /** Read the request and never answer. */
  | { readonly kind: 'stall' }
  /** Forward, then send the headers and half the body, and reset the connection. */
  | { readonly kind: 'cut' }
  /** Forward once `until` resolves. */
  | { readonly kind: 'hold'; readonly until: Promise<void> };

/** A request the proxy saw, and what it did with it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly fault: Fault['kind'];
}

/** A running fault proxy. */
export interface FaultProxy {
  /** `127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Every request so far, in arrival order. */
  readonly seen: SeenRequest[];
  /** Decides each request's fate; `n` counts requests from 0. The default passes everything. */
  rule: (req: IncomingMessage, n: number) => Fault;
  close(): Promise<void>;
}

const PASS: Fault = { kind: 'pass' };

/** Starts a proxy in front of the S3 server at `127.0.0.1:<targetPort>`. */
export async function startFaultProxy(targetPort: () => number): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const seen: SeenRequest[] = [];
  const proxy: FaultProxy = {
    endpoint: '',
    seen,
    rule: () => PASS,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  const forward = (req: IncomingMessage, res: ServerResponse, cut: boolean): void => {
    const up = request({ host: '127.0.0.1', port: targetPort(), method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      if (!cut) {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const body = Buffer.concat(chunks);
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
      });
    });
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  };

  const server = createServer((req, res) => {
    const fault = proxy.rule(req, seen.length);
    seen.push({ method: req.method ?? '', url: req.url ?? '', fault: fault.kind });
    switch (fault.kind) {
      case 'pass':
        return forward(req, res, false);
      case 'cut':
        return forward(req, res, true);
      case 'hold':
        void fault.until.then(() => forward(req, res, false));
        return;
      case 'stall':
        req.resume();
        return;
      case 'error':
        req.resume();
        req.on('end', () => {
          const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>injected by the test proxy</Message></Error>`;
          res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
          res.end(xml);
        });
        return;
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  (proxy as { endpoint: string }).endpoint = `127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
  return proxy;
}
