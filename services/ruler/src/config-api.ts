/**
 * The ruler's configuration API, with Mimir's paths, bodies and status codes (under the
 * Prometheus prefix, `/prometheus` by default):
 *
 * | path                                   | method | answer                                                   |
 * |----------------------------------------|--------|----------------------------------------------------------|
 * | `config/v1/rules`                      | GET    | 200 YAML `namespace: [group, …]`; 404 when none          |
 * | `config/v1/rules/{namespace}`          | GET    | 200 the same map for one namespace; 404 when empty        |
 * | `config/v1/rules/{namespace}`          | POST   | body: ONE rule group (YAML); 202, or 400 with the reason  |
 * | `config/v1/rules/{namespace}`          | DELETE | 202; 404 when the namespace has no groups                 |
 * | `config/v1/rules/{namespace}/{group}`  | GET    | 200 the group as YAML; 404 when missing                   |
 * | `config/v1/rules/{namespace}/{group}`  | DELETE | 202; 404 when missing                                     |
 *
 * The same routes answer without the prefix under `/api/v1/rules` (Mimir's alternative paths)
 * unless the prefix is empty, where that path is the Prometheus rules API. Namespace and group
 * are path segments, percent-decoded (`%2F` for a `/`). A POSTed group replaces the group of that
 * name in the namespace. Errors are plain text, as Mimir writes them; successful changes answer
 * Mimir's JSON `{"status":"success","data":null,"errorType":"","error":""}`.
 *
 * Validation is `promtool check rules`'s (rule-group-validate.ts); then the per-tenant limits
 * `ruler_max_rules_per_rule_group` and `ruler_max_rule_groups_per_tenant` (a group replacing one
 * of the same name does not count twice).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Limits } from '@tessera/limits';
import { TesseraError, resolveTenant, type RouteErrorConfig, type TenantResolverConfig } from '@tessera/server';
import { namespacesToYaml, ruleGroupToYaml } from './rule-group.ts';
import { checkRuleGroup, type ValidateOptions } from './rule-group-validate.ts';
import type { RuleStore } from './rule-store.ts';

/** Longest namespace or group name, in UTF-8 bytes: its base64 must fit a file name (255 bytes). */
export const MAX_RULE_NAME_BYTES = 180;

/** What the config API needs. */
export interface RulesConfigApiDeps {
  store: RuleStore;
  /** The tenant's limits (`rulerMaxRuleGroupsPerTenant`, `rulerMaxRulesPerRuleGroup` are read). */
  limits: (tenant: string) => Readonly<Pick<Limits, 'rulerMaxRuleGroupsPerTenant' | 'rulerMaxRulesPerRuleGroup'>>;
  /** Called after a group was stored or deleted (the local ruler reloads the tenant at once). */
  onChange?: (tenant: string) => void;
  /** Validation options (tests inject a template checker). */
  validate?: ValidateOptions;
}

/** Options of {@link registerRulesConfigApi}. */
export interface RulesConfigApiConfig extends TenantResolverConfig {
  /** Path prefix of the Prometheus API, e.g. `/prometheus` ('' for none). */
  prefix: string;
}

const YAML_TYPE = 'application/yaml';
const ACCEPTED = JSON.stringify({ status: 'success', data: null, errorType: '', error: '' });
const TEXT_ERRORS: RouteErrorConfig = { textErrors: true };

/**
 * Registers the config API routes on `app`, in a plugin of their own whose only body parser
 * takes any content type as raw bytes: `curl --data-binary @rules.yaml` sends YAML labelled as a
 * form, which the server's form parser would otherwise refuse or mangle. The routes exist once
 * the app is ready (`listen`, `ready` or `inject`).
 */
export function registerRulesConfigApi(app: FastifyInstance, deps: RulesConfigApiDeps, cfg: RulesConfigApiConfig): void {
  void app.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    registerRoutes(child, deps, cfg);
  });
}

