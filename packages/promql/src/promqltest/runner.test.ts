import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Labels, Matcher } from '@tessera/model';
import { Annotations, isStaleNaN, type Sample, type Series, type Value } from '../value.ts';
import type { Queryable } from '../storage.ts';
import { PromQLError } from '../engine/errors.ts';
import { runTestFile, type ConformanceEngine, type FileResult } from './runner.ts';
import { almostEqual } from './compare.ts';

const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-runner-test-'));
afterAll(() => fs.rmSync(tmpDir, { recursive: true, force: true }));

const hints = { start: 0, end: 0, step: 0, range: 0, func: '' };

/**
 * A toy engine for testing the runner alone: a bare metric name is an instant selector with a 5m
 * lookback (stale markers end a series), a number is a scalar, and a few magic expressions fail,
 * crash or annotate. `skewRange` makes range queries disagree with instant ones.
 */
function toyEngine(skewRange = false): ConformanceEngine {
  const evalAt = (q: Queryable, expr: string, t: number): { value: Value; annotations: Annotations } => {
    const annotations = new Annotations();
    if (/^[0-9.]+$/.test(expr)) return { value: { type: 'scalar', t, v: Number(expr) }, annotations };
    if (expr === 'fail_me') throw new PromQLError('execution', 'invalid-argument', 'boom: bad thing');
    if (expr === 'crash') throw new TypeError('cannot read x of undefined');
    if (expr === 'warn_me') {
      annotations.warn('PromQL warning: w');
      return { value: { type: 'vector', v: [] }, annotations };
    }
    if (expr === 'info_me') annotations.info('PromQL info: i');
    const name = expr === 'info_me' ? 'm' : expr;
    const out: Sample[] = [];
    for (const s of q.querier(t - 300_000 + 1, t).select([Matcher.create('=', '__name__', name)], hints)) {
      const it = s.iterator();
      let last: number | null = null;
      while (it.next()) last = it.v;
      if (last !== null && !isStaleNaN(last)) out.push({ metric: s.labels, t, v: last });
    }
    return { value: { type: 'vector', v: out }, annotations };
  };
  return {
    instantQuery: evalAt,
    rangeQuery(q, expr, start, end, step) {
      const byKey = new Map<string, Series>();
      for (let t = start; t <= end; t += step) {
        const r = evalAt(q, expr, t).value;
        const samples = r.type === 'scalar' ? [{ metric: Labels.EMPTY, v: r.v }] : r.type === 'vector' ? r.v : [];
        for (const s of samples) {
          const k = s.metric.toString();
          const series = byKey.get(k) ?? { metric: s.metric, ts: [], vs: [] };
          byKey.set(k, series);
          series.ts.push(t);
          series.vs.push(skewRange ? s.v + 1 : s.v);
        }
      }
      return { value: { type: 'matrix', v: [...byKey.values()].sort((a, b) => Labels.compare(a.metric, b.metric)) }, annotations: new Annotations() };
    },
  };
}

function run(text: string, engine = toyEngine()): FileResult {
  return runTestFile('t.test', text, { engine, tmpDir });
}

const DATA = `
load 1m
  m{a="1"} 1 2 3 stale 5
  m{a="2"} 10+10x4
  h {{schema:0 sum:1 count:1}} 1
`;

