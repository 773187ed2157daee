/**
 * The boundary between the ruler and whatever delivers its alerts.
 *
 * The ruler decides WHEN an alert is sent (Prometheus's resend rules: firing alerts at most once
 * per resend delay, resolved alerts for 15 minutes after resolution); an {@link AlertSender}
 * decides WHERE (the tenant's built-in Alertmanager, external Alertmanagers) and owns queueing and
 * retries. services/tessera wires an implementation in; the ruler never imports the alertmanager.
 */

/** One alert in Alertmanager API v2's postable shape (`POST /api/v2/alerts`). */
export interface OutgoingAlert {
  /** Rendered alert labels, `alertname` included. */
  labels: Record<string, string>;
  /** Rendered annotations. */
  annotations: Record<string, string>;
  /** RFC 3339: when the alert started firing (Prometheus sends `FiredAt`, not `activeAt`). */
  startsAt: string;
  /**
   * RFC 3339. Firing: now + 4 × the resend delay (Prometheus's choice, so the alert expires in the
   * Alertmanager if the ruler disappears); resolved: the resolution time.
   */
  endsAt: string;
  /** Link back to the rule's expression. */
  generatorURL: string;
}

/** Delivers a tenant's alerts. Fire and forget: implementations queue, batch and retry. */
export interface AlertSender {
  send(tenant: string, alerts: readonly OutgoingAlert[]): void;
}
