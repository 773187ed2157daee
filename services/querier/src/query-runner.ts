/**
 * The query runner: runs one PromQL query for the HTTP API and returns the complete response
 * text. On the main thread it parses the query (a bad query is a 400 before any data is read),
 * computes the time range of every selector (selector-ranges.ts), fetches and packs the chunks
 * (prefetch.ts, enforcing the series and chunk limits), and hands the packed data to a worker
 * thread (worker-pool.ts) that evaluates and serialises; with `workers: 0` the evaluation runs
 * on the calling thread instead (for tests and `-querier.query-workers=0`).
 *
 * The query's timeout covers all of it: preparation, waiting for a worker, and evaluation.
 * Errors are TesseraErrors whose kind is the Prometheus `errorType` (bad_data, execution,
 * timeout, canceled, internal; the series/chunk limits are `execution`, 422, as in Mimir).
 */
import os from 'node:os';
import { Counter, Gauge, type Registry } from 'prom-client';
import { exprType, parseExpr, PromQLParseError, type Expr } from '@tessera/promql';
import { TesseraError, toTesseraError, type Logger } from '@tessera/server';
import type { ChunkReader } from './ingester-queryable.ts';
import { prefetch } from './prefetch.ts';
import { canceledError, failureToError, timeoutError } from './query-errors.ts';
import { describeFailure, execQuery, wallClockMs, type ExecOutcome, type ExecRequest } from './query-exec.ts';
import { selectorRanges } from './selector-ranges.ts';
import { QueryWorkerPool, type QueryExecutor } from './worker-pool.ts';

/** Per-query limits of the tenant (0 = off). */
export interface QueryLimits {
  maxFetchedSeries: number;
  maxFetchedChunks: number;
  /** The most samples the query may hold in memory at once. */
  maxSamples: number;
}

/** One query to run. Times in ms. */
export interface QueryRequest {
  tenant: string;
  expr: string;
  kind: 'instant' | 'range';
  /** Instant queries: startMs === endMs and stepMs 0. */
  startMs: number;
  endMs: number;
  stepMs: number;
  timeoutMs: number;
  /** 0 = the default, 5m. */
  lookbackDeltaMs: number;
  /** Whether the response carries Prometheus's `stats` object. */
  stats: boolean;
  limits: QueryLimits;
}

/** A successful query. */
export interface QueryResponse {
  /** The complete JSON response text, `{"status":"success",…}`. */
  body: string;
  /** Distinct series fetched, and samples the engine read (for logs and metrics). */
  seriesFetched: number;
  samplesProcessed: number;
}

/** Runs queries; see the file comment. */
export interface QueryRunner {
  /** Runs a query; rejects with a TesseraError. Aborting `signal` cancels it. */
  run(req: QueryRequest, signal: AbortSignal): Promise<QueryResponse>;
  /** Stops the workers; queries still queued or running fail with 503 (unavailable). */
  close(): Promise<void>;
}

/** Options of {@link createQueryRunner}. */
export interface QueryRunnerOptions {
  /** Worker threads evaluating queries; 0 evaluates on the calling thread. */
  workers: number;
  /** The ingesters that may hold data (one in the single process). */
  ingesters: () => readonly ChunkReader[];
  logger: Logger;
  registry: Registry;
  /** Prometheus's `promql-experimental-functions`; default false. */
  enableExperimentalFunctions?: boolean;
  /** Step of subqueries written without one; default 1m. */
  defaultSubqueryStepMs?: number;
  /** Heap limit per worker (MB); a query exceeding it fails with 500 and its worker restarts. */
  workerMaxHeapMb?: number;
  /** How long past a query's deadline an unresponsive worker is terminated; default 5 s. */
  workerKillGraceMs?: number;
}

const DEFAULT_LOOKBACK_MS = 5 * 60_000;
const DEFAULT_SUBQUERY_STEP_MS = 60_000;
const OUTCOMES = ['success', 'bad_data', 'execution', 'timeout', 'canceled', 'unavailable', 'internal'] as const;

