/** Test helpers: a tenant Alertmanager on a fake clock whose webhooks record their bodies. */
import { Registry } from 'prom-client';
import { createLogger } from '@tessera/server';
import { FakeClock } from './clock.ts';
import { parseAlertmanagerConfig, type WebhookConfig } from './config.ts';
import { alertmanagerMetrics, type AlertmanagerMetrics } from './metrics.ts';
import type { Integration } from './pipeline.ts';
import { TenantAlertmanager } from './tenant-alertmanager.ts';
import { buildWebhookMessage, NotifyError, type WebhookMessage } from './webhook.ts';

/** One recorded delivery attempt. */
export interface Sent {
  readonly url: string;
  readonly at: number;
  readonly body: WebhookMessage;
}

/** 2026-01-01T00:00:00Z */
export const T0 = Date.UTC(2026, 0, 1);

/** A harness: `am`, its `clock`, every attempted webhook in `sent`, `failures` to inject per URL. */
export function harness(yaml: string): {
  am: TenantAlertmanager;
  clock: FakeClock;
  sent: Sent[];
  failures: Map<string, { count: number; retry: boolean }>;
  metrics: AlertmanagerMetrics;
  registry: Registry;
} {
  const clock = new FakeClock(T0);
  const sent: Sent[] = [];
  const failures = new Map<string, { count: number; retry: boolean }>();
  const registry = new Registry();
  const metrics = alertmanagerMetrics(registry);
  const webhook = (cfg: WebhookConfig, index: number): Integration => ({
    name: 'webhook',
    index,
    sendResolved: cfg.sendResolved,
    notify: async (ctx, alerts) => {
      sent.push({ url: cfg.url, at: clock.now(), body: buildWebhookMessage(ctx, alerts, cfg.maxAlerts) });
      const f = failures.get(cfg.url);
      if (f !== undefined && f.count > 0) {
        f.count--;
        throw new NotifyError('unexpected status code 503', f.retry, f.retry ? 'serverError' : 'clientError');
      }
    },
  });
  const am = new TenantAlertmanager(parseAlertmanagerConfig(yaml), {
    tenant: 'team-a',
    clock,
    metrics,
    logger: createLogger({ level: 'silent' }),
    externalURL: () => 'http://tessera.example/alertmanager',
    webhook,
    random: () => 0.5,
  });
  return { am, clock, sent, failures, metrics, registry };
}

/** A firing alert as the ruler posts it: started `startedAgoMs` before now, ending in 4 minutes. */
export function firing(labels: Record<string, string>, now: number, annotations: Record<string, string> = {}, startedAgoMs = 0) {
  return {
    labels,
    annotations,
    startsAt: new Date(now - startedAgoMs).toISOString(),
    endsAt: new Date(now + 4 * 60_000).toISOString(),
    generatorURL: 'http://tessera.example/graph?g0.expr=up',
  };
}

/** The same alert resolved at `at`. */
export function resolved(labels: Record<string, string>, startedAt: number, at: number, annotations: Record<string, string> = {}) {
  return { labels, annotations, startsAt: new Date(startedAt).toISOString(), endsAt: new Date(at).toISOString(), generatorURL: 'http://tessera.example/graph?g0.expr=up' };
}
