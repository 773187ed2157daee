/**
 * Prints an AST back to PromQL on one line, exactly as Prometheus's `String()` methods do:
 * `sum by (job) (rate(x{a="b"}[5m] offset 1m))`, `a + on (x) group_left () b`,
 * `foo @ 100.000`, matchers sorted, numbers in shortest fixed notation, strings Go-quoted.
 *
 * The output parses back to the same tree (parentheses are kept as ParenExpr nodes, so none
 * have to be added).
 */
import { compareUtf8, formatDuration, isValidLabelName } from '@tessera/model';
import type { AtModifier, Expr, VectorMatching, VectorSelector } from './ast.ts';
import { quoteGoString } from './literals.ts';
import type { Matcher } from '@tessera/model';

/** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const neg = s.startsWith('-');
  const mantissa = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const digits = mantissa.replace('.', '');
  const point = (mantissa.indexOf('.') < 0 ? mantissa.length : mantissa.indexOf('.')) + exp;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return (neg ? '-' : '') + out;
}

/** A label name as PromQL writes it: bare when a legacy name, Go-quoted otherwise. */
export function formatLabelName(name: string): string {
  return isValidLabelName(name) ? name : quoteGoString(name);
}

/** Labels joined with ", " (Prometheus's grouping and matching lists). */
function labelList(labels: readonly string[]): string {
  return labels.map(formatLabelName).join(', ');
}

/** A matcher as Prometheus prints it: `name="value"`, `"odd name"=~"re"`. */
export function formatMatcher(m: Matcher): string {
  return formatLabelName(m.name) + m.type + quoteGoString(m.value);
}

function atString(at: AtModifier): string {
  if (at === null) return '';
  if (at === 'start') return ' @ start()';
  if (at === 'end') return ' @ end()';
  return ` @ ${(at / 1000).toFixed(3)}`;
}

function offsetString(ms: number): string {
  if (ms === 0) return '';
  return ms > 0 ? ` offset ${formatDuration(ms)}` : ` offset -${formatDuration(-ms)}`;
}

/** The selector without its modifiers: `name{sorted matchers}`. */
function selectorBody(vs: VectorSelector): string {
  const parts: string[] = [];
  for (const m of vs.matchers) {
    if (m.name === '__name__' && m.type === '=' && m.value === vs.name && m.value !== '') continue;
    parts.push(formatMatcher(m));
  }
  parts.sort(compareUtf8);
  const name = vs.name ?? '';
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

/** The ` on (…) group_left (…)` part of a binary operator. */
export function matchingString(vm: VectorMatching | null): string {
  if (vm === null) return '';
  const grouped = vm.card === 'many-to-one' || vm.card === 'one-to-many';
  let s = '';
  if (vm.matchingLabels.length > 0 || vm.on || grouped) {
    s = ` ${vm.on ? 'on' : 'ignoring'} (${labelList(vm.matchingLabels)})`;
  }
  if (grouped) s += ` group_${vm.card === 'many-to-one' ? 'left' : 'right'} (${labelList(vm.include)})`;
  return s;
}

/** The `sum by (a, b) ` part of an aggregation. */
export function aggregationPrefix(e: Extract<Expr, { type: 'AggregateExpr' }>): string {
  if (e.without) return `${e.op} without (${labelList(e.grouping)}) `;
  if (e.grouping.length > 0) return `${e.op} by (${labelList(e.grouping)}) `;
  return e.op;
}

/** The `[5m:1m] @ 1.000 offset 5m` suffix of a subquery. */
export function subquerySuffix(e: Extract<Expr, { type: 'SubqueryExpr' }>): string {
  const step = e.stepMs === 0 ? '' : formatDuration(e.stepMs);
  return `[${formatDuration(e.rangeMs)}:${step}]${atString(e.at)}${offsetString(e.offsetMs)}`;
}

/** Formats an expression on one line, as Prometheus's `Expr.String()`. */
export function formatExprLine(e: Expr): string {
  switch (e.type) {
    case 'NumberLiteral':
      if (e.duration === true) return e.value < 0 ? '-' + formatDuration(-e.value * 1000) : formatDuration(e.value * 1000);
      return formatNumber(e.value);
    case 'StringLiteral':
      return quoteGoString(e.value);
    case 'VectorSelector':
      return selectorBody(e) + atString(e.at) + offsetString(e.offsetMs);
    case 'MatrixSelector':
      return `${selectorBody(e.vector)}[${formatDuration(e.rangeMs)}]${atString(e.vector.at)}${offsetString(e.vector.offsetMs)}`;
    case 'SubqueryExpr':
      return formatExprLine(e.expr) + subquerySuffix(e);
    case 'ParenExpr':
      return `(${formatExprLine(e.expr)})`;
    case 'UnaryExpr':
      return e.op + formatExprLine(e.expr);
    case 'BinaryExpr':
      return `${formatExprLine(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${matchingString(e.vectorMatching)} ${formatExprLine(e.rhs)}`;
    case 'AggregateExpr': {
      const param = e.param === null ? '' : `${formatExprLine(e.param)}, `;
      return `${aggregationPrefix(e)}(${param}${formatExprLine(e.expr)})`;
    }
    case 'Call':
      return `${e.func.name}(${e.args.map(formatExprLine).join(', ')})`;
  }
}
