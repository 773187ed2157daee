/**
 * Blocks in the Prometheus TSDB format: writing a block directory (chunk segments, index v2,
 * tombstones, meta.json), reading one back through ranged reads, and cutting a head's time range
 * into block series.
 */
export { writeBlock } from './block-writer.ts';
export type { BlockChunk, BlockSeries, WriteBlockOptions } from './block-writer.ts';
export { BlockReader } from './block-reader.ts';
export { blockFromHead } from './head-block.ts';
export { BlockError } from './errors.ts';
export type { BlockErrorCode } from './errors.ts';
export { LocalBlockFiles, chunkSegmentName } from './files.ts';
export type { BlockFiles } from './files.ts';
export { IndexReader } from './index-reader.ts';
export type { IndexToc } from './index-format.ts';
export type { ChunkMeta, IndexSeriesEntry } from './series-decoder.ts';
export type { StoredChunk } from './chunks-reader.ts';
export { encodeMeta, parseMeta, META_VERSION } from './meta.ts';
export type { BlockMeta, BlockStats, BlockCompaction, BlockMetaParent, ThanosMeta } from './meta.ts';
export { UlidGenerator, newUlid, isUlid, ulidTime, formatUlid } from './ulid.ts';
