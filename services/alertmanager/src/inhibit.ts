/**
 * Inhibition: an alert matching a rule's target matchers is muted while an alert matching its
 * source matchers fires with the same values of the `equal` labels (absent counts as equal to
 * absent). An alert that matches both sides is not muted by itself or by other such alerts.
 */
import { resolvedAt, type Alert } from './alert.ts';
import type { InhibitRuleConfig } from './config.ts';
import type { LabelSet } from './labels.ts';
import { matchAll } from './matchers.ts';

/** Decides which alerts are muted, over the tenant's current alerts. */
export class Inhibitor {
  readonly #rules: readonly InhibitRuleConfig[];
  readonly #alerts: () => Iterable<Alert>;

  /** `alerts`: every alert the tenant's Alertmanager knows (resolved ones are skipped). */
  constructor(rules: readonly InhibitRuleConfig[], alerts: () => Iterable<Alert>) {
    this.#rules = rules;
    this.#alerts = alerts;
  }

  /** The fingerprint of an alert that inhibits one with labels `ls` at `now`, or null. */
  inhibitedBy(ls: LabelSet, now: number): string | null {
    for (const rule of this.#rules) {
      if (!matchAll(rule.target, ls)) continue;
      const twoSided = matchAll(rule.source, ls);
      for (const src of this.#alerts()) {
        if (resolvedAt(src, now) || !matchAll(rule.source, src.labels)) continue;
        if (!rule.equal.every((l) => (src.labels[l] ?? '') === (ls[l] ?? ''))) continue;
        if (twoSided && matchAll(rule.target, src.labels)) continue;
        return src.fingerprint;
      }
    }
    return null;
  }

  /** True when an alert with labels `ls` is muted at `now`. */
  mutes(ls: LabelSet, now: number): boolean {
    return this.inhibitedBy(ls, now) !== null;
  }
}
