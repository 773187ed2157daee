/**
 * The simple accumulating aggregations — sum, count, min, max, group — computed for one group at
 * every step at once, with per-step state in typed arrays indexed by step (no per-sample or
 * per-step objects).
 *
 * Numerics follow Prometheus 3.5: sum is a compensated (Kahan–Neumaier) sum; for min/max NaN
 * loses against any number (the result is NaN only when all inputs are NaN).
 */
import type { Series } from '../value.ts';
import type { EvalContext, StepRange } from './eval-context.ts';
import type { AggGroup } from './eval-aggregation.ts';

// Scratch results of kahanInc (single-threaded, not re-entrant).
let kSum = 0;
let kC = 0;

/** One compensated addition of `inc` to (sum, c); the result is left in kSum / kC. */
function kahanInc(inc: number, sum: number, c: number): void {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) c = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  kSum = t;
  kC = c;
}

/** Per-step state arrays, reused from group to group when the step count allows. */
class State {
  readonly count: Float64Array;
  readonly a: Float64Array;
  readonly c: Float64Array;

  constructor(n: number) {
    this.count = new Float64Array(n);
    this.a = new Float64Array(n);
    this.c = new Float64Array(n);
  }
}

let cached: State | null = null;

function stateFor(n: number): State {
  if (cached === null || cached.count.length !== n) cached = new State(n);
  else cached.count.fill(0);
  return cached;
}

/**
 * The result at step `k` of sum, count, group, min or max from its accumulators: `a` the running
 * value (Kahan-compensated by `c` for sum), `n` the series counted at that step (> 0).
 */
export function stepResult(op: string, a: Float64Array, c: Float64Array, n: number, k: number): number {
  switch (op) {
    case 'sum':
      return a[k]! + c[k]!;
    case 'count':
      return n;
    case 'group':
      return 1;
    default: // min, max
      return a[k]!;
  }
}

/** Aggregates one group at all steps; null when the group has no sample at any step. */
export function accumulateGroup(
  ctx: EvalContext,
  g: AggGroup,
  op: 'sum' | 'count' | 'min' | 'max' | 'group',
  range: StepRange,
): Series | null {
  if (g.series.length === 1) {
    // One series: each step aggregates one value (x + 0 turns −0 into 0, as a sum from 0 does).
    const s = g.series[0]!;
    const vs = op === 'count' || op === 'group' ? s.vs.map(() => 1) : op === 'sum' ? s.vs.map((v) => v + 0) : s.vs.slice();
    const out: Series = { metric: g.labels, ts: s.ts, vs };
    if (g.dropName) out.dropName = true;
    return out;
  }
  const st = stateFor(range.n);
  const { count, a, c } = st;
  const start = range.start;
  const interval = range.interval;
  for (const s of g.series) {
    ctx.tick();
    const ts = s.ts;
    const vs = s.vs;
    for (let j = 0; j < ts.length; j++) {
      const k = (ts[j]! - start) / interval;
      const v = vs[j]!;
      const n = ++count[k]!;
      if (n === 1) {
        a[k] = v;
        c[k] = 0;
        continue;
      }
      switch (op) {
        case 'sum':
          kahanInc(v, a[k]!, c[k]!);
          a[k] = kSum;
          c[k] = kC;
          break;
        case 'min':
          if (a[k]! > v || a[k] !== a[k]) a[k] = v;
          break;
        case 'max':
          if (a[k]! < v || a[k] !== a[k]) a[k] = v;
          break;
        default: // count, group: the count is all they need
          break;
      }
    }
  }
  const ts: number[] = [];
  const vs: number[] = [];
  for (let k = 0; k < range.n; k++) {
    const n = count[k]!;
    if (n === 0) continue;
    const v = stepResult(op, a, c, n, k);
    ts.push(start + k * interval);
    vs.push(v);
  }
  if (ts.length === 0) return null;
  const out: Series = { metric: g.labels, ts, vs };
  if (g.dropName) out.dropName = true;
  return out;
}

