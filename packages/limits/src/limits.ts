/**
 * Per-tenant limits: one flat {@link Limits} type in Mimir's style, its defaults, and the option
 * definitions that set the defaults from flags and the YAML `limits:` block.
 *
 * Names follow Mimir (`pkg/util/validation/limits.go`, the `limits` block of its configuration
 * reference) wherever Mimir has the limit. Where Tessera differs, the TSDoc of the field says so:
 * ingestion rate and series limits default to 0 = off, and `query_timeout`,
 * `max_samples_per_query` and `max_concurrent_queries_per_tenant` are per-tenant here.
 *
 * Units: durations in milliseconds, sizes in bytes, rates per second. 0 means "no limit" wherever
 * the field's TSDoc says "0 = off".
 */

import { isValidLabelName } from '@tessera/model';
import { ConfigError, defineOptions, describeOption, validateConfig, type ValuesOf } from '@tessera/server';

/**
 * The limits one tenant is held to. A resolved `Limits` (from {@link resolveLimits} or
 * `RuntimeOverrides.forTenant`) is complete and valid; treat it as read-only.
 */
export interface Limits {
  // ---- Enforced by the distributor -------------------------------------------------------
  /** Samples per second the tenant may push (token-bucket refill rate). 0 = off. Mimir default 10000. */
  ingestionRate: number;
  /**
   * Token-bucket size in samples: the largest burst over `ingestionRate`. 0 means "equal to the
   * rate"; a resolved `Limits` already holds the effective value. Mimir default 200000.
   */
  ingestionBurstSize: number;
  /** Deduplicate samples from HA Prometheus pairs by their cluster and replica labels. */
  acceptHaSamples: boolean;
  /** Label naming the HA cluster a sample comes from. */
  haClusterLabel: string;
  /** Label naming the HA replica a sample comes from; dropped from accepted samples. */
  haReplicaLabel: string;
  /** Most labels a series may have, `__name__` included. */
  maxLabelNamesPerSeries: number;
  /** Longest label name, in bytes. */
  maxLabelNameLength: number;
  /** Longest label value (metric name included), in UTF-8 bytes. */
  maxLabelValueLength: number;
  /** Longest metric metadata (metric name, HELP, UNIT), in bytes. */
  maxMetadataLength: number;
  /** How far in the future (ms, against the wall clock) a sample may be. Also checked by the ingester. */
  creationGracePeriod: number;
  /** How far in the past (ms, beyond the out-of-order window) a sample may be. 0 = off. */
  pastGracePeriod: number;

  // ---- Enforced by the ingester ----------------------------------------------------------
  /** In-memory series per tenant across the cluster, before replication. 0 = off. Mimir default 150000. */
  maxGlobalSeriesPerUser: number;
  /** In-memory series per metric name across the cluster, before replication. 0 = off. */
  maxGlobalSeriesPerMetric: number;
  /** How far behind the newest sample (ms) a series may accept out-of-order samples. 0 = rejected. */
  outOfOrderTimeWindow: number;

  // ---- Enforced by the querier (and query-frontend) --------------------------------------
  /** Unique series a query may fetch. 0 = off. */
  maxFetchedSeriesPerQuery: number;
  /** Chunks a query may fetch. 0 = off. */
  maxFetchedChunksPerQuery: number;
  /** Samples a query may hold in memory at once. Global `-querier.max-samples` in Mimir; per tenant here. */
  maxSamplesPerQuery: number;
  /** How far back (ms) queries may reach; older parts of the range are cut off, not refused. 0 = off. */
  maxQueryLookback: number;
  /** Longest time range (ms) of one partial query the querier runs. 0 = off. */
  maxPartialQueryLength: number;
  /** Longest time range (end − start, ms) of a received query. 0 = off. */
  maxTotalQueryLength: number;
  /** Split or sharded parts of one query run in parallel. */
  maxQueryParallelism: number;
  /** Time (ms) a query may run. A querier-wide `-querier.timeout` in Mimir; per tenant here. */
  queryTimeout: number;
  /** Queries of this tenant running at once in one querier; more wait. 0 = off. Tessera only. */
  maxConcurrentQueriesPerTenant: number;

  // ---- Enforced by the compactor ---------------------------------------------------------
  /** How long (ms) the tenant's blocks are kept in the bucket; older blocks are deleted. 0 = forever. */
  compactorBlocksRetentionPeriod: number;

  // ---- Enforced by the ruler's configuration API -----------------------------------------
  /** Rule groups the tenant may store, across all namespaces. 0 = off. Mimir default 70. */
  rulerMaxRuleGroupsPerTenant: number;
  /** Rules one rule group may hold. 0 = off. Mimir default 20. */
  rulerMaxRulesPerRuleGroup: number;
  /**
   * External Alertmanagers the ruler sends the tenant's alerts to (`<url>/api/v2/alerts`),
   * comma-separated; '' = none. The flag `-ruler.alertmanager-url` (Mimir's name) sets it for
   * every tenant; a runtime override changes it for one.
   */
  rulerAlertmanagerUrl: string;
}

const labelName = (v: string): string | undefined => (isValidLabelName(v) ? undefined : 'not a valid label name');

