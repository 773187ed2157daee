/**
 * Wiring: builds the components of the configured target from the configuration, with every
 * dependency (logger, metrics registry, limits) injected, registers their HTTP routes, and starts
 * them. The only place that knows how the pieces fit together.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { stringify as stringifyYaml } from 'yaml';
import { ConfigError, TenantsFile, createHttpServer, createLogger, startAll, stopAll, toYamlObject, type Logger, type Service, type TenantResolverConfig } from '@tessera/server';
import { RuntimeOverrides, limitsFromConfig } from '@tessera/limits';
import { Ingester } from '@tessera/ingester';
import { Distributor, registerPushRoutes } from '@tessera/distributor';
import { Querier, createQueryRunner, registerQueryRoutes } from '@tessera/querier';
import { tesseraOptions, type TesseraConfig } from './config.ts';
import { VERSION } from './version.ts';

/** A running Tessera. */
export interface TesseraHandle {
  /** Base URL of the HTTP server, e.g. `http://127.0.0.1:9009`. */
  readonly url: string;
  readonly port: number;
  readonly ingester: Ingester;
  readonly registry: Registry;
  /** Stops accepting requests, stops the components in reverse order, makes the WAL durable. */
  stop(): Promise<void>;
}

/** Options of {@link startTessera} that are not configuration. */
export interface StartOptions {
  logger?: Logger;
}

/** Builds and starts the target described by `config`. */
export async function startTessera(config: TesseraConfig, opts: StartOptions = {}): Promise<TesseraHandle> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // Built-in authentication: with a tenants file, credentials decide the tenant of every tenant API.
  if (config.authTenantsFile !== '' && !config.authEnabled) {
    throw new ConfigError('-auth.tenants-file requires -auth.enabled=true: with a tenants file every request must authenticate');
  }
  const tenantsFile =
    config.authTenantsFile === ''
      ? undefined
      : new TenantsFile({ file: config.authTenantsFile, reloadPeriodMs: config.authTenantsFileReloadPeriod, logger: logger.child({ component: 'auth' }), registry });
  const tenancy: TenantResolverConfig = { authEnabled: config.authEnabled, authenticator: tenantsFile };

  const overrides = new RuntimeOverrides({
    defaults: limitsFromConfig(config),
    file: config.runtimeConfigFile,
    reloadPeriodMs: config.runtimeConfigReloadPeriod,
    logger: logger.child({ component: 'runtime-config' }),
  });
  const overridesService: Service = {
    name: 'runtime-config',
    start: () => overrides.start(),
    stop: async () => overrides.stop(),
  };

  const ingester = new Ingester(
    {
      dataDir: config.dataDir,
      blockRangeMs: config.blockRange,
      retentionMs: config.retentionPeriod,
      truncateIntervalMs: config.headTruncateInterval,
      walSegmentBytes: config.walSegmentSize,
      walFsyncIntervalMs: config.walFsyncInterval,
    },
    {
      logger,
      registry,
      seriesLimits: (tenant) => {
        const l = overrides.forTenant(tenant);
        return { maxSeriesPerUser: l.maxGlobalSeriesPerUser, maxSeriesPerMetric: l.maxGlobalSeriesPerMetric };
      },
    },
  );
  const distributor = new Distributor(
    { maxRecvMsgSize: config.maxRecvMsgSize },
    { logger, registry, limits: (t) => overrides.forTenant(t), ingester },
  );
  const querier = new Querier(() => [ingester]);
  // PromQL evaluation runs on worker threads, off the event loop that accepts writes.
  const queryRunner = createQueryRunner({
    workers: config.queryWorkers,
    ingesters: () => [ingester],
    logger,
    registry,
    ...(config.queryWorkerMaxHeap > 0 ? { workerMaxHeapMb: config.queryWorkerMaxHeap } : {}),
  });
  const queryRunnerService: Service = { name: 'query-runner', start: async () => {}, stop: () => queryRunner.close() };
  const services: Service[] = [overridesService, ...(tenantsFile === undefined ? [] : [tenantsFile]), ingester, distributor, querier, queryRunnerService];

  const app = createHttpServer({
    logger,
    registry,
    bodyLimitBytes: config.maxRecvMsgSize,
    bodyLimitOption: '-distributor.max-recv-msg-size',
  });
  let ready = false;
  registerPushRoutes(app, distributor, tenancy);
  registerQueryRoutes(
    app,
    { querier, runner: queryRunner, metadata: () => [ingester], limits: (t) => overrides.forTenant(t), registry, buildInfo },
    {
      ...tenancy,
      prefix: config.prometheusPrefix,
      lookbackDeltaMs: config.lookbackDelta,
      slowQueryLogThresholdMs: config.slowQueryLogThreshold,
    },
  );
  app.get('/ready', async (_req, reply) => (ready ? reply.type('text/plain').send('ready\n') : reply.code(503).type('text/plain').send('not ready\n')));
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  app.get('/config', async (_req, reply) => reply.type('text/yaml; charset=utf-8').send(stringifyYaml(toYamlObject(tesseraOptions, config))));
  app.get('/services', async () => ({ services: services.map((s) => ({ name: s.name, state: ready ? 'Running' : 'Starting' })) }));

  await startAll(services);
  let port: number;
  try {
    await app.listen({ host: config.httpListenAddress, port: config.httpListenPort });
    const addr = app.server.address();
    port = typeof addr === 'object' && addr !== null ? addr.port : config.httpListenPort;
  } catch (e) {
    await stopAll(services);
    throw e;
  }
  ready = true;
  logger.info({ port, target: config.target, dataDir: config.dataDir, version: VERSION }, 'Tessera started');

  let stopping: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    ingester,
    registry,
    stop: () => {
      stopping ??= (async () => {
        ready = false;
        await app.close();
        const errors = await stopAll(services);
        for (const err of errors) logger.error({ err }, 'error while stopping');
        logger.info('Tessera stopped');
      })();
      return stopping;
    },
  };
}

/** The `data` of `status/buildinfo`, in Prometheus's shape (no `features`: we answer as Prometheus). */
function buildInfo(): Record<string, string> {
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
