/**
 * Module builders: each builds one component from the configuration with everything it needs
 * injected (logger, metrics registry, per-tenant limits, ring). targets.ts bundles them into the
 * targets; nothing here starts anything or listens.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { TenantsFile, type Logger, type Service, type TenantResolverConfig } from '@tessera/server';
import { RuntimeOverrides, limitsFromConfig } from '@tessera/limits';
import { Ingester } from '@tessera/ingester';
import { HaTracker, IngesterPool, haTrackerConfigFromOptions, haTrackerStateCodec, type HaTrackerState } from '@tessera/distributor';
import { Querier, createQueryRunner, registerQueryRoutes, registerTsdbStatusApi, registerUserLimitsApi, type TsdbStatusReader, type ChunkReader, type IngesterReader, type MetadataReader, type QueryRunner } from '@tessera/querier';
import { MemoryKV, RedisKV, Ring, ringDescCodec, type KVStore, type RingDesc } from '@tessera/ring';
import type { TesseraConfig } from './config.ts';
import { VERSION } from './version.ts';

/** What every target is built on. */
export interface Base {
  readonly config: TesseraConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly overrides: RuntimeOverrides;
  /** How the tenant APIs resolve the tenant (header, or credentials with a tenants file). */
  readonly tenancy: TenantResolverConfig;
  /** Services every target starts first: the runtime overrides and the tenants file. */
  readonly services: Service[];
}

/** Builds the registry, the runtime overrides and the tenant resolution. */
export function buildBase(config: TesseraConfig, logger: Logger): Base {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Built-in authentication: with a tenants file, credentials decide the tenant of every tenant API.
  const tenantsFile =
    config.authTenantsFile === ''
      ? undefined
      : new TenantsFile({ file: config.authTenantsFile, reloadPeriodMs: config.authTenantsFileReloadPeriod, logger: logger.child({ component: 'auth' }), registry });
  const overrides = new RuntimeOverrides({
    defaults: limitsFromConfig(config),
    file: config.runtimeConfigFile,
    reloadPeriodMs: config.runtimeConfigReloadPeriod,
    logger: logger.child({ component: 'runtime-config' }),
  });
  const overridesService: Service = { name: 'runtime-config', start: () => overrides.start(), stop: async () => overrides.stop() };
  return {
    config,
    logger,
    registry,
    overrides,
    tenancy: { authEnabled: config.authEnabled, authenticator: tenantsFile },
    services: [overridesService, ...(tenantsFile === undefined ? [] : [tenantsFile])],
  };
}

/** Builds the ingester (heads and WALs under `-data.dir`). */
export function buildIngester(base: Base): Ingester {
  const { config, overrides } = base;
  return new Ingester(
    {
      dataDir: config.dataDir,
      blockRangeMs: config.blockRange,
      retentionMs: config.retentionPeriod,
      truncateIntervalMs: config.headTruncateInterval,
      walSegmentBytes: config.walSegmentSize,
      walFsyncIntervalMs: config.walFsyncInterval,
    },
    {
      logger: base.logger,
      registry: base.registry,
      seriesLimits: (tenant) => {
        const l = overrides.forTenant(tenant);
        return { maxSeriesPerUser: l.maxGlobalSeriesPerUser, maxSeriesPerMetric: l.maxGlobalSeriesPerMetric };
      },
    },
  );
}

/**
 * The KV store of the ring: `injected` when given (tests running a cluster in one process; not
 * closed here), else Redis or memory per `-ring.store`. The service closes a store it created.
 */
export function buildRingKV(base: Base, injected?: KVStore<RingDesc>): { kv: KVStore<RingDesc>; service: Service } {
  if (injected !== undefined) return { kv: injected, service: { name: 'ring-kv', start: async () => {}, stop: async () => {} } };
  const { config } = base;
  const logger = base.logger.child({ component: 'ring-kv' });
  const kv: KVStore<RingDesc> =
    config.ringStore === 'redis'
      ? new RedisKV({ codec: ringDescCodec, address: config.ringRedisAddress, registry: base.registry, logger })
      : new MemoryKV(ringDescCodec, { logger });
  return { kv, service: { name: 'ring-kv', start: async () => {}, stop: () => kv.close() } };
}

/**
 * The read side of the ingester ring, as a service whose start resolves once the ring was read
 * from the KV store (what readiness waits for).
 */
