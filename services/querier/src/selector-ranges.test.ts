import { describe, expect, it } from 'vitest';
import { parseExpr } from '@tessera/promql';
import { selectorRanges, type RangeQueryParams } from './selector-ranges.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const T = 1_000 * H; // a round query time: a multiple of every step below

const instant: RangeQueryParams = { startMs: T, endMs: T, stepMs: 0, lookbackDeltaMs: 5 * M, defaultSubqueryStepMs: M };
const range: RangeQueryParams = { startMs: T, endMs: T + H + 30 * S, stepMs: M, lookbackDeltaMs: 5 * M, defaultSubqueryStepMs: M };

function ranges(q: string, p: RangeQueryParams): [string, number, number][] {
  return selectorRanges(parseExpr(q, { enableExperimentalFunctions: true }), p).map((r) => [
    r.matchers.map((m) => m.toString()).join(','),
    r.mint - T,
    r.maxt - T,
  ]);
}

describe('selectorRanges', () => {
  it.each<[string, RangeQueryParams, [string, number, number][]]>([
    // Instant selector: (t − lookback, t].
    ['x', instant, [['__name__="x"', -5 * M + 1, 0]]],
    // Range query: end rounded down onto the step grid.
    ['x', range, [['__name__="x"', -5 * M + 1, H]]],
    ['rate(x[10m])', range, [['__name__="x"', -10 * M + 1, H]]],
    ['x offset 1h', instant, [['__name__="x"', -H - 5 * M + 1, -H]]],
    ['x offset -1h', instant, [['__name__="x"', H - 5 * M + 1, H]]],
    // @ fixes the reference time for every step; start()/end() are the query's bounds.
    [`x @ ${(T + 2 * H) / 1000}`, range, [['__name__="x"', 2 * H - 5 * M + 1, 2 * H]]],
    ['x[1m] @ end() offset 1m', range, [['__name__="x"', H + 30 * S - 2 * M + 1, H + 30 * S - M]]],
    ['x @ start()', range, [['__name__="x"', -5 * M + 1, 0]]],
    // Subquery: inner steps at multiples of 5m in (t − 1h, t]; the inner selector looks back from the first.
    ['max_over_time(x[1h:5m])', instant, [['__name__="x"', -55 * M - 5 * M + 1, 0]]],
    // Subquery offset and @ shift the inner window; the inner range selector reads 10m before the first inner step.
    ['max_over_time(rate(x[10m])[1h:5m] offset 30m)', instant, [['__name__="x"', -30 * M - 55 * M - 10 * M + 1, -30 * M]]],
    ['max_over_time(rate(x[10m])[1h:] @ start())', range, [['__name__="x"', -59 * M - 10 * M + 1, 0]]],
    // Nested subqueries: the inner one's window is relative to each outer step.
    ['max_over_time(max_over_time(x[10m:1m])[1h:5m])', instant, [['__name__="x"', -55 * M - 9 * M - 5 * M + 1, 0]]],
    // A window that contains no multiple of the step reads nothing.
    ['max_over_time(x[1m:5m])', { ...instant, startMs: T + M, endMs: T + M }, []],
    // Equal matchers share one range (the hull); different ones are separate.
    ['x offset 1h + x', instant, [['__name__="x"', -H - 5 * M + 1, 0]]],
    ['x{a="1"} / on() y', instant, [['__name__="x",a="1"', -5 * M + 1, 0], ['__name__="y"', -5 * M + 1, 0]]],
    // info() reads its info series (target_info by default) with the selector's other matchers.
    ['info(x, {k=~".+"})', instant, [['__name__="x"', -5 * M + 1, 0], ['__name__="target_info",k=~".+"', -5 * M + 1, 0]]],
    ['info(x, {__name__!="a_info"})', instant, [['__name__="x"', -5 * M + 1, 0], ['__name__=~".+_info",__name__!="a_info"', -5 * M + 1, 0]]],
    ['1 + 2', instant, []],
  ])('%s', (q, p, want) => {
    expect(ranges(q, p)).toEqual(want);
  });
});
