/**
 * One tenant's Alertmanager: its alerts (merged as re-sent), the dispatcher over its routing
 * tree, inhibition, and the receivers' integrations, all built from the tenant's configuration.
 * A new configuration replaces the tree and receivers; known alerts are routed again, and the
 * notification log is kept, so a reload does not repeat notifications already sent.
 */
import type { Logger } from '@tessera/server';
import { alertFromPostable, mergeAlerts, overlaps, resolvedAt, type Alert, type PostableAlert } from './alert.ts';
import type { Clock } from './clock.ts';
import type { AlertmanagerConfig, WebhookConfig } from './config.ts';
import { Dispatcher, type AggregationGroup } from './dispatcher.ts';
import { Inhibitor } from './inhibit.ts';
import { sortedCopy } from './labels.ts';
import type { AlertmanagerMetrics } from './metrics.ts';
import { NotificationLog, runIntegration, type Integration } from './pipeline.ts';
import { Route } from './route.ts';
import { buildWebhookMessage, postWebhook } from './webhook.ts';

/** Times in the v2 API: RFC 3339 with exactly three fraction digits (go-openapi's DateTime). */
const apiTime = (ms: number): string => new Date(ms).toISOString();

/** What a tenant's Alertmanager is built with besides its configuration. */
export interface TenantAlertmanagerDeps {
  readonly tenant: string;
  readonly clock: Clock;
  readonly metrics: AlertmanagerMetrics;
  readonly logger: Logger;
  /** The `externalURL` of notifications (read at each notification). */
  readonly externalURL: () => string;
  /** Builds a webhook integration; tests replace the HTTP call. Default: {@link webhookIntegration}. */
  readonly webhook?: (cfg: WebhookConfig, index: number) => Integration;
  readonly random?: () => number;
}

/** The v2 API's gettable alert (`GET /api/v2/alerts`). */
export interface GettableAlert {
  annotations: Record<string, string>;
  endsAt: string;
  fingerprint: string;
  receivers: { name: string }[];
  startsAt: string;
  status: { inhibitedBy: string[]; silencedBy: string[]; state: 'active' | 'suppressed' | 'unprocessed' };
  updatedAt: string;
  /** Left out when empty, as Alertmanager does. */
  generatorURL?: string;
  labels: Record<string, string>;
}

/** The integration that posts Alertmanager's webhook body to `cfg.url`. */
export function webhookIntegration(cfg: WebhookConfig, index: number): Integration {
  return {
    name: 'webhook',
    index,
    sendResolved: cfg.sendResolved,
    notify: (ctx, alerts, signal) => postWebhook(cfg, buildWebhookMessage(ctx, alerts, cfg.maxAlerts), signal),
  };
}

/** A tenant's Alertmanager. */
export class TenantAlertmanager {
  readonly #deps: TenantAlertmanagerDeps;
  readonly #alerts = new Map<string, Alert>();
  readonly #log = new NotificationLog();
  #config!: AlertmanagerConfig;
  #root!: Route;
  #inhibitor!: Inhibitor;
  #receivers = new Map<string, Integration[]>();
  #dispatcher: Dispatcher | null = null;

  constructor(config: AlertmanagerConfig, deps: TenantAlertmanagerDeps) {
    this.#deps = deps;
    // Zeros from the start, so that rates and alerts on failures work before the first one.
    for (const reason of ['clientError', 'serverError', 'other']) deps.metrics.notificationsFailed.inc({ tenant: deps.tenant, integration: 'webhook', reason }, 0);
    deps.metrics.notifications.inc({ tenant: deps.tenant, integration: 'webhook' }, 0);
    this.applyConfig(config);
  }