export function buildRing(base: Base, kv: KVStore<RingDesc>): { ring: Ring; service: Service } {
  const ring = new Ring(
    kv,
    { replicationFactor: base.config.replicationFactor, heartbeatTimeoutMs: base.config.ingesterHeartbeatTimeout },
    { registry: base.registry, logger: base.logger.child({ component: 'ring' }) },
  );
  return { ring, service: { name: 'ring', start: () => ring.start(), stop: async () => ring.stop() } };
}

/**
 * The HA tracker when `-distributor.ha-tracker.enable` is set (else null), with its election
 * state in the same kind of store as the ring: Redis (`-ring.redis.address`, shared by every
 * distributor) for the cluster targets, memory for `-target=all` and for tests that inject the
 * ring's store. Its services (the store, the tracker) are to be started in order.
 */
export function buildHaTracker(base: Base, opts: { ringKVInjected: boolean }): { tracker: HaTracker; services: Service[] } | null {
  const { config } = base;
  if (!config.haTrackerEnabled) return null;
  const cfg = haTrackerConfigFromOptions(config);
  const logger = base.logger.child({ component: 'ha-tracker' });
  const redis = config.target !== 'all' && config.ringStore === 'redis' && !opts.ringKVInjected;
  const kv: KVStore<HaTrackerState> = redis
    ? new RedisKV({ codec: haTrackerStateCodec, address: config.ringRedisAddress, registry: base.registry, logger })
    : new MemoryKV(haTrackerStateCodec, { logger });
  const tracker = new HaTracker(cfg, { kv, registry: base.registry, logger });
  return { tracker, services: [{ name: 'ha-tracker-kv', start: async () => {}, stop: () => kv.close() }, tracker] };
}

/** The keep-alive HTTP client of the internal ingester RPC, closed by its service. */
export function buildIngesterPool(base: Base): { pool: IngesterPool; service: Service } {
  const pool = new IngesterPool({ authToken: base.config.internalAuthToken, registry: base.registry });
  return { pool, service: { name: 'ingester-client', start: async () => {}, stop: async () => pool.close() } };
}

/** Where the query path reads from: the in-process ingester, or remote ingesters. */
export interface QuerySources {
  /** Called once per query: chunk readers of every ingester that may hold data. */
  chunks: () => readonly ChunkReader[];
  /** Called once per request of the series and label endpoints. */
  readers: () => readonly IngesterReader[];
  /** Called once per metadata request. */
  metadata: () => readonly MetadataReader[];
  /** Called once per `status/tsdb` request. */
  status: () => readonly TsdbStatusReader[];
}

/**
 * Builds the query path (series/labels querier, PromQL runner on worker threads) over `sources`
 * and registers the Prometheus API routes on `app`. Returns its services.
 */
export function buildQueryPath(base: Base, app: FastifyInstance, sources: QuerySources): { querier: Querier; runner: QueryRunner; services: Service[] } {
  const { config } = base;
  const querier = new Querier(sources.readers);
  // PromQL evaluation runs on worker threads, off the event loop that accepts writes.
  const runner = createQueryRunner({
    workers: config.queryWorkers,
    ingesters: sources.chunks,
    logger: base.logger,
    registry: base.registry,
    ...(config.queryWorkerMaxHeap > 0 ? { workerMaxHeapMb: config.queryWorkerMaxHeap } : {}),
  });
  registerQueryRoutes(
    app,
    { querier, runner, metadata: sources.metadata, limits: (t) => base.overrides.forTenant(t), registry: base.registry, buildInfo },
    {
      ...base.tenancy,
      prefix: config.prometheusPrefix,
      lookbackDeltaMs: config.lookbackDelta,
      slowQueryLogThresholdMs: config.slowQueryLogThreshold,
    },
  );
  registerUserLimitsApi(app, (t) => base.overrides.forTenant(t), { ...base.tenancy, prefix: config.prometheusPrefix });
  registerTsdbStatusApi(app, sources.status, { ...base.tenancy, prefix: config.prometheusPrefix, replicationFactor: config.target === 'all' ? 1 : config.replicationFactor });
  const runnerService: Service = { name: 'query-runner', start: async () => {}, stop: () => runner.close() };
  return { querier, runner, services: [querier, runnerService] };
}

/** The `data` of `status/buildinfo`, in Prometheus's shape (no `features`: we answer as Prometheus). */
export function buildInfo(): Record<string, string> {
  return {
    version: VERSION,
    revision: '',
    branch: '',
    buildUser: '',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    application: 'tessera',
  };
}
