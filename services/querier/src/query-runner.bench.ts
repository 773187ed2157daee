/**
 * The cost of evaluating on a worker thread rather than on the calling thread: the same queries
 * through a 1-worker runner and an in-thread runner, over the test dataset (18 series, 3 h of
 * 15 s scrapes). Run: `npx vitest bench --run services/querier/src/query-runner.bench.ts`.
 */
import { afterAll, test } from 'vitest';
import { Registry } from 'prom-client';
import type { Matcher } from '@tessera/model';
import { createLogger } from '@tessera/server';
import { queryHeadChunks } from '@tessera/ingester';
import { createQueryRunner, type QueryRequest } from './query-runner.ts';
import { closeHeads, loadHead, makeDataset, SPAN_MS, T0, type HeadSet } from './query-test-data.ts';

const set: HeadSet = { heads: [], dirs: [] };
const head = loadHead(set, makeDataset(42));
const reader = { queryChunks: (_t: string, m: readonly Matcher[], a: number, b: number) => queryHeadChunks(head, m, a, b) };
const mk = (workers: number) =>
  createQueryRunner({ workers, ingesters: () => [reader], logger: createLogger({ level: 'silent' }), registry: new Registry() });
const worker = mk(1);
const inThread = mk(0);
afterAll(async () => {
  await worker.close();
  await inThread.close();
  closeHeads(set);
});

const limits = { maxFetchedSeries: 0, maxFetchedChunks: 0, maxSamples: 0 };
const t = T0 + 90 * 60_000;
const small: QueryRequest = { tenant: 't', expr: 'temp', kind: 'instant', startMs: t, endMs: t, stepMs: 0, timeoutMs: 60_000, lookbackDeltaMs: 0, stats: false, limits };
const dashboard: QueryRequest = { ...small, expr: 'sum by (job) (rate(req_total[5m]))', kind: 'range', startMs: T0, endMs: T0 + SPAN_MS, stepMs: 15_000 };
const signal = new AbortController().signal;

const OPTS = { time: 2000, warmupTime: 500, warmupIterations: 20 };

test('small instant query (3 series)', async ({ bench }) => {
  await bench.compare(
    bench('in-thread', async () => {
      await inThread.run(small, signal);
    }),
    bench('worker', async () => {
      await worker.run(small, signal);
    }),
    OPTS,
  );
});

test('3 h range query at 15 s (6 series, 720 steps)', async ({ bench }) => {
  await bench.compare(
    bench('in-thread', async () => {
      await inThread.run(dashboard, signal);
    }),
    bench('worker', async () => {
      await worker.run(dashboard, signal);
    }),
    OPTS,
  );
});
