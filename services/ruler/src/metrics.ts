/** The ruler's metrics (`tessera_ruler_*`), registered on the injected registry. */
import { Counter, Gauge, type Registry } from 'prom-client';

/** Counters and gauges of rule evaluation. */
export interface RulerMetrics {
  evaluations: Counter<'tenant'>;
  evaluationFailures: Counter<'tenant'>;
  iterationsMissed: Counter<'tenant'>;
  alertsSent: Counter<'tenant'>;
  groups: Gauge;
}

/** Creates the ruler's metrics. */
export function createRulerMetrics(registry: Registry): RulerMetrics {
  const registers = [registry];
  return {
    evaluations: new Counter({ name: 'tessera_ruler_rule_evaluations_total', help: 'Rule evaluations.', labelNames: ['tenant'] as const, registers }),
    evaluationFailures: new Counter({
      name: 'tessera_ruler_rule_evaluation_failures_total',
      help: 'Rule evaluations that failed (query error, bad result, write refused).',
      labelNames: ['tenant'] as const,
      registers,
    }),
    iterationsMissed: new Counter({
      name: 'tessera_ruler_group_iterations_missed_total',
      help: 'Group evaluations skipped because the previous one took longer than the interval.',
      labelNames: ['tenant'] as const,
      registers,
    }),
    alertsSent: new Counter({ name: 'tessera_ruler_alerts_sent_total', help: 'Alerts handed to the alert sender (firing and resolved).', labelNames: ['tenant'] as const, registers }),
    groups: new Gauge({ name: 'tessera_ruler_groups', help: 'Rule groups this ruler evaluates.', registers }),
  };
}
