/**
 * The postfix parts of an expression: range `[5m]`, subquery `[5m:1m]` / `[5m:]`, `offset` and
 * `@`, applied left to right to the expression before them, with Prometheus's checks (only
 * selectors and subqueries take modifiers; a range only on a plain vector selector; each
 * modifier at most once).
 *
 * Durations are DURATION tokens (`1h30m`) or numbers of seconds (`300`, `1.5`). Duration
 * arithmetic (`[5m*2]`, `offset (1h)`) is Prometheus's experimental duration-expression
 * feature, which is off by default and rejected here.
 */
import type { AtModifier, Expr, MatrixSelector, SubqueryExpr, VectorSelector } from './ast.ts';
import { parseDurationToken, parseNumber, secondsToDurationMs } from './literals.ts';
import type { LiteralResult } from './literals.ts';
import type { Token, TokenType } from './token.ts';
import type { Mutable, TokenStream } from './token-stream.ts';

const ARITHMETIC: ReadonlySet<TokenType> = new Set<TokenType>(['ADD', 'SUB', 'MUL', 'DIV', 'MOD', 'POW']);

/** A duration read from the token stream: value in ms and its source range. */
interface DurationLiteral {
  readonly ms: number;
  readonly start: number;
  readonly end: number;
}

/** Skips a (disabled) duration expression and throws the error Prometheus reports for it. */
function rejectDurationExpr(ts: TokenStream, start: number, inBrackets: boolean): never {
  let depth = 0;
  let end = start;
  for (;;) {
    const t = ts.peek();
    if (t.type === 'EOF') break;
    if (depth === 0 && inBrackets && (t.type === 'COLON' || t.type === 'RIGHT_BRACKET')) break;
    if (t.type === 'LEFT_PAREN') depth++;
    if (t.type === 'RIGHT_PAREN') depth--;
    ts.next();
    end = t.end;
    if (!inBrackets && depth === 0) break;
  }
  throw ts.error(start, end, 'experimental duration expression is not enabled');
}

function valueOf(ts: TokenStream, t: Token, negative: boolean, start: number): DurationLiteral {
  let r: LiteralResult<number>;
  if (t.type === 'DURATION') {
    r = parseDurationToken(t.text);
    start = r.ok ? start : t.start; // errors in the duration text point at the token
  } else {
    const n = parseNumber(t.text);
    r = n.ok ? secondsToDurationMs(n.value) : n;
  }
  if (!r.ok) throw ts.error(start, t.end, r.message);
  return { ms: negative ? -r.value : r.value, start, end: t.end };
}

/**
 * Reads a duration where one is required; `context`/`expected` word the error for a missing one.
 * Inside brackets, a duration followed by arithmetic is a duration expression.
 */
function readDuration(ts: TokenStream, inBrackets: boolean, context: string): DurationLiteral {
  const first = ts.peek();
  if (first.type === 'LEFT_PAREN') rejectDurationExpr(ts, first.start, inBrackets);
  let negative = false;
  if (first.type === 'SUB' || first.type === 'ADD') {
    const k = ts.peekType(1);
    if (k !== 'NUMBER' && k !== 'DURATION') {
      if (k === 'LEFT_PAREN' || k === 'SUB' || k === 'ADD') rejectDurationExpr(ts, first.start, inBrackets);
      ts.next();
      throw ts.unexpected(ts.peek(), context, 'number or duration');
    }
    ts.next();
    negative = first.type === 'SUB';
  }
  const t = ts.peek();
  if (t.type !== 'NUMBER' && t.type !== 'DURATION') throw ts.unexpected(t, context, 'number or duration');
  ts.next();
  if (inBrackets && ARITHMETIC.has(ts.peekType())) rejectDurationExpr(ts, first.start, true);
  return valueOf(ts, t, negative, first.start);
}

function positive(ts: TokenStream, d: DurationLiteral): number {
  if (d.ms <= 0) throw ts.error(d.start, d.end, 'duration must be greater than 0');
  return d.ms;
}

/** Parses `[range]` or `[range:step]` after `expr`; the current token is `[`. */
export function parseSubscript(ts: TokenStream, expr: Expr): MatrixSelector | SubqueryExpr {
  const lb = ts.next();
  const rangeMs = positive(ts, readDuration(ts, true, 'subquery or range selector'));
  const t = ts.peek();
  if (t.type === 'RIGHT_BRACKET') {
    const rb = ts.next();
    let msg = '';
    if (expr.type !== 'VectorSelector') msg = 'ranges only allowed for vector selectors';
    else if (expr.offsetMs !== 0) msg = 'no offset modifiers allowed before range';
    else if (expr.at !== null) msg = 'no @ modifiers allowed before range';
    if (msg !== '') throw ts.error(lb.start, rb.end, msg);
    const vector = expr as VectorSelector;
    return { type: 'MatrixSelector', vector, rangeMs, pos: { start: vector.pos.start, end: rb.end } };
  }
  if (t.type !== 'COLON') throw ts.unexpected(t, 'subquery or range', '":" or "]"');
  ts.next();
  let stepMs = 0;
  if (ts.peek().type !== 'RIGHT_BRACKET') {
    const step = readDuration(ts, true, 'subquery selector');
    if (step.ms < 0) throw ts.error(step.start, step.end, 'duration must be greater than 0');
    stepMs = step.ms;
  }
  const rb = ts.peek();
  if (rb.type !== 'RIGHT_BRACKET') throw ts.unexpected(rb, 'subquery selector', '"]"');
  ts.next();
  return {
    type: 'SubqueryExpr', expr, rangeMs, stepMs, offsetMs: 0, at: null,
    pos: { start: expr.pos.start, end: rb.end },
  };
}

