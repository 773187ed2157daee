/**
 * The ingester's internal RPC in the cluster mode: HTTP/1.1 routes that distributors and queriers
 * call on each ingester's HTTP port. Wire contract (clients must follow it exactly):
 *
 *   Every route: `POST /internal/ingester/<name>`, request and 200 response bodies are protobuf
 *   (`Content-Type: application/x-protobuf`; a request without Content-Type is accepted, any
 *   other type is 415). Headers:
 *     X-Scope-OrgID: <tenant>              required; missing → 400 `missing-tenant-id`,
 *                                          malformed → 400 `invalid-tenant-id`
 *     X-Tessera-Internal-Token: <secret>   required when the ingester was given a token
 *                                          (-internal.auth-token); missing/wrong → 401
 *                                          `invalid-internal-token` (checked before the body is read)
 *
 *   name          request body (message)                 200 body (message)
 *   push          prometheus.WriteRequest (remote.proto,  tessera.ingester.PushResult
 *                 uncompressed: no snappy)
 *   query_chunks  tessera.ingester.QueryRequest            tessera.ingester.QueryResponse
 *   label_names   tessera.ingester.LabelNamesRequest       tessera.ingester.LabelNamesResponse
 *   label_values  tessera.ingester.LabelValuesRequest      tessera.ingester.LabelValuesResponse
 *   series        tessera.ingester.SeriesRequest           tessera.ingester.SeriesResponse
 *   metadata      tessera.ingester.MetadataRequest         tessera.ingester.MetadataResponse
 *   tsdb_status   TsdbStatusRequest                        TsdbStatusResponse (tsdb-status.ts)
 *   user_stats    (empty)                                  UserStatsResponse (user-stats.ts)
 *
 *   push: the series were validated by the distributor; the ingester appends every series and
 *   sample of the body (no validation callback) and records its metadata entries. Refusals by
 *   the head (out of order, too old, series limits) are results: 200 with their counts in
 *   PushResult.rejected and messages in first_errors. Exemplars and histograms are ignored.
 *
 *   Errors: a non-200 status with a `text/plain` body holding the message.
 *     400 malformed body (`invalid-rpc-message`, `invalid-protobuf`), invalid regex
 *         (`invalid-regexp`), bad tenant header — do not retry
 *     401 internal token missing or wrong
 *     415 Content-Type neither absent nor application/x-protobuf
 *     413 body over the server's body limit
 *     503 `ingester-stopping`: push refused because the ingester is shutting down — count it as
 *         a failed replica (another replica or a retry will take the write); reads still answer
 *     500 anything else (e.g. `wal-write-failed`) — a failed replica
 *
 * Codecs for every message are exported from this package (rpc-codec.ts, rpc-codec-labels.ts),
 * and the WriteRequest encoder from @tessera/remotewrite (`encodeWriteRequestFromDecoded`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ModelError, validateTenantId } from '@tessera/model';
import { DecodedWriteRequest, MetricType, RemoteWriteDecodeError, decodeWriteRequest } from '@tessera/remotewrite';
import { TesseraError, type Logger, type RouteErrorConfig } from '@tessera/server';
import { newAppendResult, type AppendResult, type HeadRejectCode } from '@tessera/tsdb';
import type { Ingester } from './ingester.ts';
import type { MetricMetadata } from './metadata.ts';
import { decodeQueryRequest, encodePushResult, encodeQueryResponse } from './rpc-codec.ts';
import {
  decodeLabelNamesRequest,
  decodeLabelValuesRequest,
  decodeMetadataRequest,
  decodeSeriesRequest,
  encodeMetadataResponse,
  encodeSeriesResponse,
  encodeStringList,
} from './rpc-codec-labels.ts';
import { RpcDecodeError } from './rpc-wire.ts';
import { decodeTsdbStatusRequest, encodeTsdbStatus, headTsdbStatus } from './tsdb-status.ts';
import { encodeUserStats } from './user-stats.ts';

/** Paths of the ingester RPC routes. */
export const INGESTER_RPC_PATHS = {
  push: '/internal/ingester/push',
  queryChunks: '/internal/ingester/query_chunks',
  labelNames: '/internal/ingester/label_names',
  labelValues: '/internal/ingester/label_values',
  series: '/internal/ingester/series',
  metadata: '/internal/ingester/metadata',
  tsdbStatus: '/internal/ingester/tsdb_status',
  userStats: '/internal/ingester/user_stats',
} as const;

