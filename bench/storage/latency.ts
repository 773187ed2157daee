/**
 * Query latency over the same data in the head and in a stored block: the production query
 * runner (evaluating in-thread) over the head as the ingester answers it, and over a BucketStore
 * reading the block from a filesystem bucket (index cached on local disk, chunks by ranged reads).
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

const TENANT = 'bench';
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
      const req: QueryRequest = {
        tenant: TENANT,
        expr: q.expr,
        kind: 'range',
        startMs: data.t0 + 5 * 60_000,
        endMs: data.t0 + BLOCK_RANGE_MS - 60_000,
        stepMs: 60_000,
        timeoutMs: 300_000,
        lookbackDeltaMs: 0,
        stats: false,
        limits: { maxFetchedSeries: 0, maxFetchedChunks: 0, maxSamples: 0 },
      };
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
