/**
 * One rule group being evaluated: its rules in order at one evaluation time, their health, the
 * staleness markers of series a rule stopped producing, the alerts to notify about, and the
 * restoration of alerts' `for` state after the group (re)appears on this ruler.
 *
 * Not concurrent: the scheduler (ruler-manager.ts) runs at most one evaluation of a group at a
 * time, and evaluations, restore and markStale are awaited in sequence.
 */
import type { Logger } from '@tessera/server';
import { quoteGo } from '@tessera/model';
import type { AlertSender } from './alert-sender.ts';
import { AlertingRule, type TemplateContext, type TemplateExpander } from './alerting-rule.ts';
import type { GroupSpec, OutSample, QueryFn, RuleSpec, SeriesWriter } from './eval-types.ts';
import { canonicalExpr } from './expr-format.ts';
import { labelsKey } from './labels-util.ts';
import type { RulerMetrics } from './metrics.ts';
import { recordingSamples } from './recording-rule.ts';
import { STALE_NAN } from './series-writer.ts';

/** Prometheus's rule health. */
export type RuleHealth = 'unknown' | 'ok' | 'err';

/** One rule of a group with its evaluation state. */
export interface RuleEntry {
  readonly spec: RuleSpec;
  /** The expression as Prometheus prints it (the API's `query`). */
  readonly query: string;
  /** Set for alerting rules. */
  readonly alerting: AlertingRule | undefined;
  health: RuleHealth;
  lastError: string;
  /** Unix ms of the last evaluation; 0 before the first. */
  lastEvaluationMs: number;
  evaluationTimeMs: number;
  /** Series written by the last successful evaluation, by label key (for staleness markers). */
  previous: Map<string, Record<string, string>>;
}

/** Ruler-wide settings and the services a group uses. */
export interface GroupDeps {
  query: QueryFn;
  writer: SeriesWriter;
  sender: AlertSender;
  /** The template expander of a tenant's rules (their `query` function reads that tenant). */
  expand: (tenant: string) => TemplateExpander;
  template: TemplateContext;
  logger: Logger;
  metrics: RulerMetrics;
  /** `-ruler.resend-delay` (Prometheus 1m): least time between two sends of a firing alert. */
  resendDelayMs: number;
  /** `-ruler.for-outage-tolerance` (1h): longest outage after which `for` state is restored. */
  outageToleranceMs: number;
  /** `-ruler.for-grace-period` (10m): least time a restored alert stays pending. */
  forGracePeriodMs: number;
}

/** A group with its rules' state. */
export class GroupEvaluator {
  readonly spec: GroupSpec;
  readonly key: string;
  readonly rules: RuleEntry[];
  lastEvaluationMs = 0;
  evaluationTimeMs = 0;
  /** Whether the next evaluation is followed by restoring `for` state. */
  shouldRestore = true;
  readonly #deps: GroupDeps;
  readonly #log: Logger;

