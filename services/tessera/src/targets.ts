/**
 * Targets: which modules one process runs, and how they are wired.
 *
 * | target      | modules                                                     | HTTP routes                          |
 * |-------------|-------------------------------------------------------------|--------------------------------------|
 * | all         | ingester, distributor (in-process calls), query path        | push, Prometheus API, HA page        |
 * | ingester    | ingester, ring lifecycle (PENDING → ACTIVE → LEAVING), ring | /internal/ingester/*, ring page      |
 * | distributor | distributor → push fan-out over the ring (quorum writes)    | push, ring page, HA page             |
 * | querier     | query path over remote ingesters (ring read set)            | Prometheus API, ring page            |
 * | compactor   | compactor over the blocks bucket (also part of `all`)       | (common routes only)                 |
 * | ruler       | rules over the ring's ingesters, ruler ring (`ruler-ring`)  | rules APIs, /ruler/ring, ring page   |
 * | alertmanager | tenants' Alertmanagers (configs in the bucket)            | /api/v1/alerts, /alertmanager/api/v2 |
 *
 * `all` needs no ring: one ingester, no replication. The others find each other through the ring
 * in the KV store (`-ring.store=redis`) and talk over the internal RPC, authenticated with
 * `-internal.auth-token` when one is set. The HA tracker (`-distributor.ha-tracker.enable`, page
 * `/distributor/ha_tracker`) keeps its election state in memory for `all`, in Redis otherwise.
 */
import type { FastifyInstance } from 'fastify';
import { Lifecycler, Ring, type KVStore, type RingDesc } from '@tessera/ring';
import { RULER_RING_KEY, ringOwnership } from '@tessera/ruler';
import type { Service } from '@tessera/server';
import { Ingester, IngesterLifecycle, headTsdbStatus, registerIngesterRpcRoutes, registerRingPage } from '@tessera/ingester';
import { Distributor, PushFanout, registerHaTrackerPage, registerPushRoutes, type HaTracker, type IngesterClient, type IngesterPool } from '@tessera/distributor';
import { RemoteIngesters, createQueryRunner } from '@tessera/querier';
import { advertisedAddress } from './config.ts';
import { buildAlertmanager, buildAlertSender, buildBucket, buildCompactor, buildHaTracker, buildIngester, buildIngesterPool, buildQueryPath, buildRing, buildRingKV, buildRuler, buildRulerStateProxy, buildStoreReadPath, type Base } from './modules.ts';

/** The modules of one target, ready to start. */
export interface TargetAssembly {
  /** Started in order before the HTTP server listens; stopped in reverse after it closed. */
  readonly services: Service[];
  /** The in-process ingester (targets `all` and `ingester`). */
  readonly ingester?: Ingester;
  /** The ring as this process sees it (cluster targets). */
  readonly ring?: Ring;
  /** Runs once the server listens on `port` (an ingester joins the ring then). */
  afterListen?(port: number): Promise<void>;
  /** The first step of shutdown, before the server closes (an ingester leaves the ring). */
  beforeClose?(): Promise<void>;
  /** Services to list on /services besides {@link services} (started by afterListen). */
  readonly lateServices?: Service[];
}

/** Options of the assemblies that are not configuration. */
export interface AssembleOptions {
  /** A KV store for the ring supplied by the caller (tests); otherwise built from the config. */
  ringKV?: KVStore<RingDesc>;
}

/** Builds the modules of `base.config.target` and registers their routes on `app`. */
export function assembleTarget(base: Base, app: FastifyInstance, opts: AssembleOptions = {}): TargetAssembly {
  switch (base.config.target) {
    case 'all':
      return assembleAll(base, app);
    case 'ingester':
      return assembleIngester(base, app, opts);
    case 'distributor':
      return assembleDistributor(base, app, opts);
    case 'querier':
      return assembleQuerier(base, app, opts);
    case 'compactor':
      return assembleCompactor(base);
    case 'ruler':
      return assembleRuler(base, app, opts);
    case 'alertmanager':
      return assembleAlertmanager(base, app);
  }
}

/** `-target=all`: every component in one process, calling one another directly. */
function assembleAll(base: Base, app: FastifyInstance): TargetAssembly {
  const blocks = buildBucket(base);
  const ingester = buildIngester(base, blocks.bucket);
  const ha = buildHaTracker(base, { ringKVInjected: false });
  const distributor = newDistributor(base, ingester, ha?.tracker);
  registerPushRoutes(app, distributor, base.tenancy);
  if (ha !== null) registerHaTrackerPage(app, ha.tracker);
  const stored = buildStoreReadPath(base, blocks.bucket);
  const query = buildQueryPath(base, app, {
    chunks: () => stored.withStore([ingester]),
    readers: () => stored.withStore([ingester]),
    metadata: () => [ingester],
    status: () => [{ tsdbStatus: (tenant, limit) => headTsdbStatus(ingester.head(tenant), limit), userStats: (tenant) => ingester.userStats(tenant) }],
  }, { rulesApiElsewhere: true });
  const compactor = buildCompactor(base, blocks.bucket);
  const am = buildAlertmanager(base, app);
  const alerts = buildAlertSender(base, am.alertmanager);
  const rules = buildRuler(base, app, { runner: query.runner, push: distributor, sender: alerts.sender });
  return { services: [...base.services, blocks.service, ingester, ...(ha?.services ?? []), distributor, stored.store, ...query.services, compactor, am.service, alerts.service, ...rules.services], ingester };
}

