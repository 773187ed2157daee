/**
 * The PromQL parser: a hand-written recursive-descent parser with precedence climbing that
 * accepts the language of Prometheus 3.5 (default features) and builds the AST of ast.ts.
 *
 * Binary operator precedence, lowest first: `or`; `and` `unless`; comparisons; `+` `-`;
 * `*` `/` `%` `atan2`; `^` (right-associative). A unary `+`/`-` binds like `*`, so `-1^2` is
 * `-(1^2)` while `-a*b` is `(-a)*b`; a unary sign on a number literal folds into the literal.
 * The postfix modifiers `[…]`, `offset` and `@` bind tightest, to the primary before them.
 *
 * Parsing runs in two passes, as in Prometheus: syntax (this file; it also raises the errors
 * Prometheus raises while reducing grammar rules) and then type checking (check.ts), which only
 * runs on input without syntax errors. The first error is thrown.
 *
 * Nesting is bounded ({@link MAX_EXPR_DEPTH}): the parser, the type checker, the printer and the
 * evaluator all recurse over the tree, and a JavaScript stack (unlike Go's) does not grow, so a
 * hostile `((((…))))` or `1+1+…+1` of many thousand levels must be refused as a parse error here
 * rather than overflow the stack of whichever component walks it first.
 */
import type { AggregateExpr, AggregateOp, BinaryExpr, BinaryOp, Call, Expr, VectorMatchCardinality } from './ast.ts';
import { checkExpr } from './check.ts';
import { PromQLParseError } from './errors.ts';
import { getAggregator, getFunction } from './functions.ts';
import { lex } from './lexer.ts';
import { parseDurationToken, parseNumber, unquoteString } from './literals.ts';
import { parseAt, parseOffset, parseSubscript } from './modifiers.ts';
import { parseVectorSelector } from './selectors.ts';
import { quoteGo } from '@tessera/model';
import type { Token, TokenType } from './token.ts';
import { TokenStream } from './token-stream.ts';
import type { ParseOptions } from './token-stream.ts';

/** Binding power of each binary operator token (higher binds tighter). */
const PRECEDENCE: Readonly<Partial<Record<TokenType, number>>> = {
  LOR: 1, LAND: 2, LUNLESS: 2,
  EQLC: 3, NEQ: 3, LSS: 3, LTE: 3, GTR: 3, GTE: 3,
  ADD: 4, SUB: 4,
  MUL: 5, DIV: 5, MOD: 5, ATAN2: 5,
  POW: 6,
};
const POW_PRECEDENCE = 6;

/**
 * The deepest expression tree a query may have (nodes on the longest root-to-leaf path, counting
 * every node kind). Real queries stay in the tens. 1000 levels overflowed the stack of a fresh
 * process whose code was not yet optimised (bigger frames); 256 leaves ample room. A stack
 * overflow while parsing is still reported as this same parse error, never as a 500.
 */
export const MAX_EXPR_DEPTH = 256;

const TOO_DEEP = `expression nested too deeply: more than ${MAX_EXPR_DEPTH} levels`;

const BINARY_OPS: Readonly<Partial<Record<TokenType, BinaryOp>>> = {
  LOR: 'or', LAND: 'and', LUNLESS: 'unless', EQLC: '==', NEQ: '!=', LSS: '<', LTE: '<=', GTR: '>',
  GTE: '>=', ADD: '+', SUB: '-', MUL: '*', DIV: '/', MOD: '%', ATAN2: 'atan2', POW: '^',
};

/** Keyword tokens that may also name a metric at the start of an operand (Prometheus's metric_identifier). */
const METRIC_KEYWORDS: ReadonlySet<TokenType> = new Set<TokenType>([
  'BY', 'WITHOUT', 'OFFSET', 'LAND', 'LOR', 'LUNLESS', 'START', 'END', 'AGGREGATOR',
]);

