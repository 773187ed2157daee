/**
 * The notification pipeline of one integration, run on every flush of an aggregation group:
 * deduplication against the notification log (send only when the group changed, or when the
 * repeat interval passed), `send_resolved` filtering, and delivery retried with exponential
 * backoff until the flush's deadline (the next group_interval tick).
 */
import type { Logger } from '@tessera/server';
import { resolvedAt, type Alert } from './alert.ts';
import type { Clock } from './clock.ts';
import type { AlertmanagerMetrics } from './metrics.ts';
import type { NotificationContext } from './webhook.ts';
import { NotifyError } from './webhook.ts';

/** One delivery target of a receiver (one `webhook_configs` entry). */
export interface Integration {
  /** The integration kind, the `integration` label of the metrics (`webhook`). */
  readonly name: string;
  /** Position among the receiver's integrations of this kind. */
  readonly index: number;
  readonly sendResolved: boolean;
  /** Delivers once. @throws NotifyError (or anything: then retryable). */
  notify(ctx: NotificationContext, alerts: readonly Alert[], signal: AbortSignal): Promise<void>;
}

/** What was last notified for one group and integration. */
export interface LogEntry {
  readonly firing: ReadonlySet<string>;
  readonly resolved: ReadonlySet<string>;
  readonly timestamp: number;
}

/** The notification log: last notification per group key, receiver and integration. */
export class NotificationLog {
  readonly #entries = new Map<string, LogEntry>();

  get(key: string): LogEntry | undefined {
    return this.#entries.get(key);
  }

  set(key: string, e: LogEntry): void {
    this.#entries.set(key, e);
  }

  /** Forgets entries older than `retentionMs` (Alertmanager keeps 120h). */
  gc(now: number, retentionMs: number): void {
    for (const [k, e] of this.#entries) if (e.timestamp < now - retentionMs) this.#entries.delete(k);
  }
}

const isSubset = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean => [...a].every((x) => b.has(x));

/**
 * Whether a group with these firing and resolved alerts must be notified again, given the last
 * notification `entry` (Alertmanager's dedup rule).
 */
export function needsUpdate(entry: LogEntry | undefined, firing: ReadonlySet<string>, resolved: ReadonlySet<string>, sendResolved: boolean, repeatIntervalMs: number, now: number): boolean {
  // Never notified: only when something fires.
  if (entry === undefined) return firing.size > 0;
  // A new alert fires.
  if (!isSubset(firing, entry.firing)) return true;
  // Everything resolved: notify (even without send_resolved, to clear the log) if the receiver
  // was told about firing alerts.
  if (firing.size === 0) return entry.firing.size > 0;
  if (sendResolved && !isSubset(resolved, entry.resolved)) return true;
  return entry.timestamp < now - repeatIntervalMs;
}

/** What the pipeline needs besides its inputs. */
export interface PipelineDeps {
  readonly tenant: string;
  readonly clock: Clock;
  readonly metrics: AlertmanagerMetrics;
  readonly logger: Logger;
  readonly log: NotificationLog;
  /** In [0, 1): jitter of the backoff. */
  readonly random?: () => number;
}

/** Backoff of retries: 500ms growing 1.5× up to 60s, ±50% jitter. */
export function backoffMs(attempt: number, random: () => number): number {
  const base = Math.min(500 * 1.5 ** attempt, 60_000);
  return base * (0.5 + random());
}

/**
 * Runs the pipeline for one integration. Resolves true when nothing needed sending or the
 * delivery succeeded (then the log records the group's state), false when it failed for good.
 */
export async function runIntegration(
  deps: PipelineDeps,
  integration: Integration,
  ctx: NotificationContext,
  alerts: readonly Alert[],
  repeatIntervalMs: number,
  deadline: number,
): Promise<boolean> {
  const { clock } = deps;
  const now = clock.now();
  const firing = new Set<string>();
  const resolved = new Set<string>();
  for (const a of alerts) (resolvedAt(a, now) ? resolved : firing).add(a.fingerprint);
  const logKey = `${ctx.groupKey}\u0000${ctx.receiver}\u0000${integration.name}\u0000${integration.index}`;
  if (!needsUpdate(deps.log.get(logKey), firing, resolved, integration.sendResolved, repeatIntervalMs, now)) return true;

  // Without send_resolved the resolved alerts are left out; with nothing firing nothing is sent,
  // but the log still learns that the group resolved.
  const toSend = integration.sendResolved ? alerts : alerts.filter((a) => firing.has(a.fingerprint));
  if (toSend.length > 0) {
    const ok = await deliver(deps, integration, { ...ctx, now }, toSend, deadline);
    if (!ok) return false;
  }
  deps.log.set(logKey, { firing, resolved, timestamp: now });
  return true;
}

async function deliver(deps: PipelineDeps, integration: Integration, ctx: NotificationContext, alerts: readonly Alert[], deadline: number): Promise<boolean> {
  const { clock, metrics, tenant } = deps;
  const random = deps.random ?? Math.random;
  const labels = { tenant, integration: integration.name };
  metrics.notifications.inc(labels);
  const abort = new AbortController();
  const deadlineTimer = clock.setTimer(() => abort.abort(new Error('notification deadline exceeded')), deadline - clock.now());
  let lastError: NotifyError | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      metrics.requests.inc(labels);
      const started = performance.now();
      try {
        await integration.notify(ctx, alerts, abort.signal);
        metrics.latency.observe({ integration: integration.name }, (performance.now() - started) / 1000);
        return true;
      } catch (e) {
        metrics.latency.observe({ integration: integration.name }, (performance.now() - started) / 1000);
        metrics.requestsFailed.inc(labels);
        lastError = e instanceof NotifyError ? e : new NotifyError((e as Error).message, true, 'other');
        deps.logger.warn({ tenant, receiver: ctx.receiver, integration: `${integration.name}[${integration.index}]`, attempt: attempt + 1, err: lastError.message }, 'notify attempt failed');
        if (!lastError.retry) break;
      }
      const wait = backoffMs(attempt, random);
      if (clock.now() + wait >= deadline || abort.signal.aborted) break;
      await new Promise<void>((resolve) => clock.setTimer(resolve, wait));
    }
  } finally {
    deadlineTimer.cancel();
  }
  metrics.notificationsFailed.inc({ ...labels, reason: lastError?.reason ?? 'other' });
  deps.logger.error({ tenant, receiver: ctx.receiver, integration: `${integration.name}[${integration.index}]`, err: lastError?.message }, 'notify failed');
  return false;
}
