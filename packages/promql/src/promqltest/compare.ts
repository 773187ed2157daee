/**
 * Result comparison as Prometheus's promqltest does it (3.5):
 *
 * - Floats are equal when both are NaN, or equal, or within a relative error of 1e-6 (near zero:
 *   within 1e-6 × the smallest normal float) — `almostEqual`.
 * - Series are matched by their label sets; every result series must be expected and every
 *   expected series present. Order matters only for ordered evals (each sample's position must
 *   be its expected line's position), and an ordered eval cannot expect a matrix.
 * - Range results: the expected values sit at start, start+step, …; `_` means no point there.
 *   The number of points, their timestamps and their values must match. The matrix must be
 *   sorted by labels.
 * - A bare number line expects a scalar; without one, a scalar result is an error. A string
 *   result is compared with `expect string` (empty when absent).
 *
 * Functions return null on success or a one-line description of the first difference.
 */
import { Labels } from '@tessera/model';
import { isStaleNaN, type Matrix, type Series, type Value, type Vector } from '../value.ts';
import type { EvalCommand, ExpectedSeries } from './test-file.ts';
import type { SeqValue } from './series-desc.ts';

/** Relative error allowed between an expected and an actual float. */
export const EPSILON = 1e-6;
/** The smallest positive normal float64. */
const MIN_NORMAL = 2.2250738585072014e-308;

