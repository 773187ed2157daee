/**
 * The evaluator's view of the rule store: every tenant's groups as {@link GroupSpec}s, with the
 * ruler's default interval applied to groups that set none.
 */
import type { GroupSpec, RuleSpec } from './eval-types.ts';
import type { RuleDesc } from './rule-group.ts';
import type { RuleStore } from './rule-store.ts';
import type { GroupSource } from './ruler-manager.ts';

/** Options of {@link storeGroupSource}. */
export interface StoreGroupSourceOptions {
  store: RuleStore;
  /** `-ruler.evaluation-interval`: the interval of groups without one. */
  defaultIntervalMs: number;
  /** Limits the tenants read (ring sharding by tenant could skip whole tenants); default all. */
  tenantFilter?: (tenant: string) => boolean;
}

function ruleSpec(r: RuleDesc): RuleSpec {
  return {
    ...(r.record !== '' ? { record: r.record } : { alert: r.alert }),
    expr: r.expr,
    forMs: r.for,
    keepFiringForMs: r.keepFiringFor,
    labels: { ...r.labels },
    annotations: { ...r.annotations },
  };
}

/** A {@link GroupSource} reading every tenant's groups from the store. */
export function storeGroupSource(opts: StoreGroupSourceOptions): GroupSource {
  const loadTenant = async (tenant: string): Promise<GroupSpec[]> => {
    if (opts.tenantFilter !== undefined && !opts.tenantFilter(tenant)) return [];
    return (await opts.store.loadRuleGroups(tenant)).map(({ namespace, group }) => ({
      tenant,
      namespace,
      name: group.name,
      intervalMs: group.interval > 0 ? group.interval : opts.defaultIntervalMs,
      queryOffsetMs: 0,
      limit: group.limit,
      rules: group.rules.map(ruleSpec),
    }));
  };
  return {
    async loadAll() {
      const out: GroupSpec[] = [];
      for (const tenant of await opts.store.listTenants()) out.push(...(await loadTenant(tenant)));
      return out;
    },
    loadTenant,
  };
}