/** Tokens that may serve as a label name in a grouping list (Prometheus's maybe_label). */
const LABEL_TOKENS: ReadonlySet<TokenType> = new Set<TokenType>([
  'IDENTIFIER', 'AGGREGATOR', 'BOOL', 'BY', 'GROUP_LEFT', 'GROUP_RIGHT', 'IGNORING', 'LAND', 'LOR',
  'LUNLESS', 'OFFSET', 'ON', 'WITHOUT', 'START', 'END', 'ATAN2', 'METRIC_IDENTIFIER', 'STRING',
]);

class Parser {
  readonly ts: TokenStream;
  /** Calls of {@link expr} on the stack: the parser's own recursion depth. */
  depth = 0;

  constructor(input: string, opts: ParseOptions) {
    this.ts = new TokenStream(input, lex(input), opts);
  }

  parse(): Expr {
    const ts = this.ts;
    if (ts.peek().type === 'EOF') throw ts.error(0, 0, 'no expression found in input');
    const e = this.expr(0);
    const t = ts.peek();
    if (t.type !== 'EOF') throw ts.unexpected(t);
    return e;
  }

  /** Parses a binary expression whose operators all bind at least as tightly as `minPrec`. */
  expr(minPrec: number): Expr {
    const ts = this.ts;
    if (this.depth >= MAX_EXPR_DEPTH) {
      const t = ts.peek();
      throw ts.error(t.start, t.end, TOO_DEEP);
    }
    this.depth++;
    try {
      return this.binary(minPrec);
    } finally {
      this.depth--;
    }
  }

  binary(minPrec: number): Expr {
    const ts = this.ts;
    let lhs = this.unary();
    for (;;) {
      const opTok = ts.peek();
      const prec = PRECEDENCE[opTok.type];
      if (prec === undefined || prec < minPrec) return lhs;
      ts.next();
      const mod = this.binaryModifiers();
      const rhs = this.expr(opTok.type === 'POW' ? prec : prec + 1);
      const node: BinaryExpr = {
        type: 'BinaryExpr',
        op: BINARY_OPS[opTok.type]!,
        lhs,
        rhs,
        returnBool: mod.returnBool,
        vectorMatching: { card: mod.card, on: mod.on, matchingLabels: mod.matchingLabels, include: mod.include },
        pos: { start: lhs.pos.start, end: rhs.pos.end },
      };
      lhs = node;
    }
  }

  /** Parses `bool`, `on(…)`/`ignoring(…)` and `group_left(…)`/`group_right(…)` after an operator. */
  binaryModifiers(): {
    returnBool: boolean; on: boolean; matchingLabels: string[]; include: string[]; card: VectorMatchCardinality;
  } {
    const ts = this.ts;
    const returnBool = ts.accept('BOOL') !== null;
    let on = false;
    let matchingLabels: string[] = [];
    let include: string[] = [];
    let card: VectorMatchCardinality = 'one-to-one';
    const t = ts.peek();
    if (t.type === 'ON' || t.type === 'IGNORING') {
      ts.next();
      on = t.type === 'ON';
      matchingLabels = this.groupingLabels();
      const g = ts.peek();
      if (g.type === 'GROUP_LEFT' || g.type === 'GROUP_RIGHT') {
        ts.next();
        card = g.type === 'GROUP_LEFT' ? 'many-to-one' : 'one-to-many';
        if (ts.peek().type === 'LEFT_PAREN') include = this.groupingLabels();
      }
    }
    return { returnBool, on, matchingLabels, include, card };
  }

  /** Parses `( label, … )`, allowing `()` and a trailing comma. */
  groupingLabels(): string[] {
    const ts = this.ts;
    const lp = ts.peek();
    if (lp.type !== 'LEFT_PAREN') throw ts.unexpected(lp, 'grouping opts', '"("');
    ts.next();
    const labels: string[] = [];
    for (;;) {
      const t = ts.peek();
      if (t.type === 'RIGHT_PAREN') {
        ts.next();
        return labels;
      }
      if (!LABEL_TOKENS.has(t.type) || t.type === 'METRIC_IDENTIFIER') {
        throw ts.unexpected(t, 'grouping opts', 'label');
      }
      ts.next();
      labels.push(t.type === 'STRING' ? unquoteString(t.text) : t.text);
      const sep = ts.peek();
      if (sep.type === 'COMMA') ts.next();
      else if (sep.type !== 'RIGHT_PAREN') throw ts.unexpected(sep, 'grouping opts', '"," or ")"');
    }
  }

