import { defineOptions, isConfigError, loadConfig, type ConfigError } from '@tessera/server';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LIMIT_YAML_NAMES, limitOptions, limitsFromConfig, resolveLimits, validateLimits, type Limits } from './limits.ts';
import { parseRuntimeConfig, runtimeConfigOptions } from './runtime-config.ts';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (isConfigError(e)) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const MIN = 60_000;

describe('limit definitions', () => {
  // The names, flags and defaults operators rely on: Mimir's names, Tessera's defaults
  // (ingestion rate and series limits off).
  it.each<[keyof Limits, string, string, unknown]>([
    ['ingestionRate', 'ingestion_rate', 'distributor.ingestion-rate-limit', 0],
    ['ingestionBurstSize', 'ingestion_burst_size', 'distributor.ingestion-burst-size', 0],
    ['acceptHaSamples', 'accept_ha_samples', 'distributor.ha-tracker.enable-for-all-users', false],
    ['haClusterLabel', 'ha_cluster_label', 'distributor.ha-tracker.cluster', 'cluster'],
    ['haReplicaLabel', 'ha_replica_label', 'distributor.ha-tracker.replica', '__replica__'],
    ['maxLabelNamesPerSeries', 'max_label_names_per_series', 'validation.max-label-names-per-series', 30],
    ['maxLabelNameLength', 'max_label_name_length', 'validation.max-length-label-name', 1024],
    ['maxLabelValueLength', 'max_label_value_length', 'validation.max-length-label-value', 2048],
    ['maxMetadataLength', 'max_metadata_length', 'validation.max-metadata-length', 1024],
    ['creationGracePeriod', 'creation_grace_period', 'validation.create-grace-period', 10 * MIN],
    ['pastGracePeriod', 'past_grace_period', 'validation.past-grace-period', 0],
    ['maxGlobalSeriesPerUser', 'max_global_series_per_user', 'ingester.max-global-series-per-user', 0],
    ['maxGlobalSeriesPerMetric', 'max_global_series_per_metric', 'ingester.max-global-series-per-metric', 0],
    ['outOfOrderTimeWindow', 'out_of_order_time_window', 'ingester.out-of-order-time-window', 0],
    ['maxFetchedSeriesPerQuery', 'max_fetched_series_per_query', 'querier.max-fetched-series-per-query', 0],
    ['maxFetchedChunksPerQuery', 'max_fetched_chunks_per_query', 'querier.max-fetched-chunks-per-query', 2_000_000],
    ['maxSamplesPerQuery', 'max_samples_per_query', 'querier.max-samples', 50_000_000],
    ['maxQueryLookback', 'max_query_lookback', 'querier.max-query-lookback', 0],
    ['maxPartialQueryLength', 'max_partial_query_length', 'querier.max-partial-query-length', 0],
    ['maxTotalQueryLength', 'max_total_query_length', 'query-frontend.max-total-query-length', 0],
    ['maxQueryParallelism', 'max_query_parallelism', 'querier.max-query-parallelism', 14],
    ['queryTimeout', 'query_timeout', 'querier.timeout', 2 * MIN],
    ['maxConcurrentQueriesPerTenant', 'max_concurrent_queries_per_tenant', 'querier.max-concurrent-queries-per-tenant', 0],
    ['rulerMaxRuleGroupsPerTenant', 'ruler_max_rule_groups_per_tenant', 'ruler.max-rule-groups-per-tenant', 70],
    ['rulerMaxRulesPerRuleGroup', 'ruler_max_rules_per_rule_group', 'ruler.max-rules-per-rule-group', 20],
    ['rulerAlertmanagerUrl', 'ruler_alertmanager_url', 'ruler.alertmanager-url', ''],
  ])('%s is limits.%s / -%s, default %j', (key, yaml, flag, dflt) => {
    expect(LIMIT_YAML_NAMES[key]).toBe(yaml);
    expect(limitOptions.defs[key].flag).toBe(flag);
    expect(DEFAULT_LIMITS[key]).toBe(dflt);
  });

  it('covers every field of Limits', () => {
    expect(Object.keys(DEFAULT_LIMITS)).toHaveLength(27);
  });

  it('merges into a CLI option set, and flags beat the limits: block', () => {
    const cli = defineOptions({
      port: { flag: 'server.http-listen-port', yaml: 'server.http_listen_port', type: 'int', default: 9009, help: '' },
      ...limitOptions.defs,
      ...runtimeConfigOptions.defs,
    });
    const yaml = 'limits:\n  ingestion_rate: 100\n  creation_grace_period: 1h\n  max_global_series_per_user: 5\nruntime_config:\n  period: 1m\n';
    const cfg = loadConfig(cli, ['-config.file=c.yaml', '-distributor.ingestion-rate-limit=2500.5'], { readFile: () => yaml });
    const limits = limitsFromConfig(cfg);
    expect(limits).toEqual({ ...DEFAULT_LIMITS, ingestionRate: 2500.5, creationGracePeriod: 60 * MIN, maxGlobalSeriesPerUser: 5 });
    expect(cfg.runtimeConfigReloadPeriod).toBe(MIN);
    expect(cfg.runtimeConfigFile).toBe('');
  });

  it.each([
    [['-ingester.max-global-series-per-user=-1'], 'invalid value "-1" for flag -ingester.max-global-series-per-user: must be at least 0'],
    [['-validation.max-label-names-per-series=0'], 'invalid value "0" for flag -validation.max-label-names-per-series: must be at least 1'],
    [['-distributor.ha-tracker.cluster=bad-label'], 'invalid value "bad-label" for flag -distributor.ha-tracker.cluster: not a valid label name'],
    [['-validation.create-grace-period=ten'], 'invalid value "ten" for flag -validation.create-grace-period: not a duration (use e.g. 500ms, 10s, 1h30m, 0)'],
  ])('rejects %j', (argv, message) => {
    expect(errorOf(() => loadConfig(limitOptions, argv)).message).toBe(message);
  });
});

