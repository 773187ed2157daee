/**
 * HTTP routes of the alertmanager:
 *
 * | Path | Method | What |
 * |---|---|---|
 * | `/api/v1/alerts` | GET | the tenant's configuration (YAML); 404 without one |
 * | `/api/v1/alerts` | POST | store a configuration (Mimir's format); 201, or 400 with the problem |
 * | `/api/v1/alerts` | DELETE | delete it; 200 |
 * | `/alertmanager/api/v2/alerts` | POST | give alerts to the tenant's Alertmanager (Alertmanager's v2 API) |
 * | `/alertmanager/api/v2/alerts` | GET | the tenant's active alerts (v2 API shape) |
 *
 * Errors are plain text, as Mimir answers on these paths.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TesseraError, resolveTenant, type TenantResolverConfig } from '@tessera/server';
import type { PostableAlert } from './alert.ts';
import type { MultitenantAlertmanager } from './multitenant.ts';
import { ConfigProblem } from './yaml-fields.ts';

const text = { textErrors: true };

function bodyText(req: FastifyRequest): string {
  const b = req.body;
  if (b === undefined || b === null) return '';
  if (Buffer.isBuffer(b)) return b.toString('utf8');
  if (typeof b === 'string') return b;
  if (b instanceof URLSearchParams) return b.toString();
  return JSON.stringify(b); // JSON is YAML
}

/** Options of {@link registerAlertmanagerRoutes}. */
export interface AlertmanagerRoutesOptions {
  /**
   * Path of the configuration API (default `/api/v1/alerts`). Another one is needed when the
   * Prometheus API is served without a prefix: Prometheus's `/api/v1/alerts` takes that path.
   */
  readonly configPath?: string;
}

/** Registers the alertmanager's routes on `app`. */
export function registerAlertmanagerRoutes(app: FastifyInstance, am: MultitenantAlertmanager, tenancy: TenantResolverConfig, opts: AlertmanagerRoutesOptions = {}): void {
  const path = opts.configPath ?? '/api/v1/alerts';
  app.get(path, { config: text }, async (req, reply) => {
    const tenant = resolveTenant(req.headers, tenancy);
    const yaml = await am.getConfig(tenant);
    if (yaml === null) throw new TesseraError('not_found', 'alertmanager-config-not-found', 'alertmanager storage object not found: the tenant has no Alertmanager configuration');
    return reply.type('application/yaml').send(yaml);
  });

  app.post(path, { config: text }, async (req, reply) => {
    const tenant = resolveTenant(req.headers, tenancy);
    try {
      await am.setConfig(tenant, bodyText(req));
    } catch (e) {
      if (e instanceof ConfigProblem) throw new TesseraError('bad_data', 'invalid-alertmanager-config', `error validating Alertmanager config: ${e.message}`);
      throw e;
    }
    return reply.code(201).send();
  });

  app.delete(path, { config: text }, async (req, reply) => {
    const tenant = resolveTenant(req.headers, tenancy);
    await am.deleteConfig(tenant);
    return reply.code(200).send();
  });

  app.post('/alertmanager/api/v2/alerts', { config: text }, async (req, reply) => {
    const tenant = resolveTenant(req.headers, tenancy);
    const body = req.body;
    if (!Array.isArray(body)) throw new TesseraError('bad_data', 'invalid-alerts', 'the body must be a JSON array of alerts');
    const problems = am.receive(tenant, body as PostableAlert[]);
    if (problems === null) throw new TesseraError('not_found', 'alertmanager-not-configured', 'the Alertmanager is not configured for this tenant: upload a configuration to /api/v1/alerts');
    if (problems.length > 0) throw new TesseraError('bad_data', 'invalid-alerts', problems.join('; '));
    return reply.code(200).send();
  });

  app.get('/alertmanager/api/v2/alerts', { config: text }, async (req, reply) => {
    const tenant = resolveTenant(req.headers, tenancy);
    const alerts = am.listAlerts(tenant);
    if (alerts === null) throw new TesseraError('not_found', 'alertmanager-not-configured', 'the Alertmanager is not configured for this tenant: upload a configuration to /api/v1/alerts');
    return reply.send(alerts);
  });
}