  /** Parses a unary expression or a primary with its postfix modifiers. */
  unary(): Expr {
    const ts = this.ts;
    const t = ts.peek();
    if (t.type !== 'ADD' && t.type !== 'SUB') return this.postfix(this.primary());
    ts.next();
    const operand = this.expr(POW_PRECEDENCE);
    if (operand.type === 'NumberLiteral') {
      const value = t.type === 'SUB' ? -operand.value : operand.value;
      const pos = { start: t.start, end: operand.pos.end };
      return operand.duration === true ? { type: 'NumberLiteral', value, duration: true, pos } : { type: 'NumberLiteral', value, pos };
    }
    return { type: 'UnaryExpr', op: t.type === 'SUB' ? '-' : '+', expr: operand, pos: { start: t.start, end: operand.pos.end } };
  }

  postfix(e: Expr): Expr {
    const ts = this.ts;
    for (;;) {
      switch (ts.peek().type) {
        case 'LEFT_BRACKET':
          e = parseSubscript(ts, e);
          break;
        case 'OFFSET':
          e = parseOffset(ts, e);
          break;
        case 'AT':
          e = parseAt(ts, e);
          break;
        default:
          return e;
      }
    }
  }

  primary(): Expr {
    const ts = this.ts;
    const t = ts.peek();
    switch (t.type) {
      case 'NUMBER': {
        ts.next();
        const r = parseNumber(t.text);
        if (!r.ok) throw ts.error(t.start, t.end, r.message);
        return { type: 'NumberLiteral', value: r.value, pos: { start: t.start, end: t.end } };
      }
      case 'DURATION': {
        ts.next();
        const r = parseDurationToken(t.text);
        if (!r.ok) throw ts.error(t.start, t.end, r.message);
        return { type: 'NumberLiteral', value: r.value / 1000, duration: true, pos: { start: t.start, end: t.end } };
      }
      case 'STRING':
        ts.next();
        return { type: 'StringLiteral', value: unquoteString(t.text), pos: { start: t.start, end: t.end } };
      case 'LEFT_PAREN': {
        ts.next();
        const inner = this.expr(0);
        const rp = ts.peek();
        if (rp.type !== 'RIGHT_PAREN') throw ts.unexpected(rp);
        ts.next();
        return { type: 'ParenExpr', expr: inner, pos: { start: t.start, end: rp.end } };
      }
      case 'LEFT_BRACE':
        return parseVectorSelector(ts, null);
      case 'IDENTIFIER':
        ts.next();
        if (ts.peekType() === 'LEFT_PAREN') return this.call(t);
        return parseVectorSelector(ts, t);
      case 'METRIC_IDENTIFIER':
        ts.next();
        return parseVectorSelector(ts, t);
      case 'AGGREGATOR': {
        const k = ts.peekType(1);
        if (k === 'LEFT_PAREN' || k === 'BY' || k === 'WITHOUT') return this.aggregation();
        ts.next();
        return parseVectorSelector(ts, t);
      }
    }
    if (METRIC_KEYWORDS.has(t.type)) {
      ts.next();
      return parseVectorSelector(ts, t);
    }
    throw ts.unexpected(t);
  }

  /** Parses `( args )` of a call or aggregation; the current token is `(`. */
  callArgs(): Expr[] {
    const ts = this.ts;
    ts.next();
    const args: Expr[] = [];
    if (ts.accept('RIGHT_PAREN') !== null) return args;
    for (;;) {
      args.push(this.expr(0));
      const t = ts.peek();
      if (t.type === 'RIGHT_PAREN') {
        ts.next();
        return args;
      }
      if (t.type !== 'COMMA') throw ts.unexpected(t);
      ts.next();
      if (ts.peekType() === 'RIGHT_PAREN') throw ts.error(t.start, t.end, 'trailing commas not allowed in function call args');
    }
  }

