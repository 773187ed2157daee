/**
 * The HTTP server every target shares: fastify with the body parsers Tessera needs, one error
 * handler that turns any thrown error into the right status and body, request-duration metrics,
 * and helpers for reading Prometheus-style parameters (query string and form body merged).
 */
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Histogram, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { TesseraError, toTesseraError, type ErrorKind } from './errors.ts';
import { AUTH_CHALLENGES, isCredentialError } from './auth/resolve.ts';

/** Options of {@link createHttpServer}. */
export interface HttpServerConfig {
  logger: Logger;
  registry: Registry;
  /** Largest accepted request body in bytes (compressed, as received). */
  bodyLimitBytes: number;
  /** The option that sets `bodyLimitBytes` (e.g. `-distributor.max-recv-msg-size`), named in 413 messages. */
  bodyLimitOption?: string;
}

/** Per-route options understood by the shared error handler. */
export interface RouteErrorConfig {
  /** Answer errors as plain text (remote-write) instead of Prometheus's JSON envelope. */
  textErrors?: boolean;
}

/** Prometheus API `errorType` for each kind. */
const ERROR_TYPE: Record<ErrorKind, string> = {
  bad_data: 'bad_data',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  tenant_limit: 'bad_data',
  rate_limited: 'too_many_requests',
  too_large: 'bad_data',
  unsupported_media: 'bad_data',
  execution: 'execution',
  timeout: 'timeout',
  canceled: 'canceled',
  unavailable: 'unavailable',
  not_found: 'not_found',
  method_not_allowed: 'bad_data',
  internal: 'internal',
};

