/**
 * Test support for the route tests (not used in production): an in-process fastify app with the
 * whole query API over real per-tenant heads, a metadata store, a pinned clock, captured log
 * lines, and the production query runner evaluating in-thread (or one supplied by the test).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { Labels, type Matcher } from '@tessera/model';
import { Head, newAppendResult } from '@tessera/tsdb';
import { MetadataStore, queryHeadChunks, type ChunkSeries, type MetricMetadata } from '@tessera/ingester';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '@tessera/limits';
import { createHttpServer, createLogger } from '@tessera/server';
import { Querier, type IngesterReader } from './querier.ts';
import type { ChunkReader } from './ingester-queryable.ts';
import { createQueryRunner, type QueryRequest, type QueryResponse, type QueryRunner } from './query-runner.ts';
import { registerQueryRoutes } from './routes.ts';

/** The heads of a test app, one per tenant, readable as an ingester. */
export class TestHeads implements IngesterReader, ChunkReader {
  readonly heads = new Map<string, Head>();
  readonly #dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-routes-'));

  /** Appends samples `[t, v]` of one series for a tenant (the head is created on first use). */
  add(tenant: string, labels: Record<string, string>, samples: readonly (readonly [number, number])[]): void {
    let head = this.heads.get(tenant);
    if (head === undefined) {
      head = Head.open({ walDir: path.join(this.#dir, tenant), logger: { info() {}, warn() {} }, blockRangeMs: 2 ** 40 });
      this.heads.set(tenant, head);
    }
    const result = newAppendResult();
    head.appendSamples(Labels.fromObject(labels), samples.map((s) => s[0]), Float64Array.from(samples.map((s) => s[1])), result);
  }

  series(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Labels[] {
    const head = this.heads.get(tenant);
    if (head === undefined) return [];
    const out = new Map<number, Labels>();
    for (const ms of sets) for (const s of head.select(ms, mint, maxt)) out.set(s.ref, head.labelsOf(s));
    return [...out.values()];
  }

  labelNames(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] {
    return this.heads.get(tenant)?.labelNames(sets, mint, maxt) ?? [];
  }

  labelValues(tenant: string, name: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] {
    return this.heads.get(tenant)?.labelValues(name, sets, mint, maxt) ?? [];
  }

  queryChunks(tenant: string, matchers: readonly Matcher[], mint: number, maxt: number): ChunkSeries[] {
    const head = this.heads.get(tenant);
    return head === undefined ? [] : queryHeadChunks(head, matchers, mint, maxt);
  }

  /** Closes the heads and removes their directory. */
  close(): void {
    for (const h of this.heads.values()) h.close();
    fs.rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** Wraps a runner to record every request it is given. */
function recording(runner: Pick<QueryRunner, 'run'>): Pick<QueryRunner, 'run'> & { requests: QueryRequest[] } {
  const requests: QueryRequest[] = [];
  return {
    requests,
    run: (req: QueryRequest, signal: AbortSignal): Promise<QueryResponse> => {
      requests.push(req);
      return runner.run(req, signal);
    },
  };
}

/** Options of {@link buildTestApp}. */
export interface TestAppOptions {
  /** Limits over Tessera's defaults, for every tenant or per tenant. */
  limits?: Partial<Limits> | ((tenant: string) => Partial<Limits>);
  /** The pinned clock (ms). */
  now?: number;
  /** A runner instead of the production one (evaluating in-thread over the heads). */
  runner?: Pick<QueryRunner, 'run'>;
  slowQueryLogThresholdMs?: number;
  authEnabled?: boolean;
  prefix?: string;
}

/** A running test app. */
export interface TestApp {
  app: FastifyInstance;
  heads: TestHeads;
  metadata: MetadataStore;
  registry: Registry;
  /** Parsed log lines, in order. */
  logs: Record<string, unknown>[];
  /** Every request the runner was given, in order. */
  requests: QueryRequest[];
  close(): Promise<void>;
}

/** Builds the app; call `close()` when done. */
export async function buildTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const heads = new TestHeads();
  const metadata = new MetadataStore();
  const registry = new Registry();
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const app = createHttpServer({ logger, registry, bodyLimitBytes: 1 << 20 });
  const runner = recording(opts.runner ?? createQueryRunner({ workers: 0, ingesters: () => [heads], logger, registry }));
  const limitsOf = (tenant: string): Readonly<Limits> => {
    const o = typeof opts.limits === 'function' ? opts.limits(tenant) : (opts.limits ?? {});
    return resolveLimits(DEFAULT_LIMITS, o);
  };
  registerQueryRoutes(
    app,
    {
      querier: new Querier(() => [heads]),
      runner,
      metadata: () => [{ metadata: (tenant: string, metric?: string): Map<string, MetricMetadata[]> => metadata.get(tenant, metric) }],
      limits: limitsOf,
      registry,
      buildInfo: () => ({ version: '1.2.3', revision: '', branch: '', buildUser: '', buildDate: '', goVersion: 'node' }),
      ...(opts.now === undefined ? {} : { now: () => opts.now! }),
    },
    {
      authEnabled: opts.authEnabled ?? true,
      prefix: opts.prefix ?? '/prometheus',
      ...(opts.slowQueryLogThresholdMs === undefined ? {} : { slowQueryLogThresholdMs: opts.slowQueryLogThresholdMs }),
    },
  );
  await app.ready();
  return {
    app,
    heads,
    metadata,
    registry,
    logs,
    requests: runner.requests,
    close: async () => {
      await app.close();
      heads.close();
    },
  };
}
