/**
 * Module builders: each builds one component from the configuration with everything it needs
 * injected (logger, metrics registry, per-tenant limits, ring). targets.ts bundles them into the
 * targets; nothing here starts anything or listens.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { TenantsFile, type Logger, type Service, type TenantResolverConfig } from '@tessera/server';
import { RuntimeOverrides, limitsFromConfig } from '@tessera/limits';
import { INTERNAL_TOKEN_HEADER, Ingester, flushConfigFromOptions, internalTokenChecker } from '@tessera/ingester';
import { bucketConfigFromOptions, createBucket, type Bucket } from '@tessera/objstore';
import { BucketStore, bucketStoreConfigFromOptions, ingesterWithin, storeAfter, type QueryReader } from '@tessera/store-gateway';
import { Compactor, compactorConfigFromOptions } from '@tessera/compactor';
import { HaTracker, IngesterPool, haTrackerConfigFromOptions, haTrackerStateCodec, type HaTrackerState } from '@tessera/distributor';
import { registerConsoleRoutes, consoleDistDir } from '@tessera/console';
import { Querier, createQueryRunner, registerQueryRoutes, registerTsdbStatusApi, registerUserLimitsApi, registerUserStatsApi, type TsdbStatusReader, type UserStatsReader, type ChunkReader, type IngesterReader, type MetadataReader, type QueryRunner } from '@tessera/querier';
import { MemoryKV, RedisKV, Ring, ringDescCodec, type KVStore, type RingDesc } from '@tessera/ring';
import { BucketRuleStore, RULER_RING_KEY, clusterGroups, createRuler, registerRulerGroupsRoute, registerRulesConfigApi, registerStateApi, type AlertSender, type PushTarget, type Ruler } from '@tessera/ruler';
import { AlertmanagerConfigStore, ExternalNotifier, MultitenantAlertmanager, TesseraAlertSender, registerAlertmanagerRoutes, senderMetrics, splitUrls } from '@tessera/alertmanager';
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

/** The blocks bucket of a process and the service that closes it. */
export interface BucketModule {
  readonly bucket: Bucket;
  /** Closes the bucket on stop (idempotent); list it before the services that use the bucket. */
  readonly service: Service;
}

const buckets = new WeakMap<Base, BucketModule>();

/**
 * The blocks bucket (`-blocks-storage.*`; the filesystem default is `<data.dir>/blocks`), created
 * once per process: every builder that needs it calls this and gets the same bucket. Throws a
 * ConfigError on an incomplete S3 configuration.
 */
export function buildBucket(base: Base): BucketModule {
  let m = buckets.get(base);
  if (m === undefined) {
    const bucket = createBucket(bucketConfigFromOptions(base.config, { dataDir: base.config.dataDir }), { registry: base.registry });
    let closed: Promise<void> | null = null;
    m = { bucket, service: { name: 'blocks-bucket', start: async () => {}, stop: () => (closed ??= bucket.close()) } };
    buckets.set(base, m);
  }
  return m;
}

/** The store read path of a querier: the bucket store service and the readers a query asks. */
export interface StoreReadPath {
  /** Lists the tenants' blocks and caches their indexes; list it after the bucket's service. */
  readonly store: BucketStore;
  /**
   * The readers of one query: the ingesters (asked within `-querier.query-ingesters-within`) and
   * the store (asked before now − `-querier.query-store-after`).
   */
  withStore(ingesters: readonly QueryReader[]): QueryReader[];
}

/** Builds the store read path over the blocks bucket (`-blocks-storage.bucket-store.*`, `-querier.query-*`). */
export function buildStoreReadPath(base: Base, bucket: Bucket): StoreReadPath {
  const cfg = bucketStoreConfigFromOptions(base.config, { dataDir: base.config.dataDir });
  const store = new BucketStore(cfg, { bucket, logger: base.logger, registry: base.registry });
  const fromStore = storeAfter(store, cfg.queryStoreAfterMs);
  return {
    store,
    withStore: (ingesters) => [...ingesters.map((i) => ingesterWithin(i, cfg.queryIngestersWithinMs)), fromStore],
  };
}

/**
 * Builds the compactor over the blocks bucket (`-compactor.*`; its work directory defaults to
 * `<data.dir>/compactor`), with each tenant's `compactor_blocks_retention_period`.
 */
export function buildCompactor(base: Base, bucket: Bucket): Compactor {
  return new Compactor(compactorConfigFromOptions(base.config, { dataDir: base.config.dataDir }), {
    bucket,
    logger: base.logger,
    registry: base.registry,
    retentionMs: (tenant) => base.overrides.forTenant(tenant).compactorBlocksRetentionPeriod,
  });
}

