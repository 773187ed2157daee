/**
 * Sends a tenant's alerts to external Alertmanagers the way Prometheus's notifier does: alerts
 * queue per tenant (capacity `-ruler.notification-queue-capacity`; when full, the oldest are
 * dropped and counted), leave in batches of at most 64, each batch posted to every configured
 * Alertmanager at once (`POST <url>/api/v2/alerts`, the tenant in `X-Scope-OrgID`, basic auth
 * from `user:password@` in the URL) within `-ruler.notification-timeout`. A failed post is not
 * retried: the ruler re-sends firing alerts every resend delay anyway. A batch no Alertmanager
 * took is counted as dropped.
 */
import type { Logger } from '@tessera/server';
import type { PostableAlert } from './alert.ts';
import type { SenderMetrics } from './metrics.ts';
import { redactUrl } from './webhook.ts';

/** Prometheus's batch size. */
export const MAX_BATCH_SIZE = 64;

/** Options of {@link ExternalNotifier}. */
export interface ExternalNotifierOptions {
  readonly queueCapacity: number;
  readonly timeoutMs: number;
  /** The Alertmanager URLs of a tenant (`ruler_alertmanager_url`, split). */
  readonly urls: (tenant: string) => readonly string[];
}

interface TenantQueue {
  alerts: PostableAlert[];
  draining: Promise<void> | null;
}

/** Splits a comma-separated URL list. */
export function splitUrls(v: string): string[] {
  return v.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

/** The endpoint and headers of a post to Alertmanager `base`. */
export function alertsEndpoint(base: string, tenant: string): { url: string; headers: Record<string, string> } {
  const u = new URL(base);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-scope-orgid': tenant, 'user-agent': 'Tessera-Ruler/0.1' };
  if (u.username !== '' || u.password !== '') {
    headers['authorization'] = 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
    u.username = '';
    u.password = '';
  }
  u.pathname = u.pathname.replace(/\/+$/, '') + '/api/v2/alerts';
  return { url: u.toString(), headers };
}

/** Queues and posts alerts to external Alertmanagers. */
export class ExternalNotifier {
  readonly #opts: ExternalNotifierOptions;
  readonly #metrics: SenderMetrics;
  readonly #logger: Logger;
  readonly #queues = new Map<string, TenantQueue>();
  #stopped = false;

  constructor(opts: ExternalNotifierOptions, deps: { metrics: SenderMetrics; logger: Logger }) {
    this.#opts = opts;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger;
  }

  /** True when the tenant has Alertmanagers to send to. */
  configured(tenant: string): boolean {
    return this.#opts.urls(tenant).length > 0;
  }

  /** Queues alerts for the tenant's Alertmanagers (nothing when it has none). */
  send(tenant: string, alerts: readonly PostableAlert[]): void {
    if (this.#stopped || alerts.length === 0 || !this.configured(tenant)) return;
    let q = this.#queues.get(tenant);
    if (q === undefined) {
      q = { alerts: [], draining: null };
      this.#queues.set(tenant, q);
    }
    q.alerts.push(...alerts);
    const over = q.alerts.length - this.#opts.queueCapacity;
    if (over > 0) {
      q.alerts.splice(0, over);
      this.#metrics.dropped.inc({ tenant }, over);
      this.#logger.warn({ tenant, dropped: over }, 'alert notification queue full, dropping alerts');
    }
    this.#metrics.queueLength.set({ tenant }, q.alerts.length);
    q.draining ??= this.#drain(tenant, q).finally(() => (q.draining = null));
  }

  /** Resolves once every queue is empty (tests, shutdown). */
  async flush(): Promise<void> {
    for (;;) {
      const pending = [...this.#queues.values()].map((q) => q.draining).filter((d) => d !== null);
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  /** Sends what is queued, then stops taking alerts. */
  async stop(): Promise<void> {
    await this.flush();
    this.#stopped = true;
  }

  async #drain(tenant: string, q: TenantQueue): Promise<void> {
    while (q.alerts.length > 0) {
      const batch = q.alerts.splice(0, MAX_BATCH_SIZE);
      this.#metrics.queueLength.set({ tenant }, q.alerts.length);
      const urls = this.#opts.urls(tenant);
      const body = JSON.stringify(batch);
      const results = await Promise.all(urls.map((u) => this.#post(tenant, u, body, batch.length)));
      if (!results.some(Boolean)) this.#metrics.dropped.inc({ tenant }, batch.length);
    }
  }

  async #post(tenant: string, base: string, body: string, n: number): Promise<boolean> {
    const label = redactUrl(base);
    const started = performance.now();
    try {
      const { url, headers } = alertsEndpoint(base, tenant);
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.#opts.timeoutMs) });
      const text = await res.text().catch(() => '');
      if (res.status < 200 || res.status >= 300) throw new Error(`bad response status ${res.status}${text === '' ? '' : `: ${text.slice(0, 512)}`}`);
      this.#metrics.sent.inc({ tenant, alertmanager: label }, n);
      return true;
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      this.#metrics.errors.inc({ tenant, alertmanager: label }, n);
      this.#logger.warn({ tenant, alertmanager: label, count: n, err: cause ?? (e as Error).message }, 'error sending alerts');
      return false;
    } finally {
      this.#metrics.latency.observe({ alertmanager: label }, (performance.now() - started) / 1000);
    }
  }
}
