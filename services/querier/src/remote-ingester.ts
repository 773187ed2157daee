/**
 * The querier's view of remote ingesters (cluster mode): readers that answer the query path
 * (`ChunkReader`), the series and label endpoints (`IngesterReader`) and the metadata endpoint
 * (`MetadataReader`) through each ingester's internal RPC (see
 * services/ingester/src/rpc-routes.ts for the contract).
 *
 * Which ingesters, and how many may fail: every call of {@link RemoteIngesters.readers} (one per
 * API request or query) takes the ring's read set, `allHealthy('read')`: every ACTIVE or LEAVING
 * ingester that heartbeats, with `maxErrors` (RF − quorum, less the token owners that cannot be
 * read now). The readers of one call share a failure budget: an ingester that does not answer
 * (network error, timeout, non-200 status) contributes an empty answer as long as at most
 * `maxErrors` distinct ingesters failed; one more and every pending read of that request fails
 * with 503 (`too-many-ingesters-failed`). With RF=3 a series lives on three ingesters, so with at
 * most one of them missing every series still comes from at least one replica; the merge
 * (mergeChunkSeries, de-duplication by timestamp) makes the answer whole.
 */
import { Counter, type Registry } from 'prom-client';
import type { Labels, Matcher } from '@tessera/model';
import { TesseraError, type Logger } from '@tessera/server';
import {
  INGESTER_RPC_PATHS,
  decodeMetadataResponse,
  decodeQueryResponse,
  decodeSeriesResponse,
  decodeStringList,
  decodeTsdbStatus,
  decodeUserStats,
  encodeLabelNamesRequest,
  encodeLabelValuesRequest,
  encodeMetadataRequest,
  encodeQueryRequest,
  encodeSeriesRequest,
  encodeTsdbStatusRequest,
  headTsdbStatus,
  type ChunkSeries,
  type TsdbStatus,
  type UserStats,
  type MetricMetadata,
} from '@tessera/ingester';
import type { ChunkReader } from './ingester-queryable.ts';
import type { IngesterReader } from './querier.ts';
import type { MetadataReader } from './api-metadata.ts';
import type { TsdbStatusReader } from './api-status.ts';
import type { UserStatsReader } from './api-user-stats.ts';

/** An ingester as the ring describes it. */
export interface RemoteIngesterDesc {
  readonly id: string;
  /** `host:port` of its HTTP server. */
  readonly addr: string;
}

/** The part of the ring the querier reads (a `Ring` of @tessera/ring). */
export interface ReadRing {
  /** Every ingester that may hold data, and how many of them may fail; throws `unavailable`. */
  allHealthy(op: 'read'): { readonly instances: readonly RemoteIngesterDesc[]; readonly maxErrors: number };
}

/** One answer of an internal RPC. */
export interface RemoteResponse {
  status: number;
  body: Uint8Array;
}

/** How the readers reach an ingester (the distributor's `IngesterPool` fits). */
export interface RemoteTransport {
  /** POSTs `body` to `path` at `addr` as `tenant`; rejects on a network failure or after `timeoutMs`. */
  post(addr: string, path: string, tenant: string, body: Uint8Array, timeoutMs: number): Promise<RemoteResponse>;
}

/** Options of {@link RemoteIngesters}. */
export interface RemoteIngestersOptions {
  ring: ReadRing;
  transport: RemoteTransport;
  /** How long one RPC may take for `tenant`, ms (its query timeout). */
  timeoutMs: (tenant: string) => number;
  logger: Logger;
  registry: Registry;
}

/** The failure tolerance shared by the readers of one request. */
export class FailureBudget {
  readonly maxErrors: number;
  /** Failed ingesters (id → message), in the order they failed. */
  readonly failed = new Map<string, string>();

  constructor(maxErrors: number) {
    this.maxErrors = maxErrors;
  }

  /** Records a failure; throws once more ingesters failed than tolerated. */
  fail(inst: RemoteIngesterDesc, message: string): void {
    if (!this.failed.has(inst.id)) this.failed.set(inst.id, `${inst.id}: ${message}`);
    if (this.failed.size > this.maxErrors) {
      throw new TesseraError(
        'unavailable',
        'too-many-ingesters-failed',
        `${this.failed.size} ingesters failed to answer, at most ${this.maxErrors} may: ${[...this.failed.values()].slice(0, 3).join('; ')}`,
      );
    }
  }
}

/** At most one warning per ingester in this period. */
const FAILURE_LOG_INTERVAL_MS = 10_000;

/** The remote ingesters of a cluster, as readers for the querier; see the file comment. */
export class RemoteIngesters {
  readonly #opts: RemoteIngestersOptions;
  readonly #log: Logger;
  readonly #lastLogged = new Map<string, number>();
  readonly #failures: Counter<'path'>;