/** Content type of every RPC request and 200 response body. */
export const RPC_CONTENT_TYPE = 'application/x-protobuf';

/** Header carrying the shared internal secret (lower case, as node reports headers). */
export const INTERNAL_TOKEN_HEADER = 'x-tessera-internal-token';

/** Header naming the tenant (lower case). */
export const RPC_TENANT_HEADER = 'x-scope-orgid';

/** Options of {@link registerIngesterRpcRoutes}. */
export interface IngesterRpcOptions {
  /** `-internal.auth-token`: when non-null, every call must carry it; null disables the check. */
  internalToken: string | null;
  logger: Logger;
}

/** A checker of the internal token in constant time (digests make the lengths equal). */
export function internalTokenChecker(token: string | null): (given: string | string[] | undefined) => boolean {
  if (token === null) return () => true;
  const want = createHash('sha256').update(token).digest();
  return (given) => {
    if (typeof given !== 'string') return false;
    return timingSafeEqual(createHash('sha256').update(given).digest(), want);
  };
}

/** The tenant of an internal call, from X-Scope-OrgID (required, one tenant). */
function rpcTenant(req: FastifyRequest): string {
  const raw = req.headers[RPC_TENANT_HEADER];
  if (raw === undefined || raw === '') {
    throw new TesseraError('bad_data', 'missing-tenant-id', 'internal call without a tenant: set the X-Scope-OrgID header');
  }
  if (typeof raw !== 'string') throw new TesseraError('bad_data', 'invalid-tenant-id', 'X-Scope-OrgID given more than once');
  const problem = validateTenantId(raw);
  if (problem !== null) throw new TesseraError('bad_data', 'invalid-tenant-id', `invalid X-Scope-OrgID: ${problem}`);
  return raw;
}

/** The raw body; absent means empty (an all-defaults message). */
function rpcBody(req: FastifyRequest): Uint8Array {
  const type = req.headers['content-type'];
  if (type !== undefined && type !== '' && type.split(';')[0]!.trim().toLowerCase() !== RPC_CONTENT_TYPE) {
    throw new TesseraError('unsupported_media', 'unsupported-content-type', `unsupported Content-Type "${type}": internal calls send ${RPC_CONTENT_TYPE}`);
  }
  const body = req.body;
  if (body === undefined || body === null) return new Uint8Array(0);
  if (!(body instanceof Uint8Array)) {
    throw new TesseraError('unsupported_media', 'unsupported-content-type', `internal calls send ${RPC_CONTENT_TYPE}`);
  }
  return body;
}

/** Runs a decoder, turning malformed input into 400s. */
function decode<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (RpcDecodeError.is(e) || ModelError.is(e)) throw new TesseraError('bad_data', e.code, `invalid ${what}: ${e.message}`);
    throw e;
  }
}