function registerRoutes(app: FastifyInstance, deps: RulesConfigApiDeps, cfg: RulesConfigApiConfig): void {
  const prefix = cfg.prefix.replace(/\/+$/, '');
  const bases = [`${prefix}/config/v1/rules`];
  if (prefix !== '') bases.push('/api/v1/rules');
  const { store } = deps;
  const tenantOf = (req: FastifyRequest): string => resolveTenant(req.headers, cfg);

  for (const base of bases) {
    app.get(base, { config: TEXT_ERRORS }, async (req, reply) => {
      const tenant = tenantOf(req);
      const groups = await store.loadRuleGroups(tenant);
      if (groups.length === 0) throw notFound('no rule groups found');
      return sendYaml(reply, namespacesToYaml(groups));
    });

    app.get<{ Params: { namespace: string } }>(`${base}/:namespace`, { config: TEXT_ERRORS }, async (req, reply) => {
      const tenant = tenantOf(req);
      const namespace = nameParam(req.params.namespace, 'namespace');
      const groups = await store.loadRuleGroups(tenant, namespace);
      if (groups.length === 0) throw notFound('no rule groups found');
      return sendYaml(reply, namespacesToYaml(groups));
    });

    app.post<{ Params: { namespace: string } }>(`${base}/:namespace`, { config: TEXT_ERRORS }, async (req, reply) => {
      const tenant = tenantOf(req);
      const namespace = nameParam(req.params.namespace, 'namespace');
      const checked = checkRuleGroup(bodyText(req.body), deps.validate);
      if (!checked.ok) throw new TesseraError('bad_data', 'invalid-rule-group', checked.errors.join('\n'));
      const group = checked.value;
      checkNameLength(group.name, 'rule group name');

      const limits = deps.limits(tenant);
      const maxRules = limits.rulerMaxRulesPerRuleGroup;
      if (maxRules > 0 && group.rules.length > maxRules) {
        throw new TesseraError(
          'tenant_limit',
          'max-rules-per-rule-group',
          `per-user rules per rule group limit (limit: ${maxRules} actual: ${group.rules.length}) exceeded; ` +
            'the limit is -ruler.max-rules-per-rule-group (ruler_max_rules_per_rule_group)',
        );
      }
      const maxGroups = limits.rulerMaxRuleGroupsPerTenant;
      if (maxGroups > 0) {
        const existing = await store.listRuleGroups(tenant);
        const replaces = existing.some((k) => k.namespace === namespace && k.name === group.name);
        const after = existing.length + (replaces ? 0 : 1);
        if (after > maxGroups) {
          throw new TesseraError(
            'tenant_limit',
            'max-rule-groups-per-tenant',
            `per-user rule groups limit (limit: ${maxGroups} actual: ${after}) exceeded; ` +
              'the limit is -ruler.max-rule-groups-per-tenant (ruler_max_rule_groups_per_tenant)',
          );
        }
      }
      await store.setRuleGroup(tenant, namespace, group);
      req.log.info({ tenant, namespace, group: group.name, rules: group.rules.length }, 'rule group stored');
      deps.onChange?.(tenant);
      return sendAccepted(reply);
    });

    app.delete<{ Params: { namespace: string } }>(`${base}/:namespace`, { config: TEXT_ERRORS }, async (req, reply) => {
      const tenant = tenantOf(req);
      const namespace = nameParam(req.params.namespace, 'namespace');
      if (!(await store.deleteNamespace(tenant, namespace))) throw notFound('group namespace does not exist');
      req.log.info({ tenant, namespace }, 'rule namespace deleted');
      deps.onChange?.(tenant);
      return sendAccepted(reply);
    });

    app.get<{ Params: { namespace: string; groupName: string } }>(`${base}/:namespace/:groupName`, { config: TEXT_ERRORS }, async (req, reply) => {
      const tenant = tenantOf(req);
      const namespace = nameParam(req.params.namespace, 'namespace');
      const name = nameParam(req.params.groupName, 'rule group name');
      const group = await store.getRuleGroup(tenant, namespace, name);
      if (group === null) throw notFound('group does not exist');
      return sendYaml(reply, ruleGroupToYaml(group));
    });

    app.delete<{ Params: { namespace: string; groupName: string } }>(`${base}/:namespace/:groupName`, { config: TEXT_ERRORS }, async (req, reply) => {
      const tenant = tenantOf(req);
      const namespace = nameParam(req.params.namespace, 'namespace');
      const name = nameParam(req.params.groupName, 'rule group name');
      if (!(await store.deleteRuleGroup(tenant, namespace, name))) throw notFound('group does not exist');
      req.log.info({ tenant, namespace, group: name }, 'rule group deleted');
      deps.onChange?.(tenant);
      return sendAccepted(reply);
    });
  }
}

function notFound(message: string): TesseraError {
  return new TesseraError('not_found', 'rule-group-not-found', message);
}

function checkNameLength(name: string, what: string): void {
  if (Buffer.byteLength(name, 'utf8') > MAX_RULE_NAME_BYTES) {
    throw new TesseraError('bad_data', 'rule-name-too-long', `${what} too long: at most ${MAX_RULE_NAME_BYTES} bytes (UTF-8)`);
  }
}

/** A namespace or group name from the path (already percent-decoded by the router). */
function nameParam(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new TesseraError('bad_data', 'missing-rule-name', `a ${what} must be provided in the request`);
  checkNameLength(value, what);
  return value;
}

/** The request body as text (the routes' parser gives raw bytes whatever the content type). */
function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (typeof body === 'string') return body;
  throw new TesseraError('bad_data', 'invalid-request-body', 'the request body must be one rule group in YAML');
}

function sendYaml(reply: FastifyReply, text: string): FastifyReply {
  return reply.type(YAML_TYPE).send(text);
}

function sendAccepted(reply: FastifyReply): FastifyReply {
  return reply.code(202).type('application/json').send(ACCEPTED);
}
