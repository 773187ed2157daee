/**
 * `info(v, {data-label-selector})` (experimental in Prometheus 3.5): adds to each series of v
 * the data labels of its info series, so that `info(rate(x[5m]))` replaces the join
 * `rate(x[5m]) * on (job, instance) group_left (…) target_info`.
 *
 * As documented for Prometheus 3.5:
 * - info series are `target_info` unless the selector names others with `__name__` matchers
 *   (only negated ones: every `…_info` metric they do not exclude); their identifying labels are
 *   always `job` and `instance`; the other labels, except the name, are data labels;
 * - the selector's other matchers restrict the info series considered and which data labels are
 *   added (only labels they name); without them every data label is added;
 * - at each step a series gets the data labels of the info series present then with the same
 *   job and instance (the newest sample wins when several series of one info metric match); a
 *   label the series already has is kept;
 * - without a matching info series the sample is dropped when a data matcher requires a
 *   non-empty value, else returned unchanged;
 * - series of v that are info series themselves are returned unchanged.
 */
import { Matcher, type Labels } from '@tessera/model';
import { unwrapParens, type Call } from '../parser/ast.ts';
import type { Series } from '../value.ts';
import type { EvalContext, StepRange } from './eval-context.ts';
import { evalExpr } from './eval-expr.ts';
import { evalVectorSelector } from './eval-selectors.ts';
import { SeriesBuilder } from './series-builder.ts';

const IDENTIFYING = ['instance', 'job'] as const;

function identity(l: Labels): string {
  return `${l.get('instance')}\ud800${l.get('job')}`;
}

/** Evaluates a call of `info`. */
export function evalInfo(ctx: EvalContext, call: Call, range: StepRange): Series[] {
  const base = evalExpr(ctx, call.args[0]!, range);
  if (base.kind !== 'vector') throw new Error('info over a non-vector');
  const sel = call.args.length > 1 ? unwrapParens(call.args[1]!) : null;
  const selMatchers = sel !== null && sel.type === 'VectorSelector' ? sel.matchers : [];
  let nameMatchers = selMatchers.filter((m) => m.name === '__name__');
  const dataMatchers = selMatchers.filter((m) => m.name !== '__name__');
  if (nameMatchers.length === 0) nameMatchers = [Matcher.create('=', '__name__', 'target_info')];
  else if (nameMatchers.every((m) => m.type === '!=' || m.type === '!~')) {
    nameMatchers = [Matcher.create('=~', '__name__', '.+_info'), ...nameMatchers];
  }
  const isInfo = (l: Labels): boolean => nameMatchers.every((m) => m.matches(l.get('__name__')));

  const infoSel = { type: 'VectorSelector' as const, name: null, matchers: [...nameMatchers, ...dataMatchers], offsetMs: 0, at: null, pos: call.pos };
  // Values are the samples' own timestamps, to let the newest info series win.
  const infos = evalVectorSelector(ctx, infoSel, range, 'info', true);
  const byIdentity = new Map<string, Series[]>();
  for (const s of infos) {
    const key = identity(s.metric);
    const list = byIdentity.get(key);
    if (list === undefined) byIdentity.set(key, [s]);
    else list.push(s);
  }
  const required = dataMatchers.some((m) => !m.matchesEmpty());
  const wanted = dataMatchers.length === 0 ? null : new Set(dataMatchers.map((m) => m.name));

  const b = new SeriesBuilder();
  for (const s of base.series) {
    ctx.tick();
    const candidates = isInfo(s.metric) ? undefined : byIdentity.get(identity(s.metric));
    if (isInfo(s.metric) || (candidates === undefined && !required)) {
      const o = b.series(s.metric, s.dropName === true);
      for (let j = 0; j < s.ts.length; j++) b.push(o, s.ts[j]!, s.vs[j]!);
      continue;
    }
    if (candidates === undefined) continue;
    const cursors = new Int32Array(candidates.length);
    for (let j = 0; j < s.ts.length; j++) {
      const t = s.ts[j]!;
      // Per info metric name: the series present at t with the newest sample.
      const newest = new Map<string, { metric: Labels; sampleT: number }>();
      for (let c = 0; c < candidates.length; c++) {
        const is = candidates[c]!;
        while (cursors[c]! < is.ts.length && is.ts[cursors[c]!]! < t) cursors[c]!++;
        if (is.ts[cursors[c]!] !== t) continue;
        const name = is.metric.get('__name__');
        const sampleT = is.vs[cursors[c]!]!;
        const prev = newest.get(name);
        if (prev === undefined || sampleT > prev.sampleT) newest.set(name, { metric: is.metric, sampleT });
      }
      if (newest.size === 0 && required) continue;
      let metric = s.metric;
      for (const { metric: im } of newest.values()) {
        im.forEach((name, value) => {
          if (name === '__name__' || (IDENTIFYING as readonly string[]).includes(name)) return;
          if (wanted !== null && !wanted.has(name)) return;
          if (!metric.has(name)) metric = metric.with(name, value);
        });
      }
      b.push(b.series(metric, s.dropName === true), t, s.vs[j]!);
    }
  }
  return b.finish();
}
