/** A rule's expression as Prometheus shows it (its `Expr.String()`), in APIs and generator URLs. */
import { formatExprLine, parseExpr } from '@tessera/promql';

/** The canonical one-line form of `expr`; the text as written when it does not parse. */
export function canonicalExpr(expr: string): string {
  try {
    return formatExprLine(parseExpr(expr, { enableExperimentalFunctions: true }));
  } catch {
    return expr;
  }
}
