/** The alertmanager's metrics (`tessera_alertmanager_*`) and the alert sender's (`tessera_ruler_notifications_*`). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metrics of the built-in Alertmanagers, labelled by tenant. */
export interface AlertmanagerMetrics {
  readonly notifications: Counter<'tenant' | 'integration'>;
  readonly notificationsFailed: Counter<'tenant' | 'integration' | 'reason'>;
  readonly requests: Counter<'tenant' | 'integration'>;
  readonly requestsFailed: Counter<'tenant' | 'integration'>;
  readonly latency: Histogram<'integration'>;
  readonly alertsReceived: Counter<'tenant' | 'status'>;
  readonly alertsInvalid: Counter<'tenant'>;
  readonly tenants: Gauge;
}

/** Registers the alertmanager metrics on `registry`. */
export function alertmanagerMetrics(registry: Registry): AlertmanagerMetrics {
  const r = [registry];
  return {
    notifications: new Counter({ name: 'tessera_alertmanager_notifications_total', help: 'Notifications attempted (each may take several requests), by tenant and integration.', labelNames: ['tenant', 'integration'], registers: r }),
    notificationsFailed: new Counter({ name: 'tessera_alertmanager_notifications_failed_total', help: 'Notifications that failed for good (retries exhausted or not retryable), by tenant, integration and reason.', labelNames: ['tenant', 'integration', 'reason'], registers: r }),
    requests: new Counter({ name: 'tessera_alertmanager_notification_requests_total', help: 'Requests sent to notification integrations, retries included.', labelNames: ['tenant', 'integration'], registers: r }),
    requestsFailed: new Counter({ name: 'tessera_alertmanager_notification_requests_failed_total', help: 'Requests to notification integrations that failed.', labelNames: ['tenant', 'integration'], registers: r }),
    latency: new Histogram({ name: 'tessera_alertmanager_notification_latency_seconds', help: 'Latency of notification requests.', labelNames: ['integration'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 15, 20], registers: r }),
    alertsReceived: new Counter({ name: 'tessera_alertmanager_alerts_received_total', help: 'Alerts received by the built-in Alertmanagers, by tenant and status.', labelNames: ['tenant', 'status'], registers: r }),
    alertsInvalid: new Counter({ name: 'tessera_alertmanager_alerts_invalid_total', help: 'Received alerts refused as invalid.', labelNames: ['tenant'], registers: r }),
    tenants: new Gauge({ name: 'tessera_alertmanager_tenants', help: 'Tenants with an Alertmanager configuration loaded.', registers: r }),
  };
}

/** Metrics of the alert sender's external Alertmanager client (Prometheus's `prometheus_notifications_*`). */
export interface SenderMetrics {
  readonly sent: Counter<'tenant' | 'alertmanager'>;
  readonly errors: Counter<'tenant' | 'alertmanager'>;
  readonly dropped: Counter<'tenant'>;
  readonly queueLength: Gauge<'tenant'>;
  readonly queueCapacity: Gauge;
  readonly latency: Histogram<'alertmanager'>;
}

/** Registers the sender metrics on `registry`. */
export function senderMetrics(registry: Registry, queueCapacity: number): SenderMetrics {
  const r = [registry];
  const capacity = new Gauge({ name: 'tessera_ruler_notifications_queue_capacity', help: 'Capacity of each tenant\'s queue of alerts for external Alertmanagers.', registers: r });
  capacity.set(queueCapacity);
  return {
    sent: new Counter({ name: 'tessera_ruler_notifications_sent_total', help: 'Alerts sent to external Alertmanagers.', labelNames: ['tenant', 'alertmanager'], registers: r }),
    errors: new Counter({ name: 'tessera_ruler_notifications_errors_total', help: 'Alerts whose sending to an external Alertmanager failed.', labelNames: ['tenant', 'alertmanager'], registers: r }),
    dropped: new Counter({ name: 'tessera_ruler_notifications_dropped_total', help: 'Alerts dropped: queue full, or no Alertmanager took them.', labelNames: ['tenant'], registers: r }),
    queueLength: new Gauge({ name: 'tessera_ruler_notifications_queue_length', help: 'Alerts waiting to be sent to external Alertmanagers.', labelNames: ['tenant'], registers: r }),
    queueCapacity: capacity,
    latency: new Histogram({ name: 'tessera_ruler_notifications_latency_seconds', help: 'Latency of requests to external Alertmanagers.', labelNames: ['alertmanager'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10], registers: r }),
  };
}
