/**
 * An alerting rule and its alerts: Prometheus's state machine, evaluated on the vector the rule's
 * expression returned at one evaluation time.
 *
 * States: a label set first seen becomes `pending` (activeAt = now); once it has been active for
 * `for`, `firing` (firedAt = now); when it disappears from the result, a pending alert is dropped
 * and a firing one becomes `inactive` (resolvedAt = now), unless `keep_firing_for` holds it firing
 * for that long after the condition stopped. Resolved alerts are kept for 15 minutes so that their
 * resolution is resent (Alertmanagers may miss one notification); a label set that returns in
 * that time starts over as pending.
 *
 * Each evaluation yields the `ALERTS{alertstate}` (value 1) and `ALERTS_FOR_STATE` (value:
 * activeAt in Unix seconds) samples of every pending and firing alert, once the rule's `for`
 * state has been restored after a start (see restoreForState in rule-group.ts); before that they
 * would overwrite the state being restored.
 */
import type { OutgoingAlert } from './alert-sender.ts';
import type { OutSample, RuleSpec, VectorSample } from './eval-types.ts';
import { canonicalExpr } from './expr-format.ts';
import { formatRfc3339, generatorUrl } from './go-format.ts';
import { labelsKey, sortedLabels } from './labels-util.ts';
import { ruleEvalError } from './rule-error.ts';

/** Prometheus keeps resolved alerts this long, resending their resolution meanwhile. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

/** The state of an alert (and of a rule: its most severe alert's). */
export type AlertState = 'inactive' | 'pending' | 'firing';

/** One alert of a rule. Times are Unix ms, 0 for "never". */
export interface Alert {
  /** Final labels: the sample's (without `__name__`), the rule's rendered labels, `alertname`. */
  readonly labels: Record<string, string>;
  annotations: Record<string, string>;
  state: AlertState;
  /** The sample value of the latest evaluation that saw it. */
  value: number;
  activeAtMs: number;
  firedAtMs: number;
  resolvedAtMs: number;
  lastSentAtMs: number;
  /** Until when the last notification holds the alert firing in the Alertmanager. */
  validUntilMs: number;
  /** Since when `keep_firing_for` has been holding the alert (0: not holding). */
  keepFiringSinceMs: number;
}

/** What rule templates see besides the sample (Prometheus's `$externalLabels`, `$externalURL`). */
export interface TemplateContext {
  externalLabels: Record<string, string>;
  externalUrl: string;
}

/** Expands one template; rejects with the template's parse or execution error. */
export type TemplateExpander = (
  name: string,
  text: string,
  data: { labels: Record<string, string>; externalLabels: Record<string, string>; externalURL: string; value: number },
  atMs: number,
) => Promise<string>;

/** An alerting rule with its active (and recently resolved) alerts. */
export class AlertingRule {
  readonly spec: RuleSpec;
  readonly name: string;
  /** The expression as Prometheus prints it (API `query`, `generatorURL`). */
  readonly query: string;
  readonly #ctx: TemplateContext;
  readonly #expand: TemplateExpander;
  /** Alerts by fingerprint; resolved ones stay for {@link RESOLVED_RETENTION_MS}. */
  readonly #alerts = new Map<string, Alert>();
  /** Whether the `for` state was restored (or there was nothing to restore). */
  restored = false;

  constructor(spec: RuleSpec, ctx: TemplateContext, expand: TemplateExpander) {
    if (spec.alert === undefined) throw new Error('not an alerting rule');
    this.spec = spec;
    this.name = spec.alert;
    this.query = canonicalExpr(spec.expr);
    this.#ctx = ctx;
    this.#expand = expand;
  }

  /**
   * Applies one evaluation's result at `tsMs` and returns the ALERTS / ALERTS_FOR_STATE samples.
   * Throws (with the alerts cleared, as Prometheus does) when two samples map to the same alert or
   * more than `limit` alerts are active.
   */
  async eval(tsMs: number, vector: readonly VectorSample[], limit: number): Promise<OutSample[]> {
    const seen = new Map<string, { labels: Record<string, string>; annotations: Record<string, string>; value: number }>();
    for (const s of vector) {
      const data = { labels: s.labels, externalLabels: this.#ctx.externalLabels, externalURL: this.#ctx.externalUrl, value: s.value };
      const labels: Record<string, string> = { ...s.labels };
      delete labels.__name__;
      for (const [k, text] of Object.entries(this.spec.labels)) {
        const v = await this.#render(`__alert_${this.name}`, text, data, tsMs);
        if (v === '') delete labels[k];
        else labels[k] = v;
      }
      labels.alertname = this.name;
      const annotations: Record<string, string> = {};
      for (const [k, text] of Object.entries(this.spec.annotations)) {
        annotations[k] = await this.#render(`__alert_${this.name}`, text, data, tsMs);
      }
      const fp = labelsKey(labels);
      if (seen.has(fp)) {
        this.#alerts.clear();
        throw ruleEvalError('duplicate-alert-labelset', 'vector contains metrics with the same labelset after applying alert labels');
      }
      seen.set(fp, { labels: sortedLabels(labels), annotations, value: s.value });
    }

    for (const [fp, r] of seen) {
      const a = this.#alerts.get(fp);
      if (a !== undefined && a.state !== 'inactive') {
        a.value = r.value;
        a.annotations = r.annotations;
        continue;
      }
      this.#alerts.set(fp, {
        labels: r.labels,
        annotations: r.annotations,
        state: 'pending',
        value: r.value,
        activeAtMs: tsMs,
        firedAtMs: 0,
        resolvedAtMs: 0,
        lastSentAtMs: 0,
        validUntilMs: 0,
        keepFiringSinceMs: 0,
      });
    }

