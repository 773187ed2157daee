/**
 * The HA tracker's options, with Mimir's flag names, YAML paths and defaults. The per-tenant
 * switches and label names (`-distributor.ha-tracker.enable-for-all-users`, `.cluster`,
 * `.replica`) are limits, in @tessera/limits; these are the distributor-wide settings.
 *
 * Merge into a CLI's option set with `defineOptions({ ...own.defs, ...haTrackerOptions.defs })`,
 * then build the tracker's config with {@link haTrackerConfigFromOptions}.
 */
import { ConfigError, defineOptions, type ValuesOf } from '@tessera/server';
import type { HaTrackerConfig } from './ha-tracker.ts';

/** Option definitions of the HA tracker (`-distributor.ha-tracker.*`). */
export const haTrackerOptions = defineOptions({
  haTrackerEnabled: {
    flag: 'distributor.ha-tracker.enable',
    yaml: 'distributor.ha_tracker.enable_ha_tracker',
    type: 'bool',
    default: false,
    help: 'Enable the HA tracker, which keeps the samples of one replica of each Prometheus HA pair and drops the others (for tenants with -distributor.ha-tracker.enable-for-all-users or accept_ha_samples).',
  },
  haTrackerUpdateTimeout: {
    flag: 'distributor.ha-tracker.update-timeout',
    yaml: 'distributor.ha_tracker.ha_tracker_update_timeout',
    type: 'duration',
    default: '15s',
    min: 1,
    help: 'Record in the KV store that the elected replica of a cluster is still sending at most this often.',
  },
  haTrackerUpdateTimeoutJitterMax: {
    flag: 'distributor.ha-tracker.update-timeout-jitter-max',
    yaml: 'distributor.ha_tracker.ha_tracker_update_timeout_jitter_max',
    type: 'duration',
    default: '5s',
    help: 'Largest random delay added to the update timeout, to spread the KV writes of many clusters over time.',
  },
  haTrackerFailoverTimeout: {
    flag: 'distributor.ha-tracker.failover-timeout',
    yaml: 'distributor.ha_tracker.ha_tracker_failover_timeout',
    type: 'duration',
    default: '30s',
    min: 1,
    help: 'When the elected replica of a cluster has sent no samples for this long, the next replica that sends takes over. Must exceed the update timeout plus its jitter.',
  },
});

/** The values of {@link haTrackerOptions}, as loaded. */
export type HaTrackerOptionValues = ValuesOf<typeof haTrackerOptions.defs>;

/**
 * Builds the tracker's config from loaded option values. Throws a ConfigError when the failover
 * timeout does not exceed the update timeout plus its jitter: the elected replica's "still here"
 * writes could then come too late, and a live replica would lose its election.
 */
export function haTrackerConfigFromOptions(v: HaTrackerOptionValues): HaTrackerConfig {
  const cfg: HaTrackerConfig = {
    updateTimeoutMs: v.haTrackerUpdateTimeout,
    updateTimeoutJitterMaxMs: v.haTrackerUpdateTimeoutJitterMax,
    failoverTimeoutMs: v.haTrackerFailoverTimeout,
  };
  if (cfg.failoverTimeoutMs <= cfg.updateTimeoutMs + cfg.updateTimeoutJitterMaxMs) {
    throw new ConfigError(
      `-distributor.ha-tracker.failover-timeout (${cfg.failoverTimeoutMs}ms) must be greater than ` +
        `-distributor.ha-tracker.update-timeout plus -distributor.ha-tracker.update-timeout-jitter-max ` +
        `(${cfg.updateTimeoutMs}ms + ${cfg.updateTimeoutJitterMaxMs}ms)`,
    );
  }
  return cfg;
}