/** The ring's KV store and reader, shared by the cluster targets. */
function ringModules(base: Base, opts: AssembleOptions): { kv: KVStore<RingDesc>; ring: Ring; services: Service[] } {
  const store = buildRingKV(base, opts.ringKV);
  const reader = buildRing(base, store.kv);
  return { kv: store.kv, ring: reader.ring, services: [store.service, reader.service] };
}

/**
 * `-target=ingester`: replays its WAL (service start), then, listening, registers in the ring
 * under `-ingester.id` (taking back its tokens) and becomes ACTIVE; on shutdown it leaves
 * (see IngesterLifecycle).
 */
function assembleIngester(base: Base, app: FastifyInstance, opts: AssembleOptions): TargetAssembly {
  const { config } = base;
  const blocks = buildBucket(base);
  const ingester = buildIngester(base, blocks.bucket);
  const r = ringModules(base, opts);
  registerIngesterRpcRoutes(app, ingester, { internalToken: config.internalAuthToken === '' ? null : config.internalAuthToken, logger: base.logger });
  registerRingPage(app, r.ring, { kv: r.kv });
  let lifecycle: IngesterLifecycle | undefined;
  // Listed on /services from the start; started by afterListen (the address needs the port).
  const lifecycleService: Service = {
    name: 'ingester-lifecycle',
    start: async () => {},
    stop: async () => lifecycle?.stop(),
  };
  return {
    services: [...base.services, r.services[0]!, blocks.service, ingester, r.services[1]!],
    lateServices: [lifecycleService],
    ingester,
    ring: r.ring,
    async afterListen(port) {
      const lifecycler = new Lifecycler(
        r.kv,
        {
          id: config.ingesterId,
          addr: advertisedAddress(config, port),
          numTokens: config.ingesterNumTokens,
          heartbeatPeriodMs: config.ingesterHeartbeatPeriod,
          autoJoin: false,
        },
        { registry: base.registry, logger: base.logger.child({ component: 'lifecycler' }) },
      );
      lifecycle = new IngesterLifecycle({ ingester, lifecycler, logger: base.logger });
      await lifecycle.start();
    },
    beforeClose: async () => lifecycle?.stop(),
  };
}

/** `-target=distributor`: validates and replicates pushes to the ingesters of the ring. */
function assembleDistributor(base: Base, app: FastifyInstance, opts: AssembleOptions): TargetAssembly {
  const r = ringModules(base, opts);
  const client = buildIngesterPool(base);
  const fanout = new PushFanout(
    { remoteTimeoutMs: base.config.distributorRemoteTimeout },
    { ring: r.ring, transport: client.pool, logger: base.logger, registry: base.registry },
  );
  const ha = buildHaTracker(base, { ringKVInjected: opts.ringKV !== undefined });
  const distributor = newDistributor(base, fanout, ha?.tracker);
  registerPushRoutes(app, distributor, base.tenancy);
  registerRingPage(app, r.ring, { kv: r.kv });
  if (ha !== null) registerHaTrackerPage(app, ha.tracker);
  return { services: [...base.services, ...r.services, client.service, ...(ha?.services ?? []), distributor], ring: r.ring };
}

/** `-target=querier`: the Prometheus API over every readable ingester of the ring. */
function assembleQuerier(base: Base, app: FastifyInstance, opts: AssembleOptions): TargetAssembly {
  const r = ringModules(base, opts);
  const client = buildIngesterPool(base);
  const remote = remoteIngesters(base, r.ring, client.pool);
  const readers = (): ReturnType<RemoteIngesters['readers']> => remote.readers();
  const blocks = buildBucket(base);
  const stored = buildStoreReadPath(base, blocks.bucket);
  const withStore = () => stored.withStore(remote.readers());
  const query = buildQueryPath(base, app, { chunks: withStore, readers: withStore, metadata: readers, status: readers }, { rulesApiElsewhere: true });
  const rulerState = buildRulerStateProxy(base, app, r.kv); // api/v1/rules and alerts from the rulers, rules config API
  registerRingPage(app, r.ring, { kv: r.kv });
  return { services: [...base.services, ...r.services, rulerState, client.service, blocks.service, stored.store, ...query.services], ring: r.ring };
}

/**
 * `-target=ruler`: evaluates the rule groups it owns in the ruler ring (KV key `ruler-ring`, the
 * store of `-ring.store`) with a query runner over the ingesters of the ring and the blocks in
 * the bucket (the querier's view), writing results
 * through a distributor (quorum writes over the ring). Joins the ruler ring once listening; on
 * shutdown leaves it, and the others take its groups at once (after a crash: after
 * `-ruler.ring.heartbeat-timeout`).
 */
