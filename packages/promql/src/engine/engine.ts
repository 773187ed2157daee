/**
 * The PromQL engine's API: instant and range queries over a {@link Queryable}, with Prometheus
 * 3.5 semantics, limits (max samples held at once), a timeout and cancellation.
 *
 * A query is parsed, evaluated once over all its steps (see eval-context.ts), and shaped into the
 * result Prometheus's API returns: an instant query yields the expression's own type (scalar,
 * string, vector, or matrix for a bare range selector or subquery); a range query yields a
 * matrix. Pending metric-name removals are applied at the very end (Prometheus 3's delayed name
 * removal), and a result with two series of one label set is an error.
 *
 * Evaluation is synchronous: deadline and abort signal are checked inside the loops.
 */
import { Labels, METRIC_NAME_LABEL } from '@tessera/model';
import { exprType, unwrapParens, type Expr } from '../parser/ast.ts';
import { PromQLParseError } from '../parser/errors.ts';
import { parseExpr } from '../parser/parser.ts';
import { FunctionError } from '../functions/errors.ts';
import type { Queryable } from '../storage.ts';
import type { Annotations, Matrix, Sample, Series, Value } from '../value.ts';
import { EvalContext, stepRange, type EvalResult, type StepRange } from './eval-context.ts';
import { evalExpr } from './eval-expr.ts';
import { duplicateLabelsetError, PromQLError } from './errors.ts';
import { labelsKey } from './label-keys.ts';

/** Options of an {@link Engine}. */
export interface EngineOptions {
  /** How far back an instant selector looks for a sample; default 5m. */
  lookbackDeltaMs?: number;
  /** The most samples a query may hold in memory at once; default 50,000,000. */
  maxSamples?: number;
  /** How long a query may run; default 2m. */
  timeoutMs?: number;
  /** Allows the experimental functions (Prometheus's `promql-experimental-functions`); default false. */
  enableExperimentalFunctions?: boolean;
  /** The step of a subquery written without one (`x[1h:]`); default 1m, Prometheus's default evaluation interval. */
  defaultSubqueryStepMs?: number;
}

/** Options of one query. */
export interface QueryOptions {
  signal?: AbortSignal;
  /** Overrides the engine's lookback delta for this query. */
  lookbackDeltaMs?: number;
}

/** The outcome of a query: its value, its warnings and infos, and sample statistics. */
export interface QueryResult {
  value: Value;
  annotations: Annotations;
  stats: { totalSamples: number; peakSamples: number };
}

const DEFAULT_LOOKBACK_MS = 5 * 60_000;
const DEFAULT_MAX_SAMPLES = 50_000_000;
const DEFAULT_TIMEOUT_MS = 2 * 60_000;
const DEFAULT_SUBQUERY_STEP_MS = 60_000;

/** The functions whose result order is the point of the query (kept in instant results). */
const ORDERING_FUNCTIONS = new Set(['sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc']);

/** Engine runs PromQL queries; see the file comment. Stateless between queries, so shareable. */
export class Engine {
  readonly #lookback: number;
  readonly #maxSamples: number;
  readonly #timeout: number;
  readonly #experimental: boolean;
  readonly #subqueryStep: number;

  constructor(opts: EngineOptions = {}) {
    this.#lookback = opts.lookbackDeltaMs ?? DEFAULT_LOOKBACK_MS;
    this.#maxSamples = opts.maxSamples ?? DEFAULT_MAX_SAMPLES;
    this.#timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#experimental = opts.enableExperimentalFunctions ?? false;
    this.#subqueryStep = opts.defaultSubqueryStepMs ?? DEFAULT_SUBQUERY_STEP_MS;
  }

  /** Evaluates `expr` at `timeMs`. */
  instantQuery(q: Queryable, expr: string, timeMs: number, opts: QueryOptions = {}): QueryResult {
    const ast = this.#parse(expr);
    return this.#run(q, ast, timeMs, timeMs, 1, opts, true);
  }

