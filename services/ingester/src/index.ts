export { Ingester } from './ingester.ts';
export type { IngesterConfig, IngesterDeps, SeriesEntry } from './ingester.ts';
export { MetadataStore } from './metadata.ts';
export type { MetricMetadata } from './metadata.ts';
export { queryHeadChunks } from './query-chunks.ts';
export type { ChunkData, ChunkSeries } from './query-chunks.ts';