/** The node whose modifiers a postfix `offset`/`@` sets, or an error message. */
type ModifierTarget = Mutable<VectorSelector> | Mutable<SubqueryExpr>;

function copyTarget(
  ts: TokenStream,
  expr: Expr,
  what: string,
): { root: Mutable<VectorSelector | MatrixSelector | SubqueryExpr>; target: ModifierTarget } {
  switch (expr.type) {
    case 'VectorSelector': {
      const root = { ...expr, pos: { ...expr.pos } };
      return { root, target: root };
    }
    case 'MatrixSelector': {
      const target = { ...expr.vector };
      return { root: { ...expr, vector: target }, target };
    }
    case 'SubqueryExpr': {
      const root = { ...expr };
      return { root, target: root };
    }
    default:
      throw ts.error(
        expr.pos.start,
        expr.pos.end,
        `${what} modifier must be preceded by an instant vector selector or range vector selector or a subquery`,
      );
  }
}

/** Parses `offset <duration>` after `expr`; the current token is `offset`. */
export function parseOffset(ts: TokenStream, expr: Expr): Expr {
  ts.next();
  const d = readDuration(ts, false, 'offset');
  const { root, target } = copyTarget(ts, expr, 'offset');
  if (target.offsetMs !== 0) throw ts.error(expr.pos.start, expr.pos.end, 'offset may not be set multiple times');
  target.offsetMs = d.ms;
  root.pos = { start: root.pos.start, end: d.end };
  return root;
}

/** Go's `%f`: fixed notation with 6 decimals, `+Inf`, `-Inf`, `NaN`. */
function formatGoFixed(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (Math.abs(x) < 1e21) return x.toFixed(6);
  return BigInt(x).toString() + '.000000';
}

/** Go's math.Round: halves away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

const INT64_LIMIT = 2 ** 63;

/** Parses `@ <timestamp>` / `@ start()` / `@ end()` after `expr`; the current token is `@`. */
export function parseAt(ts: TokenStream, expr: Expr): Expr {
  ts.next();
  const t = ts.peek();
  let at: AtModifier;
  let end: number;
  if (t.type === 'START' || t.type === 'END') {
    ts.next();
    const lp = ts.peek();
    if (lp.type !== 'LEFT_PAREN') throw ts.unexpected(lp, '@', 'timestamp');
    ts.next();
    const rp = ts.peek();
    if (rp.type !== 'RIGHT_PAREN') throw ts.unexpected(rp, '@', 'timestamp');
    ts.next();
    at = t.type === 'START' ? 'start' : 'end';
    end = rp.end;
  } else {
    let sign = 1;
    let numTok = t;
    if (t.type === 'ADD' || t.type === 'SUB') {
      ts.next();
      sign = t.type === 'SUB' ? -1 : 1;
      numTok = ts.peek();
    }
    if (numTok.type !== 'NUMBER' && numTok.type !== 'DURATION') throw ts.unexpected(numTok, '@', 'timestamp');
    ts.next();
    let seconds: number;
    if (numTok.type === 'DURATION') {
      const r = parseDurationToken(numTok.text);
      if (!r.ok) throw ts.error(numTok.start, numTok.end, r.message);
      seconds = r.value / 1000;
    } else {
      const r = parseNumber(numTok.text);
      if (!r.ok) throw ts.error(numTok.start, numTok.end, r.message);
      seconds = r.value;
    }
    seconds *= sign;
    if (!(seconds < INT64_LIMIT && seconds > -INT64_LIMIT)) {
      throw ts.error(expr.pos.start, expr.pos.end, `timestamp out of bounds for @ modifier: ${formatGoFixed(seconds)}`);
    }
    at = roundHalfAway(seconds * 1000);
    end = numTok.end;
  }
  const { root, target } = copyTarget(ts, expr, '@');
  if (target.at !== null) throw ts.error(expr.pos.start, expr.pos.end, '@ <timestamp> may not be set multiple times');
  target.at = at;
  root.pos = { start: root.pos.start, end };
  return root;
}