    const out: OutSample[] = [];
    let active = 0;
    for (const [fp, a] of this.#alerts) {
      if (seen.has(fp)) {
        a.keepFiringSinceMs = 0;
      } else {
        let keepFiring = false;
        if (a.state === 'firing' && this.spec.keepFiringForMs > 0) {
          if (a.keepFiringSinceMs === 0) a.keepFiringSinceMs = tsMs;
          keepFiring = tsMs - a.keepFiringSinceMs < this.spec.keepFiringForMs;
        }
        if (a.state === 'pending' || (a.resolvedAtMs !== 0 && tsMs - a.resolvedAtMs > RESOLVED_RETENTION_MS)) {
          this.#alerts.delete(fp);
        }
        if (!keepFiring) {
          if (a.state !== 'inactive') {
            a.state = 'inactive';
            a.resolvedAtMs = tsMs;
          }
          continue;
        }
      }
      active++;
      if (a.state === 'pending' && tsMs - a.activeAtMs >= this.spec.forMs) {
        a.state = 'firing';
        a.firedAtMs = tsMs;
      }
      if (this.restored) {
        out.push({ labels: { ...a.labels, __name__: 'ALERTS', alertstate: a.state }, value: 1, timestampMs: tsMs });
        out.push({ labels: { ...a.labels, __name__: 'ALERTS_FOR_STATE' }, value: Math.floor(a.activeAtMs / 1000), timestampMs: tsMs });
      }
    }
    if (limit > 0 && active > limit) {
      this.#alerts.clear();
      throw ruleEvalError('alert-limit-exceeded', `exceeded limit of ${limit} with ${active} alerts`);
    }
    return out;
  }

  /** Renders a template; an error becomes the value, as in Prometheus (the alert still fires). */
  async #render(name: string, text: string, data: Parameters<TemplateExpander>[2], atMs: number): Promise<string> {
    try {
      return await this.#expand(name, text, data, atMs);
    } catch (e) {
      // @tessera/template's TemplateError carries Prometheus's exact text.
      const text = (e as { expansionText?: unknown } | null)?.expansionText;
      if (typeof text === 'string') return text;
      return `<error expanding template: ${e instanceof Error ? e.message : String(e)}>`;
    }
  }

  /**
   * The alerts to notify about at `tsMs`, by Prometheus's rules: never pending ones; a resolved
   * one if resolved since it was last sent; any other when last sent more than `resendDelayMs`
   * ago. Marks them sent; firing alerts are valid for 4 × max(resend delay, interval).
   */
  alertsToSend(tsMs: number, resendDelayMs: number, intervalMs: number, externalUrl: string): OutgoingAlert[] {
    const out: OutgoingAlert[] = [];
    for (const a of this.#alerts.values()) {
      if (a.state === 'pending') continue;
      const due = a.resolvedAtMs > a.lastSentAtMs || a.lastSentAtMs + resendDelayMs < tsMs;
      if (!due) continue;
      a.lastSentAtMs = tsMs;
      a.validUntilMs = tsMs + 4 * Math.max(resendDelayMs, intervalMs);
      const labels = { ...this.#ctx.externalLabels, ...a.labels };
      out.push({
        labels,
        annotations: { ...a.annotations },
        startsAt: formatRfc3339(a.firedAtMs),
        endsAt: formatRfc3339(a.resolvedAtMs !== 0 ? a.resolvedAtMs : a.validUntilMs),
        generatorURL: generatorUrl(externalUrl, this.query),
      });
    }
    return out;
  }

  /** Takes over the alerts of the same rule before a reload. */
  takeAlertsFrom(old: AlertingRule): void {
    for (const [fp, a] of old.#alerts) this.#alerts.set(fp, a);
    this.restored = old.restored;
  }

  /** Pending and firing alerts (what `/api/v1/alerts` lists). */
  activeAlerts(): Alert[] {
    return [...this.#alerts.values()].filter((a) => a.state !== 'inactive');
  }

  /** Every alert held, resolved ones included (for restore and tests). */
  allAlerts(): Alert[] {
    return [...this.#alerts.values()];
  }

  /** The rule's state: firing if any alert fires, else pending if any is pending. */
  state(): AlertState {
    let s: AlertState = 'inactive';
    for (const a of this.#alerts.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') s = 'pending';
    }
    return s;
  }
}
