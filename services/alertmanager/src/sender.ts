/**
 * The ruler's AlertSender (services/ruler/src/alert-sender.ts) as Tessera implements it: a
 * tenant's alerts go to its built-in Alertmanager when it stored a configuration through
 * `/api/v1/alerts` in this process's reach, and to the external Alertmanagers named by
 * `ruler_alertmanager_url` (flag `-ruler.alertmanager-url`, per-tenant override) when it has
 * any. Both may apply. Without either, alerts are dropped silently, as in a Prometheus without
 * Alertmanagers.
 */
import type { Logger } from '@tessera/server';
import type { PostableAlert } from './alert.ts';
import type { ExternalNotifier } from './external-notifier.ts';
import type { MultitenantAlertmanager } from './multitenant.ts';

/** An alert as the ruler hands it over (the ruler's `OutgoingAlert`, structurally). */
export interface OutgoingAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/** Routes the ruler's alerts to built-in and external Alertmanagers. Fire and forget. */
export class TesseraAlertSender {
  readonly #builtin: MultitenantAlertmanager | null;
  readonly #external: ExternalNotifier | null;
  readonly #logger: Logger;

  constructor(deps: { builtin: MultitenantAlertmanager | null; external: ExternalNotifier | null; logger: Logger }) {
    this.#builtin = deps.builtin;
    this.#external = deps.external;
    this.#logger = deps.logger;
  }

  send(tenant: string, alerts: readonly OutgoingAlert[]): void {
    if (alerts.length === 0) return;
    const postable: readonly PostableAlert[] = alerts;
    if (this.#builtin !== null && this.#builtin.has(tenant)) {
      const problems = this.#builtin.receive(tenant, postable) ?? [];
      if (problems.length > 0) this.#logger.warn({ tenant, problems: problems.slice(0, 5) }, 'built-in Alertmanager refused alerts');
    }
    this.#external?.send(tenant, postable);
  }
}