/** The default number of query workers: all cores but one, at least one. */
export function defaultQueryWorkers(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/** Creates a query runner; see {@link QueryRunnerOptions}. */
export function createQueryRunner(opts: QueryRunnerOptions): QueryRunner {
  const reg = opts.registry;
  const queries = new Counter({
    name: 'tessera_querier_queries_total',
    help: 'PromQL queries run, by outcome (success or the error type).',
    labelNames: ['outcome'] as const,
    registers: [reg],
  });
  for (const outcome of OUTCOMES) queries.inc({ outcome }, 0);
  const queueLength = new Gauge({ name: 'tessera_querier_query_queue_length', help: 'Queries waiting for a query worker.', registers: [reg] });
  const busyWorkers = new Gauge({ name: 'tessera_querier_query_workers_busy', help: 'Query workers evaluating a query.', registers: [reg] });
  const restarts = new Counter({
    name: 'tessera_querier_query_worker_restarts_total',
    help: 'Query workers replaced after they died (crash, out of memory, terminated when unresponsive).',
    registers: [reg],
  });
  const executor: QueryExecutor =
    opts.workers > 0
      ? new QueryWorkerPool({
          size: opts.workers,
          logger: opts.logger.child({ component: 'query-workers' }),
          metrics: { queueLength, busyWorkers, restarts },
          maxHeapMb: opts.workerMaxHeapMb,
          killGraceMs: opts.workerKillGraceMs,
        })
      : new InThreadExecutor();
  return new Runner(opts, executor, queries);
}

/** Evaluates on the calling thread (blocking it for the duration of the evaluation). */
class InThreadExecutor implements QueryExecutor {
  async exec(req: ExecRequest, data: ArrayBuffer, signal: AbortSignal): Promise<ExecOutcome> {
    if (signal.aborted) throw canceledError('query queue');
    try {
      return execQuery(req, data, signal);
    } catch (e) {
      throw failureToError(describeFailure(e));
    }
  }

  async close(): Promise<void> {}
}

/** Parses the query; errors are Prometheus's `invalid parameter "query": …` (400). */
function parseQuery(expr: string, experimental: boolean): Expr {
  try {
    return parseExpr(expr, { enableExperimentalFunctions: experimental });
  } catch (e) {
    if (PromQLParseError.is(e)) throw new TesseraError('bad_data', 'parse-error', `invalid parameter "query": ${e.message}`);
    throw e;
  }
}

class Runner implements QueryRunner {
  readonly #opts: QueryRunnerOptions;
  readonly #executor: QueryExecutor;
  readonly #queries: Counter<'outcome'>;
  readonly #log: Logger;

  constructor(opts: QueryRunnerOptions, executor: QueryExecutor, queries: Counter<'outcome'>) {
    this.#opts = opts;
    this.#executor = executor;
    this.#queries = queries;
    this.#log = opts.logger.child({ component: 'query-runner' });
  }

  async run(req: QueryRequest, signal: AbortSignal): Promise<QueryResponse> {
    try {
      const res = await this.#run(req, signal);
      this.#queries.inc({ outcome: 'success' });
      return res;
    } catch (e) {
      const err = toTesseraError(e);
      const outcome = (OUTCOMES as readonly string[]).includes(err.kind) ? err.kind : 'internal';
      this.#queries.inc({ outcome });
      if (err.kind === 'internal') this.#log.error({ err: e, tenant: req.tenant, query: req.expr }, 'query failed');
      throw err;
    }
  }

  async #run(req: QueryRequest, signal: AbortSignal): Promise<QueryResponse> {
    const receivedAt = wallClockMs();
    const deadline = receivedAt + req.timeoutMs;
    if (signal.aborted) throw canceledError('query preparation');
    const experimental = this.#opts.enableExperimentalFunctions ?? false;
    const ast = parseQuery(req.expr, experimental);
    if (req.kind === 'range') {
      const t = exprType(ast);
      if (t !== 'scalar' && t !== 'vector') {
        throw new TesseraError(
          'bad_data',
          'invalid-query',
          `invalid parameter "query": invalid expression type "${t === 'matrix' ? 'range vector' : t}" for range query, must be Scalar or instant Vector`,
        );
      }
    }
    const lookbackDeltaMs = req.lookbackDeltaMs > 0 ? req.lookbackDeltaMs : DEFAULT_LOOKBACK_MS;
    const defaultSubqueryStepMs = this.#opts.defaultSubqueryStepMs ?? DEFAULT_SUBQUERY_STEP_MS;
    const ranges = selectorRanges(ast, {
      startMs: req.startMs,
      endMs: req.endMs,
      stepMs: req.kind === 'range' ? req.stepMs : 0,
      lookbackDeltaMs,
      defaultSubqueryStepMs,
    });
    const check = (): void => {
      if (signal.aborted) throw canceledError('query preparation');
      if (wallClockMs() > deadline) throw timeoutError('query preparation');
    };
    const fetched = await prefetch(this.#opts.ingesters(), req.tenant, ranges, req.limits, check);
    const execReq: ExecRequest = {
      expr: req.expr,
      kind: req.kind,
      startMs: req.startMs,
      endMs: req.endMs,
      stepMs: req.stepMs,
      deadline,
      lookbackDeltaMs,
      maxSamples: req.limits.maxSamples > 0 ? req.limits.maxSamples : Number.MAX_SAFE_INTEGER,
      enableExperimentalFunctions: experimental,
      defaultSubqueryStepMs,
      stats: req.stats,
      receivedAt,
      preparationSeconds: (wallClockMs() - receivedAt) / 1000,
    };
    const out = await this.#executor.exec(execReq, fetched.buffer, signal);
    return { body: out.body, seriesFetched: fetched.seriesFetched, samplesProcessed: out.samplesProcessed };
  }

  close(): Promise<void> {
    return this.#executor.close();
  }
}
