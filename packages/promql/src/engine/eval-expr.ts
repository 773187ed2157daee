/**
 * The evaluator's entry point: dispatches an expression to the evaluator of its kind and keeps
 * the sample accounting of the max-samples limit.
 *
 * Accounting rule: while a node is evaluated, its children's results and any raw samples it
 * loads count as held; once it returns, they are released and only its own result stays
 * counted. The peak of that count is the query's peakSamples.
 */
import type { Expr, UnaryExpr } from '../parser/ast.ts';
import type { Series } from '../value.ts';
import { evalAggregate } from './eval-aggregation.ts';
import { evalBinary } from './eval-binary.ts';
import { resultSamples, type EvalContext, type EvalResult, type StepRange } from './eval-context.ts';
import { evalCall } from './eval-functions.ts';
import { evalVectorSelector, rangeSelectorSource, windowMatrix } from './eval-selectors.ts';
import { subquerySource } from './eval-subquery.ts';

/** Evaluates `e` at every step of `range`. */
export function evalExpr(ctx: EvalContext, e: Expr, range: StepRange): EvalResult {
  const mark = ctx.currentSamples;
  const r = dispatch(ctx, e, range);
  ctx.currentSamples = mark;
  ctx.addSamples(resultSamples(r));
  return r;
}

function dispatch(ctx: EvalContext, e: Expr, range: StepRange): EvalResult {
  switch (e.type) {
    case 'NumberLiteral':
      return { kind: 'scalar', vs: new Float64Array(range.n).fill(e.value) };
    case 'StringLiteral':
      return { kind: 'string', v: e.value };
    case 'ParenExpr':
      return evalExpr(ctx, e.expr, range);
    case 'VectorSelector':
      return { kind: 'vector', series: evalVectorSelector(ctx, e, range, '') };
    case 'MatrixSelector':
      return { kind: 'matrix', series: windowMatrix(rangeSelectorSource(ctx, e, range, ''), range) };
    case 'SubqueryExpr':
      return { kind: 'matrix', series: windowMatrix(subquerySource(ctx, e, range), range) };
    case 'UnaryExpr':
      return evalUnary(ctx, e, range);
    case 'BinaryExpr':
      return evalBinary(ctx, e, range);
    case 'AggregateExpr':
      return evalAggregate(ctx, e, range);
    case 'Call':
      return evalCall(ctx, e, range);
  }
}

/** Unary minus negates (and marks vector samples to lose their name); unary plus is a no-op. */
function evalUnary(ctx: EvalContext, e: UnaryExpr, range: StepRange): EvalResult {
  const r = evalExpr(ctx, e.expr, range);
  if (e.op === '+') return r;
  if (r.kind === 'scalar') return { kind: 'scalar', vs: r.vs.map((v) => -v) };
  if (r.kind !== 'vector') throw new Error(`unary minus on ${r.kind}`);
  const out: Series[] = r.series.map((s) => ({ metric: s.metric, ts: s.ts, vs: s.vs.map((v) => -v), dropName: true }));
  return { kind: 'vector', series: out };
}
