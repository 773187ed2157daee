/**
 * The HTTP client of the internal ingester RPC (cluster mode): POSTs protobuf bodies to
 * `http://<addr><path>` over keep-alive connections (one `node:http` Agent for every ingester,
 * at most `maxSocketsPerIngester` sockets each), with the tenant in `X-Scope-OrgID` and, when
 * configured, the cluster's shared secret in `X-Tessera-Internal-Token` (the contract is in
 * services/ingester/src/rpc-routes.ts). Used by the distributor's fan-out and, through the
 * structural {@link IngesterTransport} type, by the querier's remote readers.
 *
 * Errors: a request that cannot be sent or gets no complete answer in time rejects with a
 * TesseraError of kind `unavailable` (`ingester-unreachable`, `ingester-timeout`); any HTTP
 * answer, whatever its status, resolves (the caller decides what a status means).
 */
import http from 'node:http';
import { Histogram, type Registry } from 'prom-client';
import { TesseraError } from '@tessera/server';
import { INTERNAL_TOKEN_HEADER, RPC_CONTENT_TYPE, RPC_TENANT_HEADER } from '@tessera/ingester';

/** A complete answer of an internal RPC. */
export interface RpcResponse {
  status: number;
  /** The Content-Type header ('' when absent). */
  contentType: string;
  body: Buffer;
}

/** What the fan-out and the remote readers need from a transport (a fake in tests). */
export interface IngesterTransport {
  /**
   * POSTs `body` to `path` on the ingester at `addr` (`host:port`) as `tenant`; resolves with
   * the answer, rejects with an `unavailable` TesseraError after `timeoutMs` or on a network
   * failure, and with a `canceled` one when `signal` aborts.
   */
  post(addr: string, path: string, tenant: string, body: Uint8Array, timeoutMs: number, signal?: AbortSignal): Promise<RpcResponse>;
}

/** Options of an {@link IngesterPool}. */
export interface IngesterPoolOptions {
  /** The shared secret of the /internal/ endpoints (`-internal.auth-token`); '' sends none. */
  authToken: string;
  /** Concurrent connections per ingester; default 32. */
  maxSocketsPerIngester?: number;
  /** Where `tessera_ingester_client_request_duration_seconds` is registered; none when absent. */
  registry?: Registry;
}

/** Splits `host:port` (or `[v6]:port`) into its parts. */
export function splitHostPort(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const port = Number(addr.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new TesseraError('internal', 'ingester-address-invalid', `ingester address ${JSON.stringify(addr)} is not host:port`);
  }
  let host = addr.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port };
}

/** Network errors after which a request sent on a reused keep-alive socket is sent once more. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** A keep-alive HTTP client for the ingesters of a cluster; see the file comment. */
export class IngesterPool implements IngesterTransport {
  readonly #agent: http.Agent;
  readonly #authToken: string;
  readonly #duration: Histogram<'path' | 'status'> | undefined;

  constructor(opts: IngesterPoolOptions) {
    // Idle sockets are closed after 4 s, before the server's keep-alive timeout (5 s in Node,
    // 72 s in fastify) can close them under a request.
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSocketsPerIngester ?? 32, timeout: 4000, scheduling: 'lifo' });
    this.#authToken = opts.authToken;
    this.#duration =
      opts.registry === undefined
        ? undefined
        : new Histogram({
            name: 'tessera_ingester_client_request_duration_seconds',
            help: 'Time of internal RPCs to ingesters, by path and HTTP status ("error" when no answer came).',
            labelNames: ['path', 'status'] as const,
            buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            registers: [opts.registry],
          });
  }

  /** {@inheritDoc IngesterTransport.post} */
  async post(addr: string, path: string, tenant: string, body: Uint8Array, timeoutMs: number, signal?: AbortSignal): Promise<RpcResponse> {
    const started = performance.now();
    const deadline = started + timeoutMs;
    try {
      let res: RpcResponse;
      try {
        res = await this.#once(addr, path, tenant, body, timeoutMs, signal);
      } catch (e) {
        // A keep-alive socket the server closed just as it was reused: the request never reached
        // a handler, so sending it again on a fresh connection is safe.
        if (!(e instanceof StaleSocketError)) throw e;
        res = await this.#once(addr, path, tenant, body, Math.max(1, deadline - performance.now()), signal);
      }
      this.#duration?.observe({ path, status: String(res.status) }, (performance.now() - started) / 1000);
      return res;
    } catch (e) {
      this.#duration?.observe({ path, status: 'error' }, (performance.now() - started) / 1000);
      if (e instanceof StaleSocketError) throw unreachable(addr, e.cause);
      throw e;
    }
  }

  #once(addr: string, path: string, tenant: string, body: Uint8Array, timeoutMs: number, signal?: AbortSignal): Promise<RpcResponse> {
    const { host, port } = splitHostPort(addr);
    const headers: http.OutgoingHttpHeaders = {
      'content-type': RPC_CONTENT_TYPE,
      'content-length': body.length,
      [RPC_TENANT_HEADER]: tenant,
    };
    if (this.#authToken !== '') headers[INTERNAL_TOKEN_HEADER] = this.#authToken;
    return new Promise<RpcResponse>((resolve, reject) => {
      if (signal?.aborted) {
        reject(canceled(addr));
        return;
      }
      let settled = false;
      const finish = (err: Error | null, res?: RpcResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err !== null) reject(err);
        else resolve(res!);
      };
      const req = http.request({ host, port, path, method: 'POST', agent: this.#agent, headers });
      const timer = setTimeout(() => {
        finish(new TesseraError('unavailable', 'ingester-timeout', `ingester ${addr} did not answer ${path} within ${timeoutMs} ms`));
        req.destroy();
      }, timeoutMs);
      const onAbort = (): void => {
        finish(canceled(addr));
        req.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (req.reusedSocket && e.code !== undefined && STALE_SOCKET_CODES.has(e.code)) finish(new StaleSocketError(e));
        else finish(unreachable(addr, e));
      });
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('error', (e) => finish(unreachable(addr, e)));
        // 'close' without 'end' first: the connection broke in the middle of the answer.
        res.on('close', () => {
          if (!res.complete) finish(unreachable(addr, new Error('answer cut off')));
        });
        res.on('end', () => {
          const contentType = res.headers['content-type'] ?? '';
          finish(null, { status: res.statusCode ?? 0, contentType, body: parts.length === 1 ? parts[0]! : Buffer.concat(parts) });
        });
      });
      req.end(body);
    });
  }

  /** Closes every connection; requests in flight fail. */
  close(): void {
    this.#agent.destroy();
  }
}

/** A failure on a reused keep-alive socket before any answer (retried once). */
class StaleSocketError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

function unreachable(addr: string, cause: unknown): TesseraError {
  const msg = cause instanceof Error ? cause.message : String(cause);
  return new TesseraError('unavailable', 'ingester-unreachable', `ingester ${addr} could not be reached: ${msg}`, { cause });
}

function canceled(addr: string): TesseraError {
  return new TesseraError('canceled', 'ingester-request-canceled', `request to ingester ${addr} canceled`);
}
