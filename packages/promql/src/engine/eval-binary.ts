/**
 * Binary operators: arithmetic, comparisons (filtering, or 0/1 with `bool`) and the set
 * operators, between scalars and instant vectors. Vector/vector matching lives in
 * vector-matching.ts, the set operators in set-operators.ts.
 *
 * Metric names (Prometheus 3 with delayed name removal): arithmetic drops the name of a
 * vector/vector result at once (it is not part of the result labels); vector/scalar arithmetic
 * and every `bool` comparison mark the sample `dropName`; filtering comparisons and set operators
 * keep samples as they are.
 */
import { exprType, type BinaryExpr, type BinaryOp } from '../parser/ast.ts';
import type { Series } from '../value.ts';
import type { EvalContext, EvalResult, StepRange } from './eval-context.ts';
import { evalExpr } from './eval-expr.ts';
import { sortedNames } from './label-keys.ts';
import { andUnless, or } from './set-operators.ts';
import { VectorMatcher } from './vector-matching.ts';

/** Go's math.Pow where it differs from `**`: 1^NaN and (−1)^±Inf are 1. */
function goPow(x: number, y: number): number {
  if (x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) return 1;
  return x ** y;
}

/** Reports whether `op` is an arithmetic operator (its vector results lose the metric name). */
export function isArithmetic(op: BinaryOp): boolean {
  switch (op) {
    case '+': case '-': case '*': case '/': case '%': case '^': case 'atan2':
      return true;
    default:
      return false;
  }
}

function isComparison(op: BinaryOp): boolean {
  switch (op) {
    case '==': case '!=': case '>': case '<': case '>=': case '<=':
      return true;
    default:
      return false;
  }
}

/** Applies an arithmetic operator to two floats. */
export function arith(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+': return l + r;
    case '-': return l - r;
    case '*': return l * r;
    case '/': return l / r;
    case '%': return l % r; // same as Go's math.Mod, including its NaN and Inf cases
    case '^': return goPow(l, r);
    case 'atan2': return Math.atan2(l, r);
    default: throw new Error(`not an arithmetic operator: ${op}`);
  }
}

/** Applies a comparison operator to two floats. */
export function compare(op: BinaryOp, l: number, r: number): boolean {
  switch (op) {
    case '==': return l === r;
    case '!=': return l !== r;
    case '>': return l > r;
    case '<': return l < r;
    case '>=': return l >= r;
    case '<=': return l <= r;
    default: throw new Error(`not a comparison operator: ${op}`);
  }
}

/** Evaluates a binary expression over the steps of `range`. */
export function evalBinary(ctx: EvalContext, e: BinaryExpr, range: StepRange): EvalResult {
  const lt = exprType(e.lhs);
  const rt = exprType(e.rhs);
  const l = evalExpr(ctx, e.lhs, range);
  const r = evalExpr(ctx, e.rhs, range);
  if (lt === 'scalar' && rt === 'scalar') {
    const lv = (l as { vs: Float64Array }).vs;
    const rv = (r as { vs: Float64Array }).vs;
    const out = new Float64Array(range.n);
    for (let i = 0; i < range.n; i++) {
      out[i] = isComparison(e.op) ? (compare(e.op, lv[i]!, rv[i]!) ? 1 : 0) : arith(e.op, lv[i]!, rv[i]!);
    }
    return { kind: 'scalar', vs: out };
  }
  if (lt === 'scalar') {
    return { kind: 'vector', series: vectorScalar(ctx, e, (r as { series: Series[] }).series, (l as { vs: Float64Array }).vs, true, range) };
  }
  if (rt === 'scalar') {
    return { kind: 'vector', series: vectorScalar(ctx, e, (l as { series: Series[] }).series, (r as { vs: Float64Array }).vs, false, range) };
  }
  const ls = (l as { series: Series[] }).series;
  const rs = (r as { series: Series[] }).series;
  const m = e.vectorMatching!;
  const names = m.on ? sortedNames(m.matchingLabels) : m.matchingLabels;
  switch (e.op) {
    case 'and':
      return { kind: 'vector', series: andUnless(ctx, ls, rs, m.on, names, true) };
    case 'unless':
      return { kind: 'vector', series: andUnless(ctx, ls, rs, m.on, names, false) };
    case 'or':
      return { kind: 'vector', series: or(ctx, ls, rs, m.on, names) };
    default:
      return { kind: 'vector', series: new VectorMatcher(ctx, e, m, names, range).run(ls, rs) };
  }
}

/**
 * Vector/scalar operations. `scalarLeft` is true for `scalar op vector`; a filtering comparison
 * then still returns the vector's value, as Prometheus does.
 */
function vectorScalar(
  ctx: EvalContext,
  e: BinaryExpr,
  vec: Series[],
  scalar: Float64Array,
  scalarLeft: boolean,
  range: StepRange,
): Series[] {
  const cmp = isComparison(e.op);
  const dropName = isArithmetic(e.op) || e.returnBool;
  const out: Series[] = [];
  for (const s of vec) {
    ctx.tick();
    const ts: number[] = [];
    const vs: number[] = [];
    for (let j = 0; j < s.ts.length; j++) {
      const t = s.ts[j]!;
      const v = s.vs[j]!;
      const sv = scalar[(t - range.start) / range.interval]!;
      const lv = scalarLeft ? sv : v;
      const rv = scalarLeft ? v : sv;
      if (!cmp) {
        ts.push(t);
        vs.push(arith(e.op, lv, rv));
        continue;
      }
      const keep = compare(e.op, lv, rv);
      if (e.returnBool) {
        ts.push(t);
        vs.push(keep ? 1 : 0);
      } else if (keep) {
        ts.push(t);
        vs.push(v);
      }
    }
    if (ts.length === 0) continue;
    const r: Series = { metric: s.metric, ts, vs };
    if (dropName || s.dropName === true) r.dropName = true;
    out.push(r);
  }
  return out;
}

