/**
 * The multi-tenant Alertmanager: one {@link TenantAlertmanager} per tenant that stored a
 * configuration. Configurations are written through {@link setConfig}/{@link deleteConfig}
 * (applied at once in this process) and read back from the bucket every poll interval, so that
 * changes made through another process arrive too.
 */
import type { Registry } from 'prom-client';
import type { Logger, Service } from '@tessera/server';
import type { PostableAlert } from './alert.ts';
import { systemClock, type Clock } from './clock.ts';
import type { WebhookConfig } from './config.ts';
import type { AlertmanagerConfigStore } from './config-store.ts';
import { alertmanagerMetrics, type AlertmanagerMetrics } from './metrics.ts';
import type { Integration } from './pipeline.ts';
import { TenantAlertmanager, type GettableAlert } from './tenant-alertmanager.ts';
import { formatUserConfig, parseUserConfig } from './user-config.ts';

/** Options of {@link MultitenantAlertmanager}. */
export interface MultitenantAlertmanagerOptions {
  /** How often the bucket is read for configuration changes (`-alertmanager.configs.poll-interval`). */
  readonly pollIntervalMs: number;
  /** The `externalURL` of notifications; read at each notification (the port may be known late). */
  readonly externalURL: () => string;
}

/** What {@link MultitenantAlertmanager} is built with. */
export interface MultitenantAlertmanagerDeps {
  readonly store: AlertmanagerConfigStore;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock?: Clock;
  /** Replaces the webhook HTTP call (tests). */
  readonly webhook?: (cfg: WebhookConfig, index: number) => Integration;
}

interface Loaded {
  readonly yaml: string;
  readonly am: TenantAlertmanager;
}

/** Every tenant's Alertmanager, kept in step with the stored configurations. */
export class MultitenantAlertmanager implements Service {
  readonly name = 'alertmanager';
  readonly #opts: MultitenantAlertmanagerOptions;
  readonly #deps: MultitenantAlertmanagerDeps;
  readonly #clock: Clock;
  readonly #metrics: AlertmanagerMetrics;
  readonly #logger: Logger;
  readonly #tenants = new Map<string, Loaded>();
  #timer: NodeJS.Timeout | null = null;
  #syncing: Promise<void> | null = null;

  constructor(opts: MultitenantAlertmanagerOptions, deps: MultitenantAlertmanagerDeps) {
    this.#opts = opts;
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#metrics = alertmanagerMetrics(deps.registry);
    this.#logger = deps.logger.child({ component: 'alertmanager' });
  }

  async start(): Promise<void> {
    // A bucket that is briefly unreachable must not stop the process: the next poll retries.
    await this.sync().catch((err: unknown) => this.#logger.warn({ err }, 'alertmanager configuration sync failed'));
    this.#timer = setInterval(() => {
      void this.sync().catch((err: unknown) => this.#logger.warn({ err }, 'alertmanager configuration sync failed'));
    }, this.#opts.pollIntervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#syncing?.catch(() => {});
    for (const t of this.#tenants.values()) t.am.stop();
    this.#tenants.clear();
    this.#metrics.tenants.set(0);
  }

  /** Reads every stored configuration and starts, updates or stops tenants' Alertmanagers. */
  sync(): Promise<void> {
    this.#syncing ??= this.#sync().finally(() => (this.#syncing = null));
    return this.#syncing;
  }

  async #sync(): Promise<void> {
    const tenants = new Set(await this.#deps.store.tenants());
    for (const tenant of tenants) {
      const yaml = await this.#deps.store.get(tenant);
      if (yaml === null) tenants.delete(tenant);
      else this.#apply(tenant, yaml);
    }
    for (const [tenant, t] of this.#tenants) {
      if (!tenants.has(tenant)) {
        t.am.stop();
        this.#tenants.delete(tenant);
      }
    }
    for (const t of this.#tenants.values()) t.am.maintenance();
    this.#metrics.tenants.set(this.#tenants.size);
  }

  /** Installs `yaml` for `tenant` unless it is what runs already. A bad stored config is logged and skipped. */
  #apply(tenant: string, yaml: string): void {
    const current = this.#tenants.get(tenant);
    if (current?.yaml === yaml) return;
    let parsed;
    try {
      parsed = parseUserConfig(yaml).parsed;
    } catch (err) {
      this.#logger.error({ tenant, err: (err as Error).message }, 'stored Alertmanager configuration is invalid; keeping the previous one');
      return;
    }
    if (current !== undefined) {
      current.am.applyConfig(parsed);
      this.#tenants.set(tenant, { yaml, am: current.am });
    } else {
      const am = new TenantAlertmanager(parsed, {
        tenant,
        clock: this.#clock,
        metrics: this.#metrics,
        logger: this.#logger.child({ tenant }),
        externalURL: this.#opts.externalURL,
        ...(this.#deps.webhook === undefined ? {} : { webhook: this.#deps.webhook }),
      });
      this.#tenants.set(tenant, { yaml, am });
    }
    this.#metrics.tenants.set(this.#tenants.size);
  }

  /** The tenant's configuration as stored, or null. */
  getConfig(tenant: string): Promise<string | null> {
    return this.#deps.store.get(tenant);
  }

  /**
   * Validates, stores and applies a configuration (the body of `POST /api/v1/alerts`).
   *
   * @throws ConfigProblem when it is invalid (nothing is stored).
   */
  async setConfig(tenant: string, body: string): Promise<void> {
    const cfg = parseUserConfig(body);
    const yaml = formatUserConfig(cfg);
    await this.#deps.store.set(tenant, yaml);
    this.#apply(tenant, yaml);
  }

  /** Deletes the tenant's configuration and stops its Alertmanager (its alerts are forgotten). */
  async deleteConfig(tenant: string): Promise<void> {
    await this.#deps.store.delete(tenant);
    this.#tenants.get(tenant)?.am.stop();
    this.#tenants.delete(tenant);
    this.#metrics.tenants.set(this.#tenants.size);
  }

  /** True when the tenant has a running Alertmanager. */
  has(tenant: string): boolean {
    return this.#tenants.has(tenant);
  }

  /** Gives alerts to the tenant's Alertmanager: the problems of refused alerts, or null without one. */
  receive(tenant: string, alerts: readonly PostableAlert[]): string[] | null {
    return this.#tenants.get(tenant)?.am.receive(alerts) ?? null;
  }

  /** The tenant's active alerts, or null without an Alertmanager. */
  listAlerts(tenant: string): GettableAlert[] | null {
    return this.#tenants.get(tenant)?.am.listAlerts() ?? null;
  }

  /** The tenant's Alertmanager (tests). */
  tenant(tenant: string): TenantAlertmanager | undefined {
    return this.#tenants.get(tenant)?.am;
  }
}