  /** Evaluates `expr` at every step from `startMs` to `endMs`; the result is a matrix. */
  rangeQuery(q: Queryable, expr: string, startMs: number, endMs: number, stepMs: number, opts: QueryOptions = {}): QueryResult {
    const ast = this.#parse(expr);
    const t = exprType(ast);
    if (t !== 'scalar' && t !== 'vector') {
      throw new PromQLError(
        'bad_data',
        'invalid-query',
        `invalid expression type "${t === 'matrix' ? 'range vector' : t}" for range query, must be Scalar or instant Vector`,
      );
    }
    if (!(stepMs > 0)) throw new PromQLError('bad_data', 'invalid-query', 'zero or negative query resolution step widths are not accepted');
    if (endMs < startMs) throw new PromQLError('bad_data', 'invalid-query', 'end timestamp must not be before start time');
    return this.#run(q, ast, startMs, endMs, stepMs, opts, false);
  }

  #parse(expr: string): Expr {
    try {
      return parseExpr(expr, { enableExperimentalFunctions: this.#experimental });
    } catch (e) {
      if (PromQLParseError.is(e)) throw new PromQLError('bad_data', 'parse-error', e.message, { cause: e });
      throw e;
    }
  }

  #run(q: Queryable, ast: Expr, start: number, end: number, step: number, opts: QueryOptions, instant: boolean): QueryResult {
    const ctx = new EvalContext({
      queryable: q,
      queryStart: start,
      queryEnd: end,
      lookbackDelta: opts.lookbackDeltaMs ?? this.#lookback,
      defaultSubqueryStep: this.#subqueryStep,
      maxSamples: this.#maxSamples,
      deadline: Date.now() + this.#timeout,
      signal: opts.signal,
    });
    try {
      ctx.checkNow();
      const range = stepRange(start, end, step);
      const r = evalExpr(ctx, ast, range);
      ctx.checkNow();
      const value = instant ? instantValue(r, start, ast) : rangeValue(r, range);
      return { value, annotations: ctx.annotations, stats: { totalSamples: ctx.totalSamples, peakSamples: ctx.peakSamples } };
    } catch (e) {
      if (FunctionError.is(e)) throw new PromQLError('execution', 'invalid-argument', e.message, { cause: e });
      throw e;
    } finally {
      ctx.close();
    }
  }
}

/** Applies pending name removals; throws when two series end up with one label set. */
function finishSeries(series: Series[]): Series[] {
  const seen = new Set<string>();
  for (const s of series) {
    if (s.dropName === true) {
      s.metric = s.metric.without(METRIC_NAME_LABEL);
      delete s.dropName;
    }
    const key = labelsKey(s.metric);
    if (seen.has(key)) throw duplicateLabelsetError();
    seen.add(key);
  }
  return series;
}

function byLabels(a: Series, b: Series): number {
  return Labels.compare(a.metric, b.metric);
}

/** Whether the expression decides the order of its instant result (sort*, topk, bottomk). */
function isOrdering(e: Expr): boolean {
  const u = unwrapParens(e);
  if (u.type === 'Call') return ORDERING_FUNCTIONS.has(u.func.name);
  return u.type === 'AggregateExpr' && (u.op === 'topk' || u.op === 'bottomk');
}

function instantValue(r: EvalResult, t: number, ast: Expr): Value {
  switch (r.kind) {
    case 'scalar':
      return { type: 'scalar', t, v: r.vs[0]! };
    case 'string':
      return { type: 'string', t, v: r.v };
    case 'matrix': {
      const m = finishSeries(r.series);
      m.sort(byLabels);
      return { type: 'matrix', v: m };
    }
    case 'vector': {
      const series = finishSeries(r.series);
      if (!isOrdering(ast)) series.sort(byLabels);
      const v: Sample[] = series.map((s) => ({ metric: s.metric, t, v: s.vs[0]! }));
      return { type: 'vector', v };
    }
  }
}

function rangeValue(r: EvalResult, range: StepRange): Value {
  let m: Matrix;
  if (r.kind === 'scalar') {
    const ts: number[] = [];
    for (let i = 0; i < range.n; i++) ts.push(range.start + i * range.interval);
    m = [{ metric: Labels.EMPTY, ts, vs: Array.from(r.vs) }];
  } else if (r.kind === 'vector') {
    m = finishSeries(r.series);
    m.sort(byLabels);
  } else {
    throw new Error(`range query evaluated to ${r.kind}`);
  }
  return { type: 'matrix', v: m };
}
