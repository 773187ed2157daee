export { Ingester } from './ingester.ts';
export type { IngesterConfig, IngesterDeps, SeriesEntry } from './ingester.ts';
export { MetadataStore } from './metadata.ts';
export type { MetricMetadata } from './metadata.ts';
export { queryHeadChunks } from './query-chunks.ts';
export type { ChunkData, ChunkSeries } from './query-chunks.ts';
export {
  INGESTER_RPC_PATHS,
  INTERNAL_TOKEN_HEADER,
  RPC_CONTENT_TYPE,
  RPC_TENANT_HEADER,
  internalTokenChecker,
  registerIngesterRpcRoutes,
} from './rpc-routes.ts';
export type { IngesterRpcOptions } from './rpc-routes.ts';
export {
  decodePushResult,
  decodeQueryRequest,
  decodeQueryResponse,
  encodePushResult,
  encodeQueryRequest,
  encodeQueryResponse,
} from './rpc-codec.ts';
export type { QueryRequestFields } from './rpc-codec.ts';
export {
  decodeLabelNamesRequest,
  decodeLabelValuesRequest,
  decodeMetadataRequest,
  decodeMetadataResponse,
  decodeSeriesRequest,
  decodeSeriesResponse,
  decodeStringList,
  encodeLabelNamesRequest,
  encodeLabelValuesRequest,
  encodeMetadataRequest,
  encodeMetadataResponse,
  encodeSeriesRequest,
  encodeSeriesResponse,
  encodeStringList,
} from './rpc-codec-labels.ts';
export type { LabelValuesRequestFields, MetadataRequestFields, SelectionFields } from './rpc-codec-labels.ts';
export { RpcDecodeError } from './rpc-wire.ts';
export { IngesterLifecycle } from './lifecycle.ts';
export type { IngesterLifecycleDeps, LifecycleIngester } from './lifecycle.ts';
export { escapeHtml, formatAge, registerRingPage, renderRingPage, ringPageJson } from './ring-page.ts';
export type { RingPageInstanceJson, RingPageJson, RingPageOptions } from './ring-page.ts';
export { DEFAULT_TSDB_STATUS_LIMIT, decodeTsdbStatus, decodeTsdbStatusRequest, encodeTsdbStatus, encodeTsdbStatusRequest, headTsdbStatus, top } from './tsdb-status.ts';
export type { TsdbHeadStats, TsdbStat, TsdbStatus } from './tsdb-status.ts';
export { ingesterStorageOptions, flushConfigFromOptions } from './options.ts';
export type { FlushConfig, IngesterStorageOptionValues } from './options.ts';
export { BlockFlusher } from './block-flusher.ts';
export type { BlockFlusherConfig, BlockFlusherDeps } from './block-flusher.ts';
export { nextCutRange, flushRanges, cutBlock } from './block-cut.ts';
export type { TimeRange } from './block-cut.ts';
export { SHIPPER_FILE, readShipperFile } from './shipper-file.ts';
export { IngestionRates } from './ingestion-rate.ts';
export { decodeUserStats, encodeUserStats } from './user-stats.ts';
export type { UserStats } from './user-stats.ts';
