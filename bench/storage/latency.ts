/**
 * Query latency over the same data in the head and in a stored block: the production query
 * runner (evaluating in-thread) over the head as the ingester answers it, and over a BucketStore
 * reading the block from a filesystem bucket (index cached on local disk, chunks by ranged reads).
 * The 24 h mode compares buckets instead: the twelve 2 h blocks vs the compacted 24 h block.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { uploadBlock } from '@tessera/blockstore';
import { queryHeadChunks } from '@tessera/ingester';
import { FilesystemBucket } from '@tessera/objstore';
import { createQueryRunner, type QueryRequest, type QueryRunner } from '@tessera/querier';
import { createLogger } from '@tessera/server';
import { BucketStore } from '@tessera/store-gateway';
import type { Head } from '@tessera/tsdb';
import type { Dataset } from './dataset.ts';
import { BLOCK_RANGE_MS } from './blocks.ts';

/** The tenant whose blocks the latency queries read. */
export const TENANT = 'bench';
const logger = createLogger({ level: 'silent' });

/** One query of the latency comparison. */
export interface LatencyQuery {
  name: string;
  expr: string;
}

/** The dashboard-like queries, over the whole block range at a 60 s step. */
export function latencyQueries(data: Dataset): LatencyQuery[] {
  const instance = data.labels[0]!.find((l) => l[0] === 'instance')![1];
  return [
    { name: 'cpu by mode, all hosts', expr: 'sum by (mode) (rate(node_cpu_seconds_total[5m]))' },
    { name: 'one host memory', expr: `node_memory_MemAvailable_bytes{instance="${instance}"}` },
    { name: 'network rx, all', expr: 'sum(rate(node_network_receive_bytes_total[5m]))' },
    { name: 'series count', expr: 'count({__name__=~"node_.+"})' },
  ];
}

/** Median, and the first (cold) run, of one query on one source, ms. */
export interface LatencyResult {
  name: string;
  headMs: number;
  blockMs: number;
  blockColdMs: number;
}

async function time(runner: QueryRunner, req: QueryRequest): Promise<number> {
  const t = performance.now();
  await runner.run(req, new AbortController().signal);
  return performance.now() - t;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A `query_range` request of `expr` over [startMs, endMs] at `stepMs`, without limits. */
function rangeRequest(expr: string, startMs: number, endMs: number, stepMs: number): QueryRequest {
  return {
    tenant: TENANT,
    expr,
    kind: 'range',
    startMs,
    endMs,
    stepMs,
    timeoutMs: 300_000,
    lookbackDeltaMs: 0,
    stats: false,
    limits: { maxFetchedSeries: 0, maxFetchedChunks: 0, maxSamples: 0 },
  };
}

/** One bucket to query: its blocks are under the tenant {@link TENANT}. */
export interface LatencyBucket {
  name: string;
  bucket: FilesystemBucket;
}

/** Median of `reps` runs (after one cold run, reported apart) of one query on every bucket, ms. */
export interface BucketLatencyResult {
  name: string;
  medianMs: number[];
  coldMs: number[];
}

/**
 * Runs every query over [startMs, endMs] at `stepMs` on a BucketStore of each bucket (its own
 * fresh sync dir, so the first run of each caches the index): one cold run, then `reps` runs,
 * alternating between the buckets so that a change of machine load hits all of them alike.
 */
export async function measureBucketLatency(
  queries: readonly LatencyQuery[],
  buckets: readonly LatencyBucket[],
  range: { startMs: number; endMs: number; stepMs: number },
  reps: number,
): Promise<BucketLatencyResult[]> {
  const work = await mkdtemp(join(tmpdir(), 'bench-storage-lat-'));
  const stores = buckets.map((b, i) => new BucketStore({ syncIntervalMs: 3_600_000, syncDir: join(work, `sync-${i}`), ignoreDeletionMarksDelayMs: 3_600_000 }, { bucket: b.bucket, logger }));
  const runners = stores.map((store) => createQueryRunner({ workers: 0, ingesters: () => [store], logger, registry: new Registry() }));
  const out: BucketLatencyResult[] = [];
  try {
    for (const s of stores) await s.start();
    for (const q of queries) {
      const req = rangeRequest(q.expr, range.startMs, range.endMs, range.stepMs);
      const coldMs: number[] = [];
      for (const r of runners) coldMs.push(await time(r, req));
      const runs = runners.map((): number[] => []);
      for (let i = 0; i < reps; i++) for (let k = 0; k < runners.length; k++) runs[k]!.push(await time(runners[k]!, req));
      out.push({ name: q.name, medianMs: runs.map(median), coldMs });
    }
  } finally {
    for (const r of runners) await r.close();
    for (const s of stores) await s.stop();
    await rm(work, { recursive: true, force: true });
  }
  return out;
}

/** Runs every query `reps` times on the head and on the block (uploaded from `blockDir`). */
export async function measureLatency(data: Dataset, head: Head, blockDir: string, reps: number): Promise<LatencyResult[]> {
  const work = await mkdtemp(join(tmpdir(), 'bench-storage-lat-'));
  const bucket = new FilesystemBucket(join(work, 'bucket'));
  await uploadBlock(bucket, TENANT, blockDir);
  const store = new BucketStore({ syncIntervalMs: 3_600_000, syncDir: join(work, 'sync'), ignoreDeletionMarksDelayMs: 3_600_000 }, { bucket, logger });
  await store.start();
  const headRunner = createQueryRunner({ workers: 0, ingesters: () => [{ queryChunks: (_t, m, mint, maxt) => queryHeadChunks(head, m, mint, maxt) }], logger, registry: new Registry() });
  const blockRunner = createQueryRunner({ workers: 0, ingesters: () => [store], logger, registry: new Registry() });
  const out: LatencyResult[] = [];
  try {
    for (const q of latencyQueries(data)) {
      const req = rangeRequest(q.expr, data.t0 + 5 * 60_000, data.t0 + BLOCK_RANGE_MS - 60_000, 60_000);
      const blockColdMs = await time(blockRunner, req);
      await time(headRunner, req);
      const h: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < reps; i++) {
        h.push(await time(headRunner, req));
        b.push(await time(blockRunner, req));
      }
      out.push({ name: q.name, headMs: median(h), blockMs: median(b), blockColdMs });
    }
  } finally {
    await headRunner.close();
    await blockRunner.close();
    await store.stop();
    await bucket.close();
    await rm(work, { recursive: true, force: true });
  }
  return out;
}