function assembleRuler(base: Base, app: FastifyInstance, opts: AssembleOptions): TargetAssembly {
  const { config } = base;
  const r = ringModules(base, opts);
  const client = buildIngesterPool(base);
  const blocks = buildBucket(base);
  const remote = remoteIngesters(base, r.ring, client.pool);
  const stored = buildStoreReadPath(base, blocks.bucket); // the querier's storage view: ingesters + store
  const runner = createQueryRunner({
    workers: config.queryWorkers,
    ingesters: () => stored.withStore(remote.readers()),
    logger: base.logger,
    registry: base.registry,
    ...(config.queryWorkerMaxHeap > 0 ? { workerMaxHeapMb: config.queryWorkerMaxHeap } : {}),
  });
  const fanout = new PushFanout({ remoteTimeoutMs: config.distributorRemoteTimeout }, { ring: r.ring, transport: client.pool, logger: base.logger, registry: base.registry });
  const distributor = newDistributor(base, fanout, undefined);
  const rulerRing = new Ring(
    r.kv,
    { key: RULER_RING_KEY, name: 'ruler', replicationFactor: 1, heartbeatTimeoutMs: config.rulerRingHeartbeatTimeout },
    { registry: base.registry, logger: base.logger.child({ component: 'ruler-ring' }) },
  );
  // Alerts go to the Alertmanagers of -ruler.alertmanager-url (Tessera's own: <url>/alertmanager).
  const alerts = buildAlertSender(base, null);
  const rules = buildRuler(base, app, {
    runner,
    push: distributor,
    sender: alerts.sender,
    owns: ringOwnership(rulerRing, config.rulerRingInstanceId),
    // The state APIs show the groups of every ACTIVE ruler.
    peers: () => rulerRing.status().filter((i) => i.state === 'ACTIVE' && i.id !== config.rulerRingInstanceId).map((i) => i.addr),
  });
  const unsubscribe = rulerRing.onChange(() => rules.ruler.manager.reshard());
  registerRingPage(app, r.ring, { kv: r.kv });
  registerRingPage(app, rulerRing, { kv: r.kv, path: '/ruler/ring', title: 'Ruler ring' });
  let lifecycler: Lifecycler | undefined;
  const services: Service[] = [
    ...base.services,
    ...r.services,
    client.service,
    blocks.service,
    stored.store,
    { name: 'query-runner', start: async () => {}, stop: () => runner.close() },
    distributor,
    { name: 'ruler-ring', start: () => rulerRing.start(), stop: async () => (unsubscribe(), rulerRing.stop()) },
    alerts.service,
    ...rules.services,
  ];
  return {
    services,
    lateServices: [{ name: 'ruler-lifecycle', start: async () => {}, stop: async () => lifecycler?.stop() }],
    ring: r.ring,
    async afterListen(port) {
      const addr = config.rulerRingInstanceAddr === '' ? `127.0.0.1:${port}` : config.rulerRingInstanceAddr.includes(':') ? config.rulerRingInstanceAddr : `${config.rulerRingInstanceAddr}:${port}`;
      lifecycler = new Lifecycler(
        r.kv,
        { id: config.rulerRingInstanceId, addr, key: RULER_RING_KEY, name: 'ruler', numTokens: config.rulerRingNumTokens, heartbeatPeriodMs: config.rulerRingHeartbeatPeriod },
        { registry: base.registry, logger: base.logger.child({ component: 'ruler-lifecycler' }) },
      );
      await lifecycler.start();
    },
    beforeClose: async () => lifecycler?.stop(),
  };
}

/**
 * `-target=alertmanager`: the tenants' Alertmanagers with their configuration API and the v2
 * alerts API under `/alertmanager`, where rulers post (`-ruler.alertmanager-url`); no ring. Run
 * one: Alertmanagers do not share notification state here, so two would notify twice.
 */
function assembleAlertmanager(base: Base, app: FastifyInstance): TargetAssembly {
  const blocks = buildBucket(base);
  const am = buildAlertmanager(base, app);
  return { services: [...base.services, blocks.service, am.service] };
}

/** `-target=compactor`: compaction, retention and deletion of the blocks in the bucket; no ring. */
function assembleCompactor(base: Base): TargetAssembly {
  const blocks = buildBucket(base);
  return { services: [...base.services, blocks.service, buildCompactor(base, blocks.bucket)] };
}

/** Read clients of every ingester of the ring, with the tenant's query timeout per call. */
function remoteIngesters(base: Base, ring: Ring, pool: IngesterPool): RemoteIngesters {
  return new RemoteIngesters({
    ring,
    transport: pool,
    timeoutMs: (tenant) => base.overrides.forTenant(tenant).queryTimeout,
    logger: base.logger,
    registry: base.registry,
  });
}

function newDistributor(base: Base, ingester: IngesterClient, haTracker: HaTracker | undefined): Distributor {
  return new Distributor(
    { maxRecvMsgSize: base.config.maxRecvMsgSize },
    { logger: base.logger, registry: base.registry, limits: (t) => base.overrides.forTenant(t), ingester, ...(haTracker === undefined ? {} : { haTracker }) },
  );
}
