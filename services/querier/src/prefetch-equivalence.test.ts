/**
 * Property test of the prefetch path against the engine reading the head directly: for random
 * queries (selectors with offset and @, range functions, nested subqueries with their own
 * offset/@, aggregations, binary operators) at random times, steps and lookback deltas, the
 * response computed over the prefetched data equals, byte for byte, the one computed over
 * `headQueryable` — both when the data comes from the one head and when it is split over three
 * replicas (each sample in a random non-empty subset of them) and merged back; and so does
 * IngesterQueryable reading the replicas directly.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, headQueryable, parseExpr, PromQLError, type Queryable } from '@tessera/promql';
import { IngesterQueryable, type ChunkReader } from './ingester-queryable.ts';
import { prefetch } from './prefetch.ts';
import { PrefetchedQueryable } from './prefetched-queryable.ts';
import { queryResponseBody } from './response-json.ts';
import { selectorRanges } from './selector-ranges.ts';
import { closeHeads, headReader, loadHead, makeDataset, splitReplicas, SPAN_MS, T0, type HeadSet } from './query-test-data.ts';

interface Case {
  expr: string;
  kind: 'instant' | 'range';
  start: number;
  end: number;
  step: number;
  lookback: number;
}

const SUBQUERY_STEP = 60_000;
const engine = new Engine({ enableExperimentalFunctions: true, defaultSubqueryStepMs: SUBQUERY_STEP });

/** The response text, or the error, of a case evaluated over `q`. */
function evaluate(q: Queryable, c: Case): string {
  const opts = { lookbackDeltaMs: c.lookback };
  try {
    const r = c.kind === 'instant' ? engine.instantQuery(q, c.expr, c.start, opts) : engine.rangeQuery(q, c.expr, c.start, c.end, c.step, opts);
    return queryResponseBody(r.value, r.annotations, null);
  } catch (e) {
    if (PromQLError.is(e)) return `error ${e.kind} ${e.code}: ${e.message}`;
    throw e;
  }
}

async function viaPrefetch(readers: readonly ChunkReader[], c: Case): Promise<string> {
  const ast = parseExpr(c.expr, { enableExperimentalFunctions: true });
  const ranges = selectorRanges(ast, {
    startMs: c.start,
    endMs: c.end,
    stepMs: c.kind === 'range' ? c.step : 0,
    lookbackDeltaMs: c.lookback,
    defaultSubqueryStepMs: SUBQUERY_STEP,
  });
  const p = await prefetch(readers, 'tenant', ranges, { maxFetchedSeries: 0, maxFetchedChunks: 0 }, () => {});
  return evaluate(new PrefetchedQueryable(p.buffer), c);
}

// ---- Query generator -------------------------------------------------------------------------
const T0s = T0 / 1000;
const MATCHERS: Record<string, string[]> = {
  req_total: ['', '{job="api"}', '{instance=~"i0|i1"}', '{job!="web"}'],
  temp: ['', '{room=~"h.*"}', '{room!="attic"}'],
  sparse: ['', '{id!="1"}', '{id="2"}'],
  target_info: ['', '{job="web"}'],
};
const selector = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom(...Object.keys(MATCHERS)).chain((m) => fc.constantFrom(...MATCHERS[m]!).map((s) => m + s)) },
  { weight: 1, arbitrary: fc.constantFrom('{__name__=~"req_total|sparse"}', 'nothing_here') },
);
const modifiers = fc
  .tuple(
    fc.option(fc.constantFrom('5m', '-2m', '1h', '90s', '17m', '-1h'), { freq: 2 }),
    fc.option(fc.constantFrom('start()', 'end()', String(T0s + 3600), String(T0s + 600.5), String(T0s + 4 * 3600), String(T0s - 100)), { freq: 3 }),
    fc.boolean(),
  )
  .map(([o, a, atFirst]) => {
    const off = o === null ? '' : ` offset ${o}`;
    const at = a === null ? '' : ` @ ${a}`;
    return atFirst ? at + off : off + at;
  });
const duration = fc.constantFrom('30s', '1m', '5m', '10m', '1h', '2h');
const vectorSel = fc.tuple(selector, modifiers).map(([s, m]) => s + m);
const matrixSel = fc.tuple(selector, duration, modifiers).map(([s, d, m]) => `${s}[${d}]${m}`);
const rangeFn = fc.constantFrom('rate', 'increase', 'sum_over_time', 'count_over_time', 'last_over_time', 'max_over_time', 'changes', 'resets', 'deriv', 'absent_over_time');
const aggregation = fc.constantFrom('sum by (job)', 'count', 'max without (instance)', 'avg', 'group by (room)', 'topk(2,', 'quantile(0.9,');
const binop = fc.constantFrom('+', '-', '/', '>', 'and', 'or', 'unless', '+ on(job)', '> bool');

