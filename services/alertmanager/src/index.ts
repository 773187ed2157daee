/**
 * @tessera/alertmanager: per-tenant Alertmanagers (configuration API, routing tree, grouping,
 * inhibition, webhook receivers) and the ruler's alert sender (built-in and external
 * Alertmanagers).
 */
export { alertFromPostable, mergeAlerts, resolvedAt } from './alert.ts';
export type { Alert, PostableAlert } from './alert.ts';
export { FakeClock, systemClock } from './clock.ts';
export type { Clock, Timer } from './clock.ts';
export { parseAlertmanagerConfig } from './config.ts';
export type { AlertmanagerConfig, HttpClientConfig, InhibitRuleConfig, ReceiverConfig, RouteConfig, WebhookConfig } from './config.ts';
export { AlertmanagerConfigStore, CONFIG_PREFIX } from './config-store.ts';
export { AggregationGroup, Dispatcher } from './dispatcher.ts';
export { ExternalNotifier, MAX_BATCH_SIZE, alertsEndpoint, splitUrls } from './external-notifier.ts';
export type { ExternalNotifierOptions } from './external-notifier.ts';
export { Inhibitor } from './inhibit.ts';
export { fingerprint, formatLabelSet } from './labels.ts';
export type { LabelSet } from './labels.ts';
export { AlertMatcher, parseMatchers } from './matchers.ts';
export { alertmanagerMetrics, senderMetrics } from './metrics.ts';
export type { AlertmanagerMetrics, SenderMetrics } from './metrics.ts';
export { MultitenantAlertmanager } from './multitenant.ts';
export type { MultitenantAlertmanagerDeps, MultitenantAlertmanagerOptions } from './multitenant.ts';
export { alertmanagerOptions } from './options.ts';
export type { Integration } from './pipeline.ts';
export { Route, ROUTE_DEFAULTS } from './route.ts';
export { registerAlertmanagerRoutes } from './routes.ts';
export { TesseraAlertSender } from './sender.ts';
export type { OutgoingAlert } from './sender.ts';
export { TenantAlertmanager, webhookIntegration } from './tenant-alertmanager.ts';
export type { GettableAlert } from './tenant-alertmanager.ts';
export type { AlertmanagerRoutesOptions } from './routes.ts';
export { parseUserConfig, formatUserConfig } from './user-config.ts';
export type { UserConfig } from './user-config.ts';
export { buildWebhookMessage, formatGoTime, NotifyError } from './webhook.ts';
export type { NotificationContext, WebhookAlert, WebhookMessage } from './webhook.ts';
export { ConfigProblem } from './yaml-fields.ts';