function sendProto(reply: FastifyReply, bytes: Uint8Array): FastifyReply {
  return reply.type(RPC_CONTENT_TYPE).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

const METRIC_TYPE_NAMES: Record<number, string> = {
  [MetricType.UNKNOWN]: 'unknown',
  [MetricType.COUNTER]: 'counter',
  [MetricType.GAUGE]: 'gauge',
  [MetricType.HISTOGRAM]: 'histogram',
  [MetricType.GAUGEHISTOGRAM]: 'gaugehistogram',
  [MetricType.SUMMARY]: 'summary',
  [MetricType.INFO]: 'info',
  [MetricType.STATESET]: 'stateset',
};

function resetResult(r: AppendResult): void {
  r.samplesAppended = 0;
  r.samplesDuplicateIgnored = 0;
  r.seriesCreated = 0;
  for (const k of Object.keys(r.rejected) as HeadRejectCode[]) r.rejected[k] = 0;
  r.firstErrors.length = 0;
}

/** How often a refused internal token is logged at warn, at most. */
const TOKEN_WARN_INTERVAL_MS = 60_000;

/**
 * Registers the `/internal/ingester/*` routes (see the file comment for the contract) on `app`,
 * which must hand non-JSON bodies to routes as Buffers (`createHttpServer` from @tessera/server
 * does).
 */
export function registerIngesterRpcRoutes(app: FastifyInstance, ingester: Ingester, opts: IngesterRpcOptions): void {
  const log = opts.logger.child({ component: 'ingester-rpc' });
  const tokenOk = internalTokenChecker(opts.internalToken);
  let lastTokenWarn = -Infinity;
  const config: RouteErrorConfig = { textErrors: true };
  const onRequest = async (req: FastifyRequest): Promise<void> => {
    if (tokenOk(req.headers[INTERNAL_TOKEN_HEADER])) return;
    const now = Date.now();
    if (now - lastTokenWarn >= TOKEN_WARN_INTERVAL_MS) {
      lastTokenWarn = now;
      log.warn({ url: req.url, remote: req.ip }, 'internal call refused: missing or wrong internal token');
    }
    throw new TesseraError('unauthorized', 'invalid-internal-token', 'internal endpoint: missing or wrong X-Tessera-Internal-Token (-internal.auth-token)');
  };
  const route = (path: string, handler: (req: FastifyRequest, tenant: string, body: Uint8Array) => Uint8Array): void => {
    app.post(path, { config, onRequest }, async (req, reply) => sendProto(reply, handler(req, rpcTenant(req), rpcBody(req))));
  };

  // Reused across pushes: the handler is synchronous from decoding to encoding the result.
  const decoded = new DecodedWriteRequest();
  const result = newAppendResult();
  route(INGESTER_RPC_PATHS.push, (_req, tenant, body) => {
    try {
      decodeWriteRequest(body, decoded);
    } catch (e) {
      if (RemoteWriteDecodeError.is(e)) throw new TesseraError('bad_data', e.code, `invalid WriteRequest: ${e.message}`);
      throw e;
    }
    resetResult(result);
    ingester.push(tenant, decoded, null, null, result);
    if (decoded.metadata.length > 0) {
      const entries: MetricMetadata[] = decoded.metadata.map((m) => ({
        metricFamilyName: m.metricFamilyName,
        type: METRIC_TYPE_NAMES[m.type] ?? 'unknown',
        help: m.help,
        unit: m.unit,
      }));
      ingester.pushMetadata(tenant, entries);
    }
    return encodePushResult(result);
  });

  route(INGESTER_RPC_PATHS.queryChunks, (_req, tenant, body) => {
    const q = decode('QueryRequest', () => decodeQueryRequest(body));
    return encodeQueryResponse(ingester.queryChunks(tenant, q.matchers, q.mint, q.maxt));
  });

  route(INGESTER_RPC_PATHS.labelNames, (_req, tenant, body) => {
    const q = decode('LabelNamesRequest', () => decodeLabelNamesRequest(body));
    return encodeStringList(ingester.labelNames(tenant, q.sets, q.mint, q.maxt));
  });

  route(INGESTER_RPC_PATHS.labelValues, (_req, tenant, body) => {
    const q = decode('LabelValuesRequest', () => decodeLabelValuesRequest(body));
    return encodeStringList(ingester.labelValues(tenant, q.name, q.sets, q.mint, q.maxt));
  });

  route(INGESTER_RPC_PATHS.series, (_req, tenant, body) => {
    const q = decode('SeriesRequest', () => decodeSeriesRequest(body));
    return encodeSeriesResponse(ingester.series(tenant, q.sets, q.mint, q.maxt));
  });

  route(INGESTER_RPC_PATHS.metadata, (_req, tenant, body) => {
    const q = decode('MetadataRequest', () => decodeMetadataRequest(body));
    return encodeMetadataResponse(ingester.metadata(tenant, q.metric === '' ? undefined : q.metric, q.limit));
  });

  route(INGESTER_RPC_PATHS.tsdbStatus, (_req, tenant, body) => {
    const limit = decode('TsdbStatusRequest', () => decodeTsdbStatusRequest(body));
    return encodeTsdbStatus(headTsdbStatus(ingester.head(tenant), limit));
  });

  route(INGESTER_RPC_PATHS.userStats, (_req, tenant) => encodeUserStats(ingester.userStats(tenant)));
}
