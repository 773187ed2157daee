export { Querier } from './querier.ts';
export type { IngesterReader } from './querier.ts';
export { registerQueryRoutes, DEFAULT_LOOKBACK_DELTA_MS, DEFAULT_SLOW_QUERY_LOG_THRESHOLD_MS } from './routes.ts';
export type { QueryRoutesConfig, QueryRoutesDeps } from './routes.ts';
export type { MetadataEntry, MetadataReader } from './api-metadata.ts';
export { createQueryRunner, defaultQueryWorkers } from './query-runner.ts';
export type { QueryLimits, QueryRequest, QueryResponse, QueryRunner, QueryRunnerOptions } from './query-runner.ts';
export { IngesterQueryable, mergeChunkSeries } from './ingester-queryable.ts';
export type { ChunkReader, MergedChunkSeries } from './ingester-queryable.ts';
export {
  parseTimeParam,
  parseTime,
  parseTimestamp,
  parseApiDuration,
  parseDurationParam,
  parseMatchParams,
  parseLimitParam,
  parseRange,
  MIN_TIME_MS,
  MAX_TIME_MS,
} from './params.ts';
export { FailureBudget, RemoteIngesterReader, RemoteIngesters } from './remote-ingester.ts';
export type { ReadRing, RemoteIngesterDesc, RemoteIngestersOptions, RemoteResponse, RemoteTransport } from './remote-ingester.ts';
export { mergeTsdbStatus, registerTsdbStatusApi, tsdbStatusJson } from './api-status.ts';
export type { TsdbStatusApiConfig, TsdbStatusReader } from './api-status.ts';
export { registerUserLimitsApi, userLimitsJson } from './api-user-limits.ts';
export { mergeUserStats, registerUserStatsApi } from './api-user-stats.ts';
export type { UserStatsReader } from './api-user-stats.ts';
