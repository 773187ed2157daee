/**
 * Rule groups as users write them: Prometheus's rule-group format (`name`, `interval`, `limit`,
 * `rules` of `record`|`alert`, `expr`, `for`, `keep_firing_for`, `labels`, `annotations`), the
 * plain data the config API stores and the evaluator reads.
 *
 * Zero values mean "not set", exactly as in Prometheus's Go structs (their YAML fields are
 * `omitempty`): an `interval` of 0 is the ruler's default evaluation interval, a `limit` of 0 is
 * no limit, a `for` of 0 fires at once, and an empty `record` or `alert` is absent. A validated
 * rule (rule-group-validate.ts) has exactly one of `record` and `alert`.
 *
 * Label and annotation maps have no prototype (a label may be called `__proto__`).
 */
import { stringify } from 'yaml';
import { formatDuration } from '@tessera/model';

/** One recording or alerting rule of a {@link RuleGroupDesc}. */
export interface RuleDesc {
  /** Name of the series a recording rule writes; '' for an alerting rule. */
  readonly record: string;
  /** Name of an alerting rule (its `alertname` label); '' for a recording rule. */
  readonly alert: string;
  /** The PromQL expression. */
  readonly expr: string;
  /** Alerting rules: how long (ms) the condition must hold before the alert fires. 0 = at once. */
  readonly for: number;
  /** Alerting rules: how long (ms) a firing alert keeps firing after the condition cleared. 0 = off. */
  readonly keepFiringFor: number;
  /** Labels added to the results (alerting rules: templates). */
  readonly labels: Readonly<Record<string, string>>;
  /** Alerting rules: annotation templates. */
  readonly annotations: Readonly<Record<string, string>>;
}

/** A rule group: rules evaluated in order, on one interval. */
export interface RuleGroupDesc {
  /** Unique within its namespace. */
  readonly name: string;
  /** Evaluation interval in ms; 0 = the ruler's default (`-ruler.evaluation-interval`). */
  readonly interval: number;
  /** Most series a recording rule or alerts an alerting rule may produce; 0 = no limit. */
  readonly limit: number;
  readonly rules: readonly RuleDesc[];
}

/** A rule group together with the namespace (Prometheus: the rule file) holding it. */
export interface NamespacedRuleGroup {
  readonly namespace: string;
  readonly group: RuleGroupDesc;
}

/**
 * The group as a plain object in Prometheus's YAML shape, zero fields left out and map keys
 * sorted, ready for a YAML (or JSON) serializer.
 */
export function ruleGroupToObject(g: RuleGroupDesc): Record<string, unknown> {
  const out: Record<string, unknown> = { name: g.name };
  if (g.interval !== 0) out.interval = formatDuration(g.interval);
  if (g.limit !== 0) out.limit = g.limit;
  out.rules = g.rules.map((r) => {
    const o: Record<string, unknown> = {};
    if (r.record !== '') o.record = r.record;
    if (r.alert !== '') o.alert = r.alert;
    o.expr = r.expr;
    if (r.for !== 0) o.for = formatDuration(r.for);
    if (r.keepFiringFor !== 0) o.keep_firing_for = formatDuration(r.keepFiringFor);
    if (Object.keys(r.labels).length > 0) o.labels = sortedMap(r.labels);
    if (Object.keys(r.annotations).length > 0) o.annotations = sortedMap(r.annotations);
    return o;
  });
  return out;
}

/** Options of the YAML writer: no line folding (expressions stay on the lines users wrote). */
const YAML_OUT = { lineWidth: 0, minContentWidth: 0 } as const;

/** The group as YAML in Prometheus's format (what the config API answers and stores). */
export function ruleGroupToYaml(g: RuleGroupDesc): string {
  return stringify(ruleGroupToObject(g), YAML_OUT);
}

/**
 * Namespaces and their groups as the YAML map `namespace: [group, …]` of
 * `GET /config/v1/rules`, namespaces and groups in the order given.
 */
export function namespacesToYaml(groups: readonly NamespacedRuleGroup[]): string {
  const out = new Map<string, unknown[]>();
  for (const { namespace, group } of groups) {
    let list = out.get(namespace);
    if (list === undefined) out.set(namespace, (list = []));
    list.push(ruleGroupToObject(group));
  }
  return stringify(out, YAML_OUT);
}

/** A copy as a Map (any key, `__proto__` included), sorted by key. */
function sortedMap(m: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.keys(m).sort().map((k) => [k, m[k]!]));
}