  /** Parses a function call; `name` is consumed and the current token is `(`. */
  call(name: Token): Call {
    const ts = this.ts;
    const args = this.callArgs();
    const func = getFunction(name.text);
    if (func === undefined) throw ts.error(name.start, name.end, `unknown function with name ${quoteGo(name.text)}`);
    if (func.experimental && ts.opts.enableExperimentalFunctions !== true) {
      throw ts.error(name.start, name.end, `function ${quoteGo(name.text)} is not enabled`);
    }
    return { type: 'Call', func, args, pos: { start: name.start, end: ts.lastClosing } };
  }

  /** Parses an aggregation; the current token is the operator, followed by `(`, `by` or `without`. */
  aggregation(): AggregateExpr {
    const ts = this.ts;
    const opTok = ts.next();
    const op = opTok.text.toLowerCase() as AggregateOp;
    const sig = getAggregator(op)!;
    ts.aggregationDepth++;
    let grouping: string[] = [];
    let without = false;
    let modifier = ts.peek();
    const before = modifier.type === 'BY' || modifier.type === 'WITHOUT';
    if (before) {
      ts.next();
      without = modifier.type === 'WITHOUT';
      grouping = this.groupingLabels();
    }
    const lp = ts.peek();
    if (lp.type !== 'LEFT_PAREN') throw ts.unexpected(lp);
    const args = this.callArgs();
    modifier = ts.peek();
    if (!before && (modifier.type === 'BY' || modifier.type === 'WITHOUT')) {
      ts.next();
      without = modifier.type === 'WITHOUT';
      grouping = this.groupingLabels();
    }
    ts.aggregationDepth--;
    const start = opTok.start;
    const end = ts.lastClosing;
    if (args.length === 0) throw ts.error(start, end, 'no arguments for aggregate expression provided');
    if (sig.experimental && ts.opts.enableExperimentalFunctions !== true) {
      throw ts.error(start, end, `${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`);
    }
    const want = sig.paramType === null ? 1 : 2;
    if (args.length !== want) {
      throw ts.error(start, end, `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`);
    }
    return {
      type: 'AggregateExpr',
      op,
      expr: args[want - 1]!,
      param: want === 2 ? args[0]! : null,
      grouping,
      without,
      pos: { start, end },
    };
  }
}

/**
 * Parses and type-checks a PromQL expression.
 *
 * @throws PromQLParseError (code `parse-error`) with Prometheus's message, e.g.
 *   `1:5: parse error: unexpected <by>`, for input that does not parse or type-check.
 */
export function parseExpr(input: string, opts: ParseOptions = {}): Expr {
  let e: Expr;
  try {
    e = new Parser(input, opts).parse();
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new PromQLParseError(input, { start: 0, end: input.length }, TOO_DEEP);
    }
    throw err;
  }
  // Chains of one operator (`1+1+…`) are built by a loop, not by recursion: measure the tree.
  const deep = nodeBeyondDepth(e, MAX_EXPR_DEPTH);
  if (deep !== null) throw new PromQLParseError(input, deep.pos, TOO_DEEP);
  checkExpr(e, input);
  return e;
}

/** The first node found deeper than `max` levels (the root is level 1), or null; iterative. */
function nodeBeyondDepth(root: Expr, max: number): Expr | null {
  const nodes: Expr[] = [root];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const e = nodes.pop()!;
    const d = depths.pop()!;
    if (d > max) return e;
    const push = (c: Expr | null): void => {
      if (c === null) return;
      nodes.push(c);
      depths.push(d + 1);
    };
    switch (e.type) {
      case 'BinaryExpr':
        push(e.lhs);
        push(e.rhs);
        break;
      case 'ParenExpr':
      case 'UnaryExpr':
      case 'SubqueryExpr':
        push(e.expr);
        break;
      case 'AggregateExpr':
        push(e.param);
        push(e.expr);
        break;
      case 'Call':
        for (const a of e.args) push(a);
        break;
      case 'MatrixSelector':
        push(e.vector);
        break;
      default:
        break;
    }
  }
  return null;
}
