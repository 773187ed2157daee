import { describe, expect, it } from 'vitest';
import { Matcher } from '@tessera/model';
import { getFunction } from '../parser/functions.ts';
import type { Expr, MatrixSelector, SubqueryExpr, VectorSelector } from '../parser/ast.ts';
import { makeAtModifierVariants, pinAt, variantTimes } from './at-modifier.ts';

const P = { start: 0, end: 0 };

function sel(name: string, at: VectorSelector['at'] = null): VectorSelector {
  return { type: 'VectorSelector', name, matchers: [Matcher.create('=', '__name__', name)], offsetMs: 0, at, pos: P };
}
function call(name: string, ...args: Expr[]): Expr {
  return { type: 'Call', func: getFunction(name)!, args, pos: P };
}
function matrix(v: VectorSelector): MatrixSelector {
  return { type: 'MatrixSelector', vector: v, rangeMs: 300_000, pos: P };
}
function subquery(e: Expr, at: SubqueryExpr['at'] = null): SubqueryExpr {
  return { type: 'SubqueryExpr', expr: e, rangeMs: 600_000, stepMs: 60_000, offsetMs: 0, at, pos: P };
}

/** A compact rendering of the `@` of every selector and subquery, depth first. */
function ats(e: Expr): string[] {
  switch (e.type) {
    case 'VectorSelector':
      return [`${e.name}@${e.at}`];
    case 'MatrixSelector':
      return [`${e.vector.name}[]@${e.vector.at}`];
    case 'SubqueryExpr':
      return [`sq@${e.at}`, ...ats(e.expr)];
    case 'ParenExpr':
    case 'UnaryExpr':
      return ats(e.expr);
    case 'BinaryExpr':
      return [...ats(e.lhs), ...ats(e.rhs)];
    case 'AggregateExpr':
      return [...(e.param === null ? [] : ats(e.param)), ...ats(e.expr)];
    case 'Call':
      return e.args.flatMap(ats);
    default:
      return [];
  }
}

describe('pinAt', () => {
  it('pins selectors, range selectors and subqueries, but nothing inside a subquery', () => {
    const e: Expr = {
      type: 'BinaryExpr', op: '+', returnBool: false, vectorMatching: null, pos: P,
      lhs: call('rate', matrix(sel('a'))),
      rhs: call('max_over_time', subquery(call('rate', matrix(sel('b'))))),
    };
    expect(ats(pinAt(e, 5000)!)).toEqual(['a[]@5000', 'sq@5000', 'b[]@null']);
  });

  it('keeps explicit timestamps and turns start()/end() into the eval time', () => {
    const e: Expr = {
      type: 'AggregateExpr', op: 'topk', param: sel('k', 'end'), grouping: [], without: false, pos: P,
      expr: { type: 'ParenExpr', pos: P, expr: sel('x', 100) },
    };
    expect(ats(pinAt(e, 7)!)).toEqual(['k@7', 'x@100']);
  });

  it('gives no variants for time-dependent functions, except inside subqueries', () => {
    expect(pinAt(call('timestamp', sel('a')), 1)).toBeNull();
    expect(pinAt({ type: 'UnaryExpr', op: '-', expr: call('time'), pos: P }, 1)).toBeNull();
    expect(pinAt(call('max_over_time', subquery(call('time'))), 1)).not.toBeNull();
  });
});

describe('variantTimes', () => {
  it('uses -10t, 0, t/5 (truncated), t, 10t; around 0 it uses ±1s', () => {
    expect(variantTimes(3_000_001)).toEqual([-30_000_010, 0, 600_000, 3_000_001, 30_000_010]);
    expect(variantTimes(0)).toEqual([-1000, 0, 1000]);
  });
});

describe('makeAtModifierVariants', () => {
  it('prints the pinned tree once and evaluates it at every variant time; unparsable input has none', () => {
    const printed: Expr[] = [];
    const make = makeAtModifierVariants(
      (s) => {
        if (s === 'bad') throw new Error('parse error');
        return sel(s);
      },
      (e) => {
        printed.push(e);
        return 'PINNED';
      },
    );
    expect(make('m', 0)).toEqual([
      { expr: 'PINNED', timeMs: -1000 },
      { expr: 'PINNED', timeMs: 0 },
      { expr: 'PINNED', timeMs: 1000 },
    ]);
    expect(ats(printed[0]!)).toEqual(['m@0']);
    expect(make('bad', 0)).toEqual([]);
  });
});

describe('atModifierVariants (real parser and printer)', () => {
  it('pins and prints a query that parses back', async () => {
    const { atModifierVariants } = await import('./at-modifier.ts');
    const v = atModifierVariants('sum by (job) (rate(http_requests_total[5m])) + on() group_left max_over_time(x[10m:1m])', 3_000_000);
    expect(v.map((x) => x.timeMs)).toEqual([-30_000_000, 0, 600_000, 3_000_000, 30_000_000]);
    expect(v[0]!.expr).toContain('http_requests_total[5m] @ 3000.000');
    expect(v[0]!.expr).toContain('x[10m:1m] @ 3000.000'.replace('x[10m:1m]', '[10m:1m]'));
    expect(atModifierVariants('time() + x', 60_000)).toEqual([]);
    expect(atModifierVariants('x @ 100', 60_000)[0]!.expr).toBe('x @ 100.000');
  });
});