  constructor(opts: RemoteIngestersOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'remote-ingesters' });
    this.#failures = new Counter({
      name: 'tessera_querier_ingester_read_failures_total',
      help: 'Reads from an ingester that failed (no answer, timeout or an error status), tolerated or not.',
      labelNames: ['path'] as const,
      registers: [opts.registry],
    });
    for (const path of Object.values(INGESTER_RPC_PATHS)) if (path !== INGESTER_RPC_PATHS.push) this.#failures.inc({ path }, 0);
  }

  /**
   * Readers for one request: one per readable ingester, sharing one failure budget. Throws
   * `unavailable` when the ring cannot serve reads (empty, or too many instances unhealthy).
   */
  readers(): RemoteIngesterReader[] {
    const set = this.#opts.ring.allHealthy('read');
    const budget = new FailureBudget(set.maxErrors);
    return set.instances.map((inst) => new RemoteIngesterReader(inst, budget, this));
  }

  /** Sends one RPC; a failure is charged to `budget` and answers null when tolerated. */
  async call(inst: RemoteIngesterDesc, budget: FailureBudget, path: string, tenant: string, body: Uint8Array): Promise<Uint8Array | null> {
    let message: string;
    try {
      const res = await this.#opts.transport.post(inst.addr, path, tenant, body, this.#opts.timeoutMs(tenant));
      if (res.status === 200) return res.body;
      message = `ingester ${inst.addr} answered HTTP ${res.status}: ${Buffer.from(res.body.buffer, res.body.byteOffset, Math.min(res.body.length, 300)).toString('utf8').trim()}`;
    } catch (e) {
      message = e instanceof Error ? e.message : String(e);
    }
    this.#failures.inc({ path });
    const now = Date.now();
    if (now - (this.#lastLogged.get(inst.id) ?? 0) >= FAILURE_LOG_INTERVAL_MS) {
      this.#lastLogged.set(inst.id, now);
      this.#log.warn({ ingester: inst.id, addr: inst.addr, path, error: message }, 'read from ingester failed');
    }
    budget.fail(inst, message);
    return null;
  }
}

/** One remote ingester, for one request. */
export class RemoteIngesterReader implements ChunkReader, IngesterReader, MetadataReader, TsdbStatusReader, UserStatsReader {
  readonly inst: RemoteIngesterDesc;
  readonly #budget: FailureBudget;
  readonly #pool: RemoteIngesters;

  constructor(inst: RemoteIngesterDesc, budget: FailureBudget, pool: RemoteIngesters) {
    this.inst = inst;
    this.#budget = budget;
    this.#pool = pool;
  }

  async #call<T>(path: string, tenant: string, body: Uint8Array, decode: (b: Uint8Array) => T, empty: T): Promise<T> {
    const res = await this.#pool.call(this.inst, this.#budget, path, tenant, body);
    if (res === null) return empty;
    try {
      return decode(res);
    } catch (e) {
      // A garbled answer counts like no answer.
      this.#budget.fail(this.inst, `ingester ${this.inst.addr} sent an invalid answer: ${(e as Error).message}`);
      return empty;
    }
  }

  /** {@inheritDoc ChunkReader.queryChunks} */
  queryChunks(tenant: string, matchers: readonly Matcher[], mint: number, maxt: number): Promise<ChunkSeries[]> {
    return this.#call(INGESTER_RPC_PATHS.queryChunks, tenant, encodeQueryRequest(matchers, mint, maxt), decodeQueryResponse, []);
  }

  /** {@inheritDoc IngesterReader.series} */
  series(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Promise<Labels[]> {
    return this.#call(INGESTER_RPC_PATHS.series, tenant, encodeSeriesRequest(sets, mint, maxt), decodeSeriesResponse, []);
  }

  /** {@inheritDoc IngesterReader.labelNames} */
  labelNames(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Promise<string[]> {
    return this.#call(INGESTER_RPC_PATHS.labelNames, tenant, encodeLabelNamesRequest(sets, mint, maxt), decodeStringList, []);
  }

  /** {@inheritDoc IngesterReader.labelValues} */
  labelValues(tenant: string, name: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Promise<string[]> {
    return this.#call(INGESTER_RPC_PATHS.labelValues, tenant, encodeLabelValuesRequest(name, sets, mint, maxt), decodeStringList, []);
  }

  /** {@inheritDoc MetadataReader.metadata} */
  metadata(tenant: string, metric?: string): Promise<Map<string, MetricMetadata[]>> {
    return this.#call(INGESTER_RPC_PATHS.metadata, tenant, encodeMetadataRequest(metric, 0), decodeMetadataResponse, new Map());
  }

  /** {@inheritDoc TsdbStatusReader.tsdbStatus} */
  tsdbStatus(tenant: string, limit: number): Promise<TsdbStatus> {
    return this.#call(INGESTER_RPC_PATHS.tsdbStatus, tenant, encodeTsdbStatusRequest(limit), decodeTsdbStatus, headTsdbStatus(undefined, 0));
  }

  /** {@inheritDoc UserStatsReader.userStats} */
  userStats(tenant: string): Promise<UserStats> {
    return this.#call(INGESTER_RPC_PATHS.userStats, tenant, new Uint8Array(0), decodeUserStats, { numSeries: 0, ingestionRate: 0 });
  }
}
