/**
 * Arithmetic and comparison operators between two instant vectors, with Prometheus's vector
 * matching: one-to-one, many-to-one (`group_left`) and one-to-many (`group_right`), on the
 * labels of `on (…)` or all labels but those of `ignoring (…)` (never the metric name).
 *
 * Work is per matching group (the series of one signature on both sides), not per step: a group
 * with one series on each side is a merge of two sorted point lists; a bigger group walks its
 * steps in time order and raises Prometheus's errors for ambiguous matches at the step where they
 * occur:
 * - two series of one signature on the "one" side at a step where both sides have samples:
 *   "found duplicate series for the match group … many-to-many matching not allowed …";
 * - one-to-one with two lhs samples matching (and kept): "multiple matches for labels:
 *   many-to-one matching must be explicit (group_left/group_right)";
 * - many-to-one producing one result label set twice: "multiple matches for labels: grouping
 *   labels must ensure unique matches".
 *
 * Result labels: the "many" side's labels, without the metric name for arithmetic, reduced to
 * the `on` labels / without the `ignoring` labels for one-to-one, plus the `group_x(…)` labels
 * copied from the "one" side. `bool` results are marked for name removal.
 */
import { METRIC_NAME_LABEL, type Labels } from '@tessera/model';
import type { BinaryExpr, VectorMatching } from '../parser/ast.ts';
import type { Series } from '../value.ts';
import type { EvalContext, StepRange } from './eval-context.ts';
import { arith, compare, isArithmetic } from './eval-binary.ts';
import { executionError } from './errors.ts';
import { labelsKey, matchingKey, matchingLabels } from './label-keys.ts';
import { formatLabelsForError } from './labels-format.ts';
import { SeriesBuilder } from './series-builder.ts';

/** The series of one matching signature on the "many" and the "one" side. */
interface MatchGroup {
  many: Series[];
  one: Series[];
}

/**
 * Evaluates one vector/vector arithmetic or comparison operation (see the file comment). For
 * one-to-many the sides are swapped internally (the "many" side is always iterated) and swapped
 * back when the operator is applied.
 */
export class VectorMatcher {
  readonly #ctx: EvalContext;
  readonly #e: BinaryExpr;
  readonly #m: VectorMatching;
  readonly #names: readonly string[];
  readonly #range: StepRange;
  readonly #swapped: boolean;
  readonly #builder = new SeriesBuilder();
  /** Per step: whether each (unswapped) side has any sample there; built on first need. */
  #bothPresent: Uint8Array | null = null;
  #lhs: Series[] = [];
  #rhs: Series[] = [];

  constructor(ctx: EvalContext, e: BinaryExpr, m: VectorMatching, names: readonly string[], range: StepRange) {
    this.#ctx = ctx;
    this.#e = e;
    this.#m = m;
    this.#names = names;
    this.#range = range;
    this.#swapped = m.card === 'one-to-many';
  }

