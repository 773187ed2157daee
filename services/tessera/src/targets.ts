/**
 * Targets: which modules one process runs, and how they are wired.
 *
 * | target      | modules                                                     | HTTP routes                          |
 * |-------------|-------------------------------------------------------------|--------------------------------------|
 * | all         | ingester, distributor (in-process calls), query path        | push, Prometheus API, HA page        |
 * | ingester    | ingester, ring lifecycle (PENDING → ACTIVE → LEAVING), ring | /internal/ingester/*, ring page      |
 * | distributor | distributor → push fan-out over the ring (quorum writes)    | push, ring page, HA page             |
 * | querier     | query path over remote ingesters (ring read set)            | Prometheus API, ring page            |
 *
 * `all` needs no ring: one ingester, no replication. The others find each other through the ring
 * in the KV store (`-ring.store=redis`) and talk over the internal RPC, authenticated with
 * `-internal.auth-token` when one is set. The HA tracker (`-distributor.ha-tracker.enable`, page
 * `/distributor/ha_tracker`) keeps its election state in memory for `all`, in Redis otherwise.
 */
import type { FastifyInstance } from 'fastify';
import { Lifecycler, type KVStore, type Ring, type RingDesc } from '@tessera/ring';
import type { Service } from '@tessera/server';
import { Ingester, IngesterLifecycle, headTsdbStatus, registerIngesterRpcRoutes, registerRingPage } from '@tessera/ingester';
import { Distributor, PushFanout, registerHaTrackerPage, registerPushRoutes, type HaTracker, type IngesterClient } from '@tessera/distributor';
import { RemoteIngesters } from '@tessera/querier';
import { advertisedAddress } from './config.ts';
import { buildHaTracker, buildIngester, buildIngesterPool, buildQueryPath, buildRing, buildRingKV, type Base } from './modules.ts';

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
  }
}

/** `-target=all`: every component in one process, calling one another directly. */
function assembleAll(base: Base, app: FastifyInstance): TargetAssembly {
  const ingester = buildIngester(base);
  const ha = buildHaTracker(base, { ringKVInjected: false });
  const distributor = newDistributor(base, ingester, ha?.tracker);
  registerPushRoutes(app, distributor, base.tenancy);
  if (ha !== null) registerHaTrackerPage(app, ha.tracker);
  const query = buildQueryPath(base, app, {
    chunks: () => [ingester],
    readers: () => [ingester],
    metadata: () => [ingester],
    status: () => [{ tsdbStatus: (tenant, limit) => headTsdbStatus(ingester.head(tenant), limit) }],
  });
  return { services: [...base.services, ingester, ...(ha?.services ?? []), distributor, ...query.services], ingester };
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
  const ingester = buildIngester(base);
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
    services: [...base.services, r.services[0]!, ingester, r.services[1]!],
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
  const remote = new RemoteIngesters({
    ring: r.ring,
    transport: client.pool,
    timeoutMs: (tenant) => base.overrides.forTenant(tenant).queryTimeout,
    logger: base.logger,
    registry: base.registry,
  });
  const readers = (): ReturnType<RemoteIngesters['readers']> => remote.readers();
  const query = buildQueryPath(base, app, { chunks: readers, readers, metadata: readers, status: readers });
  registerRingPage(app, r.ring, { kv: r.kv });
  return { services: [...base.services, ...r.services, client.service, ...query.services], ring: r.ring };
}

function newDistributor(base: Base, ingester: IngesterClient, haTracker: HaTracker | undefined): Distributor {
  return new Distributor(
    { maxRecvMsgSize: base.config.maxRecvMsgSize },
    { logger: base.logger, registry: base.registry, limits: (t) => base.overrides.forTenant(t), ingester, ...(haTracker === undefined ? {} : { haTracker }) },
  );
}
