/**
 * Evaluation of one query over prefetched data, producing the complete response text: the work
 * a query worker does (query-worker.ts), also run on the main thread by the in-thread runner.
 * Failures are described as plain data ({@link ExecFailure}) so they can cross threads.
 */
import { Engine, PromQLError, type QueryResult } from '@tessera/promql';
import { PrefetchedQueryable, PrefetchMissError } from './prefetched-queryable.ts';
import { queryResponseBody, type QueryStatsJson } from './response-json.ts';

/** One query as a worker receives it (structured-clone friendly). */
export interface ExecRequest {
  expr: string;
  kind: 'instant' | 'range';
  startMs: number;
  endMs: number;
  stepMs: number;
  /** When the query times out (ms on the {@link wallClockMs} scale). */
  deadline: number;
  lookbackDeltaMs: number;
  /** The most samples the query may hold at once. */
  maxSamples: number;
  enableExperimentalFunctions: boolean;
  defaultSubqueryStepMs: number;
  /** Whether the response carries `stats`. */
  stats: boolean;
  /** When the query arrived (ms on the {@link wallClockMs} scale). */
  receivedAt: number;
  /** Seconds spent parsing the query and fetching its data (for `stats`). */
  preparationSeconds: number;
}

/** A successful evaluation. */
export interface ExecOutcome {
  body: string;
  samplesProcessed: number;
  peakSamples: number;
}

/** Why an evaluation failed, as plain data. `internal` marks a bug or an unexpected failure. */
export interface ExecFailure {
  kind: 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal';
  code: string;
  message: string;
}

/** Milliseconds on a clock shared by the main thread and workers (sub-millisecond precision). */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Evaluates `req` over the packed prefetch `data`. Throws on failure (see {@link describeFailure}). */
export function execQuery(req: ExecRequest, data: ArrayBuffer, signal: AbortSignal): ExecOutcome {
  const started = wallClockMs();
  // Waiting for a worker (and for a new worker to load) counts against the timeout.
  const timeoutMs = req.deadline - started;
  if (!(timeoutMs > 0)) throw new PromQLError('timeout', 'query-timeout', 'query timed out in query queue');
  const queryable = new PrefetchedQueryable(data);
  const engine = new Engine({
    lookbackDeltaMs: req.lookbackDeltaMs,
    maxSamples: req.maxSamples,
    timeoutMs,
    enableExperimentalFunctions: req.enableExperimentalFunctions,
    defaultSubqueryStepMs: req.defaultSubqueryStepMs,
  });
  const opts = { signal, lookbackDeltaMs: req.lookbackDeltaMs };
  const evalStart = started; // decoding the prefetched data counts as evaluation
  const result: QueryResult =
    req.kind === 'instant'
      ? engine.instantQuery(queryable, req.expr, req.startMs, opts)
      : engine.rangeQuery(queryable, req.expr, req.startMs, req.endMs, req.stepMs, opts);
  const evalEnd = wallClockMs();
  let stats: QueryStatsJson | null = null;
  if (req.stats) {
    const evalSeconds = (evalEnd - evalStart) / 1000;
    stats = {
      timings: {
        evalTotalTime: evalSeconds,
        resultSortTime: 0,
        queryPreparationTime: req.preparationSeconds,
        innerEvalTime: evalSeconds,
        execQueueTime: Math.max(0, (started - req.receivedAt) / 1000 - req.preparationSeconds),
        execTotalTime: (evalEnd - req.receivedAt) / 1000,
      },
      samples: { totalQueryableSamples: result.stats.totalSamples, peakSamples: result.stats.peakSamples },
    };
  }
  return {
    body: queryResponseBody(result.value, result.annotations, stats),
    samplesProcessed: result.stats.totalSamples,
    peakSamples: result.stats.peakSamples,
  };
}

/** Describes anything {@link execQuery} threw. */
export function describeFailure(e: unknown): ExecFailure {
  if (PromQLError.is(e)) {
    if (e.code === 'storage' && PrefetchMissError.is(e.cause)) {
      return { kind: 'internal', code: 'prefetch-miss', message: `internal error: ${e.message}` };
    }
    return { kind: e.kind, code: e.code, message: e.message };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { kind: 'internal', code: 'internal-error', message: `internal error: ${msg}` };
}
