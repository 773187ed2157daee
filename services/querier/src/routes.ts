/**
 * HTTP routes of the querier under the Prometheus API prefix (default `/prometheus`), answered
 * exactly in Prometheus's JSON shapes, per tenant:
 *
 * | route                        | methods   | file            |
 * |------------------------------|-----------|-----------------|
 * | `api/v1/query`               | GET, POST | api-query.ts    |
 * | `api/v1/query_range`         | GET, POST | api-query.ts    |
 * | `api/v1/format_query`        | GET, POST | api-query.ts    |
 * | `api/v1/query_exemplars`     | GET, POST | api-query.ts    |
 * | `api/v1/series`              | GET, POST | here            |
 * | `api/v1/labels`              | GET, POST | here            |
 * | `api/v1/label/<name>/values` | GET       | here            |
 * | `api/v1/metadata`            | GET       | api-metadata.ts |
 * | `api/v1/status/buildinfo`    | GET       | api-metadata.ts (also at the root) |
 * | `api/v1/rules`               | GET       | api-rules.ts (empty; unless `emptyRulesApi: false`) |
 *
 * Other methods get 405. POST bodies are forms, merged with the query string.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { Params, TesseraError, resolveTenant, type TenantResolverConfig } from '@tessera/server';
import type { Limits } from '@tessera/limits';
import type { Querier } from './querier.ts';
import type { QueryRunner } from './query-runner.ts';
import { routeGetOnly, routeGetPost } from './api-http.ts';
import { lookbackFloor } from './api-limits.ts';
import { registerBuildInfoApi, registerMetadataApi, type MetadataReader } from './api-metadata.ts';
import { registerQueryApi } from './api-query.ts';
import { registerEmptyRulesApi } from './api-rules.ts';
import { parseLabelNameParam, parseLimitParam, parseMatchParams, parseRange } from './params.ts';

/** Default of `-querier.lookback-delta`. */
export const DEFAULT_LOOKBACK_DELTA_MS = 5 * 60_000;
/** Default of `-querier.slow-query-log-threshold`. */
export const DEFAULT_SLOW_QUERY_LOG_THRESHOLD_MS = 10_000;

/** Options of the query API routes. */
export interface QueryRoutesConfig extends TenantResolverConfig {
  /** Path prefix of the Prometheus API, e.g. `/prometheus` ('' for none). */
  prefix: string;
  /** Lookback of instant selectors when a request sets no `lookback_delta`; default 5m. */
  lookbackDeltaMs?: number;
  /** Queries taking at least this long are logged (0: every query); default 10s. */
  slowQueryLogThresholdMs?: number;
  /** Prometheus's `promql-experimental-functions`; must match the runner's. Default false. */
  enableExperimentalFunctions?: boolean;
  /** Step of subqueries written without one; must match the runner's. Default 1m. */
  defaultSubqueryStepMs?: number;
  /** Whether to answer `api/v1/rules` with no rules; false when a ruler serves it. Default true. */
  emptyRulesApi?: boolean;
}

/** What the query API routes are built from. */
export interface QueryRoutesDeps {
  /** Answers series, label names and label values. */
  querier: Querier;
  /** Evaluates `query` and `query_range`. */
  runner: Pick<QueryRunner, 'run'>;
  /** Where metric metadata comes from (every ingester that may hold the tenant). */
  metadata: () => readonly MetadataReader[];
  /** The tenant's limits, read per request. */
  limits: (tenant: string) => Readonly<Limits>;
  registry: Registry;
  /** The `data` of `status/buildinfo`; the route is not registered without it. */
  buildInfo?: () => Readonly<Record<string, string>>;
  /** The clock (ms); tests pin it. */
  now?: () => number;
}

interface Common {
  tenant: string;
  params: Params;
  mint: number;
  maxt: number;
  limit: number;
}

/** Applies `limit`, adding Prometheus's truncation warning when it cut the result. */
function limited<T>(data: T[], limit: number): { status: 'success'; data: T[]; warnings?: string[] } {
  if (limit > 0 && data.length > limit) {
    return { status: 'success', data: data.slice(0, limit), warnings: ['results truncated due to limit'] };
  }
  return { status: 'success', data };
}

/** Registers every route of the Prometheus query API. */
export function registerQueryRoutes(app: FastifyInstance, deps: QueryRoutesDeps, cfg: QueryRoutesConfig): void {
  const p = cfg.prefix.replace(/\/+$/, '');
  const now = deps.now ?? Date.now;
  const { querier } = deps;

  /** Tenant, parameters and range; the range starts no earlier than the tenant's lookback allows. */
  const common = (req: FastifyRequest): Common => {
    const tenant = resolveTenant(req.headers, cfg);
    const params = new Params(req);
    const range = parseRange(params.get('start'), params.get('end'));
    const limit = parseLimitParam(params.get('limit'));
    const mint = Math.max(range.mint, lookbackFloor(now(), deps.limits(tenant).maxQueryLookback));
    return { tenant, params, mint, maxt: range.maxt, limit };
  };

  routeGetPost(app, `${p}/api/v1/series`, async (req) => {
    const c = common(req);
    const match = c.params.getAll('match[]');
    if (match.length === 0) {
      throw new TesseraError('bad_data', 'missing-match', 'no match[] parameter provided');
    }
    const sets = parseMatchParams(match);
    if (c.maxt < c.mint) return limited([], 0);
    return limited((await querier.series(c.tenant, sets, c.mint, c.maxt)).map((l) => l.toObject()), c.limit);
  });

  routeGetPost(app, `${p}/api/v1/labels`, async (req) => {
    const c = common(req);
    const sets = parseMatchParams(c.params.getAll('match[]'));
    if (c.maxt < c.mint) return limited([], 0);
    return limited(await querier.labelNames(c.tenant, sets, c.mint, c.maxt), c.limit);
  });

  routeGetOnly(app, `${p}/api/v1/label/:name/values`, async (req) => {
    resolveTenant(req.headers, cfg); // credentials before anything else
    const name = parseLabelNameParam((req.params as { name: string }).name);
    const c = common(req);
    const sets = parseMatchParams(c.params.getAll('match[]'));
    if (c.maxt < c.mint) return limited([], 0);
    return limited(await querier.labelValues(c.tenant, name, sets, c.mint, c.maxt), c.limit);
  });

  registerQueryApi(
    app,
    { runner: deps.runner, limits: deps.limits, registry: deps.registry, now },
    {
      ...cfg,
      prefix: p,
      lookbackDeltaMs: cfg.lookbackDeltaMs ?? DEFAULT_LOOKBACK_DELTA_MS,
      slowQueryLogThresholdMs: cfg.slowQueryLogThresholdMs ?? DEFAULT_SLOW_QUERY_LOG_THRESHOLD_MS,
      enableExperimentalFunctions: cfg.enableExperimentalFunctions ?? false,
      defaultSubqueryStepMs: cfg.defaultSubqueryStepMs ?? 60_000,
    },
  );
  registerMetadataApi(app, deps.metadata, { ...cfg, prefix: p });
  if (deps.buildInfo !== undefined) registerBuildInfoApi(app, deps.buildInfo, p);
  if (cfg.emptyRulesApi !== false) registerEmptyRulesApi(app, { ...cfg, prefix: p });
}