  run(lhs: Series[], rhs: Series[]): Series[] {
    this.#lhs = lhs;
    this.#rhs = rhs;
    if (lhs.length === 0 || rhs.length === 0) return [];
    const many = this.#swapped ? rhs : lhs;
    const one = this.#swapped ? lhs : rhs;
    const groups = new Map<string, MatchGroup>();
    for (const s of one) {
      const key = matchingKey(s.metric, this.#m.on, this.#names);
      let g = groups.get(key);
      if (g === undefined) {
        g = { many: [], one: [] };
        groups.set(key, g);
      }
      g.one.push(s);
    }
    for (const s of many) {
      const g = groups.get(matchingKey(s.metric, this.#m.on, this.#names));
      if (g !== undefined) g.many.push(s);
    }
    for (const g of groups.values()) {
      this.#ctx.tick();
      if (g.one.length === 1 && g.many.length === 1) this.#mergePair(g.many[0]!, g.one[0]!);
      else if (g.one.length > 1 || g.many.length > 0) this.#walkGroup(g);
    }
    return this.#builder.finish();
  }

  /** Applies the operator with the sides in their written order; returns null to drop the sample. */
  #apply(manyV: number, oneV: number): number | null {
    const l = this.#swapped ? oneV : manyV;
    const r = this.#swapped ? manyV : oneV;
    const op = this.#e.op;
    if (isArithmetic(op)) return arith(op, l, r);
    const keep = compare(op, l, r);
    if (this.#e.returnBool) return keep ? 1 : 0;
    return keep ? l : null;
  }

  /** The labels of the result of combining `many` with `one`. */
  #resultMetric(many: Labels, one: Labels): Labels {
    const m = this.#m;
    let out = isArithmetic(this.#e.op) ? many.without(METRIC_NAME_LABEL) : many;
    if (m.card === 'one-to-one') {
      if (m.on) {
        const keep = new Set(this.#names);
        out = out.without(...out.names().filter((n) => !keep.has(n)));
      } else {
        out = out.without(...this.#names);
      }
    }
    for (const name of m.include) out = out.with(name, one.get(name));
    return out;
  }

  #dropName(many: Series): boolean {
    return this.#e.returnBool || (!isArithmetic(this.#e.op) && many.dropName === true);
  }

  /** The common case: one series on each side; merge their points. */
  #mergePair(many: Series, one: Series): void {
    const out = this.#builder.series(this.#resultMetric(many.metric, one.metric), this.#dropName(many));
    let i = 0;
    let j = 0;
    while (i < many.ts.length && j < one.ts.length) {
      const a = many.ts[i]!;
      const b = one.ts[j]!;
      if (a < b) i++;
      else if (a > b) j++;
      else {
        const v = this.#apply(many.vs[i]!, one.vs[j]!);
        if (v !== null) this.#builder.push(out, a, v);
        i++;
        j++;
      }
    }
  }

  /** Whether both sides of the operation have samples at time t (else Prometheus matches nothing). */
  #bothSidesPresent(t: number): boolean {
    if (this.#bothPresent === null) {
      const r = this.#range;
      const left = new Uint8Array(r.n);
      const both = new Uint8Array(r.n);
      for (const s of this.#lhs) for (const u of s.ts) left[(u - r.start) / r.interval] = 1;
      for (const s of this.#rhs) {
        for (const u of s.ts) {
          const k = (u - r.start) / r.interval;
          if (left[k] === 1) both[k] = 1;
        }
      }
      this.#bothPresent = both;
    }
    return this.#bothPresent[(t - this.#range.start) / this.#range.interval] === 1;
  }

  /** A group with several series on a side: walk its steps in time order. */
  #walkGroup(g: MatchGroup): void {
    const all = [...g.one, ...g.many];
    const cursors = new Int32Array(all.length);
    const nOne = g.one.length;
    const pairMetric = new Map<string, Series>();
    const inserted = new Set<string>();
    const oneToOne = this.#m.card === 'one-to-one';
    for (;;) {
      this.#ctx.tick();
      let t = Infinity;
      for (let k = 0; k < all.length; k++) {
        const s = all[k]!;
        if (cursors[k]! < s.ts.length && s.ts[cursors[k]!]! < t) t = s.ts[cursors[k]!]!;
      }
      if (t === Infinity) return;
      // The series of each side with a sample at t, in series order; cursors move past t.
      let oneIdx = -1;
      let oneV = 0;
      const manyAt: number[] = [];
      for (let k = 0; k < all.length; k++) {
        const s = all[k]!;
        const c = cursors[k]!;
        if (c >= s.ts.length || s.ts[c] !== t) continue;
        cursors[k] = c + 1;
        if (k >= nOne) {
          manyAt.push(k);
        } else if (oneIdx < 0) {
          oneIdx = k;
          oneV = s.vs[c]!;
        } else if (this.#bothSidesPresent(t)) {
          this.#duplicateOnOneSide(s, all[oneIdx]!);
        }
      }
      if (oneIdx < 0 || manyAt.length === 0) continue;
      const one = all[oneIdx]!;
      let matched = false;
      inserted.clear();
      for (const k of manyAt) {
        const s = all[k]!;
        const v = this.#apply(s.vs[cursors[k]! - 1]!, oneV);
        if (v === null) continue;
        const pairKey = `${k}:${oneIdx}`;
        let out = pairMetric.get(pairKey);
        if (out === undefined) {
          out = this.#builder.series(this.#resultMetric(s.metric, one.metric), this.#dropName(s));
          pairMetric.set(pairKey, out);
        }
        if (oneToOne) {
          if (matched) {
            throw executionError(
              'multiple-matches',
              'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
            );
          }
          matched = true;
        } else {
          const key = labelsKey(out.metric);
          if (inserted.has(key)) {
            throw executionError('multiple-matches', 'multiple matches for labels: grouping labels must ensure unique matches');
          }
          inserted.add(key);
        }
        this.#builder.push(out, t, v);
      }
    }
  }

  #duplicateOnOneSide(s: Series, first: Series): never {
    const side = this.#swapped ? 'left' : 'right';
    const group = matchingLabels(s.metric, this.#m.on, this.#names);
    throw executionError(
      'many-to-many-matching',
      `found duplicate series for the match group ${formatLabelsForError(group)} on the ${side} hand-side of the operation: ` +
        `[${formatLabelsForError(s.metric)}, ${formatLabelsForError(first.metric)}]` +
        ';many-to-many matching not allowed: matching labels must be unique on one side',
    );
  }
}