describe('validateLimits', () => {
  it('accepts the defaults', () => {
    validateLimits(DEFAULT_LIMITS);
  });

  it.each<[Partial<Limits>, string]>([
    [{ ingestionRate: -5 }, 'invalid value -5 for -distributor.ingestion-rate-limit (YAML limits.ingestion_rate): must be at least 0'],
    [{ ingestionBurstSize: 1.5 }, 'invalid value 1.5 for -distributor.ingestion-burst-size (YAML limits.ingestion_burst_size): not an integer'],
    [{ queryTimeout: 0 }, 'invalid value 0 for -querier.timeout (YAML limits.query_timeout): must be at least 1ms'],
    [{ maxQueryParallelism: 0 }, 'invalid value 0 for -querier.max-query-parallelism (YAML limits.max_query_parallelism): must be at least 1'],
    [{ acceptHaSamples: true, haReplicaLabel: 'cluster' }, 'invalid value "cluster" for -distributor.ha-tracker.replica (YAML limits.ha_replica_label): must differ from the HA cluster label'],
  ])('rejects %j', (change, message) => {
    expect(errorOf(() => validateLimits({ ...DEFAULT_LIMITS, ...change })).message).toBe(message);
  });
});

describe('resolveLimits', () => {
  it.each<[string, Partial<Limits>, Partial<Limits>, number]>([
    ['no rate: burst stays 0', {}, {}, 0],
    ['rate without burst: burst = rate', { ingestionRate: 1000 }, {}, 1000],
    ['fractional rate: burst rounds up', { ingestionRate: 0.5 }, {}, 1],
    ['explicit burst is kept', { ingestionRate: 1000, ingestionBurstSize: 5000 }, {}, 5000],
    ['tenant rate over a default rate: burst follows the tenant', { ingestionRate: 1000 }, { ingestionRate: 40 }, 40],
    ['tenant burst over default rate', { ingestionRate: 1000 }, { ingestionBurstSize: 7 }, 7],
  ])('%s', (_name, base, overrides, burst) => {
    const l = resolveLimits({ ...DEFAULT_LIMITS, ...base }, overrides);
    expect(l.ingestionBurstSize).toBe(burst);
    expect(Object.isFrozen(l)).toBe(true);
  });

  it('ignores overrides that are explicitly undefined', () => {
    expect(resolveLimits(DEFAULT_LIMITS, { maxQueryParallelism: undefined }).maxQueryParallelism).toBe(14);
  });
});

