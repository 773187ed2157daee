/**
 * The write-ahead log of the TSDB head: segments of CRC-32C-checked records, replay with repair
 * of torn tails, checkpoints, and the series and samples record codecs.
 */
export { crc32c } from './crc32c.ts';
export { ByteReader } from './byte-reader.ts';
export {
  RECORD_HEADER_SIZE,
  MAX_RECORD_PAYLOAD,
  RecordBuffer,
  type RecordWriter,
  type RecordWriterLike,
} from './record-buffer.ts';
export { SegmentReader, type RecordFn, type ScanResult } from './segment-reader.ts';
export {
  MAX_SEGMENT,
  segmentName,
  checkpointName,
  listWalDir,
  listCheckpointFiles,
  removeSegmentFile,
  type WalDirListing,
} from './segment-files.ts';
export { CheckpointWriter, type KeepFn, type CheckpointResult } from './checkpoint.ts';
export { Wal, type WalOptions, type WalStats } from './wal.ts';
export { type WalLogger, type ReplayStats } from './replay.ts';
export {
  RECORD_SERIES,
  RECORD_SAMPLES,
  SeriesRecordEncoder,
  SamplesRecordEncoder,
  decodeSeriesRecord,
  decodeSamplesRecord,
} from './records.ts';