  constructor(spec: GroupSpec, deps: GroupDeps) {
    this.spec = spec;
    this.key = groupKey(spec.tenant, spec.namespace, spec.name);
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'ruler', tenant: spec.tenant, namespace: spec.namespace, group: spec.name });
    this.rules = spec.rules.map((r) => ({
      spec: r,
      query: canonicalExpr(r.expr),
      alerting: r.alert === undefined ? undefined : new AlertingRule(r, deps.template, deps.expand(spec.tenant)),
      health: 'unknown',
      lastError: '',
      lastEvaluationMs: 0,
      evaluationTimeMs: 0,
      previous: new Map(),
    }));
  }

  /**
   * Takes over the state of the same group before a reload: rules are matched by kind, name and
   * occurrence, so a changed expression keeps its alerts (Prometheus does the same).
   */
  copyStateFrom(old: GroupEvaluator): void {
    const oldByKey = new Map<string, RuleEntry[]>();
    for (const r of old.rules) {
      const k = ruleIdentity(r.spec);
      oldByKey.set(k, [...(oldByKey.get(k) ?? []), r]);
    }
    for (const r of this.rules) {
      const prev = oldByKey.get(ruleIdentity(r.spec))?.shift();
      if (prev === undefined) continue;
      r.health = prev.health;
      r.lastError = prev.lastError;
      r.lastEvaluationMs = prev.lastEvaluationMs;
      r.evaluationTimeMs = prev.evaluationTimeMs;
      r.previous = prev.previous;
      if (r.alerting !== undefined && prev.alerting !== undefined) r.alerting.takeAlertsFrom(prev.alerting);
    }
    this.lastEvaluationMs = old.lastEvaluationMs;
    this.evaluationTimeMs = old.evaluationTimeMs;
    this.shouldRestore = old.shouldRestore;
  }

  /** Evaluates every rule at `tsMs` (the aligned group time), then restores `for` state once. */
  async evaluate(tsMs: number): Promise<void> {
    const started = performance.now();
    const evalTs = tsMs - this.spec.queryOffsetMs;
    for (const rule of this.rules) await this.#evalRule(rule, evalTs, tsMs);
    this.lastEvaluationMs = tsMs;
    this.evaluationTimeMs = performance.now() - started;
    if (this.shouldRestore) {
      this.shouldRestore = false;
      await this.restoreForState(tsMs);
    }
  }

  async #evalRule(rule: RuleEntry, evalTs: number, wallTs: number): Promise<void> {
    const { tenant } = this.spec;
    const started = performance.now();
    this.#deps.metrics.evaluations.inc({ tenant });
    try {
      const vector = await this.#deps.query.instant(tenant, rule.spec.expr, evalTs);
      const samples =
        rule.alerting === undefined ? recordingSamples(rule.spec, evalTs, vector, this.spec.limit) : await rule.alerting.eval(evalTs, vector, this.spec.limit);
      if (rule.alerting !== undefined) {
        const alerts = rule.alerting.alertsToSend(wallTs, this.#deps.resendDelayMs, this.spec.intervalMs, this.#deps.template.externalUrl);
        if (alerts.length > 0) {
          this.#deps.sender.send(tenant, alerts);
          this.#deps.metrics.alertsSent.inc({ tenant }, alerts.length);
        }
      }
      // Series written last time and not this time end with a staleness marker.
      const current = new Map<string, Record<string, string>>();
      for (const s of samples) current.set(labelsKey(s.labels), s.labels);
      const out: OutSample[] = [...samples];
      for (const [k, labels] of rule.previous) if (!current.has(k)) out.push({ labels, value: STALE_NAN, timestampMs: evalTs });
      rule.previous = current;
      rule.health = 'ok';
      rule.lastError = '';
      const problems = await this.#deps.writer.write(tenant, out);
      if (problems.length > 0) {
        rule.health = 'err';
        rule.lastError = problems.join('; ');
        this.#deps.metrics.evaluationFailures.inc({ tenant });
        this.#log.warn({ rule: ruleName(rule.spec), problems }, 'rule results refused by the write path');
      }
    } catch (e) {
      rule.health = 'err';
      rule.lastError = e instanceof Error ? e.message : String(e);
      this.#deps.metrics.evaluationFailures.inc({ tenant });
      this.#log.warn({ rule: ruleName(rule.spec), err: rule.lastError }, 'rule evaluation failed');
    } finally {
      rule.lastEvaluationMs = wallTs;
      rule.evaluationTimeMs = performance.now() - started;
    }
  }

  /**
   * Restores the `activeAt` of the alerts active after the first evaluation from the
   * ALERTS_FOR_STATE series written before (within the outage tolerance), as Prometheus does:
   * an alert that had not yet fired gets the rest of its `for` after the outage, but at least the
   * grace period; one that had fired keeps its old activeAt (and fires at once). Rules whose `for`
   * is below the grace period are not restored.
   */
  async restoreForState(tsMs: number): Promise<void> {
    const { tenant } = this.spec;
    for (const rule of this.rules) {
      const ar = rule.alerting;
      if (ar === undefined) continue;
      const holdMs = ar.spec.forMs;
      if (holdMs < this.#deps.forGracePeriodMs || ar.activeAlerts().length === 0) {
        ar.restored = true;
        continue;
      }
      try {
        // With the lookback stretched to the outage tolerance, an instant selector returns each
        // series' last sample of that window, unless that sample is a staleness marker (the alert
        // had resolved): exactly the samples Prometheus restores from.
        const selector = `ALERTS_FOR_STATE{alertname=${quoteGo(ar.name)}}`;
        const opts = { lookbackDeltaMs: this.#deps.outageToleranceMs };
        const [values, times] = await Promise.all([
          this.#deps.query.instant(tenant, selector, tsMs, opts),
          this.#deps.query.instant(tenant, `timestamp(${selector})`, tsMs, opts),
        ]);
        const timeByKey = new Map<string, number>();
        for (const s of times) timeByKey.set(labelsKey(withoutName(s.labels)), Math.round(s.value * 1000));
        const byKey = new Map<string, [number, number]>();
        for (const s of values) {
          const key = labelsKey(withoutName(s.labels));
          const t = timeByKey.get(key);
          if (t !== undefined) byKey.set(key, [t, s.value]);
        }
        for (const a of ar.activeAlerts()) {
          const found = byKey.get(labelsKey(a.labels));
          if (found === undefined || Number.isNaN(found[1])) continue;
          const downAt = Math.floor(found[0] / 1000) * 1000;
          let activeAt = found[1] * 1000;
          const remaining = holdMs - (downAt - activeAt);
          if (remaining <= 0) {
            // It had fired: it fires again at once.
          } else if (remaining < this.#deps.forGracePeriodMs) {
            activeAt = tsMs + this.#deps.forGracePeriodMs - holdMs;
          } else {
            activeAt += tsMs - downAt;
          }
          a.activeAtMs = activeAt;
        }
      } catch (e) {
        this.#log.warn({ rule: ar.name, err: e instanceof Error ? e.message : String(e) }, 'restoring the for state failed');
      }
      ar.restored = true;
    }
  }

  /** Ends every series the group wrote with a staleness marker (the group was removed). */
  async markStale(tsMs: number): Promise<void> {
    const out: OutSample[] = [];
    for (const r of this.rules) {
      for (const labels of r.previous.values()) out.push({ labels, value: STALE_NAN, timestampMs: tsMs });
      r.previous = new Map();
    }
    try {
      await this.#deps.writer.write(this.spec.tenant, out);
    } catch (e) {
      this.#log.warn({ err: e instanceof Error ? e.message : String(e) }, 'writing staleness markers failed');
    }
  }
}

/** Identity of a group across reloads and rulers: `tenant/namespace/group`, unambiguous. */
export function groupKey(tenant: string, namespace: string, group: string): string {
  return JSON.stringify([tenant, namespace, group]);
}

function withoutName(labels: Record<string, string>): Record<string, string> {
  const out = { ...labels };
  delete out.__name__;
  return out;
}

function ruleName(spec: RuleSpec): string {
  return spec.alert ?? spec.record ?? '';
}

function ruleIdentity(spec: RuleSpec): string {
  return `${spec.alert === undefined ? 'record' : 'alert'}\u0000${ruleName(spec)}`;
}
