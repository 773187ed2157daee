/**
 * The expression query endpoints of the Prometheus API — `query`, `query_range`, `format_query`
 * and `query_exemplars` — over a {@link QueryRunner}.
 *
 * The main thread only parses and checks (parameters in Prometheus's order, so a request wrong
 * in two ways hears of the same problem Prometheus reports; the query itself; the tenant's
 * limits) and hands the evaluation to the runner, whose answer is already the complete JSON
 * text. A client that disconnects aborts its query. Every query slower than
 * `-querier.slow-query-log-threshold` (all of them at 0) gets one log line.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { PromQLError, PromQLParseError, exprType, formatExpr, parseExpr, type Expr } from '@tessera/promql';
import { Params, TesseraError, resolveTenant, toTesseraError, type TenantResolverConfig } from '@tessera/server';
import type { Limits } from '@tessera/limits';
import type { QueryRequest, QueryRunner } from './query-runner.ts';
import { routeGetPost, sendJsonText } from './api-http.ts';
import { TenantConcurrency, checkPartialQueryLength, checkTotalQueryLength, clampRangeStart, lookbackFloor } from './api-limits.ts';
import { invalidParam, parseApiDuration, parseDurationParam, parseLimitParam, parseTime, parseTimeParam, MAX_TIME_MS, MIN_TIME_MS } from './params.ts';
import { selectorRanges, type SelectorRange } from './selector-ranges.ts';

/** Prometheus's cap on the points of one series in a range query. */
export const MAX_POINTS_PER_SERIES = 11_000;

/** What the query endpoints need besides their configuration. */
export interface QueryApiDeps {
  runner: Pick<QueryRunner, 'run'>;
  /** The tenant's limits, read per request so runtime overrides apply at once. */
  limits: (tenant: string) => Readonly<Limits>;
  registry: Registry;
  /** The clock (ms); tests pin it. */
  now?: () => number;
}

/** Options of the query endpoints. */
export interface QueryApiConfig extends TenantResolverConfig {
  /** Path prefix of the Prometheus API, e.g. `/prometheus` ('' for none). */
  prefix: string;
  /** The lookback of instant selectors when a request sets no `lookback_delta` (`-querier.lookback-delta`). */
  lookbackDeltaMs: number;
  /** Queries taking at least this long are logged; 0 logs every query (`-querier.slow-query-log-threshold`). */
  slowQueryLogThresholdMs: number;
  /** Prometheus's `promql-experimental-functions`, as the runner is configured. */
  enableExperimentalFunctions: boolean;
  /** The step of a subquery written without one (`x[5m:]`), as the runner is configured. */
  defaultSubqueryStepMs: number;
}

/** One parsed and checked query, ready for the runner. */
interface PreparedQuery {
  tenant: string;
  request: QueryRequest;
  /** The `limit` parameter (0: none). */
  limit: number;
}

/** The reasons a query is refused before it runs, as counted in metrics. */
const REJECT_REASONS = ['max-total-query-length', 'max-query-length', 'max-concurrent-queries-per-tenant'] as const;

