/**
 * Prometheus's rule state APIs for a tenant, in Prometheus's exact JSON shapes:
 *
 * - `GET <prefix>/api/v1/rules`: groups with their rules, health and alerts; filters `type`
 *   (`alert`|`record`), `rule_name[]`, `rule_group[]`, `file[]` (the namespace), `exclude_alerts`.
 * - `GET <prefix>/api/v1/alerts`: every pending and firing alert.
 *
 * Times are RFC 3339 in UTC (Go's zero time for "never"), durations in seconds, alert values as
 * Go's `%e`. A rule's state is its most severe alert's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Params, TesseraError, resolveTenant, type TenantResolverConfig } from '@tessera/server';
import type { Alert } from './alerting-rule.ts';
import type { GroupEvaluator, RuleEntry } from './group-evaluator.ts';
import { GO_ZERO_TIME, formatGoFloatE, formatRfc3339 } from './go-format.ts';

/** Options of the state APIs. */
export interface StateApiConfig extends TenantResolverConfig {
  /** Prefix of the Prometheus API, e.g. `/prometheus`. */
  prefix: string;
}

/** One group in the JSON shape of `api/v1/rules` (alerts included). */
export interface GroupJson {
  name: string;
  file: string;
  rules: Record<string, unknown>[];
  interval: number;
  limit: number;
  evaluationTime: number;
  lastEvaluation: string;
}

/** Where the state comes from: a tenant's groups as JSON (this ruler's, or gathered from all rulers). */
export type TenantGroups = (tenant: string) => Promise<GroupJson[]> | GroupJson[];

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** GET only; other methods 405 with `Allow`, as Prometheus answers them. */
function getOnly(app: FastifyInstance, url: string, handler: Handler): void {
  app.route({ method: 'GET', url, handler });
  app.route({
    method: ['POST', 'PUT', 'DELETE', 'PATCH'],
    url,
    handler: async (req, reply) => {
      reply.header('allow', 'GET');
      throw new TesseraError('method_not_allowed', 'method-not-allowed', `method ${req.method} not allowed for ${url}; use GET`);
    },
  });
}

/** The JSON of one alert in Prometheus's shape. */
export function alertJson(a: Alert): Record<string, unknown> {
  return {
    labels: a.labels,
    annotations: a.annotations,
    state: a.state,
    activeAt: formatRfc3339(a.activeAtMs),
    ...(a.keepFiringSinceMs !== 0 ? { keepFiringSince: formatRfc3339(a.keepFiringSinceMs) } : {}),
    value: formatGoFloatE(a.value),
  };
}

function lastEval(ms: number): string {
  return ms === 0 ? GO_ZERO_TIME : formatRfc3339(ms);
}

/** The JSON of one rule in Prometheus's shape. */
export function ruleJson(r: RuleEntry, excludeAlerts: boolean): Record<string, unknown> {
  const common = {
    health: r.health,
    ...(r.lastError !== '' ? { lastError: r.lastError } : {}),
    evaluationTime: r.evaluationTimeMs / 1000,
    lastEvaluation: lastEval(r.lastEvaluationMs),
  };
  if (r.alerting === undefined) {
    return {
      name: r.spec.record,
      query: r.query,
      ...(Object.keys(r.spec.labels).length > 0 ? { labels: r.spec.labels } : {}),
      ...common,
      type: 'recording',
    };
  }
  return {
    state: r.alerting.state(),
    name: r.spec.alert,
    query: r.query,
    duration: r.spec.forMs / 1000,
    keepFiringFor: r.spec.keepFiringForMs / 1000,
    labels: r.spec.labels,
    annotations: r.spec.annotations,
    ...(excludeAlerts ? {} : { alerts: r.alerting.activeAlerts().map(alertJson) }),
    ...common,
    type: 'alerting',
  };
}

/** The JSON of a group with every rule and alert. */
export function groupJson(g: GroupEvaluator): GroupJson {
  return {
    name: g.spec.name,
    file: g.spec.namespace,
    rules: g.rules.map((r) => ruleJson(r, false)),
    interval: g.spec.intervalMs / 1000,
    limit: g.spec.limit,
    evaluationTime: g.evaluationTimeMs / 1000,
    lastEvaluation: lastEval(g.lastEvaluationMs),
  };
}

/** The groups of a local ruler as JSON. */
export function localGroups(groups: (tenant: string) => readonly GroupEvaluator[]): TenantGroups {
  return (tenant) => groups(tenant).map(groupJson);
}

/**
 * Merges the groups of several rulers: sorted by file then name; a group two rulers hold (while
 * it moves between them) is shown once, as evaluated last.
 */
export function mergeGroups(lists: readonly (readonly GroupJson[])[]): GroupJson[] {
  const byKey = new Map<string, GroupJson>();
  for (const list of lists) {
    for (const g of list) {
      const k = JSON.stringify([g.file, g.name]);
      const prev = byKey.get(k);
      if (prev === undefined || Date.parse(g.lastEvaluation) > Date.parse(prev.lastEvaluation)) byKey.set(k, g);
    }
  }
  return [...byKey.values()].sort((a, b) => cmp(a.file, b.file) || cmp(a.name, b.name));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Registers the two routes. */
export function registerStateApi(app: FastifyInstance, groups: TenantGroups, cfg: StateApiConfig): void {
  const p = cfg.prefix.replace(/\/+$/, '');
  getOnly(app, `${p}/api/v1/rules`, async (req) => {
    const tenant = resolveTenant(req.headers, cfg);
    const params = new Params(req);
    const type = (params.get('type') ?? '').toLowerCase();
    if (type !== '' && type !== 'alert' && type !== 'record') {
      throw new TesseraError('bad_data', 'invalid-parameter', `invalid parameter "type": not supported value ${JSON.stringify(type)}`);
    }
    const excludeAlerts = parseBool(params.get('exclude_alerts'), 'exclude_alerts');
    const names = new Set(params.getAll('rule_name[]'));
    const groupNames = new Set(params.getAll('rule_group[]'));
    const files = new Set(params.getAll('file[]'));
    const ruleFilter = type !== '' || names.size > 0;
    const out: GroupJson[] = [];
    for (const g of await groups(tenant)) {
      if (groupNames.size > 0 && !groupNames.has(g.name)) continue;
      if (files.size > 0 && !files.has(g.file)) continue;
      const rules = g.rules
        .filter((r) => {
          if (type === 'alert' && r.type !== 'alerting') return false;
          if (type === 'record' && r.type !== 'recording') return false;
          return names.size === 0 || names.has(r.name as string);
        })
        .map((r) => {
          if (!excludeAlerts || !('alerts' in r)) return r;
          const { alerts: _alerts, ...rest } = r;
          return rest;
        });
      if (ruleFilter && rules.length === 0) continue;
      out.push({ ...g, rules });
    }
    return { status: 'success', data: { groups: out } };
  });
  getOnly(app, `${p}/api/v1/alerts`, async (req) => {
    const tenant = resolveTenant(req.headers, cfg);
    const alerts: unknown[] = [];
    for (const g of await groups(tenant)) for (const r of g.rules) if (Array.isArray(r.alerts)) alerts.push(...(r.alerts as unknown[]));
    return { status: 'success', data: { alerts } };
  });
}

function parseBool(v: string | undefined, name: string): boolean {
  if (v === undefined || v === '') return false;
  const s = v.toLowerCase();
  if (s === 'true' || s === '1' || s === 't') return true;
  if (s === 'false' || s === '0' || s === 'f') return false;
  throw new TesseraError('bad_data', 'invalid-parameter', `invalid parameter "${name}": strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}
