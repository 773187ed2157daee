/**
 * The `@`-modifier variants of an instant eval, which Prometheus's test runner evaluates besides
 * the query as written: every selector and subquery is pinned to the eval time with `@`, and the
 * pinned query is run at other times (−10t, 0, t/5, t, 10t; for t = 0: −1s, 0, 1s), where it must
 * give the same result. This checks that the engine honours `@` everywhere.
 *
 * Rules (as Prometheus applies them): vector selectors, the selector of a range selector, and
 * subqueries without an `@` get `@ t` (an existing `@ start()` / `@ end()` becomes `@ t` too,
 * which is the same time for an instant query); nothing inside a subquery is touched (the
 * subquery itself is pinned); a query calling a function whose result depends on the evaluation
 * time even for pinned arguments (`time`, `timestamp`, `predict_linear`, the date functions) has
 * no variants, unless the call sits inside a subquery.
 */
import type { Expr } from '../parser/ast.ts';
import { parseExpr } from '../parser/parser.ts';
import { formatExprLine } from '../parser/printer.ts';
import type { QueryVariant } from './runner.ts';

/** Functions whose result changes with the evaluation time even when their arguments do not. */
export const AT_MODIFIER_UNSAFE_FUNCTIONS: ReadonlySet<string> = new Set([
  'days_in_month', 'day_of_month', 'day_of_week', 'day_of_year',
  'hour', 'minute', 'month', 'year',
  'predict_linear', 'time',
  'timestamp',
]);

/**
 * `e` with every selector and subquery outside subqueries pinned at `t`, or null when the
 * expression calls an @-unsafe function outside any subquery.
 */
export function pinAt(e: Expr, t: number): Expr | null {
  let unsafe = false;
  const visit = (x: Expr): Expr => {
    switch (x.type) {
      case 'NumberLiteral':
      case 'StringLiteral':
        return x;
      case 'VectorSelector':
        return x.at === null || x.at === 'start' || x.at === 'end' ? { ...x, at: t } : x;
      case 'MatrixSelector': {
        const v = x.vector;
        return v.at === null || v.at === 'start' || v.at === 'end' ? { ...x, vector: { ...v, at: t } } : x;
      }
      case 'SubqueryExpr':
        // Pinned (if not already); its inside is left alone either way.
        return x.at === null || x.at === 'start' || x.at === 'end' ? { ...x, at: t } : x;
      case 'ParenExpr':
        return { ...x, expr: visit(x.expr) };
      case 'UnaryExpr':
        return { ...x, expr: visit(x.expr) };
      case 'BinaryExpr':
        return { ...x, lhs: visit(x.lhs), rhs: visit(x.rhs) };
      case 'AggregateExpr':
        return { ...x, param: x.param === null ? null : visit(x.param), expr: visit(x.expr) };
      case 'Call':
        if (AT_MODIFIER_UNSAFE_FUNCTIONS.has(x.func.name)) unsafe = true;
        return { ...x, args: x.args.map(visit) };
    }
  };
  const pinned = visit(e);
  return unsafe ? null : pinned;
}

/** The evaluation times of the variants of an eval at `t` (ms), as Prometheus picks them. */
export function variantTimes(t: number): number[] {
  if (t === 0) return [-1000, 0, 1000];
  return [-10 * t, 0, Math.trunc(t / 5), t, 10 * t];
}

/**
 * Builds the variant generator from a parser and a printer (the printer's output must parse
 * back to the same tree). An expression that does not parse has no variants: the query as
 * written reports the error.
 */
export function makeAtModifierVariants(
  parse: (expr: string) => Expr,
  print: (e: Expr) => string,
): (expr: string, timeMs: number) => QueryVariant[] {
  return (expr, timeMs) => {
    let tree: Expr;
    try {
      tree = parse(expr);
    } catch {
      return [];
    }
    const pinned = pinAt(tree, timeMs);
    if (pinned === null) return [];
    const text = print(pinned);
    return variantTimes(timeMs).map((t) => ({ expr: text, timeMs: t }));
  };
}

/** The variants as the conformance runner uses them: P1's parser (experimental functions on) and printer. */
export const atModifierVariants: (expr: string, timeMs: number) => QueryVariant[] = makeAtModifierVariants(
  (s) => parseExpr(s, { enableExperimentalFunctions: true }),
  formatExprLine,
);
