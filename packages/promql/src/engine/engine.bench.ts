/**
 * Range-query benchmarks of the evaluator: 100 counters scraped every 15 s for 11,000 samples,
 * queried over 11,000 steps of 15 s (Prometheus's maximum points per series) from an in-memory
 * Queryable, so storage decoding is not measured. Deterministic data (no randomness).
 *   npx vitest bench --run packages/promql/src/engine
 */
import { Labels } from '@tessera/model';
import { test } from 'vitest';
import { Engine } from './engine.ts';
import { MemoryQueryable, type MemorySeries } from './memory-queryable.ts';

const SERIES = 100;
const STEPS = 11_000;
const STEP = 15_000;

function build(): MemoryQueryable {
  const all: MemorySeries[] = [];
  const ts = Array.from({ length: STEPS }, (_, k) => k * STEP);
  for (let i = 0; i < SERIES; i++) {
    const vs = new Float64Array(STEPS);
    for (let k = 1; k < STEPS; k++) vs[k] = vs[k - 1]! + (i % 7) + 1;
    all.push({ labels: Labels.fromObject({ __name__: 'req_total', job: `job${i % 10}`, instance: `i${i}` }), ts, vs });
    all.push({ labels: Labels.fromObject({ __name__: 'up', job: `job${i % 10}`, instance: `i${i}` }), ts, vs: new Float64Array(STEPS).fill(1) });
  }
  return new MemoryQueryable(all);
}

const q = build();
const engine = new Engine();
const end = (STEPS - 1) * STEP;

const QUERIES = [
  'req_total',
  'rate(req_total[5m])',
  'sum by (job) (rate(req_total[5m]))',
  'rate(req_total[5m]) / on (instance) group_left up',
  'topk(5, req_total)',
  'max_over_time(rate(req_total[5m])[30m:1m])',
];

let sink = 0; // consumed results keep the JIT from removing the work

test(`range queries, ${SERIES} series × ${STEPS} steps of ${STEP / 1000}s`, async ({ bench }) => {
  await bench.compare(
    ...QUERIES.map((expr) =>
      bench(expr, () => {
        const r = engine.rangeQuery(q, expr, 0, end, STEP);
        if (r.value.type === 'matrix') sink ^= r.value.v.length;
      }),
    ),
    { time: 1000, iterations: 10, warmupTime: 200, warmupIterations: 2 },
  );
});
