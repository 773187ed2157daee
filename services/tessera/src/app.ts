/**
 * Startup and shutdown of one Tessera process: builds the target named by `-target` (targets.ts,
 * from the module builders of modules.ts), serves the routes every target shares (`/ready`,
 * `/metrics`, `/config`, `/services`), starts the services in order, listens, and stops it all
 * in reverse.
 *
 * Readiness (`/ready` answers 200): every service started (for an ingester: its WAL replayed),
 * the server listening, and for an ingester its ring entry ACTIVE. A ring-following target has
 * read the ring before its services count as started.
 */
import { stringify as stringifyYaml } from 'yaml';
import type { Registry } from 'prom-client';
import { createHttpServer, createLogger, startAll, stopAll, toYamlObject, type Logger, type Service } from '@tessera/server';
import type { Ingester } from '@tessera/ingester';
import type { KVStore, Ring, RingDesc } from '@tessera/ring';
import { checkTargetConfig, tesseraOptions, type Target, type TesseraConfig } from './config.ts';
import { buildBase } from './modules.ts';
import { assembleTarget } from './targets.ts';
import { VERSION } from './version.ts';

/** A running Tessera. */
export interface TesseraHandle {
  /** Base URL of the HTTP server, e.g. `http://127.0.0.1:9009`. */
  readonly url: string;
  readonly port: number;
  readonly target: Target;
  /** The in-process ingester; throws for targets without one (distributor, querier). */
  readonly ingester: Ingester;
  /** The ring as this process sees it (cluster targets only). */
  readonly ring: Ring | undefined;
  readonly registry: Registry;
  /** Stops accepting requests, stops the components in reverse order, makes the WAL durable. */
  stop(): Promise<void>;
}

/** Options of {@link startTessera} that are not configuration. */
export interface StartOptions {
  logger?: Logger;
  /**
   * The ring's KV store, for tests that run several cluster targets in one process over one
   * shared store (then `-ring.store=memory` is accepted for them). Not closed on stop.
   */
  ringKV?: KVStore<RingDesc>;
}

/** Builds and starts the target described by `config`. */
export async function startTessera(config: TesseraConfig, opts: StartOptions = {}): Promise<TesseraHandle> {
  checkTargetConfig(config, { ringKVInjected: opts.ringKV !== undefined });
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  if (config.target === 'all' && config.ringStore !== 'memory') {
    logger.warn({ ringStore: config.ringStore }, '-ring.store is ignored by -target=all: one ingester, no ring');
  }
  const base = buildBase(config, logger);
  const { registry } = base;

  const app = createHttpServer({
    logger,
    registry,
    bodyLimitBytes: config.maxRecvMsgSize,
    bodyLimitOption: '-distributor.max-recv-msg-size',
  });
  const target = assembleTarget(base, app, opts.ringKV === undefined ? {} : { ringKV: opts.ringKV });
  const listed: Service[] = [...target.services, ...(target.lateServices ?? [])];
  let ready = false;
  app.get('/ready', async (_req, reply) => (ready ? reply.type('text/plain').send('ready\n') : reply.code(503).type('text/plain').send('not ready\n')));
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  app.get('/config', async (_req, reply) => reply.type('text/yaml; charset=utf-8').send(stringifyYaml(toYamlObject(tesseraOptions, config))));
  app.get('/services', async () => ({ target: config.target, services: listed.map((s) => ({ name: s.name, state: ready ? 'Running' : 'Starting' })) }));

  await startAll(target.services);
  let port: number;
  try {
    await app.listen({ host: config.httpListenAddress, port: config.httpListenPort });
    const addr = app.server.address();
    port = typeof addr === 'object' && addr !== null ? addr.port : config.httpListenPort;
    await target.afterListen?.(port);
  } catch (e) {
    await target.beforeClose?.().catch((err: unknown) => logger.error({ err }, 'error while stopping'));
    await app.close();
    await stopAll(target.services);
    throw e;
  }
  ready = true;
  logger.info({ port, target: config.target, dataDir: config.dataDir, version: VERSION }, 'Tessera started');

  let stopping: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    target: config.target,
    get ingester(): Ingester {
      if (target.ingester === undefined) throw new Error(`-target=${config.target} runs no ingester`);
      return target.ingester;
    },
    ring: target.ring,
    registry,
    stop: () => {
      stopping ??= (async () => {
        ready = false;
        const errors: unknown[] = [];
        try {
          await target.beforeClose?.();
        } catch (e) {
          errors.push(e);
        }
        await app.close();
        errors.push(...(await stopAll(target.services)));
        for (const err of errors) logger.error({ err }, 'error while stopping');
        logger.info('Tessera stopped');
      })();
      return stopping;
    },
  };
}