/** Checks a comma-separated list of http(s) URLs (`-ruler.alertmanager-url`). */
function checkAlertmanagerUrls(v: string): string | undefined {
  for (const u of v.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      return `${JSON.stringify(u)} is not a URL`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${JSON.stringify(u)}: the scheme must be http or https`;
  }
  return undefined;
}

/**
 * The flag and YAML (`limits.<name>`) definitions of every limit. Merge them into a CLI's option
 * set with `defineOptions({ ...own.defs, ...limitOptions.defs })`; the keys are {@link Limits}
 * field names, so {@link limitsFromConfig} extracts the defaults again.
 */
export const limitOptions = defineOptions({
  // Distributor.
  ingestionRate: { flag: 'distributor.ingestion-rate-limit', yaml: 'limits.ingestion_rate', type: 'float', default: 0, help: 'Per-tenant ingestion rate limit in samples per second. 0 to disable.' },
  ingestionBurstSize: { flag: 'distributor.ingestion-burst-size', yaml: 'limits.ingestion_burst_size', type: 'int', default: 0, help: 'Per-tenant allowed ingestion burst size, in samples. 0 means equal to the ingestion rate.' },
  acceptHaSamples: { flag: 'distributor.ha-tracker.enable-for-all-users', yaml: 'limits.accept_ha_samples', type: 'bool', default: false, help: 'Deduplicate samples from HA Prometheus pairs, identified by the cluster and replica labels.' },
  haClusterLabel: { flag: 'distributor.ha-tracker.cluster', yaml: 'limits.ha_cluster_label', type: 'string', default: 'cluster', check: labelName, help: 'Label that identifies a Prometheus HA cluster.' },
  haReplicaLabel: { flag: 'distributor.ha-tracker.replica', yaml: 'limits.ha_replica_label', type: 'string', default: '__replica__', check: labelName, help: 'Label that identifies a Prometheus HA replica.' },
  maxLabelNamesPerSeries: { flag: 'validation.max-label-names-per-series', yaml: 'limits.max_label_names_per_series', type: 'int', default: 30, min: 1, help: 'Maximum number of label names per series.' },
  maxLabelNameLength: { flag: 'validation.max-length-label-name', yaml: 'limits.max_label_name_length', type: 'int', default: 1024, min: 1, help: 'Maximum length accepted for label names.' },
  maxLabelValueLength: { flag: 'validation.max-length-label-value', yaml: 'limits.max_label_value_length', type: 'int', default: 2048, min: 1, help: 'Maximum length accepted for label values, including the metric name.' },
  maxMetadataLength: { flag: 'validation.max-metadata-length', yaml: 'limits.max_metadata_length', type: 'int', default: 1024, min: 1, help: 'Maximum length accepted for metric metadata (metric name, HELP, UNIT).' },
  creationGracePeriod: { flag: 'validation.create-grace-period', yaml: 'limits.creation_grace_period', type: 'duration', default: '10m', help: 'How far into the future, against the wall clock, samples are accepted.' },
  pastGracePeriod: { flag: 'validation.past-grace-period', yaml: 'limits.past_grace_period', type: 'duration', default: 0, help: 'How far into the past, beyond the out-of-order window, samples are accepted. 0 to disable.' },
  // Ingester.
  maxGlobalSeriesPerUser: { flag: 'ingester.max-global-series-per-user', yaml: 'limits.max_global_series_per_user', type: 'int', default: 0, help: 'Maximum in-memory series per tenant across the cluster, before replication. 0 to disable.' },
  maxGlobalSeriesPerMetric: { flag: 'ingester.max-global-series-per-metric', yaml: 'limits.max_global_series_per_metric', type: 'int', default: 0, help: 'Maximum in-memory series per metric name across the cluster, before replication. 0 to disable.' },
  outOfOrderTimeWindow: { flag: 'ingester.out-of-order-time-window', yaml: 'limits.out_of_order_time_window', type: 'duration', default: 0, help: 'How far behind the newest sample of a series out-of-order samples are accepted. 0 rejects them.' },
  // Querier and query-frontend.
  maxFetchedSeriesPerQuery: { flag: 'querier.max-fetched-series-per-query', yaml: 'limits.max_fetched_series_per_query', type: 'int', default: 0, help: 'Maximum unique series a query may fetch. 0 to disable.' },
  maxFetchedChunksPerQuery: { flag: 'querier.max-fetched-chunks-per-query', yaml: 'limits.max_fetched_chunks_per_query', type: 'int', default: 2_000_000, help: 'Maximum chunks a query may fetch. 0 to disable.' },
  maxSamplesPerQuery: { flag: 'querier.max-samples', yaml: 'limits.max_samples_per_query', type: 'int', default: 50_000_000, min: 1, help: 'Maximum samples a query may hold in memory at once.' },
  maxQueryLookback: { flag: 'querier.max-query-lookback', yaml: 'limits.max_query_lookback', type: 'duration', default: 0, help: 'How far back queries may reach; older parts of the range are cut off. 0 to disable.' },
  maxPartialQueryLength: { flag: 'querier.max-partial-query-length', yaml: 'limits.max_partial_query_length', type: 'duration', default: 0, help: 'Maximum time range of a partial query at the querier. 0 to disable.' },
  maxTotalQueryLength: { flag: 'query-frontend.max-total-query-length', yaml: 'limits.max_total_query_length', type: 'duration', default: 0, help: 'Maximum time range (end - start) of a received query. 0 to disable.' },
  maxQueryParallelism: { flag: 'querier.max-query-parallelism', yaml: 'limits.max_query_parallelism', type: 'int', default: 14, min: 1, help: 'Maximum split or sharded parts of one query run in parallel.' },
  queryTimeout: { flag: 'querier.timeout', yaml: 'limits.query_timeout', type: 'duration', default: '2m', min: 1, help: 'How long a query may run.' },
  maxConcurrentQueriesPerTenant: { flag: 'querier.max-concurrent-queries-per-tenant', yaml: 'limits.max_concurrent_queries_per_tenant', type: 'int', default: 0, help: "Maximum queries of one tenant running at once in a querier; more are refused with 429. 0 to disable." },
  // Compactor.
  compactorBlocksRetentionPeriod: { flag: 'compactor.blocks-retention-period', yaml: 'limits.compactor_blocks_retention_period', type: 'duration', default: 0, help: "Delete the tenant's blocks from the bucket once all their samples are older than this (marked first, deleted after -compactor.deletion-delay). 0 to disable." },
  // Ruler.
  rulerMaxRuleGroupsPerTenant: { flag: 'ruler.max-rule-groups-per-tenant', yaml: 'limits.ruler_max_rule_groups_per_tenant', type: 'int', default: 70, min: 0, help: 'Maximum number of rule groups per tenant, across all namespaces. 0 to disable.' },
  rulerMaxRulesPerRuleGroup: { flag: 'ruler.max-rules-per-rule-group', yaml: 'limits.ruler_max_rules_per_rule_group', type: 'int', default: 20, min: 0, help: 'Maximum number of rules per rule group. 0 to disable.' },
  rulerAlertmanagerUrl: { flag: 'ruler.alertmanager-url', yaml: 'limits.ruler_alertmanager_url', type: 'string', default: '', secret: true, check: checkAlertmanagerUrls, help: 'Comma-separated URLs of Alertmanagers the ruler sends alerts to (POST <url>/api/v2/alerts, with X-Scope-OrgID; basic auth as user:password@ in the URL). Empty for none.' },
});

// The option definitions and the Limits interface must describe the same fields with the same
// types; these two lines stop the build when they drift apart.
type LimitValues = ValuesOf<typeof limitOptions.defs>;
const sameFieldsOne: (l: LimitValues) => Limits = (l) => l;
const sameFieldsTwo: (l: Limits) => LimitValues = (l) => l;
void sameFieldsOne;
void sameFieldsTwo;

/** The YAML key of each limit under `limits:` (and in runtime overrides), by field name. */
export const LIMIT_YAML_NAMES: Readonly<Record<keyof Limits, string>> = Object.fromEntries(
  limitOptions.options.map((o) => [o.key, o.spec.yaml!.slice('limits.'.length)]),
) as Record<keyof Limits, string>;

/** Tessera's default limits, before any flag, YAML or override; frozen. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze(limitOptions.defaults());

/**
 * The {@link Limits} part of a loaded configuration whose option set includes `limitOptions`
 * (other fields are ignored). The result is raw: validate or resolve it before use.
 */
export function limitsFromConfig(config: Readonly<Limits>): Limits {
  const out: Record<string, unknown> = {};
  for (const o of limitOptions.options) out[o.key] = (config as unknown as Record<string, unknown>)[o.key];
  return out as unknown as Limits;
}

/**
 * Checks every limit's type and range and the rules between limits, naming each bad limit by
 * its flag and YAML key.
 *
 * @throws ConfigError (code `invalid-config`) listing every problem.
 */
export function validateLimits(l: Readonly<Limits>): void {
  validateConfig(limitOptions, l as LimitValues);
  if (l.acceptHaSamples && l.haClusterLabel === l.haReplicaLabel) {
    throw new ConfigError(
      `invalid value ${JSON.stringify(l.haReplicaLabel)} for ${describeOption(limitOptions.defs.haReplicaLabel)}: must differ from the HA cluster label`,
    );
  }
}

/**
 * Applies a tenant's overrides to `base` and resolves derived values (a burst of 0 becomes the
 * rate), returning a frozen, validated object. `base` must be raw (not itself resolved), so that
 * a tenant overriding only the rate gets a burst matching its own rate.
 *
 * @throws ConfigError when the result is invalid.
 */
export function resolveLimits(base: Readonly<Limits>, overrides: Readonly<Partial<Limits>> = {}): Readonly<Limits> {
  const merged: Limits = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    // An explicit `undefined` means "not overridden", never "unset".
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  validateLimits(merged);
  if (merged.ingestionBurstSize === 0 && merged.ingestionRate > 0) merged.ingestionBurstSize = Math.ceil(merged.ingestionRate);
  return Object.freeze(merged);
}
