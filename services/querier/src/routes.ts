/**
 * HTTP routes of the querier under the Prometheus API prefix (default `/prometheus`):
 * `api/v1/series`, `api/v1/labels`, `api/v1/label/<name>/values`, each GET and POST (form body),
 * answered exactly in Prometheus's JSON shapes, per tenant.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isValidLabelName } from '@tessera/model';
import { Params, TesseraError, resolveTenant, type TenantResolverConfig } from '@tessera/server';
import type { Querier } from './querier.ts';
import { parseLimitParam, parseMatchParams, parseRange } from './params.ts';

/** Options of the query API routes. */
export interface QueryRoutesConfig extends TenantResolverConfig {
  /** Path prefix of the Prometheus API, e.g. `/prometheus`. */
  prefix: string;
}

interface Common {
  tenant: string;
  params: Params;
  mint: number;
  maxt: number;
  limit: number;
}

function common(req: FastifyRequest, cfg: QueryRoutesConfig): Common {
  const tenant = resolveTenant(req.headers, cfg);
  const params = new Params(req);
  const { mint, maxt } = parseRange(params.get('start'), params.get('end'));
  return { tenant, params, mint, maxt, limit: parseLimitParam(params.get('limit')) };
}

/** Applies `limit`, adding Prometheus's truncation warning when it cut the result. */
function limited<T>(data: T[], limit: number): { status: 'success'; data: T[]; warnings?: string[] } {
  if (limit > 0 && data.length > limit) {
    return { status: 'success', data: data.slice(0, limit), warnings: ['results truncated due to limit'] };
  }
  return { status: 'success', data };
}

/** Registers the read routes. */
export function registerQueryRoutes(app: FastifyInstance, querier: Querier, cfg: QueryRoutesConfig): void {
  const p = cfg.prefix.replace(/\/+$/, '');
  const both = (url: string, handler: (req: FastifyRequest) => unknown): void => {
    app.route({ method: ['GET', 'POST'], url, handler: async (req) => handler(req) });
  };

  both(`${p}/api/v1/series`, (req) => {
    const c = common(req, cfg);
    const match = c.params.getAll('match[]');
    if (match.length === 0) {
      throw new TesseraError('bad_data', 'missing-match', 'no match[] parameter provided');
    }
    const sets = parseMatchParams(match);
    const series = querier.series(c.tenant, sets, c.mint, c.maxt).map((l) => l.toObject());
    return limited(series, c.limit);
  });

  both(`${p}/api/v1/labels`, (req) => {
    const c = common(req, cfg);
    const sets = parseMatchParams(c.params.getAll('match[]'));
    return limited(querier.labelNames(c.tenant, sets, c.mint, c.maxt), c.limit);
  });

  both(`${p}/api/v1/label/:name/values`, (req) => {
    const c = common(req, cfg);
    const name = (req.params as { name: string }).name;
    if (!isValidLabelName(name)) {
      throw new TesseraError('bad_data', 'invalid-label-name', `invalid label name: "${name}"`);
    }
    const sets = parseMatchParams(c.params.getAll('match[]'));
    return limited(querier.labelValues(c.tenant, name, sets, c.mint, c.maxt), c.limit);
  });
}
