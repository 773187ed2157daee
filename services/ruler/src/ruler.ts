/**
 * The ruler assembled: rule store → manager (scheduling, evaluation through the query runner,
 * writes through the distributor, alerts to the sender) and its state API routes. The process
 * wiring (services/tessera) supplies the pieces; nothing here listens or reads configuration.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Limits } from '@tessera/limits';
import type { QueryRunner } from '@tessera/querier';
import type { Logger, TenantResolverConfig } from '@tessera/server';
import type { AlertSender } from './alert-sender.ts';
import { systemClock, type Clock } from './clock.ts';
import type { QueryFn, SeriesWriter } from './eval-types.ts';
import type { TemplateExpander } from './alerting-rule.ts';
import { createRulerMetrics } from './metrics.ts';
import { runnerQueryFn } from './query-fn.ts';
import type { RuleStore } from './rule-store.ts';
import { RulerManager } from './ruler-manager.ts';
import type { RulerEvalOptionValues } from './ruler-options.ts';
import { distributorWriter, type PushTarget } from './series-writer.ts';
import { localGroups, registerStateApi, type TenantGroups } from './state-api.ts';
import { storeGroupSource } from './store-source.ts';
import { tenantTemplateExpander } from './template-expander.ts';

/** What a ruler is built from. */
export interface RulerDeps {
  store: RuleStore;
  /** The query runner of the query path (in-process or over remote ingesters). */
  runner: Pick<QueryRunner, 'run'>;
  /** The distributor (its `push`), for recording rules and ALERTS. */
  push: PushTarget;
  sender: AlertSender;
  limits: (tenant: string) => Readonly<Limits>;
  logger: Logger;
  registry: Registry;
  /** `-querier.lookback-delta`. */
  lookbackDeltaMs: number;
  clock?: Clock;
  /** Ring ownership of a group (several rulers); default: every group. */
  owns?: (tenant: string, namespace: string, group: string) => boolean;
  /** Overrides for tests. */
  query?: QueryFn;
  writer?: SeriesWriter;
  expand?: (tenant: string) => TemplateExpander;
}

/** A built ruler. */
export interface Ruler {
  readonly manager: RulerManager;
  /** This ruler's groups of a tenant, as the state API shows them. */
  readonly local: TenantGroups;
  /** Registers `api/v1/rules` and `api/v1/alerts` under the prefix; `groups` overrides the local view (several rulers). */
  registerStateRoutes(app: FastifyInstance, cfg: TenantResolverConfig & { prefix: string }, groups?: TenantGroups): void;
}

/** Builds the ruler; start and stop `ruler.manager` as a service. */
export function createRuler(opts: RulerEvalOptionValues, deps: RulerDeps): Ruler {
  const query = deps.query ?? runnerQueryFn({ runner: deps.runner, limits: deps.limits, lookbackDeltaMs: deps.lookbackDeltaMs });
  const externalUrl = opts.rulerExternalUrl;
  const manager = new RulerManager({
    source: storeGroupSource({ store: deps.store, defaultIntervalMs: opts.rulerEvaluationInterval }),
    clock: deps.clock ?? systemClock,
    logger: deps.logger,
    pollIntervalMs: opts.rulerPollInterval,
    ...(deps.owns === undefined ? {} : { owns: deps.owns }),
    deps: {
      query,
      writer: deps.writer ?? distributorWriter(deps.push),
      sender: deps.sender,
      expand: deps.expand ?? ((tenant) => tenantTemplateExpander(query, tenant)),
      template: { externalLabels: {}, externalUrl },
      logger: deps.logger,
      metrics: createRulerMetrics(deps.registry),
      resendDelayMs: opts.rulerResendDelay,
      outageToleranceMs: opts.rulerForOutageTolerance,
      forGracePeriodMs: opts.rulerForGracePeriod,
    },
  });
  const local = localGroups((tenant) => manager.groups(tenant));
  return {
    manager,
    local,
    registerStateRoutes(app, cfg, groups) {
      registerStateApi(app, groups ?? local, cfg);
    },
  };
}