/** Registers `query`, `query_range`, `format_query` and `query_exemplars` under the prefix. */
export function registerQueryApi(app: FastifyInstance, deps: QueryApiDeps, cfg: QueryApiConfig): void {
  const p = cfg.prefix.replace(/\/+$/, '');
  const now = deps.now ?? Date.now;
  const concurrency = new TenantConcurrency();
  const rejected = new Counter({
    name: 'tessera_querier_queries_rejected_total',
    help: 'Queries refused by a per-tenant limit before they ran, by limit.',
    labelNames: ['reason'] as const,
    registers: [deps.registry],
  });
  for (const r of REJECT_REASONS) rejected.inc({ reason: r }, 0);
  new Gauge({
    name: 'tessera_querier_inflight_queries',
    help: 'Queries being evaluated now, over all tenants.',
    registers: [deps.registry],
    collect() {
      this.set(concurrency.total);
    },
  });
  const countRejection = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (TesseraError.is(e) && (REJECT_REASONS as readonly string[]).includes(e.code)) rejected.inc({ reason: e.code });
      throw e;
    }
  };

  /** Runs a prepared query: concurrency slot, cancellation on disconnect, limit, slow-query log. */
  const execute = async (req: FastifyRequest, reply: FastifyReply, q: PreparedQuery): Promise<FastifyReply> => {
    const limits = deps.limits(q.tenant);
    countRejection(() => concurrency.acquire(q.tenant, limits.maxConcurrentQueriesPerTenant));
    const abort = new AbortController();
    const onClose = (): void => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.on('close', onClose);
    // A client gone before the listener was attached would never be noticed.
    if (req.raw.socket?.destroyed === true) abort.abort();
    const started = performance.now();
    try {
      const res = await deps.runner.run(q.request, abort.signal);
      logQuery(req, cfg, q.request, performance.now() - started, { seriesFetched: res.seriesFetched, samplesProcessed: res.samplesProcessed });
      return sendJsonText(reply, q.limit > 0 ? truncateResult(res.body, q.limit) : res.body);
    } catch (e) {
      const err = toQueryError(e);
      logQuery(req, cfg, q.request, performance.now() - started, { error: err.message, status: err.status });
      throw err;
    } finally {
      reply.raw.off('close', onClose);
      concurrency.release(q.tenant);
    }
  };

  routeGetPost(app, `${p}/api/v1/query`, async (req, reply) => {
    const tenant = resolveTenant(req.headers, cfg);
    const params = new Params(req);
    const limit = parseLimitParam(params.get('limit'));
    const t = parseTimeParam(params.get('time'), 'time', now());
    const timeoutMs = parseTimeout(params.get('timeout'));
    const lookbackDeltaMs = parseLookbackDelta(params.get('lookback_delta'), cfg.lookbackDeltaMs);
    const expr = params.get('query') ?? '';
    const ast = parseQueryParam(expr, cfg.enableExperimentalFunctions);
    const limits = deps.limits(tenant);
    const ranges = selectorRanges(ast, { startMs: t, endMs: t, stepMs: 0, lookbackDeltaMs, defaultSubqueryStepMs: cfg.defaultSubqueryStepMs });
    // A vector or matrix wholly before the tenant's lookback window reads nothing it may see.
    const type = exprType(ast);
    if (ranges.length > 0 && (type === 'vector' || type === 'matrix') && t < lookbackFloor(now(), limits.maxQueryLookback)) {
      return sendJsonText(reply, emptyResult(type));
    }
    countRejection(() => checkPartialQueryLength(ranges, limits.maxPartialQueryLength));
    const request = buildRequest(tenant, expr, 'instant', t, t, 0, timeoutMs, lookbackDeltaMs, params, limits);
    return execute(req, reply, { tenant, request, limit });
  });

  routeGetPost(app, `${p}/api/v1/query_range`, async (req, reply) => {
    const tenant = resolveTenant(req.headers, cfg);
    const params = new Params(req);
    const limit = parseLimitParam(params.get('limit'));
    let start = parseTime(params.get('start'), 'start');
    const end = parseTime(params.get('end'), 'end');
    if (end < start) {
      throw new TesseraError('bad_data', 'invalid-time-range', 'end timestamp must not be before start time');
    }
    // Evaluation runs on whole milliseconds: a step under 1ms is no step at all.
    const stepMs = parseDurationParam(params.get('step'), 'step');
    if (stepMs <= 0) {
      throw new TesseraError('bad_data', 'invalid-step', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    }
    if (Math.floor((end - start) / stepMs) > MAX_POINTS_PER_SERIES) {
      throw new TesseraError(
        'bad_data',
        'too-many-points',
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    }
    const timeoutMs = parseTimeout(params.get('timeout'));
    const lookbackDeltaMs = parseLookbackDelta(params.get('lookback_delta'), cfg.lookbackDeltaMs);
    const expr = params.get('query') ?? '';
    const ast = parseQueryParam(expr, cfg.enableExperimentalFunctions);
    const type = exprType(ast);
    if (type !== 'scalar' && type !== 'vector') {
      throw invalidParam(
        'query',
        `invalid expression type ${quoteType(type)} for range query, must be Scalar or instant Vector`,
        'invalid-expression-type',
      );
    }
    const limits = deps.limits(tenant);
    countRejection(() => checkTotalQueryLength(start, end, limits.maxTotalQueryLength));
    const rangesFrom = (s: number): SelectorRange[] =>
      selectorRanges(ast, { startMs: s, endMs: end, stepMs, lookbackDeltaMs, defaultSubqueryStepMs: cfg.defaultSubqueryStepMs });
    let ranges = rangesFrom(start);
    if (ranges.length > 0) {
      // Only queries that read data are held to the lookback window (`time()` is not).
      const clamped = clampRangeStart(start, end, stepMs, now(), limits.maxQueryLookback);
      if (clamped === null) return sendJsonText(reply, emptyResult('matrix'));
      if (clamped !== start) {
        start = clamped;
        ranges = rangesFrom(start);
      }
    }
    countRejection(() => checkPartialQueryLength(ranges, limits.maxPartialQueryLength));
    const request = buildRequest(tenant, expr, 'range', start, end, stepMs, timeoutMs, lookbackDeltaMs, params, limits);
    return execute(req, reply, { tenant, request, limit });
  });

  routeGetPost(app, `${p}/api/v1/format_query`, async (req) => {
    resolveTenant(req.headers, cfg);
    const ast = parseQueryParam(new Params(req).get('query') ?? '', cfg.enableExperimentalFunctions);
    return { status: 'success', data: formatExpr(ast) };
  });

  routeGetPost(app, `${p}/api/v1/query_exemplars`, async (req) => {
    resolveTenant(req.headers, cfg);
    const params = new Params(req);
    const start = parseTimeParam(params.get('start'), 'start', MIN_TIME_MS);
    const end = parseTimeParam(params.get('end'), 'end', MAX_TIME_MS);
    if (end < start) {
      throw new TesseraError('bad_data', 'invalid-time-range', 'end timestamp must not be before start timestamp');
    }
    // Prometheus reports an unparsable query here without the parameter prefix.
    try {
      parseExpr(params.get('query') ?? '', { enableExperimentalFunctions: cfg.enableExperimentalFunctions });
    } catch (e) {
      if (PromQLParseError.is(e)) throw new TesseraError('bad_data', 'parse-error', e.message);
      throw e;
    }
    // No exemplars are stored yet: a valid request finds none.
    return { status: 'success', data: [] };
  });
}

/** Parses the `query` parameter: `invalid parameter "query": 1:5: parse error: …`. */
function parseQueryParam(expr: string, experimental: boolean): Expr {
  try {
    return parseExpr(expr, { enableExperimentalFunctions: experimental });
  } catch (e) {
    if (PromQLParseError.is(e)) throw invalidParam('query', e.message, 'parse-error');
    throw e;
  }
}

/** `timeout`: absent means the tenant's limit; a value above it is capped by it. */
function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  return parseDurationParam(value, 'timeout');
}

