/**
 * The time range every selector of a query reads, computed from the AST before evaluation so
 * that the data can be fetched up front (like Prometheus's FindMinMaxTime, but per selector).
 *
 * The rules mirror the engine's (packages/promql/src/engine/eval-selectors.ts and
 * eval-subquery.ts) exactly, for an evaluation over the steps start, start + step, …, end:
 * - reference time of a step: the `@` time (or the step time) minus the offset; `@ start()` and
 *   `@ end()` are the query's own start and end, also inside subqueries;
 * - instant selector: (first ref − lookback, last ref], i.e. [first − lookback + 1, last];
 * - range selector `[r]`: [first ref − r + 1, last ref];
 * - subquery `e[r:s]`: e is evaluated at the multiples of s (the default subquery step when s
 *   is omitted) in (first ref − r, last ref], and its selectors get the ranges of that
 *   evaluation; nothing is read when no multiple falls in the window;
 * - `info(v, sel)` reads, instead of `sel` itself, the info series it names (`target_info`
 *   unless `sel` has `__name__` matchers) with `sel`'s other matchers.
 * Selectors with equal matchers share one range: the hull of their ranges.
 */
import { Matcher } from '@tessera/model';
import { unwrapParens, type Call, type Expr } from '@tessera/promql';

/** The data a selector (or several with equal matchers) reads. */
export interface SelectorRange {
  /** The matchers, as written in the first occurrence. */
  readonly matchers: readonly Matcher[];
  /** {@link matchersKey} of the matchers. */
  readonly key: string;
  /** First and last timestamp read (ms, inclusive). */
  mint: number;
  maxt: number;
}

/** The evaluation parameters the ranges depend on. */
export interface RangeQueryParams {
  startMs: number;
  /** Equal to startMs for an instant query. */
  endMs: number;
  /** 0 for an instant query. */
  stepMs: number;
  lookbackDeltaMs: number;
  /** The step of a subquery written without one (`x[5m:]`), as configured in the engine. */
  defaultSubqueryStepMs: number;
}

/** The steps of an evaluation: start, start + interval, …, end (end on the grid). */
interface Steps {
  readonly start: number;
  readonly end: number;
}

/**
 * A string identifying a list of matchers: equal for equal lists (same order, types, names
 * and values). The engine passes a selector's matchers in written order, so keys computed on
 * the main thread and on a worker (from two parses of the same query) agree.
 */
export function matchersKey(matchers: readonly Matcher[]): string {
  return JSON.stringify(matchers.map((m) => [m.type, m.name, m.value]));
}

/**
 * The matchers `info(v, sel)` selects its info series with: the engine's rule (see
 * eval-info.ts in @tessera/promql), repeated here because it builds them at evaluation time.
 */
export function infoMatchers(call: Call): Matcher[] {
  const sel = call.args.length > 1 ? unwrapParens(call.args[1]!) : null;
  const selMatchers = sel !== null && sel.type === 'VectorSelector' ? sel.matchers : [];
  let names = selMatchers.filter((m) => m.name === '__name__');
  const data = selMatchers.filter((m) => m.name !== '__name__');
  if (names.length === 0) names = [Matcher.create('=', '__name__', 'target_info')];
  else if (names.every((m) => m.type === '!=' || m.type === '!~')) names = [Matcher.create('=~', '__name__', '.+_info'), ...names];
  return [...names, ...data];
}

/** Computes the ranges of every selector of `expr`, merged by matchers, in first-seen order. */
export function selectorRanges(expr: Expr, p: RangeQueryParams): SelectorRange[] {
  const byKey = new Map<string, SelectorRange>();
  const add = (matchers: readonly Matcher[], mint: number, maxt: number): void => {
    const key = matchersKey(matchers);
    const r = byKey.get(key);
    if (r === undefined) {
      byKey.set(key, { matchers, key, mint, maxt });
    } else {
      if (mint < r.mint) r.mint = mint;
      if (maxt > r.maxt) r.maxt = maxt;
    }
  };
  const atTime = (at: number | 'start' | 'end' | null): number | null =>
    at === null ? null : at === 'start' ? p.startMs : at === 'end' ? p.endMs : at;

  const walk = (e: Expr, steps: Steps): void => {
    switch (e.type) {
      case 'NumberLiteral':
      case 'StringLiteral':
        return;
      case 'VectorSelector': {
        const at = atTime(e.at);
        const first = (at ?? steps.start) - e.offsetMs;
        const last = (at ?? steps.end) - e.offsetMs;
        add(e.matchers, first - p.lookbackDeltaMs + 1, last);
        return;
      }
      case 'MatrixSelector': {
        const sel = e.vector;
        const at = atTime(sel.at);
        const first = (at ?? steps.start) - sel.offsetMs;
        const last = (at ?? steps.end) - sel.offsetMs;
        add(sel.matchers, first - e.rangeMs + 1, last);
        return;
      }
      case 'SubqueryExpr': {
        const at = atTime(e.at);
        const step = e.stepMs > 0 ? e.stepMs : p.defaultSubqueryStepMs;
        const firstEnd = (at ?? steps.start) - e.offsetMs;
        const lastEnd = (at ?? steps.end) - e.offsetMs;
        const windowStart = firstEnd - e.rangeMs; // exclusive
        let innerStart = Math.floor(windowStart / step) * step;
        if (innerStart <= windowStart) innerStart += step;
        if (innerStart > lastEnd) return;
        const n = Math.floor((lastEnd - innerStart) / step);
        walk(e.expr, { start: innerStart, end: innerStart + n * step });
        return;
      }
      case 'ParenExpr':
      case 'UnaryExpr':
        walk(e.expr, steps);
        return;
      case 'BinaryExpr':
        walk(e.lhs, steps);
        walk(e.rhs, steps);
        return;
      case 'AggregateExpr':
        if (e.param !== null) walk(e.param, steps);
        walk(e.expr, steps);
        return;
      case 'Call':
        if (e.func.name === 'info') {
          walk(e.args[0]!, steps);
          add(infoMatchers(e), steps.start - p.lookbackDeltaMs + 1, steps.end);
          return;
        }
        for (const a of e.args) walk(a, steps);
        return;
    }
  };

  let end = p.endMs;
  if (p.stepMs > 0 && p.endMs > p.startMs) end = p.startMs + Math.floor((p.endMs - p.startMs) / p.stepMs) * p.stepMs;
  walk(expr, { start: p.startMs, end });
  return [...byKey.values()];
}