/**
 * Builds the ingester (heads and WALs under `-data.dir`), shipping blocks to `bucket` (null: no
 * shipping; the heads keep the retention period).
 */
export function buildIngester(base: Base, bucket: Bucket | null = null): Ingester {
  const { config, overrides } = base;
  return new Ingester(
    {
      dataDir: config.dataDir,
      blockRangeMs: config.blockRange,
      retentionMs: config.retentionPeriod,
      truncateIntervalMs: config.headTruncateInterval,
      walSegmentBytes: config.walSegmentSize,
      walFsyncIntervalMs: config.walFsyncInterval,
      flush: flushConfigFromOptions(config),
    },
    {
      logger: base.logger,
      registry: base.registry,
      bucket,
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
  /** Called once per `status/tsdb` and `user_stats` request. */
  status: () => readonly (TsdbStatusReader & UserStatsReader)[];
}

/**
 * Builds the query path (series/labels querier, PromQL runner on worker threads) over `sources`
 * and registers the Prometheus API routes on `app`. Returns its services.
 */
export function buildQueryPath(base: Base, app: FastifyInstance, sources: QuerySources, opts: { rulesApiElsewhere?: boolean } = {}): { querier: Querier; runner: QueryRunner; services: Service[] } {
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
      emptyRulesApi: opts.rulesApiElsewhere !== true, // true: the caller registers api/v1/rules (a ruler, or the rulers' proxy)
    },
  );
  registerUserLimitsApi(app, (t) => base.overrides.forTenant(t), { ...base.tenancy, prefix: config.prometheusPrefix });
  registerUserStatsApi(app, sources.status, { ...base.tenancy, prefix: config.prometheusPrefix, replicationFactor: config.target === 'all' ? 1 : config.replicationFactor });
  registerTsdbStatusApi(app, sources.status, { ...base.tenancy, prefix: config.prometheusPrefix, replicationFactor: config.target === 'all' ? 1 : config.replicationFactor });
  // The web console at `/` (targets all and querier): static files built by `npm ci`.
  registerConsoleRoutes(app, { distDir: consoleDistDir(), prometheusPrefix: config.prometheusPrefix });
  const runnerService: Service = { name: 'query-runner', start: async () => {}, stop: () => runner.close() };
  return { querier, runner, services: [querier, runnerService] };
}

/** What the ruler runs on: the query runner and the distributor of its process. */
export interface RulerInputs {
  runner: Pick<QueryRunner, 'run'>;
  push: PushTarget;
  /** Where alerts go; without one they are logged at debug level and dropped. */
  sender?: AlertSender;
  /** Ring ownership of a group (several rulers); default: every group. */
  owns?: (tenant: string, namespace: string, group: string) => boolean;
  /** Addresses of the other rulers (several rulers): the state APIs then show every ruler's groups. */
  peers?: () => string[];
}

/**
 * The ruler: rule groups in the blocks bucket under `rules/`, evaluated through `inputs`, with
 * the rules config API (`<prefix>/config/v1/rules…`; a change reloads this ruler at once) and the
 * state APIs (`<prefix>/api/v1/rules`, `<prefix>/api/v1/alerts`). Pass `rulesApiElsewhere` to
 * buildQueryPath in the same process.
 */
export function buildRuler(base: Base, app: FastifyInstance, inputs: RulerInputs): { ruler: Ruler; services: Service[] } {
  const { config } = base;
  const blocks = buildBucket(base);
  const store = new BucketRuleStore(blocks.bucket);
  const logger = base.logger.child({ component: 'ruler' });
  const sender: AlertSender = inputs.sender ?? { send: (tenant, alerts) => logger.debug({ tenant, alerts: alerts.length }, 'no alert sender: alerts dropped') };
  const ruler = createRuler(config, {
    store,
    runner: inputs.runner,
    push: inputs.push,
    sender,
    limits: (t) => base.overrides.forTenant(t),
    logger: base.logger,
    registry: base.registry,
    lookbackDeltaMs: config.lookbackDelta,
    ...(inputs.owns === undefined ? {} : { owns: inputs.owns }),
  });
  registerRulesConfigApi(
    app,
    { store, limits: (t) => base.overrides.forTenant(t), onChange: (tenant) => void ruler.manager.requestSync(tenant) },
    { ...base.tenancy, prefix: config.prometheusPrefix },
  );
  let groups = ruler.local;
  if (inputs.peers !== undefined) {
    const token = config.internalAuthToken;
    const auth = { header: INTERNAL_TOKEN_HEADER, token, check: internalTokenChecker(token === '' ? null : token) };
    registerRulerGroupsRoute(app, ruler.local, auth);
    groups = clusterGroups({ local: ruler.local, peers: inputs.peers, auth, timeoutMs: 10_000, logger });
  }
  ruler.registerStateRoutes(app, { ...base.tenancy, prefix: config.prometheusPrefix }, groups);
  return { ruler, services: [ruler.manager] }; // the target lists buildBucket(base).service before it
}

