/**
 * `api/v1/status/tsdb`: the tenant's cardinality in Prometheus's shape (head stats and the top
 * entries by series count per metric name and per label pair, distinct values and value bytes
 * per label name) — what an operator reads when a tenant nears its series limits.
 *
 * The figures come from every ingester that may hold the tenant. With replication each series is
 * held by `replicationFactor` of them, so series counts and chunk counts are summed and divided
 * by it (exact when every replica holds every series; an estimate while one is catching up) and
 * distinct-value counts take the largest ingester's figure (a lower bound). In the single
 * process (one ingester, factor 1) every figure is exact.
 */
import type { FastifyInstance } from 'fastify';
import { Params, TesseraError, resolveTenant, type TenantResolverConfig } from '@tessera/server';
import { DEFAULT_TSDB_STATUS_LIMIT, top, type TsdbStat, type TsdbStatus } from '@tessera/ingester';
import { routeGetOnly, sendJsonText } from './api-http.ts';

/** Where the status of one ingester comes from: the in-process ingester, or an RPC client. */
export interface TsdbStatusReader {
  tsdbStatus(tenant: string, limit: number): TsdbStatus | Promise<TsdbStatus>;
}

/** Options of {@link registerTsdbStatusApi}. */
export interface TsdbStatusApiConfig extends TenantResolverConfig {
  prefix: string;
  /** Copies of each series among the readers (1 in the single process). */
  replicationFactor: number;
}

/**
 * Merges the statuses of several ingesters (see the file comment). Each ingester's lists are cut
 * at `limit × 4` entries before merging, so an entry just outside one ingester's top list still
 * counts where the others rank it higher.
 */
export function mergeTsdbStatus(parts: readonly TsdbStatus[], replicationFactor: number, limit: number): TsdbStatus {
  const rf = Math.max(1, replicationFactor);
  const div = (n: number): number => Math.round(n / rf);
  const sum = (pick: (s: TsdbStatus) => TsdbStat[]): TsdbStat[] => {
    const m = new Map<string, number>();
    for (const p of parts) for (const st of pick(p)) m.set(st.name, (m.get(st.name) ?? 0) + st.value);
    return top([...m].map(([name, value]) => ({ name, value: div(value) })), limit);
  };
  const max = (pick: (s: TsdbStatus) => TsdbStat[]): TsdbStat[] => {
    const m = new Map<string, number>();
    for (const p of parts) for (const st of pick(p)) m.set(st.name, Math.max(m.get(st.name) ?? 0, st.value));
    return top([...m].map(([name, value]) => ({ name, value })), limit);
  };
  let minTime: number | null = null;
  let maxTime: number | null = null;
  let numSeries = 0;
  let chunkCount = 0;
  let numLabelPairs = 0;
  for (const p of parts) {
    const h = p.headStats;
    numSeries += h.numSeries;
    chunkCount += h.chunkCount;
    numLabelPairs = Math.max(numLabelPairs, h.numLabelPairs);
    if (h.minTime !== null && (minTime === null || h.minTime < minTime)) minTime = h.minTime;
    if (h.maxTime !== null && (maxTime === null || h.maxTime > maxTime)) maxTime = h.maxTime;
  }
  return {
    headStats: { numSeries: div(numSeries), numLabelPairs, chunkCount: div(chunkCount), minTime, maxTime },
    seriesCountByMetricName: sum((s) => s.seriesCountByMetricName),
    labelValueCountByLabelName: max((s) => s.labelValueCountByLabelName),
    memoryInBytesByLabelName: sum((s) => s.memoryInBytesByLabelName),
    seriesCountByLabelValuePair: sum((s) => s.seriesCountByLabelValuePair),
  };
}

/** Prometheus reports an empty head with these bounds (int64 max and min). */
const EMPTY_MIN_TIME = '9223372036854775807';
const EMPTY_MAX_TIME = '-9223372036854775808';

/** The response body; numbers are written as Prometheus writes them. */
export function tsdbStatusJson(s: TsdbStatus): string {
  const h = s.headStats;
  const head =
    `{"numSeries":${h.numSeries},"numLabelPairs":${h.numLabelPairs},"chunkCount":${h.chunkCount},` +
    `"minTime":${h.minTime === null ? EMPTY_MIN_TIME : h.minTime},"maxTime":${h.maxTime === null ? EMPTY_MAX_TIME : h.maxTime}}`;
  const list = (l: TsdbStat[]): string => JSON.stringify(l.map((st) => ({ name: st.name, value: st.value })));
  return (
    `{"status":"success","data":{"headStats":${head},"seriesCountByMetricName":${list(s.seriesCountByMetricName)},` +
    `"labelValueCountByLabelName":${list(s.labelValueCountByLabelName)},"memoryInBytesByLabelName":${list(s.memoryInBytesByLabelName)},` +
    `"seriesCountByLabelValuePair":${list(s.seriesCountByLabelValuePair)}}}`
  );
}

/** Parses `limit`: a positive integer, default 10. */
function parseStatusLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_TSDB_STATUS_LIMIT;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n <= 0) {
    throw new TesseraError('bad_data', 'invalid-parameter', `invalid parameter "limit": must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Registers `GET <prefix>/api/v1/status/tsdb`. */
export function registerTsdbStatusApi(app: FastifyInstance, readers: () => readonly TsdbStatusReader[], cfg: TsdbStatusApiConfig): void {
  const p = cfg.prefix.replace(/\/+$/, '');
  routeGetOnly(app, `${p}/api/v1/status/tsdb`, async (req, reply) => {
    const tenant = resolveTenant(req.headers, cfg);
    const limit = parseStatusLimit(new Params(req).get('limit'));
    const fetchLimit = Math.min(limit * 4, 1_000_000);
    const parts = await Promise.all(readers().map((r) => r.tsdbStatus(tenant, fetchLimit)));
    const merged = mergeTsdbStatus(parts, Math.min(cfg.replicationFactor, parts.length), limit);
    return sendJsonText(reply, tsdbStatusJson(merged));
  });
}