/** Whether `a` and `b` are equal for the test runner (NaN equals NaN). */
export function almostEqual(a: number, b: number, epsilon = EPSILON): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** Formats a float as the test files write it. */
export function fmtFloat(v: number): string {
  if (isStaleNaN(v)) return 'stale';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The number an expected position stands for (Go's zero value for a blank). */
function expectedNumber(v: SeqValue): number {
  switch (v.kind) {
    case 'float':
      return v.v;
    case 'stale':
      return NaN;
    default:
      return 0;
  }
}

function fmtSeq(values: readonly SeqValue[]): string {
  return values.map((v) => (v.kind === 'float' ? fmtFloat(v.v) : v.kind === 'omitted' ? '_' : v.kind === 'stale' ? 'stale' : '{{…}}')).join(' ');
}

/** The time axis of an eval: instant queries have one step at their time. */
export interface Steps {
  readonly startMs: number;
  readonly endMs: number;
  readonly stepMs: number;
}

/** Formats a result series along the steps (`_` where it has no point), or as v@t when off-grid. */
export function fmtSeries(s: Series, steps: Steps): string {
  const out: string[] = [];
  let k = 0;
  const onGrid = steps.stepMs > 0 && s.ts.every((t) => t >= steps.startMs && t <= steps.endMs && (t - steps.startMs) % steps.stepMs === 0);
  if (!onGrid) return `${s.metric.toString()} ${s.ts.map((t, i) => `${fmtFloat(s.vs[i]!)}@${t}`).join(' ')}`;
  for (let t = steps.startMs; t <= steps.endMs; t += steps.stepMs) {
    if (k < s.ts.length && s.ts[k] === t) out.push(fmtFloat(s.vs[k++]!));
    else out.push('_');
  }
  while (out.length > 0 && out[out.length - 1] === '_') out.pop();
  return `${s.metric.toString()} ${out.join(' ')}`;
}

/** A short rendering of any result value. */
export function fmtValue(v: Value, steps: Steps, max = 6): string {
  switch (v.type) {
    case 'scalar':
      return `scalar ${fmtFloat(v.v)}`;
    case 'string':
      return `string ${JSON.stringify(v.v)}`;
    case 'vector': {
      if (v.v.length === 0) return 'empty vector';
      const items = v.v.slice(0, max).map((s) => `${s.metric.toString()} ${fmtFloat(s.v)}`);
      return `vector [${items.join(', ')}${v.v.length > max ? `, … ${v.v.length - max} more` : ''}]`;
    }
    case 'matrix': {
      if (v.v.length === 0) return 'empty matrix';
      const items = v.v.slice(0, max).map((s) => fmtSeries(s, steps));
      return `matrix [${items.join(', ')}${v.v.length > max ? `, … ${v.v.length - max} more` : ''}]`;
    }
  }
}

/** A short rendering of what an eval expects. */
export function fmtExpected(cmd: EvalCommand, max = 6): string {
  if (cmd.fail || cmd.expectFail.length > 0) {
    if (cmd.failMessage !== null) return `error ${JSON.stringify(cmd.failMessage)}`;
    if (cmd.failRegexp !== null) return `error matching /${cmd.failRegexp.source}/`;
    const m = cmd.expectFail[0];
    if (m !== undefined && m !== null) return 'msg' in m ? `error ${JSON.stringify(m.msg)}` : `error matching /${m.regex.source}/`;
    return 'an error';
  }
  if (cmd.scalar !== null) return `scalar ${fmtFloat(cmd.scalar)}`;
  if (cmd.string !== null) return `string ${JSON.stringify(cmd.string)}`;
  if (cmd.series.length === 0) return 'empty result';
  const items = cmd.series.slice(0, max).map((s) => `${s.labels.toString()} ${fmtSeq(s.values)}`);
  return `[${items.join(', ')}${cmd.series.length > max ? `, … ${cmd.series.length - max} more` : ''}]`;
}

function expectedByKey(cmd: EvalCommand): Map<string, ExpectedSeries> {
  const m = new Map<string, ExpectedSeries>();
  for (const s of cmd.series) m.set(s.labels.toString(), s);
  return m;
}

/** Compares a query result with an eval's expectations; null when they agree. */
export function compareResult(cmd: EvalCommand, value: Value, steps: Steps): string | null {
  switch (value.type) {
    case 'matrix':
      return compareMatrix(cmd, value.v, steps);
    case 'vector':
      return compareVector(cmd, value.v);
    case 'scalar':
      if (cmd.scalar === null) return `expected a vector or matrix, got scalar ${fmtFloat(value.v)}`;
      return almostEqual(cmd.scalar, value.v) ? null : `expected scalar ${fmtFloat(cmd.scalar)}, got ${fmtFloat(value.v)}`;
    case 'string': {
      const want = cmd.string ?? '';
      return want === value.v ? null : `expected string ${JSON.stringify(want)}, got ${JSON.stringify(value.v)}`;
    }
  }
}

function compareVector(cmd: EvalCommand, vec: Vector): string | null {
  if (cmd.scalar !== null) return `expected scalar ${fmtFloat(cmd.scalar)}, got a vector of ${vec.length}`;
  const expected = expectedByKey(cmd);
  const seen = new Set<string>();
  for (let pos = 0; pos < vec.length; pos++) {
    const s = vec[pos]!;
    const key = s.metric.toString();
    const exp = expected.get(key);
    if (exp === undefined) return `unexpected series ${key} ${fmtFloat(s.v)} in result`;
    if (seen.has(key)) return `series ${key} appears twice in the result`;
    if (cmd.ordered && exp.pos !== pos + 1) return `series ${key} at position ${pos + 1}, expected at ${exp.pos}`;
    const e = exp.values[0];
    if (e === undefined) return `no expected value for ${key} (line ${exp.line})`;
    const want = expectedNumber(e);
    if (!almostEqual(want, s.v)) return `${key}: expected ${fmtFloat(want)}, got ${fmtFloat(s.v)}`;
    seen.add(key);
  }
  for (const [key, exp] of expected) {
    if (!seen.has(key)) return `expected series ${key} ${fmtSeq(exp.values)} missing from result`;
  }
  return null;
}

function compareMatrix(cmd: EvalCommand, mat: Matrix, steps: Steps): string | null {
  if (cmd.ordered) return 'expected an ordered result, but the query returned a matrix';
  if (cmd.scalar !== null) return `expected scalar ${fmtFloat(cmd.scalar)}, got a matrix of ${mat.length}`;
  for (let i = 1; i < mat.length; i++) {
    if (Labels.compare(mat[i - 1]!.metric, mat[i]!.metric) > 0) {
      return `matrix not sorted by labels: ${mat[i - 1]!.metric.toString()} before ${mat[i]!.metric.toString()}`;
    }
  }
  const expected = expectedByKey(cmd);
  const seen = new Set<string>();
  for (const s of mat) {
    const key = s.metric.toString();
    const exp = expected.get(key);
    if (exp === undefined) return `unexpected series ${fmtSeries(s, steps)} in result`;
    if (seen.has(key)) return `series ${key} appears twice in the result`;
    seen.add(key);
    const wantT: number[] = [];
    const wantV: number[] = [];
    for (let i = 0; i < exp.values.length; i++) {
      const t = steps.startMs + i * steps.stepMs;
      if (t > steps.endMs) return `expected ${exp.values.length} points for ${key}, more than the query range has`;
      const e = exp.values[i]!;
      if (e.kind === 'omitted' || e.kind === 'histogram') continue;
      wantT.push(t);
      wantV.push(expectedNumber(e));
    }
    const mismatch =
      wantT.length !== s.ts.length || wantT.some((t, i) => t !== s.ts[i] || !almostEqual(wantV[i]!, s.vs[i]!));
    if (mismatch) return `expected ${key} ${fmtSeq(exp.values)}, got ${fmtSeries(s, steps).slice(key.length + 1)}`;
  }
  for (const [key, exp] of expected) {
    if (!seen.has(key)) return `expected series ${key} ${fmtSeq(exp.values)} missing from result`;
  }
  return null;
}