/**
 * The per-tenant Alertmanagers: configurations in the blocks bucket under `alertmanager/`, the
 * configuration API (`/api/v1/alerts`) and Alertmanager's v2 alerts API under `/alertmanager`.
 * The target lists buildBucket(base).service before the returned service.
 */
export function buildAlertmanager(base: Base, app: FastifyInstance): { alertmanager: MultitenantAlertmanager; service: Service } {
  const { config } = base;
  const externalURL = (): string => {
    if (config.alertmanagerExternalUrl !== '') return config.alertmanagerExternalUrl;
    const addr = app.server.address();
    return `http://localhost:${typeof addr === 'object' && addr !== null ? addr.port : config.httpListenPort}/alertmanager`;
  };
  const alertmanager = new MultitenantAlertmanager(
    { pollIntervalMs: config.alertmanagerPollInterval, externalURL },
    { store: new AlertmanagerConfigStore(buildBucket(base).bucket), logger: base.logger, registry: base.registry },
  );
  // Without a Prometheus prefix, /api/v1/alerts is Prometheus's alerts API (the ruler's).
  const configPath = config.prometheusPrefix === '' ? '/alertmanager/api/v1/alerts' : '/api/v1/alerts';
  registerAlertmanagerRoutes(app, alertmanager, base.tenancy, { configPath });
  return { alertmanager, service: alertmanager };
}

/**
 * The ruler's alert sender: to the tenant's built-in Alertmanager (`builtin`, when in this
 * process) and to the external Alertmanagers of `ruler_alertmanager_url`. Its service sends what
 * is queued on stop; list it after the alertmanager and before the ruler.
 */
export function buildAlertSender(base: Base, builtin: MultitenantAlertmanager | null): { sender: AlertSender; service: Service } {
  const { config } = base;
  const logger = base.logger.child({ component: 'alert-sender' });
  const external = new ExternalNotifier(
    { queueCapacity: config.rulerNotificationQueueCapacity, timeoutMs: config.rulerNotificationTimeout, urls: (t) => splitUrls(base.overrides.forTenant(t).rulerAlertmanagerUrl) },
    { metrics: senderMetrics(base.registry, config.rulerNotificationQueueCapacity), logger },
  );
  const sender = new TesseraAlertSender({ builtin, external, logger });
  return { sender, service: { name: 'alert-sender', start: async () => {}, stop: () => external.stop() } };
}

/**
 * For a process that runs no ruler but serves the Prometheus API (`-target=querier`): its
 * `api/v1/rules` and `api/v1/alerts` show the groups of every ACTIVE ruler of the ruler ring (none:
 * no groups), and it serves the rules config API over the bucket (rulers see changes at their next
 * poll). Pass `rulesApiElsewhere` to buildQueryPath too. Returns the ring-follower service.
 */
export function buildRulerStateProxy(base: Base, app: FastifyInstance, kv: KVStore<RingDesc>): Service {
  const { config } = base;
  const logger = base.logger.child({ component: 'ruler-ring' });
  const ring = new Ring(kv, { key: RULER_RING_KEY, name: 'ruler', replicationFactor: 1, heartbeatTimeoutMs: config.rulerRingHeartbeatTimeout }, { registry: base.registry, logger });
  const token = config.internalAuthToken;
  const auth = { header: INTERNAL_TOKEN_HEADER, token, check: internalTokenChecker(token === '' ? null : token) };
  const peers = (): string[] => ring.status().filter((i) => i.state === 'ACTIVE').map((i) => i.addr);
  registerStateApi(app, clusterGroups({ local: () => [], peers, auth, timeoutMs: 10_000, logger }), { ...base.tenancy, prefix: config.prometheusPrefix });
  // The rules config API too (rule groups live in the bucket): the rulers pick changes up at
  // their next poll (-ruler.poll-interval), so the console works against a querier.
  registerRulesConfigApi(
    app,
    { store: new BucketRuleStore(buildBucket(base).bucket), limits: (t) => base.overrides.forTenant(t), onChange: () => {} },
    { ...base.tenancy, prefix: config.prometheusPrefix },
  );
  return { name: 'ruler-ring-view', start: () => ring.start(), stop: async () => ring.stop() };
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
