/**
 * Test support for the parser: a compact, position-free rendering of an AST that shows its
 * structure (what binds to what) and every semantic field, for table-driven assertions and
 * round-trip comparisons. Not exported from the package.
 */
import type { Expr } from './ast.ts';
import { formatNumber } from './printer.ts';

/**
 * Renders `e` as an S-expression: `(+ a (* b c))`, `(sel foo {a="b"} off=60000 at=start)`.
 * Matchers are sorted, so two selectors that match the same series render the same.
 */
export function sexpr(e: Expr): string {
  switch (e.type) {
    case 'NumberLiteral':
      return formatNumber(e.value) + (e.duration === true ? 's' : '');
    case 'StringLiteral':
      return JSON.stringify(e.value);
    case 'VectorSelector': {
      const ms = e.matchers.map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`).sort();
      let s = `(sel ${e.name ?? '-'} {${ms.join(',')}}`;
      if (e.offsetMs !== 0) s += ` off=${e.offsetMs}`;
      if (e.at !== null) s += ` at=${e.at}`;
      return s + ')';
    }
    case 'MatrixSelector':
      return `(range ${e.rangeMs} ${sexpr(e.vector)})`;
    case 'SubqueryExpr': {
      let s = `(subquery ${e.rangeMs}:${e.stepMs} ${sexpr(e.expr)}`;
      if (e.offsetMs !== 0) s += ` off=${e.offsetMs}`;
      if (e.at !== null) s += ` at=${e.at}`;
      return s + ')';
    }
    case 'ParenExpr':
      return `(paren ${sexpr(e.expr)})`;
    case 'UnaryExpr':
      return `(${e.op} ${sexpr(e.expr)})`;
    case 'BinaryExpr': {
      let op = e.op + (e.returnBool ? ' bool' : '');
      const vm = e.vectorMatching;
      if (vm !== null) {
        op += ` ${vm.card}`;
        if (vm.on || vm.matchingLabels.length > 0) op += ` ${vm.on ? 'on' : 'ignoring'}(${vm.matchingLabels.join(',')})`;
        if (vm.include.length > 0) op += ` include(${vm.include.join(',')})`;
      }
      return `(${op} ${sexpr(e.lhs)} ${sexpr(e.rhs)})`;
    }
    case 'AggregateExpr': {
      const g = e.without ? ` without(${e.grouping.join(',')})` : e.grouping.length > 0 ? ` by(${e.grouping.join(',')})` : '';
      return `(${e.op}${g}${e.param === null ? '' : ' ' + sexpr(e.param)} ${sexpr(e.expr)})`;
    }
    case 'Call':
      return `(${e.func.name}${e.args.map((a) => ' ' + sexpr(a)).join('')})`;
  }
}
