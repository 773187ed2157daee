/**
 * The webhook integration: the JSON body Alertmanager posts to a `webhook_configs` URL (format
 * version "4"), and the HTTP call that delivers it. Field order and time formatting follow
 * Alertmanager's Go encoding, so a receiver sees the same bytes shape it would get from it.
 */
import { resolvedAt, type Alert } from './alert.ts';
import type { WebhookConfig } from './config.ts';
import { sortedCopy, type LabelSet } from './labels.ts';

/** What a notification is about, besides its alerts. */
export interface NotificationContext {
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: LabelSet;
  readonly externalURL: string;
  /** The time the notification is built at (decides each alert's status). */
  readonly now: number;
}

/** One alert in a webhook body. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** The webhook body (Alertmanager's `webhook.Message`), keys in Alertmanager's order. */
export interface WebhookMessage {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: WebhookAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

/**
 * Formats Unix milliseconds as Go's RFC 3339 with nanoseconds does: UTC `Z`, trailing zeros of
 * the fraction dropped, and 0 as Go's zero time `0001-01-01T00:00:00Z`.
 */
export function formatGoTime(ms: number): string {
  if (ms === 0) return '0001-01-01T00:00:00Z';
  const iso = new Date(ms).toISOString(); // 2026-01-02T03:04:05.678Z
  return iso.replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac === '' ? 'Z' : `.${frac}Z`));
}

function common(sets: readonly LabelSet[]): Record<string, string> {
  if (sets.length === 0) return {};
  const out: Record<string, string> = { ...sets[0] };
  for (const s of sets.slice(1)) {
    for (const k of Object.keys(out)) if (s[k] !== out[k]) delete out[k];
  }
  return sortedCopy(out);
}

/**
 * Builds the body for `alerts` (already ordered), cut to `maxAlerts` (0 = all) with the number
 * cut off in `truncatedAlerts`. Status, common labels and annotations describe the alerts kept.
 */
export function buildWebhookMessage(ctx: NotificationContext, alerts: readonly Alert[], maxAlerts: number): WebhookMessage {
  const kept = maxAlerts > 0 && alerts.length > maxAlerts ? alerts.slice(0, maxAlerts) : alerts;
  const items: WebhookAlert[] = kept.map((a) => {
    const resolved = resolvedAt(a, ctx.now);
    return {
      status: resolved ? 'resolved' : 'firing',
      labels: sortedCopy(a.labels),
      annotations: sortedCopy(a.annotations),
      startsAt: formatGoTime(a.startsAt),
      // An end that has not come yet is not shown (Alertmanager zeroes it).
      endsAt: formatGoTime(resolved ? a.endsAt : 0),
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    };
  });
  return {
    receiver: ctx.receiver,
    status: items.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts: items,
    groupLabels: sortedCopy(ctx.groupLabels),
    commonLabels: common(kept.map((a) => a.labels)),
    commonAnnotations: common(kept.map((a) => a.annotations)),
    externalURL: ctx.externalURL,
    version: '4',
    groupKey: ctx.groupKey,
    truncatedAlerts: alerts.length - kept.length,
  };
}

/**
 * JSON text as Go's encoding/json writes it (a json.Encoder adds a newline after it): like JSON.stringify, but with `<`, `>`, `&`, U+2028
 * and U+2029 escaped as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029` (they can only occur
 * inside strings, so replacing them in the text is safe).
 */
export function goJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** A failed delivery: `retry` says whether trying again may help. */
export class NotifyError extends Error {
  override readonly name = 'NotifyError';
  readonly retry: boolean;
  readonly reason: string;
  constructor(message: string, retry: boolean, reason: string) {
    super(message);
    this.retry = retry;
    this.reason = reason;
  }
}

/** The user agent of notification requests. */
export const USER_AGENT = 'Tessera-Alertmanager/0.1';

/** Removes credentials and the query from a URL before it goes into an error message or log. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '<secret>';
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}

/**
 * Posts one webhook body. 2xx is success; 5xx and network errors are retryable, any other
 * status is not (Alertmanager's rule for webhooks).
 *
 * @throws NotifyError
 */
export async function postWebhook(cfg: WebhookConfig, msg: WebhookMessage, signal: AbortSignal): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': USER_AGENT };
  // fetch refuses credentials in the URL: they become basic auth, as Go's client makes them.
  const target = new URL(cfg.url);
  if (target.username !== '' || target.password !== '') {
    headers['authorization'] = 'Basic ' + Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64');
    target.username = '';
    target.password = '';
  }
  if (cfg.http.authorization !== undefined) headers['authorization'] = cfg.http.authorization;
  const signals = cfg.timeoutMs > 0 ? AbortSignal.any([signal, AbortSignal.timeout(cfg.timeoutMs)]) : signal;
  let res: Response;
  try {
    res = await fetch(target, { method: 'POST', headers, body: goJson(msg) + '\n', signal: signals, redirect: cfg.http.followRedirects ? 'follow' : 'manual' });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    const why = cause ?? ((e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError' ? 'context deadline exceeded' : 'request failed');
    throw new NotifyError(`Post "${redactUrl(cfg.url)}": ${why}`, true, 'other');
  }
  const body = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return;
  const detail = body === '' ? '' : `: ${body.slice(0, 1024)}`;
  const retry = res.status >= 500;
  throw new NotifyError(`unexpected status code ${res.status}${detail}`, retry, retry ? 'serverError' : 'clientError');
}