describe('runTestFile', () => {
  it('passes matching instant and range results, with stale markers loaded as stale', () => {
    const r = run(`${DATA}
eval instant at 2m m
  m{a="1"} 3
  m{a="2"} 30

eval instant at 3m m
  m{a="2"} 40

eval range from 0 to 4m step 1m m
  m{a="1"} 1 2 3 _ 5
  m{a="2"} 10+10x4

eval instant at 0 42
  42
`);
    expect(r.failures).toEqual([]);
    expect([r.passed, r.failed, r.skipped]).toEqual([4, 0, 0]);
  });

  it('reports value, series and type differences with line, expected and actual', () => {
    const r = run(`${DATA}
eval instant at 2m m
  m{a="1"} 3.1
  m{a="2"} 30

eval instant at 2m m
  m{a="1"} 3

eval range from 0 to 2m step 1m m
  m{a="1"} 1 _ 3
  m{a="2"} 10 20 30

eval instant at 2m 42
  m 42
`);
    expect(r.failed).toBe(4);
    expect(r.failures.map((f) => f.line)).toEqual([7, 11, 14, 18]);
    expect(r.failures[0]!.message).toBe('m{a="1"}: expected 3.1, got 3');
    expect(r.failures[0]!.actual).toContain('m{a="1"} 3');
    expect(r.failures[1]!.message).toMatch(/^unexpected series m\{a="2"\} 30/);
    expect(r.failures[2]!.message).toBe('expected m{a="1"} 1 _ 3, got 1 2 3');
    expect(r.failures[3]!.message).toMatch(/expected a vector or matrix, got scalar 42/);
  });

  it('skips cases that expect or select native histograms, and only those', () => {
    const r = run(`${DATA}
eval instant at 0 h
  h {{schema:0 sum:1 count:1}}

eval instant at 1m h
  h 1

eval instant at 1m m
  m{a="1"} 2
  m{a="2"} 20

clear

eval instant at 1m h

load 1m
  h 1 {{schema:0 sum:1 count:1}} 3

eval instant at 0 h
  h 1

eval instant at 2m h
  h 3
`);
    // After clear, h is no histogram series any more: an empty result passes. Then only a query
    // whose read range holds a histogram sample is skipped (the 5m lookback at 2m reaches 1m).
    expect([r.passed, r.failed, r.skipped]).toEqual([3, 0, 3]);
    expect(r.skips.map((s) => s.line)).toEqual([7, 10, 27]);
  });

  it('checks expected errors by message and regexp, and never accepts internal errors', () => {
    const r = run(`
eval_fail instant at 0 fail_me
  expected_fail_message boom: bad thing

eval_fail instant at 0 fail_me
  expected_fail_regexp bad (thing|stuff)

eval instant at 0 fail_me
  expect fail msg: boom: bad thing

eval_fail instant at 0 fail_me
  expected_fail_message other

eval_fail instant at 0 42

eval instant at 0 fail_me

eval_fail instant at 0 crash
`);
    expect([r.passed, r.failed]).toEqual([3, 4]);
    expect(r.failures[0]!.expected).toBe('error "other"');
    expect(r.failures.map((f) => f.message.split(':')[0])).toEqual([
      'expected error "other", got "boom',
      'expected an error, got none',
      'unexpected error',
      'internal error (not a PromQLError)',
    ]);
  });

  it('applies annotation rules: eval_warn/eval_info need one, expect lines must match exactly, plain eval ignores them', () => {
    const r = run(`${DATA}
eval instant at 0 warn_me

eval_warn instant at 0 warn_me

eval instant at 0 warn_me
  expect warn msg: PromQL warning: w

eval instant at 0 warn_me
  expect warn regex: warning

eval_info instant at 1m info_me
  m{a="1"} 2
  m{a="2"} 20

eval_warn instant at 0 42
  42

eval instant at 0 warn_me
  expect warn msg: PromQL warning: other

eval instant at 0 warn_me
  expect no_warn

eval_info instant at 0 warn_me
`);
    expect(r.failures.map((f) => [f.line, f.message])).toEqual([
      [21, 'expected a warning annotation, got none'],
      [24, 'expected warn annotation "PromQL warning: other", got ["PromQL warning: w"]'],
      [27, 'unexpected warnings ["PromQL warning: w"]'],
      [30, 'expected an info annotation, got none'],
    ]);
    expect(r.passed).toBe(5);
  });

  it('checks order only for ordered evals', () => {
    const text = (kw: string): string => `${DATA}
${kw} instant at 1m m
  m{a="2"} 20
  m{a="1"} 2
`;
    expect(run(text('eval')).passed).toBe(1);
    const r = run(text('eval_ordered'));
    expect(r.failures[0]!.message).toBe('series m{a="1"} at position 1, expected at 2');
  });

  it('re-runs instant queries in range mode and reports a disagreement', () => {
    const r = run(`${DATA}
eval instant at 1m m
  m{a="1"} 2
  m{a="2"} 20
`, toyEngine(true));
    expect(r.failed).toBe(1);
    expect(r.failures[0]!.message).toMatch(/^\[range mode\] m\{a="1"\}: expected 2, got 3/);
  });

  it('keeps the last definition of a series repeated within one load block', () => {
    const r = run(`
load 1m
  m{a="1"} 1
  m{a="1"} 7

eval instant at 0 m
  m{a="1"} 7
`);
    expect([r.passed, r.failed]).toEqual([1, 0]);
  });

  it('counts an unparsable command as a failure', () => {
    const r = run('load 1m\n  m{a=1} 1\n\neval instant at 0 42\n  42\n');
    expect([r.passed, r.failed]).toEqual([1, 1]);
    expect(r.failures[0]!.line).toBe(2);
  });
});

describe('almostEqual', () => {
  it('uses a relative tolerance of 1e-6 and treats NaNs as equal', () => {
    expect(almostEqual(1, 1 + 1e-7)).toBe(true);
    expect(almostEqual(1, 1 + 1e-5)).toBe(false);
    expect(almostEqual(1e300, 1.0000001e300)).toBe(true);
    expect(almostEqual(NaN, NaN)).toBe(true);
    expect(almostEqual(NaN, 1)).toBe(false);
    expect(almostEqual(0, 1e-300)).toBe(false);
    expect(almostEqual(Infinity, Infinity)).toBe(true);
    expect(almostEqual(Infinity, -Infinity)).toBe(false);
  });
});
