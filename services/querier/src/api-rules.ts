/**
 * `api/v1/rules` where no ruler answers it: the tenant's rule groups, of which there are none.
 *
 * Prometheus always serves this route, with no rules too, and Grafana depends on it: the
 * data source loads recording rules from it at start, and the alert list of a Prometheus data
 * source reads `data.groups` from it and shows "404 from rule state endpoint. Perhaps ruler API is
 * not enabled?" when it is missing. GET only, as in Prometheus (a POST gets 405, after which
 * Grafana retries with GET). Only where no ruler answers the route: processes running a ruler,
 * and the querier of a cluster (which asks the rulers), pass `emptyRulesApi: false`.
 */
import type { FastifyInstance } from 'fastify';
import { Params, TesseraError, resolveTenant, type TenantResolverConfig } from '@tessera/server';
import { routeGetOnly } from './api-http.ts';

/** Options of the rules endpoint. */
export interface RulesApiConfig extends TenantResolverConfig {
  /** Path prefix of the Prometheus API, e.g. `/prometheus` ('' for none). */
  prefix: string;
}

/** Registers `api/v1/rules` under the prefix, answering `{"groups":[]}` to every tenant. */
export function registerEmptyRulesApi(app: FastifyInstance, cfg: RulesApiConfig): void {
  const p = cfg.prefix.replace(/\/+$/, '');
  routeGetOnly(app, `${p}/api/v1/rules`, async (req) => {
    resolveTenant(req.headers, cfg); // credentials checked as on every tenant API
    // Prometheus refuses an unknown `type`; the other filters (rule_name[], file[], …) only narrow.
    const type = (new Params(req).get('type') ?? '').toLowerCase();
    if (type !== '' && type !== 'alert' && type !== 'record') {
      throw new TesseraError('bad_data', 'invalid-parameter', `invalid parameter "type": not supported value ${JSON.stringify(type)}`);
    }
    return { status: 'success', data: { groups: [] } };
  });
}
