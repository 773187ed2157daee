/**
 * The PromQL abstract syntax tree: one node type per expression kind, as Prometheus 3.5's parser
 * produces them, joined in the discriminated union {@link Expr} (discriminant: `type`).
 *
 * Invariants every node keeps:
 * - `pos` is the half-open range [start, end) of UTF-16 offsets into the query the node was
 *   parsed from (for a printed-and-reparsed tree, into the printed text).
 * - Durations and timestamps are integer milliseconds; offsets may be negative.
 * - Nodes are plain objects, never mutated after the parser returns them.
 */
import type { Matcher } from '@tessera/model';
import type { ValueType } from '../value.ts';
import type { FunctionSignature } from './functions.ts';

export type { ValueType };

/** A half-open range [start, end) of offsets into the query text. */
export interface PositionRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The `@` modifier of a selector or subquery: an absolute timestamp in ms, `'start'` / `'end'`
 * for `@ start()` / `@ end()` (the query's start and end), or null when absent.
 */
export type AtModifier = number | 'start' | 'end' | null;

/**
 * A number literal: `1`, `2.5e3`, `0x1f`, `Inf`, `NaN`, or a duration used as a number of
 * seconds (`1h` is 3600, as in `predict_linear(x[1h], 1h)`). A sign written before a literal is
 * folded into it (`-1` is one NumberLiteral, its `pos` including the sign), as in Prometheus.
 */
export interface NumberLiteral {
  readonly type: 'NumberLiteral';
  readonly value: number;
  /** True when written as a duration (`5m`); `value` is then in seconds. Printing keeps the form. */
  readonly duration?: boolean;
  readonly pos: PositionRange;
}

/** A string literal (`"…"`, `'…'` or `` `…` ``), holding the decoded value. */
export interface StringLiteral {
  readonly type: 'StringLiteral';
  readonly value: string;
  readonly pos: PositionRange;
}

/**
 * An instant vector selector such as `http_requests_total{job="api"} offset 5m @ 100`.
 *
 * `matchers` holds every matcher in the order written, including a `__name__="…"` matcher for
 * the metric name: first when the name is written before the braces, in place when quoted inside
 * them (`{"my.metric"}`). Unless it has a name, a selector has at least one matcher that does not
 * match the empty string.
 */
export interface VectorSelector {
  readonly type: 'VectorSelector';
  /**
   * The metric name written before the braces, or null. A name quoted inside the braces is only
   * a matcher, as in Prometheus (so it prints back as `{__name__="my.metric"}`).
   */
  readonly name: string | null;
  readonly matchers: readonly Matcher[];
  /** The `offset` modifier in ms (negative for `offset -5m`), 0 when absent. */
  readonly offsetMs: number;
  /** The `@` modifier. */
  readonly at: AtModifier;
  readonly pos: PositionRange;
}

/**
 * A range vector selector `sel[5m]`. Offset and `@` modifiers written after the brackets
 * (`x[5m] offset 1m`) are stored on the inner `vector` selector, as in Prometheus.
 */
export interface MatrixSelector {
  readonly type: 'MatrixSelector';
  readonly vector: VectorSelector;
  /** The range in ms (> 0). */
  readonly rangeMs: number;
  readonly pos: PositionRange;
}

/** A subquery `expr[range:step]`, with optional offset and `@` modifiers after it. */
export interface SubqueryExpr {
  readonly type: 'SubqueryExpr';
  /** The inner expression; an instant vector. */
  readonly expr: Expr;
  /** The range in ms (> 0). */
  readonly rangeMs: number;
  /** The resolution in ms; 0 when omitted (`[5m:]`), meaning the engine's default step. */
  readonly stepMs: number;
  /** The `offset` modifier in ms (negative allowed), 0 when absent. */
  readonly offsetMs: number;
  /** The `@` modifier. */
  readonly at: AtModifier;
  readonly pos: PositionRange;
}

/** A parenthesised expression `( expr )`; kept so the printer can reproduce it. */
export interface ParenExpr {
  readonly type: 'ParenExpr';
  readonly expr: Expr;
  readonly pos: PositionRange;
}

/** A unary expression `-expr` or `+expr` on a scalar or instant vector. */
export interface UnaryExpr {
  readonly type: 'UnaryExpr';
  readonly op: '-' | '+';
  readonly expr: Expr;
  readonly pos: PositionRange;
}

/** The binary operators of PromQL, as written. */
export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '^' | 'atan2'
  | '==' | '!=' | '>' | '<' | '>=' | '<='
  | 'and' | 'or' | 'unless';

/** Cardinality of a vector/vector binary operation. */
export type VectorMatchCardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

/**
 * How the two sides of a vector/vector binary operation are matched.
 *
 * `on` true: match on exactly `matchingLabels` (`on(a,b)`); false: on all labels except
 * `matchingLabels` (`ignoring(a,b)`, or the default with an empty list). `include` lists the extra
 * labels copied from the "one" side by `group_left(…)` / `group_right(…)`. Set operators always
 * have card 'many-to-many'.
 */
export interface VectorMatching {
  readonly card: VectorMatchCardinality;
  readonly on: boolean;
  readonly matchingLabels: readonly string[];
  readonly include: readonly string[];
}

/**
 * A binary operation. `vectorMatching` is non-null exactly when both sides are instant vectors
 * (then it holds the default one-to-one/ignoring() or many-to-many matching when none was written).
 */
export interface BinaryExpr {
  readonly type: 'BinaryExpr';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** The `bool` modifier (comparisons only): return 0/1 instead of filtering. */
  readonly returnBool: boolean;
  readonly vectorMatching: VectorMatching | null;
  readonly pos: PositionRange;
}

/** The aggregation operators of PromQL. */
export type AggregateOp =
  | 'sum' | 'avg' | 'count' | 'min' | 'max' | 'group' | 'stddev' | 'stdvar'
  | 'topk' | 'bottomk' | 'count_values' | 'quantile' | 'limitk' | 'limit_ratio';

/**
 * An aggregation such as `sum by (job) (x)` or `topk(3, x)`.
 *
 * `param` is the first argument of topk, bottomk, quantile, count_values, limitk and
 * limit_ratio (null for the others). `grouping` holds the labels of `by (…)` or, when `without`
 * is true, of `without (…)`; `by ()` and no clause at all are both `grouping: [], without: false`.
 */
export interface AggregateExpr {
  readonly type: 'AggregateExpr';
  readonly op: AggregateOp;
  readonly expr: Expr;
  readonly param: Expr | null;
  readonly grouping: readonly string[];
  readonly without: boolean;
  readonly pos: PositionRange;
}

/** A function call such as `rate(x[5m])`; arguments were checked against `func`. */
export interface Call {
  readonly type: 'Call';
  readonly func: FunctionSignature;
  readonly args: readonly Expr[];
  readonly pos: PositionRange;
}

/** Any PromQL expression. */
export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | ParenExpr
  | UnaryExpr
  | BinaryExpr
  | AggregateExpr
  | Call;

/** Returns the type of value an expression evaluates to, as Prometheus's type checker sees it. */
export function exprType(e: Expr): ValueType {
  switch (e.type) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
    case 'AggregateExpr':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'ParenExpr':
    case 'UnaryExpr':
      return exprType(e.expr);
    case 'BinaryExpr':
      return exprType(e.lhs) === 'scalar' && exprType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'Call':
      return e.func.returnType;
  }
}

/** Removes any number of enclosing parentheses: `((x))` → `x`. */
export function unwrapParens(e: Expr): Expr {
  while (e.type === 'ParenExpr') e = e.expr;
  return e;
}
