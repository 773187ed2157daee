/**
 * Subqueries `expr[range:step] offset o @ t`.
 *
 * The inner expression is evaluated once, as a range evaluation over every window the outer
 * steps need, at times aligned to absolute multiples of the subquery step (Prometheus aligns
 * them so that results do not depend on when the query runs): the first inner step is the
 * first multiple of `step` after the earliest window start, the last one the last multiple at
 * or before the latest window end. The outer range function then sees, for each outer step,
 * the inner points in its left-open window (end − range, end], exactly like raw samples of a
 * range selector. A subquery without a step uses the engine's default subquery step.
 *
 * The inner evaluation holds per-step arrays (a scalar's values, an aggregation's accumulators),
 * so an inner step count above max-samples (`x[1y:1ms]`: 3·10^10 steps) is refused with the
 * too-many-samples error before anything is allocated, where it would otherwise fail to allocate.
 * Prometheus refuses the same queries once the inner result passes max-samples points, which any
 * inner expression with a value at every step does; only an inner expression with no data over so
 * many steps differs (Prometheus answers it, empty).
 */
import type { SubqueryExpr } from '../parser/ast.ts';
import { stepRange, type EvalContext, type StepRange } from './eval-context.ts';
import { tooManySamplesError } from './errors.ts';
import { evalExpr } from './eval-expr.ts';
import { refTime, resolveAt, seriesSource, type RangeSource } from './eval-selectors.ts';

/** Evaluates a subquery's inner expression and returns its points as a {@link RangeSource}. */
export function subquerySource(ctx: EvalContext, sq: SubqueryExpr, range: StepRange): RangeSource {
  const at = resolveAt(ctx, sq.at);
  const step = sq.stepMs > 0 ? sq.stepMs : ctx.defaultSubqueryStep;
  const firstEnd = refTime(range, 0, at, sq.offsetMs);
  const lastEnd = refTime(range, range.n - 1, at, sq.offsetMs);
  const windowStart = firstEnd - sq.rangeMs; // exclusive
  let innerStart = Math.floor(windowStart / step) * step;
  if (innerStart <= windowStart) innerStart += step;
  const fixedEnd = at === null ? null : at - sq.offsetMs;
  if (innerStart > lastEnd) return seriesSource([], sq.rangeMs, sq.offsetMs, fixedEnd);
  const inner = stepRange(innerStart, lastEnd, step);
  if (inner.n > ctx.maxSamples) throw tooManySamplesError();
  const r = evalExpr(ctx, sq.expr, inner);
  if (r.kind !== 'vector') throw new Error(`subquery of a ${r.kind}`);
  return seriesSource(r.series, sq.rangeMs, sq.offsetMs, fixedEnd);
}
