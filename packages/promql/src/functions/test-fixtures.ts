/**
 * Test helpers for the kernel tests: expands the `.test` files' value notation and selects a
 * window the way the evaluator does, so cases can be copied from Prometheus's test data.
 */
import { Annotations } from '../value.ts';
import type { RangeCtx } from './range-types.ts';

/**
 * Expands a `load` line's values ("0+10x3 _ 5 NaN 1x2") into one entry per interval step;
 * `undefined` for `_` (no sample).
 */
export function expandValues(spec: string): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (const tok of spec.trim().split(/\s+/)) {
    const m = /^([-+]?[^-+x]+)([-+][^x]+)?x(\d+)$/.exec(tok);
    if (m !== null) {
      const start = parseNum(m[1]!);
      const step = m[2] === undefined ? 0 : parseNum(m[2]);
      const n = Number(m[3]);
      for (let i = 0; i <= n; i++) out.push(start + i * step);
    } else if (tok === '_') {
      out.push(undefined);
    } else {
      out.push(parseNum(tok));
    }
  }
  return out;
}

function parseNum(s: string): number {
  if (/^[+-]?inf$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  return Number(s);
}

/** A series as the evaluator holds it. */
export interface TestSeries {
  ts: number[];
  vs: number[];
}

/** Builds a series from a `load <intervalMs>` line's values. */
export function loadSeries(intervalMs: number, spec: string): TestSeries {
  const ts: number[] = [];
  const vs: number[] = [];
  expandValues(spec).forEach((v, i) => {
    if (v !== undefined) {
      ts.push(i * intervalMs);
      vs.push(v);
    }
  });
  return { ts, vs };
}

/** A window selection: the slice lo..hi-1 and the context of one step. */
export interface TestWindow extends TestSeries {
  lo: number;
  hi: number;
  ctx: RangeCtx;
}

/**
 * Selects the left-open window `(end − range, end]`, `end = (at ?? evalMs) − offset`, as
 * Prometheus 3 does, and builds the step context.
 */
export function selectWindow(
  s: TestSeries,
  evalMs: number,
  rangeMs: number,
  opts: { offsetMs?: number; atMs?: number; args?: number[]; annotations?: Annotations } = {},
): TestWindow {
  const end = (opts.atMs ?? evalMs) - (opts.offsetMs ?? 0);
  const start = end - rangeMs;
  let lo = 0;
  while (lo < s.ts.length && s.ts[lo]! <= start) lo++;
  let hi = lo;
  while (hi < s.ts.length && s.ts[hi]! <= end) hi++;
  return {
    ...s,
    lo,
    hi,
    ctx: {
      rangeStartMs: start,
      rangeEndMs: end,
      evalTimeMs: evalMs,
      rangeMs,
      args: opts.args ?? [],
      annotations: opts.annotations,
    },
  };
}

/** Milliseconds in a minute / second, for readable cases. */
export const MIN = 60_000;
export const SEC = 1000;

/**
 * Whether `actual` matches `expected` as Prometheus's test runner compares floats: NaN equals
 * NaN, otherwise a relative difference below 1e-6 (exact for zeros and infinities).
 */
export function almostEqual(actual: number | undefined, expected: number): boolean {
  if (actual === undefined) return false;
  if (actual !== actual || expected !== expected) return actual !== actual && expected !== expected;
  if (actual === expected) return true;
  const absSum = Math.abs(actual) + Math.abs(expected);
  const diff = Math.abs(actual - expected);
  const minNormal = 2.2250738585072014e-308;
  if (actual === 0 || expected === 0 || absSum < minNormal) return diff < 1e-6 * minNormal;
  return diff / Math.min(absSum, Number.MAX_VALUE) < 1e-6;
}
