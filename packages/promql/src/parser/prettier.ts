/**
 * Formats an expression as Prometheus's `format_query` API and `promtool promql format` do
 * (Prometheus's `Pretty`): an expression whose one-line form fits in 100 bytes stays on one
 * line; a longer one is split, each level indented by two spaces — binary operands on their own
 * lines around the operator, aggregation and call arguments one per line inside the
 * parentheses, parenthesised expressions on their own line. Selectors and literals never split.
 */
import { utf8Length } from '@tessera/model';
import type { Expr } from './ast.ts';
import { aggregationPrefix, formatExprLine, matchingString, subquerySuffix } from './printer.ts';

/** Longest one-line form, in UTF-8 bytes, that is not split. */
const MAX_LINE = 100;

function indent(level: number): string {
  return '  '.repeat(level);
}

function pretty(e: Expr, level: number): string {
  const line = formatExprLine(e);
  const split = utf8Length(line) > MAX_LINE;
  const pad = indent(level);
  switch (e.type) {
    case 'AggregateExpr': {
      if (!split) return pad + line;
      const param = e.param === null ? '' : `${pretty(e.param, level + 1)},\n`;
      return `${pad}${aggregationPrefix(e)}(\n${param}${pretty(e.expr, level + 1)}\n${pad})`;
    }
    case 'BinaryExpr': {
      if (!split) return pad + line;
      const op = `${e.op}${e.returnBool ? ' bool' : ''}${matchingString(e.vectorMatching)}`;
      return `${pretty(e.lhs, level + 1)}\n${pad}${op}\n${pretty(e.rhs, level + 1)}`;
    }
    case 'Call': {
      if (!split) return pad + line;
      const args = e.args.map((a) => pretty(a, level + 1)).join(',\n');
      return `${pad}${e.func.name}(\n${args}\n${pad})`;
    }
    case 'ParenExpr':
      if (!split) return pad + line;
      return `${pad}(\n${pretty(e.expr, level + 1)}\n${pad})`;
    case 'SubqueryExpr':
      // As in Prometheus, an unsplit subquery is not indented.
      if (!split) return line;
      return pretty(e.expr, level) + subquerySuffix(e);
    case 'UnaryExpr':
      return pad + e.op + pretty(e.expr, level).trim();
    default:
      return pad + line;
  }
}

/**
 * Formats an expression in Prometheus's canonical form, as `format_query` returns it: one line
 * when it fits in 100 bytes, else split and indented.
 */
export function formatExpr(e: Expr): string {
  return pretty(e, 0);
}