describe('parseRuntimeConfig', () => {
  const src = 'runtime config rt.yaml';

  it('resolves each tenant over the defaults, with durations in Prometheus syntax', () => {
    const tenants = parseRuntimeConfig(
      'overrides:\n  a:\n    ingestion_rate: 100\n    out_of_order_time_window: 1h30m\n  1234:\n    max_global_series_per_user: 9\n  empty:\n',
      src,
      DEFAULT_LIMITS,
    );
    expect([...tenants.keys()].sort()).toEqual(['1234', 'a', 'empty']);
    expect(tenants.get('a')).toEqual({ ...DEFAULT_LIMITS, ingestionRate: 100, ingestionBurstSize: 100, outOfOrderTimeWindow: 90 * MIN });
    expect(tenants.get('1234')!.maxGlobalSeriesPerUser).toBe(9);
    expect(tenants.get('empty')).toEqual(DEFAULT_LIMITS);
  });

  it.each(['', 'overrides:\n', 'overrides: {}\n'])('accepts a file with no overrides: %j', (text) => {
    expect(parseRuntimeConfig(text, src, DEFAULT_LIMITS).size).toBe(0);
  });

  it.each([
    ['overrides:\n  t1:\n    ingestion_rat: 5\n', 'unknown key "ingestion_rat" of tenant "t1" in runtime config rt.yaml'],
    ['overrides:\n  t1:\n    ingestion_rate: lots\n', 'invalid value "lots" for ingestion_rate (flag -distributor.ingestion-rate-limit) of tenant "t1" in runtime config rt.yaml: not a number'],
    ['overrides:\n  t1:\n    creation_grace_period: 5\n', 'invalid value 5 for creation_grace_period (flag -validation.create-grace-period) of tenant "t1" in runtime config rt.yaml: not a duration (use e.g. 500ms, 10s, 1h30m, 0)'],
    ['overrides:\n  t1:\n    max_global_series_per_user: -1\n', 'invalid value -1 for max_global_series_per_user (flag -ingester.max-global-series-per-user) of tenant "t1" in runtime config rt.yaml: must be at least 0'],
    ['overrides:\n  t1: 5\n', 'overrides of tenant "t1" in runtime config rt.yaml must be a mapping of limits, got number'],
    ['overrides:\n  t1:\n    accept_ha_samples: true\n    ha_replica_label: cluster\n', 'tenant "t1" in runtime config rt.yaml: invalid value "cluster" for -distributor.ha-tracker.replica (YAML limits.ha_replica_label): must differ from the HA cluster label'],
    ['overrides: [a]\n', 'overrides in runtime config rt.yaml must be a mapping of tenant IDs, got a list'],
    ['ingester_limits:\n  max_series: 1\n', 'unknown key "ingester_limits" in runtime config rt.yaml'],
    ['overrides:\n  t1: {}\n  t1: {}\n', /^runtime config rt\.yaml: invalid YAML at line 3, column 3: /],
  ])('rejects %j', (text, message) => {
    const err = errorOf(() => parseRuntimeConfig(text, src, DEFAULT_LIMITS));
    if (typeof message === 'string') expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
  });

  it('reports every bad tenant at once', () => {
    const err = errorOf(() => parseRuntimeConfig('overrides:\n  a: {x: 1}\n  b: {y: 2}\n', src, DEFAULT_LIMITS));
    expect(err.problems).toEqual([
      'unknown key "x" of tenant "a" in runtime config rt.yaml',
      'unknown key "y" of tenant "b" in runtime config rt.yaml',
    ]);
  });
});