/** Translates fastify's own errors (body parsing, limits) into TesseraErrors with clear messages. */
function fromFastifyError(e: unknown, bodyLimit: number, bodyLimitOption: string | undefined): TesseraError {
  if (TesseraError.is(e)) return e;
  const code = (e as { code?: string }).code;
  const msg = e instanceof Error ? e.message : String(e);
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TesseraError(
        'too_large',
        'request-too-large',
        `request body too large: the limit is ${bodyLimit} bytes${bodyLimitOption === undefined ? '' : ` (${bodyLimitOption})`}`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new TesseraError('unsupported_media', 'unsupported-content-type', `unsupported content type: ${msg}`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new TesseraError('bad_data', 'invalid-request-body', msg);
    case 'FST_ERR_NOT_FOUND':
      return new TesseraError('not_found', 'not-found', msg);
    default: {
      const status = (e as { statusCode?: number }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        return new TesseraError('bad_data', 'invalid-request', msg);
      }
      return toTesseraError(e);
    }
  }
}

/**
 * Largest request head (request line with the URL, plus headers) accepted: 1 MiB, Go's
 * `http.DefaultMaxHeaderBytes`, which Prometheus serves with, so a long PromQL query sent by GET
 * (a Grafana variable expanded into a regex of many values) is answered rather than refused.
 */
const MAX_HEADER_BYTES = 1 << 20;

/** Errors the router raises before any route runs (undecodable URL, over-long path parameter). */
function frameworkError(err: FastifyError): TesseraError {
  const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  return new TesseraError('bad_data', 'invalid-url', `invalid URL: ${err.message}`, { status });
}

/**
 * Answers a request Node's HTTP parser refused (oversized head, malformed request line, timeout)
 * in the JSON error envelope, then closes the connection, as fastify's default handler does.
 */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', `request line and headers larger than ${MAX_HEADER_BYTES} bytes: send long queries as a POST form`]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request not received in time']
        : [400, 'Bad Request', 'malformed HTTP request'];
  const body = JSON.stringify({ status: 'error', errorType: 'bad_data', error: message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** Creates the shared fastify server. Routes are added by the services of the running target. */
export function createHttpServer(config: HttpServerConfig): FastifyInstance {
  const app = Fastify({
    loggerInstance: config.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    // Every answer, even to a request that never reaches a route, is the JSON error envelope.
    frameworkErrors: (err, req, reply) => {
      void sendError(req as FastifyRequest, reply as FastifyReply, frameworkError(err));
    },
    clientErrorHandler,
  });

  // Remote-write and internal RPC bodies are raw bytes; so is anything we do not know, so that the
  // route can answer 415 with a message of its own rather than fastify's generic one.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.bodyLimitBytes }, (_req, body, done) => {
    done(null, body);
  });
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? {} : JSON.parse(body as string));
    } catch (e) {
      done(new TesseraError('bad_data', 'invalid-json', `invalid JSON body: ${(e as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseForm(body as string));
    } catch (e) {
      done(e as TesseraError, undefined);
    }
  });

  const duration = new Histogram({
    name: 'tessera_request_duration_seconds',
    help: 'Time (in seconds) spent serving HTTP requests.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [config.registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'other';
    duration.observe(
      { method: req.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setNotFoundHandler((req, reply) => {
    void sendError(req, reply, new TesseraError('not_found', 'not-found', `not found: ${req.method} ${req.url}`));
  });
  app.setErrorHandler((err, req, reply) => sendError(req, reply, fromFastifyError(err, config.bodyLimitBytes, config.bodyLimitOption)));
  return app;
}

/**
 * Sends an error in the route's format and logs it: 5xx at error, 4xx at info. Credential
 * refusals carry the `WWW-Authenticate` challenges. Nothing here logs request headers.
 */
export function sendError(req: FastifyRequest, reply: FastifyReply, err: TesseraError): FastifyReply {
  if (err.kind === 'internal') {
    req.log.error({ err, code: err.code, url: req.url }, 'request failed');
  } else if (err.status >= 500) {
    // Timeouts and unavailability are operational conditions, not bugs: no stack trace.
    req.log.warn({ code: err.code, status: err.status, msg: err.message, url: req.url }, 'request failed');
  } else if (err.status < 400) {
    // A 2xx "error" (an HA replica's samples dropped with 202) is routine: one per push of a standby.
    req.log.debug({ code: err.code, status: err.status, url: req.url }, 'request not applied');
  } else {
    req.log.info({ code: err.code, status: err.status, msg: err.message, url: req.url }, 'request rejected');
  }
  const cfg = req.routeOptions.config as RouteErrorConfig | undefined;
  reply.code(err.status);
  if (isCredentialError(err)) reply.header('www-authenticate', AUTH_CHALLENGES);
  if (cfg?.textErrors === true) {
    return reply.type('text/plain; charset=utf-8').send(err.message + '\n');
  }
  return reply.send({ status: 'error', errorType: ERROR_TYPE[err.kind], error: err.message });
}

const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/**
 * Parses a query string or form body, refusing a malformed percent-escape (`%G1`, a trailing `%`)
 * as Go's `url.ParseQuery` does, with its message, where URLSearchParams would keep it literally
 * and so answer for a query the client did not mean.
 */
function parseForm(raw: string): URLSearchParams {
  const bad = BAD_ESCAPE.exec(raw);
  if (bad !== null) {
    const escape = raw.slice(bad.index, bad.index + 3);
    throw new TesseraError('bad_data', 'invalid-form', `error parsing form values: invalid URL escape ${JSON.stringify(escape)}`);
  }
  return new URLSearchParams(raw);
}

/**
 * Prometheus-style parameters of a request: the query string merged with a form-encoded body,
 * as Go's `FormValue` does (body values first, then URL values). Repeated keys (`match[]`) keep
 * every value.
 */
export class Params {
  readonly #values = new Map<string, string[]>();

  constructor(req: FastifyRequest) {
    if (req.body instanceof URLSearchParams) this.#add(req.body);
    const q = req.url.indexOf('?');
    if (q >= 0) this.#add(parseForm(req.url.slice(q + 1)));
  }

  #add(p: URLSearchParams): void {
    for (const [k, v] of p) {
      const list = this.#values.get(k);
      if (list === undefined) this.#values.set(k, [v]);
      else list.push(v);
    }
  }

  /** The first value of a parameter, or undefined. */
  get(name: string): string | undefined {
    return this.#values.get(name)?.[0];
  }

  /** Every value of a repeated parameter, in order. */
  getAll(name: string): string[] {
    return this.#values.get(name) ?? [];
  }
}