/** `lookback_delta`: absent, zero or negative means the configured default, as in Prometheus. */
function parseLookbackDelta(value: string | undefined, fallbackMs: number): number {
  if (value === undefined || value === '') return fallbackMs;
  const d = parseApiDuration(value);
  if (typeof d === 'string') {
    throw new TesseraError('bad_data', 'invalid-lookback-delta', `error parsing lookback delta duration: ${d}`);
  }
  return d > 0 ? d : fallbackMs;
}

function quoteType(t: string): string {
  return `"${t === 'matrix' ? 'range vector' : t}"`;
}

function buildRequest(
  tenant: string,
  expr: string,
  kind: 'instant' | 'range',
  startMs: number,
  endMs: number,
  stepMs: number,
  timeoutParamMs: number | undefined,
  lookbackDeltaMs: number,
  params: Params,
  limits: Readonly<Limits>,
): QueryRequest {
  // The tenant's query timeout is the default and the cap; a zero or negative request still
  // gets a (1ms) deadline rather than none.
  const timeoutMs = Math.max(1, Math.min(timeoutParamMs ?? limits.queryTimeout, limits.queryTimeout));
  return {
    tenant,
    expr,
    kind,
    startMs,
    endMs,
    stepMs,
    timeoutMs,
    lookbackDeltaMs,
    // Prometheus includes statistics for any non-empty `stats`; `all` adds per-step detail.
    stats: (params.get('stats') ?? '') !== '',
    limits: {
      maxFetchedSeries: limits.maxFetchedSeriesPerQuery,
      maxFetchedChunks: limits.maxFetchedChunksPerQuery,
      maxSamples: limits.maxSamplesPerQuery,
    },
  };
}

/** A success response with no series, for a query that may read nothing. */
function emptyResult(type: 'vector' | 'matrix'): string {
  return `{"status":"success","data":{"resultType":"${type}","result":[]}}`;
}

/**
 * Applies `limit` to a vector or matrix result as Prometheus 3 does: the first `limit` series
 * are kept and the warning `results truncated due to limit` added; scalars and strings, and
 * results within the limit, are left as they are.
 */
export function truncateResult(body: string, limit: number): string {
  const parsed = JSON.parse(body) as { data?: { resultType?: string; result?: unknown[] }; warnings?: string[] };
  const data = parsed.data;
  if (data === undefined || (data.resultType !== 'vector' && data.resultType !== 'matrix')) return body;
  if (!Array.isArray(data.result) || data.result.length <= limit) return body;
  data.result = data.result.slice(0, limit);
  parsed.warnings = [...(parsed.warnings ?? []), 'results truncated due to limit'];
  return JSON.stringify(parsed);
}

/** Errors from the runner as the API reports them; anything unknown is internal (500). */
function toQueryError(e: unknown): TesseraError {
  if (TesseraError.is(e)) return e;
  if (PromQLError.is(e)) return new TesseraError(e.kind, e.code, e.message, { cause: e });
  return toTesseraError(e);
}

/** What a query line logs beyond the request. */
type QueryOutcome = { seriesFetched: number; samplesProcessed: number } | { error: string; status: number };

/** The slow-query log: one info line per query at or over the threshold. */
function logQuery(req: FastifyRequest, cfg: QueryApiConfig, q: QueryRequest, elapsedMs: number, outcome: QueryOutcome): void {
  if (elapsedMs < cfg.slowQueryLogThresholdMs) return;
  req.log.info(
    {
      tenant: q.tenant,
      query: q.expr,
      kind: q.kind,
      // Unix seconds, as the API takes them (any time Prometheus accepts, even past year 275760).
      start: q.startMs / 1000,
      end: q.endMs / 1000,
      rangeSeconds: (q.endMs - q.startMs) / 1000,
      stepSeconds: q.stepMs / 1000,
      durationSeconds: Math.round(elapsedMs) / 1000,
      ...outcome,
    },
    'slow query',
  );
}
