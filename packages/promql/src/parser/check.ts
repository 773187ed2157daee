/**
 * The type-check pass (Prometheus's checkAST): argument counts and types of calls, operand types
 * of aggregations, binary and unary operators and subqueries, vector matching rules, and the
 * vector-selector rules. Children are checked before their parent and the first error is thrown,
 * so the reported error is the one Prometheus reports first.
 *
 * It also completes BinaryExpr.vectorMatching as Prometheus does: set operators become
 * many-to-many, and the matching is null unless both operands are instant vectors.
 */
import { METRIC_NAME_LABEL, quoteGo } from '@tessera/model';
import { exprType } from './ast.ts';
import type { BinaryExpr, Expr, PositionRange, ValueType, VectorMatching, VectorSelector } from './ast.ts';
import { PromQLParseError } from './errors.ts';
import type { Mutable } from './token-stream.ts';

/** The name Prometheus's messages use for a value type ("instant vector", "range vector", …). */
export function documentedType(t: ValueType): string {
  switch (t) {
    case 'vector':
      return 'instant vector';
    case 'matrix':
      return 'range vector';
    default:
      return t;
  }
}

const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
const SET_OPS: ReadonlySet<string> = new Set(['and', 'or', 'unless']);

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

class Checker {
  readonly input: string;

  constructor(input: string) {
    this.input = input;
  }

  fail(pos: PositionRange, detail: string): never {
    throw new PromQLParseError(this.input, pos, detail);
  }

  expectType(e: Expr, want: ValueType, context: string): void {
    const t = this.check(e);
    if (t !== want) this.fail(e.pos, `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`);
  }

  /** The operator part of a binary expression, without surrounding space. */
  opRange(n: BinaryExpr): PositionRange {
    let start = n.lhs.pos.end;
    while (start < this.input.length && isSpace(this.input.charCodeAt(start))) start++;
    let end = n.rhs.pos.start;
    while (end > start && isSpace(this.input.charCodeAt(end - 1))) end--;
    return { start, end };
  }

