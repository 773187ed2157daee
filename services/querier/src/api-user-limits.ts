/**
 * `api/v1/user_limits` (Mimir's path, under the Prometheus prefix): the limits in force for the
 * calling tenant — the configured defaults with the tenant's runtime overrides applied — keyed by
 * the names the runtime config file uses, durations written as durations ("10m"). What the
 * console's status page shows, and what an operator checks when a tenant reports 429s. Limits
 * marked secret are masked.
 */
import type { FastifyInstance } from 'fastify';
import { formatDuration } from '@tessera/model';
import { resolveTenant, type TenantResolverConfig } from '@tessera/server';
import { LIMIT_YAML_NAMES, limitOptions, type Limits } from '@tessera/limits';
import { routeGetOnly } from './api-http.ts';

const DURATION_KEYS = new Set(limitOptions.options.filter((o) => o.spec.type === 'duration').map((o) => o.key));
/** Limits marked secret (e.g. an Alertmanager URL with credentials): shown masked, as `/config` does. */
const SECRET_KEYS = new Set(limitOptions.options.filter((o) => o.spec.secret === true).map((o) => o.key));
const SECRET_MASK = '********';

/** The limits as the runtime config would spell them, keys sorted. */
export function userLimitsJson(limits: Readonly<Limits>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const keys = (Object.keys(LIMIT_YAML_NAMES) as (keyof Limits)[]).sort((a, b) => (LIMIT_YAML_NAMES[a] < LIMIT_YAML_NAMES[b] ? -1 : 1));
  for (const key of keys) {
    const v = limits[key];
    if (SECRET_KEYS.has(key)) out[LIMIT_YAML_NAMES[key]] = v === '' ? '' : SECRET_MASK;
    else out[LIMIT_YAML_NAMES[key]] = DURATION_KEYS.has(key) && typeof v === 'number' ? formatDuration(v) : v;
  }
  return out;
}

/** Registers `GET <prefix>/api/v1/user_limits`. */
export function registerUserLimitsApi(app: FastifyInstance, limits: (tenant: string) => Readonly<Limits>, cfg: TenantResolverConfig & { prefix: string }): void {
  const p = cfg.prefix.replace(/\/+$/, '');
  routeGetOnly(app, `${p}/api/v1/user_limits`, async (req) => {
    const tenant = resolveTenant(req.headers, cfg);
    return { status: 'success', data: userLimitsJson(limits(tenant)) };
  });
}
