/**
 * Wiring: builds the components of the configured target from the configuration, with every
 * dependency (logger, metrics registry, limits) injected, registers their HTTP routes, and starts
 * them. The only place that knows how the pieces fit together.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createHttpServer, createLogger, startAll, stopAll, toYamlObject, type Logger, type Service } from '@tessera/server';
import { RuntimeOverrides, limitsFromConfig } from '@tessera/limits';
import { Ingester } from '@tessera/ingester';
import { Distributor, registerPushRoutes } from '@tessera/distributor';
import { Querier, registerQueryRoutes } from '@tessera/querier';
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
  const services: Service[] = [overridesService, ingester, distributor, querier];

  const app = createHttpServer({
    logger,
    registry,
    bodyLimitBytes: config.maxRecvMsgSize,
    bodyLimitOption: '-distributor.max-recv-msg-size',
  });
  let ready = false;
  registerPushRoutes(app, distributor, { authEnabled: config.authEnabled });
  registerQueryRoutes(app, querier, { authEnabled: config.authEnabled, prefix: config.prometheusPrefix });
  app.get('/ready', async (_req, reply) => (ready ? reply.type('text/plain').send('ready\n') : reply.code(503).type('text/plain').send('not ready\n')));
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  app.get('/config', async (_req, reply) => reply.type('text/yaml; charset=utf-8').send(toYamlObject(tesseraOptions, config)));
  app.get('/services', async () => ({ services: services.map((s) => ({ name: s.name, state: ready ? 'Running' : 'Starting' })) }));
  app.get('/api/v1/status/buildinfo', async () => buildInfo());
  app.get(`${config.prometheusPrefix}/api/v1/status/buildinfo`, async () => buildInfo());

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

function buildInfo(): object {
  return {
    status: 'success',
    data: {
      version: VERSION,
      revision: '',
      branch: '',
      buildUser: '',
      buildDate: '',
      goVersion: `node${process.versions.node}`,
      application: 'tessera',
    },
  };
}