  check(e: Expr, bypassEmptyMatcherCheck = false): ValueType {
    switch (e.type) {
      case 'NumberLiteral':
      case 'StringLiteral':
        break;
      case 'ParenExpr':
        this.check(e.expr);
        break;
      case 'MatrixSelector':
        this.check(e.vector);
        break;
      case 'VectorSelector':
        this.vectorSelector(e, bypassEmptyMatcherCheck);
        break;
      case 'UnaryExpr': {
        const t = this.check(e.expr);
        if (t !== 'scalar' && t !== 'vector') {
          this.fail(e.pos, `unary expression only allowed on expressions of type scalar or instant vector, got ${quoteGo(documentedType(t))}`);
        }
        break;
      }
      case 'SubqueryExpr': {
        const t = this.check(e.expr);
        if (t !== 'vector') this.fail(e.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        break;
      }
      case 'AggregateExpr':
        this.expectType(e.expr, 'vector', 'aggregation expression');
        if (e.param !== null) {
          this.expectType(e.param, e.op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter');
        }
        break;
      case 'BinaryExpr':
        this.binary(e);
        break;
      case 'Call':
        this.call(e);
        break;
    }
    return exprType(e);
  }

  vectorSelector(e: VectorSelector, bypassEmptyMatcherCheck: boolean): void {
    if (e.name !== null) {
      for (const m of e.matchers.slice(1)) {
        if (m.name === METRIC_NAME_LABEL) {
          this.fail(e.pos, `metric name must not be set twice: ${quoteGo(e.name)} or ${quoteGo(m.value)}`);
        }
      }
      return;
    }
    if (!bypassEmptyMatcherCheck && e.matchers.every((m) => m.matchesEmpty())) {
      this.fail(e.pos, 'vector selector must contain at least one non-empty matcher');
    }
  }

  binary(n: BinaryExpr): void {
    const lt = this.check(n.lhs);
    const rt = this.check(n.rhs);
    const comparison = COMPARISONS.has(n.op);
    const setOp = SET_OPS.has(n.op);
    if (n.returnBool && !comparison) this.fail(this.opRange(n), 'bool modifier can only be used on comparison operators');
    if (comparison && !n.returnBool && lt === 'scalar' && rt === 'scalar') {
      this.fail(this.opRange(n), 'comparisons between scalars must use BOOL modifier');
    }
    let vm: VectorMatching | null = n.vectorMatching;
    if (vm !== null && setOp && vm.card === 'one-to-one') vm = { ...vm, card: 'many-to-many' };
    if (vm !== null && vm.on) {
      for (const l of vm.matchingLabels) {
        if (vm.include.includes(l)) this.fail(this.opRange(n), `label ${quoteGo(l)} must not occur in ON and GROUP clause at once`);
      }
    }
    if (lt !== 'scalar' && lt !== 'vector') this.fail(n.lhs.pos, 'binary expression must contain only scalar and instant vector types');
    if (rt !== 'scalar' && rt !== 'vector') this.fail(n.rhs.pos, 'binary expression must contain only scalar and instant vector types');
    if ((lt !== 'vector' || rt !== 'vector') && vm !== null) {
      if (vm.matchingLabels.length > 0) this.fail(n.pos, 'vector matching only allowed between instant vectors');
      vm = null;
    } else if (vm !== null && setOp) {
      if (vm.card === 'one-to-many' || vm.card === 'many-to-one') this.fail(n.pos, `no grouping allowed for ${quoteGo(n.op)} operation`);
      if (vm.card !== 'many-to-many') this.fail(n.pos, 'set operations must always be many-to-many');
    }
    if ((lt === 'scalar' || rt === 'scalar') && setOp) {
      this.fail(n.pos, `set operator ${quoteGo(n.op)} not allowed in binary scalar expression`);
    }
    (n as Mutable<BinaryExpr>).vectorMatching = vm;
  }

  call(n: Extract<Expr, { type: 'Call' }>): void {
    const f = n.func;
    const want = f.argTypes.length;
    const got = n.args.length;
    if (f.variadic === 0) {
      if (want !== got) this.fail(n.pos, `expected ${want} argument(s) in call to ${quoteGo(f.name)}, got ${got}`);
    } else if (want - 1 > got) {
      this.fail(n.pos, `expected at least ${want - 1} argument(s) in call to ${quoteGo(f.name)}, got ${got}`);
    } else if (f.variadic > 0 && want - 1 + f.variadic < got) {
      this.fail(n.pos, `expected at most ${want - 1 + f.variadic} argument(s) in call to ${quoteGo(f.name)}, got ${got}`);
    }
    let infoSelector: Expr | null = null;
    if (f.name === 'info' && got > 1) {
      const sel = n.args[1]!;
      const t = exprType(sel);
      if (t !== 'vector') {
        this.fail(n.pos, `expected type instant vector in call to function ${quoteGo(f.name)}, got ${documentedType(t)}`);
      }
      if (sel.type !== 'VectorSelector') this.fail(sel.pos, 'expected label selectors only');
      if (sel.name !== null) this.fail(sel.pos, 'expected label selectors only, got vector selector instead');
      infoSelector = sel;
    }
    const context = `call to function ${quoteGo(f.name)}`;
    for (let i = 0; i < got; i++) {
      if (i >= want && f.variadic === 0) break;
      const argType = f.argTypes[Math.min(i, want - 1)]!;
      const arg = n.args[i]!;
      const t = this.check(arg, arg === infoSelector);
      if (t !== argType) this.fail(arg.pos, `expected type ${documentedType(argType)} in ${context}, got ${documentedType(t)}`);
    }
  }
}

/**
 * Type-checks a parsed expression as Prometheus's parser does, finalising each BinaryExpr's
 * vector matching in place.
 *
 * @throws PromQLParseError for the first problem found.
 */
export function checkExpr(e: Expr, input: string): void {
  new Checker(input).check(e);
}