const { expr, rangeArg } = fc.letrec((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    vectorSel,
    fc.tuple(rangeFn, tie('rangeArg')).map(([f, a]) => `${f}(${a as string})`),
    fc.tuple(aggregation, tie('expr')).map(([a, e]) => (a.endsWith(',') ? `${a} ${e as string})` : `${a} (${e as string})`)),
    fc.tuple(tie('expr'), binop, tie('expr')).map(([a, o, b]) => `(${a as string}) ${o} (${b as string})`),
    vectorSel.map((s) => `timestamp(${s})`),
    fc.tuple(tie('expr'), fc.constantFrom('2', '-0.5')).map(([e, n]) => `(${e as string}) * ${n}`),
    vectorSel.map((s) => `info(${s}, {version=~".+"})`),
  ),
  rangeArg: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    matrixSel,
    fc
      .tuple(tie('expr'), duration, fc.option(fc.constantFrom('1m', '45s', '10m', '7m')), modifiers)
      .map(([e, d, s, m]) => `(${e as string})[${d}:${s ?? ''}]${m}`),
  ),
}));

const caseArb: fc.Arbitrary<Case> = fc
  .tuple(
    fc.oneof(
      fc.record({ kind: fc.constant('instant' as const), expr: fc.oneof(expr, rangeArg as fc.Arbitrary<string>) }),
      fc.record({ kind: fc.constant('range' as const), expr: expr as fc.Arbitrary<string> }),
    ),
    fc.noBias(fc.integer({ min: -30 * 60_000, max: SPAN_MS + 30 * 60_000 })),
    fc.noBias(fc.integer({ min: 0, max: 90 * 60_000 })),
    fc.constantFrom(15_000, 60_000, 37_000, 300_000, 7_001),
    fc.constantFrom(5 * 60_000, 60_000, 10 * 60_000),
  )
  .map(([q, at, len, step, lookback]) => ({
    expr: q.expr as string,
    kind: q.kind,
    start: T0 + at,
    end: q.kind === 'instant' ? T0 + at : T0 + at + len,
    step: q.kind === 'instant' ? 0 : step,
    lookback,
  }));

// ---- The test --------------------------------------------------------------------------------
const set: HeadSet = { heads: [], dirs: [] };
let full: Queryable;
let fullReaders: ChunkReader[];
let replicaReaders: ChunkReader[];

beforeAll(() => {
  const data = makeDataset(42);
  const head = loadHead(set, data);
  full = headQueryable(head);
  fullReaders = [headReader(head)];
  replicaReaders = splitReplicas(data, 3, 7).map((part) => headReader(loadHead(set, part)));
});
afterAll(() => closeHeads(set));

describe('prefetched evaluation', () => {
  it('answers hand-picked edge cases exactly like the engine over the head', async () => {
    const t = T0 + 90 * 60_000;
    const cases: Case[] = [
      { expr: 'rate(req_total[5m])', kind: 'range', start: T0, end: T0 + SPAN_MS, step: 60_000, lookback: 300_000 },
      { expr: 'sum_over_time(max_over_time((sum_over_time(temp[10m] offset 3m))[30m:1m] @ end())[2h:5m] offset -20m)', kind: 'range', start: t, end: t + 3600_000, step: 30_000, lookback: 300_000 },
      { expr: 'last_over_time(sparse[1h:] @ start())', kind: 'range', start: t, end: t + 7200_000, step: 60_000, lookback: 300_000 },
      { expr: 'sparse', kind: 'range', start: T0, end: T0 + SPAN_MS, step: 15_000, lookback: 300_000 },
      { expr: 'req_total @ 1700003600 offset 10m', kind: 'instant', start: t, end: t, step: 0, lookback: 300_000 },
      { expr: 'info(rate(req_total[5m]))', kind: 'range', start: t, end: t + 600_000, step: 60_000, lookback: 300_000 },
      { expr: 'temp[1h:7m] offset 1h', kind: 'instant', start: t, end: t, step: 0, lookback: 300_000 },
      { expr: 'req_total[10m]', kind: 'instant', start: T0 + SPAN_MS + 60_000, end: T0 + SPAN_MS + 60_000, step: 0, lookback: 300_000 },
      { expr: 'timestamp(temp offset -1h)', kind: 'range', start: T0 - 3600_000, end: T0, step: 300_000, lookback: 600_000 },
    ];
    for (const c of cases) {
      const want = evaluate(full, c);
      expect(want, c.expr).not.toMatch(/^error/);
      expect(await viaPrefetch(fullReaders, c), c.expr).toBe(want);
      expect(await viaPrefetch(replicaReaders, c), c.expr).toBe(want);
      expect(evaluate(new IngesterQueryable('tenant', () => replicaReaders), c), c.expr).toBe(want);
    }
  });

  it('answers random queries exactly like the engine over the head, from one head or merged replicas', async () => {
    let nonEmpty = 0;
    let errors = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const want = evaluate(full, c);
        if (want.startsWith('error')) errors++;
        else if (!want.includes('"result":[]')) nonEmpty++;
        expect(await viaPrefetch(fullReaders, c)).toBe(want);
        expect(await viaPrefetch(replicaReaders, c)).toBe(want);
        expect(evaluate(new IngesterQueryable('tenant', () => replicaReaders), c)).toBe(want);
      }),
      { seed: 20261126, numRuns: 1000 },
    );
    console.log(`prefetch equivalence: 1000 queries, ${nonEmpty} with data, ${errors} errors`);
    // The generator must exercise real data, not only empty results.
    expect(nonEmpty).toBeGreaterThan(300);
  });
});
