/**
 * The set operators between instant vectors, per step as Prometheus defines them:
 * - `a and b`: the samples of a whose matching signature b has at that step;
 * - `a unless b`: the samples of a whose signature b lacks at that step;
 * - `a or b`: every sample of a, plus the samples of b whose signature a lacks at that step.
 * Samples pass through unchanged (labels, metric name, pending name removal).
 *
 * A signature's "presence times" are the timestamps at which any series of that signature has
 * a sample: for the common single series the series' own (sorted) timestamps, else their merged
 * union, computed once. Filtering a series is then one merge walk over two sorted lists.
 */
import type { Series } from '../value.ts';
import type { EvalContext } from './eval-context.ts';
import { labelsKey, matchingKey } from './label-keys.ts';

/** The presence times of each signature of one side (see the file comment). */
class Presence {
  readonly #bySig = new Map<string, Series[]>();
  readonly #merged = new Map<string, number[]>();

  constructor(series: Series[], on: boolean, names: readonly string[]) {
    for (const s of series) {
      const key = matchingKey(s.metric, on, names);
      const list = this.#bySig.get(key);
      if (list === undefined) this.#bySig.set(key, [s]);
      else list.push(s);
    }
  }

  /** The sorted times at which signature `sig` has a sample; null when it never has one. */
  times(sig: string): readonly number[] | null {
    const list = this.#bySig.get(sig);
    if (list === undefined) return null;
    if (list.length === 1) return list[0]!.ts;
    let merged = this.#merged.get(sig);
    if (merged === undefined) {
      const all = list.flatMap((s) => s.ts).sort((a, b) => a - b);
      merged = all.filter((t, i) => i === 0 || all[i - 1] !== t);
      this.#merged.set(sig, merged);
    }
    return merged;
  }
}

/** The points of `s` at times in `times` (keep = true) or not in them (keep = false). */
function filter(s: Series, times: readonly number[] | null, keep: boolean): Series | null {
  if (times === null || times.length === 0) return keep ? null : s;
  const ts: number[] = [];
  const vs: number[] = [];
  let j = 0;
  for (let i = 0; i < s.ts.length; i++) {
    const t = s.ts[i]!;
    while (j < times.length && times[j]! < t) j++;
    if ((j < times.length && times[j] === t) === keep) {
      ts.push(t);
      vs.push(s.vs[i]!);
    }
  }
  if (ts.length === 0) return null;
  if (ts.length === s.ts.length) return s;
  const r: Series = { metric: s.metric, ts, vs };
  if (s.dropName === true) r.dropName = true;
  return r;
}

/** `and` (keep = true) and `unless` (keep = false). */
export function andUnless(
  ctx: EvalContext,
  lhs: Series[],
  rhs: Series[],
  on: boolean,
  names: readonly string[],
  keep: boolean,
): Series[] {
  const right = new Presence(rhs, on, names);
  const out: Series[] = [];
  for (const s of lhs) {
    ctx.tick();
    const r = filter(s, right.times(matchingKey(s.metric, on, names)), keep);
    if (r !== null) out.push(r);
  }
  return out;
}

/** Merges two series with one label set whose timestamps are disjoint. */
function mergeDisjoint(a: Series, b: Series): Series {
  const ts: number[] = [];
  const vs: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.ts.length || j < b.ts.length) {
    if (j >= b.ts.length || (i < a.ts.length && a.ts[i]! < b.ts[j]!)) {
      ts.push(a.ts[i]!);
      vs.push(a.vs[i++]!);
    } else {
      ts.push(b.ts[j]!);
      vs.push(b.vs[j++]!);
    }
  }
  const r: Series = { metric: a.metric, ts, vs };
  if (a.dropName === true) r.dropName = true;
  return r;
}

/**
 * `or`. An rhs series with the same labels as an lhs series only contributes where that lhs
 * series (which has the same signature) is absent, so the two merge without conflict.
 */
export function or(ctx: EvalContext, lhs: Series[], rhs: Series[], on: boolean, names: readonly string[]): Series[] {
  const left = new Presence(lhs, on, names);
  const out: Series[] = lhs.slice();
  const index = new Map<string, number>();
  for (let i = 0; i < lhs.length; i++) index.set(labelsKey(lhs[i]!.metric), i);
  for (const s of rhs) {
    ctx.tick();
    const r = filter(s, left.times(matchingKey(s.metric, on, names)), false);
    if (r === null) continue;
    const at = index.get(labelsKey(r.metric));
    if (at === undefined) out.push(r);
    else out[at] = mergeDisjoint(out[at]!, r);
  }
  return out;
}
