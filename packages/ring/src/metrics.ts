/**
 * The ring's Prometheus metrics, registered once per injected registry.
 *
 * The ring, its lifecyclers and the KV stores of one process usually share one registry; the
 * metrics are created on first use and reused afterwards, so that constructing a second
 * component never fails with "metric already registered".
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { RING_HEALTH_STATES } from './types.ts';

/** The metric objects of the ring package. */
export interface RingMetrics {
  /** `tessera_ring_members{name,state}`: instances in the ring by (derived) state. */
  members: Gauge<'name' | 'state'>;
  /** `tessera_ring_heartbeat_failures_total{name}`: heartbeats that could not be written. */
  heartbeatFailures: Counter<'name'>;
  /** `tessera_kv_cas_retries_total{store}`: compare-and-swap attempts lost to a concurrent writer. */
  casRetries: Counter<'store'>;
}

const byRegistry = new WeakMap<Registry, RingMetrics>();

/** Returns the ring metrics of `registry`, registering them on first use. */
export function ringMetrics(registry: Registry): RingMetrics {
  let m = byRegistry.get(registry);
  if (m !== undefined) return m;
  m = {
    members: new Gauge({
      name: 'tessera_ring_members',
      help: 'Number of instances in the hash ring, by state (UNHEALTHY: no heartbeat within the timeout).',
      labelNames: ['name', 'state'],
      registers: [registry],
    }),
    heartbeatFailures: new Counter({
      name: 'tessera_ring_heartbeat_failures_total',
      help: 'Heartbeats of this instance that could not be written to the KV store.',
      labelNames: ['name'],
      registers: [registry],
    }),
    casRetries: new Counter({
      name: 'tessera_kv_cas_retries_total',
      help: 'Compare-and-swap attempts on the KV store that lost a race and were retried.',
      labelNames: ['store'],
      registers: [registry],
    }),
  };
  for (const store of ['memory', 'redis']) m.casRetries.labels(store).inc(0);
  byRegistry.set(registry, m);
  return m;
}

/** Pre-initialises the per-ring series of `name` so that they are exported as 0. */
export function initRingSeries(m: RingMetrics, name: string): void {
  for (const state of RING_HEALTH_STATES) m.members.labels(name, state).set(0);
  m.heartbeatFailures.labels(name).inc(0);
}
