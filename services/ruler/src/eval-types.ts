/**
 * The evaluator's view of rule groups and of the two things it needs from the rest of Tessera:
 * a way to run PromQL at a time ({@link QueryFn}) and a way to write samples ({@link SeriesWriter}).
 * These are deliberately narrow so the state machine and the group loop can be tested with plain
 * functions and a fake clock.
 */

/** One rule as the evaluator runs it: exactly one of `record` and `alert` is set. */
export interface RuleSpec {
  record?: string;
  alert?: string;
  expr: string;
  /** Alerting rules: how long the condition must hold before firing (ms, 0 = at once). */
  forMs: number;
  /** Alerting rules: how long a firing alert keeps firing after the condition stopped (ms). */
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** One rule group of one tenant. */
export interface GroupSpec {
  tenant: string;
  /** The namespace (Prometheus's `file`). */
  namespace: string;
  name: string;
  /** Evaluation interval (ms); the ruler's default when the group sets none. */
  intervalMs: number;
  /** Evaluate at `t - queryOffsetMs` (Prometheus's `query_offset`); 0 for none. */
  queryOffsetMs: number;
  /** Most series a recording rule / alerts an alerting rule may produce; 0 = no limit. */
  limit: number;
  rules: RuleSpec[];
}

/** One element of an instant vector. Label maps are plain objects with `__name__` when present. */
export interface VectorSample {
  labels: Record<string, string>;
  value: number;
}

/** Runs PromQL for a tenant. Rejects with the query's error (a TesseraError from the runner). */
export interface QueryFn {
  /**
   * Instant query at `tsMs`; a scalar result is a one-element vector without labels.
   * `lookbackDeltaMs` overrides the lookback of instant selectors (0 or absent: the default).
   */
  instant(tenant: string, expr: string, tsMs: number, opts?: { lookbackDeltaMs?: number; signal?: AbortSignal }): Promise<VectorSample[]>;
}

/** One sample to write: labels (with `__name__`), value and timestamp (ms). */
export interface OutSample {
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
}

/** Writes samples for a tenant, through the same validation and limits as remote-write. */
export interface SeriesWriter {
  /** Resolves with the problems the write path refused (empty: all stored); rejects on failure. */
  write(tenant: string, samples: readonly OutSample[]): Promise<string[]>;
}