  /** Installs a new configuration: new tree, inhibit rules and receivers; alerts routed again. */
  applyConfig(config: AlertmanagerConfig): void {
    this.#dispatcher?.stop();
    this.#config = config;
    this.#root = new Route(config.route, null);
    this.#inhibitor = new Inhibitor(config.inhibitRules, () => this.#alerts.values());
    const makeWebhook = this.#deps.webhook ?? webhookIntegration;
    this.#receivers = new Map([...config.receivers.values()].map((r) => [r.name, r.webhooks.map((w, i) => makeWebhook(w, i))]));
    this.#dispatcher = new Dispatcher(this.#root, {
      clock: this.#deps.clock,
      logger: this.#deps.logger,
      flush: (group, alerts, deadline) => this.#flush(group, alerts, deadline),
    });
    const now = this.#deps.clock.now();
    for (const a of this.#alerts.values()) if (!resolvedAt(a, now)) this.#dispatcher.put(a);
  }

  /**
   * Takes posted alerts (the v2 API): each valid one is merged with the known version and
   * routed. Returns the problems of the invalid ones (they are skipped; the rest is taken).
   */
  receive(posted: readonly PostableAlert[]): string[] {
    const { clock, metrics, tenant } = this.#deps;
    const now = clock.now();
    const problems: string[] = [];
    for (const p of posted) {
      let alert: Alert;
      try {
        alert = alertFromPostable(p, now, this.#config.resolveTimeoutMs);
      } catch (e) {
        metrics.alertsInvalid.inc({ tenant });
        problems.push((e as Error).message);
        continue;
      }
      metrics.alertsReceived.inc({ tenant, status: resolvedAt(alert, now) ? 'resolved' : 'firing' });
      const old = this.#alerts.get(alert.fingerprint);
      const merged = old !== undefined && overlaps(old, alert) ? mergeAlerts(old, alert) : alert;
      this.#alerts.set(merged.fingerprint, merged);
      this.#dispatcher!.put(merged);
    }
    return problems;
  }

  /** The active (not yet resolved) alerts, as `GET /api/v2/alerts` shows them. */
  listAlerts(): GettableAlert[] {
    const now = this.#deps.clock.now();
    const out: GettableAlert[] = [];
    for (const a of this.#alerts.values()) {
      if (resolvedAt(a, now)) continue;
      const inhibitedBy = this.#inhibitor.inhibitedBy(a.labels, now);
      out.push({
        annotations: sortedCopy(a.annotations),
        endsAt: apiTime(a.endsAt),
        fingerprint: a.fingerprint,
        receivers: [...new Set(this.#root.match(a.labels).map((r) => r.receiver))].map((name) => ({ name })),
        startsAt: apiTime(a.startsAt),
        status: { inhibitedBy: inhibitedBy === null ? [] : [inhibitedBy], silencedBy: [], state: inhibitedBy === null ? 'active' : 'suppressed' },
        updatedAt: apiTime(a.updatedAt),
        ...(a.generatorURL === '' ? {} : { generatorURL: a.generatorURL }),
        labels: sortedCopy(a.labels),
      });
    }
    return out.sort((x, y) => (x.fingerprint < y.fingerprint ? -1 : 1));
  }

  /** The current aggregation groups (for tests and status pages). */
  groups(): AggregationGroup[] {
    return this.#dispatcher?.groups() ?? [];
  }

  /** Forgets alerts resolved for a while and old notification log entries. */
  maintenance(): void {
    const now = this.#deps.clock.now();
    for (const [fp, a] of this.#alerts) if (resolvedAt(a, now - 30 * 60_000)) this.#alerts.delete(fp);
    this.#log.gc(now, 120 * 60 * 60_000);
  }

  stop(): void {
    this.#dispatcher?.stop();
    this.#dispatcher = null;
  }

  async #flush(group: AggregationGroup, alerts: readonly Alert[], deadline: number): Promise<boolean> {
    const { clock } = this.#deps;
    const now = clock.now();
    const unmuted = alerts.filter((a) => !this.#inhibitor.mutes(a.labels, now));
    if (unmuted.length === 0) return true;
    const receiver = group.route.receiver;
    const ctx = { receiver, groupKey: group.key, groupLabels: group.labels, externalURL: this.#deps.externalURL(), now };
    const deps = { tenant: this.#deps.tenant, clock, metrics: this.#deps.metrics, logger: this.#deps.logger, log: this.#log, ...(this.#deps.random === undefined ? {} : { random: this.#deps.random }) };
    const integrations = this.#receivers.get(receiver) ?? [];
    const results = await Promise.all(integrations.map((i) => runIntegration(deps, i, ctx, unmuted, group.route.repeatIntervalMs, deadline)));
    return results.every(Boolean);
  }
}
