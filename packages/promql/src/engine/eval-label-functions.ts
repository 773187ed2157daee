/**
 * The functions that rewrite or order by labels: label_replace, label_join, sort, sort_desc,
 * sort_by_label, sort_by_label_desc.
 *
 * label_replace's regex is RE2 (re2js, linear time), anchored at both ends and with `.`
 * matching newlines, as Prometheus compiles it (`^(?s:regex)$`); the replacement is expanded by
 * Go's rules (`$1`, `${1}`, `$name`, `${name}`, `$$`). Label names are checked with Prometheus 3's
 * UTF-8 rules. Setting `__name__` as the destination cancels a pending name removal (the name
 * was chosen explicitly). A rewrite that gives two series one label set is an error at the step
 * where both have a sample.
 *
 * The sort functions only order an instant query's result; a range query's result has a fixed
 * order, so for more than one step they leave their input as it is.
 */
import { Labels, METRIC_NAME_LABEL } from '@tessera/model';
import { RE2JS } from 're2js';
import type { Call } from '../parser/ast.ts';
import { compareNatural, compareValuesAsc, compareValuesDesc } from '../functions/sort-order.ts';
import type { Series } from '../value.ts';
import type { EvalContext, StepRange } from './eval-context.ts';
import { evalExpr } from './eval-expr.ts';
import { executionError } from './errors.ts';
import { isValidUtf8LabelName } from './labels-format.ts';
import { SeriesBuilder } from './series-builder.ts';

function stringArg(ctx: EvalContext, call: Call, i: number, range: StepRange): string {
  const r = evalExpr(ctx, call.args[i]!, range);
  if (r.kind !== 'string') throw new Error(`argument ${i} of ${call.func.name} is not a string`);
  return r.v;
}

function vectorArg(ctx: EvalContext, call: Call, range: StepRange): Series[] {
  const r = evalExpr(ctx, call.args[0]!, range);
  if (r.kind !== 'vector') throw new Error(`argument 0 of ${call.func.name} is not a vector`);
  return r.series;
}

/** Rewrites each series' labels once (they do not change between steps) and regroups them. */
function relabel(series: Series[], rewrite: (s: Series) => { metric: Labels; dropName: boolean }): Series[] {
  const b = new SeriesBuilder();
  for (const s of series) {
    const r = rewrite(s);
    const o = b.series(r.metric, r.dropName);
    for (let j = 0; j < s.ts.length; j++) b.push(o, s.ts[j]!, s.vs[j]!);
  }
  return b.finish();
}

/** `label_replace(v, dst, replacement, src, regex)`. */
export function labelReplace(ctx: EvalContext, call: Call, range: StepRange): Series[] {
  const dst = stringArg(ctx, call, 1, range);
  const replacement = stringArg(ctx, call, 2, range);
  const src = stringArg(ctx, call, 3, range);
  const regex = stringArg(ctx, call, 4, range);
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?s:${regex})$`);
  } catch (e) {
    throw executionError('invalid-argument', `invalid regular expression in label_replace(): ${regex}`, e);
  }
  if (!isValidUtf8LabelName(dst)) throw executionError('invalid-argument', `invalid destination label name in label_replace(): ${dst}`);
  const series = vectorArg(ctx, call, range);
  const named = re.namedGroups();
  return relabel(series, (s) => {
    const m = re.matcher(s.metric.get(src));
    if (!m.matches()) return { metric: s.metric, dropName: s.dropName === true };
    // A group number beyond the regex's groups expands to '' (Go's Expand), never an error.
    const value = expandTemplate(replacement, (g) =>
      typeof g === 'number' ? (g <= m.groupCount() ? m.group(g) : null) : named[g] === undefined ? null : m.group(named[g]),
    );
    return { metric: s.metric.with(dst, value), dropName: dst === METRIC_NAME_LABEL ? false : s.dropName === true };
  });
}

/** `label_join(v, dst, separator, src...)`. */
export function labelJoin(ctx: EvalContext, call: Call, range: StepRange): Series[] {
  const dst = stringArg(ctx, call, 1, range);
  const sep = stringArg(ctx, call, 2, range);
  const srcs: string[] = [];
  for (let i = 3; i < call.args.length; i++) {
    const src = stringArg(ctx, call, i, range);
    if (!isValidUtf8LabelName(src)) throw executionError('invalid-argument', `invalid source label name in label_join(): ${src}`);
    srcs.push(src);
  }
  if (!isValidUtf8LabelName(dst)) throw executionError('invalid-argument', `invalid destination label name in label_join(): ${dst}`);
  const series = vectorArg(ctx, call, range);
  return relabel(series, (s) => {
    const value = srcs.map((n) => s.metric.get(n)).join(sep);
    return { metric: s.metric.with(dst, value), dropName: dst === METRIC_NAME_LABEL ? false : s.dropName === true };
  });
}

/**
 * Expands a replacement template as Go's regexp.Expand: `$$` is a `$`; `$name` / `${name}` (name:
 * letters, digits, `_`; the longest such run without braces) is a group by number (digits only,
 * no leading zero) or by name, empty when absent or unmatched; a malformed reference is literal.
 */
export function expandTemplate(template: string, group: (g: number | string) => string | null): string {
  let out = '';
  let rest = template;
  for (;;) {
    const i = rest.indexOf('$');
    if (i < 0) break;
    out += rest.slice(0, i);
    rest = rest.slice(i);
    if (rest.length > 1 && rest[1] === '$') {
      out += '$';
      rest = rest.slice(2);
      continue;
    }
    const ref = parseReference(rest);
    if (ref === null) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    out += group(ref.num >= 0 ? ref.num : ref.name) ?? '';
    rest = rest.slice(ref.length);
  }
  return out + rest;
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/** Parses `$name` or `${name}` at the start of `s`; null when malformed. */
function parseReference(s: string): { name: string; num: number; length: number } | null {
  if (s.length < 2) return null;
  const brace = s[1] === '{';
  let i = brace ? 2 : 1;
  const nameStart = i;
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === nameStart) return null;
  const name = s.slice(nameStart, i);
  if (brace) {
    if (s[i] !== '}') return null;
    i++;
  }
  let num = /^[0-9]+$/.test(name) && name.length <= 8 ? Number(name) : -1;
  if (name.length > 1 && name[0] === '0') num = -1;
  return { name, num, length: i };
}

/** `sort` / `sort_desc`: order an instant result by value, NaN last. */
export function sortByValue(series: Series[], range: StepRange, desc: boolean): Series[] {
  if (range.n !== 1) return series;
  const cmp = desc ? compareValuesDesc : compareValuesAsc;
  return series.slice().sort((a, b) => cmp(a.vs[0]!, b.vs[0]!));
}

/**
 * `sort_by_label` / `sort_by_label_desc`: order an instant result by the given labels' values in
 * natural order, then by the whole label set; the descending form is the exact reverse.
 */
export function sortByLabels(series: Series[], names: readonly string[], range: StepRange, desc: boolean): Series[] {
  if (range.n !== 1) return series;
  const sign = desc ? -1 : 1;
  return series.slice().sort((a, b) => {
    for (const n of names) {
      const x = a.metric.get(n);
      const y = b.metric.get(n);
      if (x === y) continue;
      return sign * compareNatural(x, y);
    }
    return sign * Labels.compare(a.metric, b.metric);
  });
}

/** Evaluates the string arguments of sort_by_label*. */
export function labelNameArgs(ctx: EvalContext, call: Call, range: StepRange): string[] {
  const out: string[] = [];
  for (let i = 1; i < call.args.length; i++) out.push(stringArg(ctx, call, i, range));
  return out;
}
