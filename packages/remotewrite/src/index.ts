// Public API of @tessera/remotewrite: decoding (and, for clients and tests, encoding) of
// Prometheus remote-write 1.0 bodies: snappy block compression around a WriteRequest protobuf.

export { RemoteWriteDecodeError } from './errors.ts';
export type { RemoteWriteDecodeErrorCode } from './errors.ts';
export { HistogramResetHint, MetricType } from './types.ts';
export type {
  BucketSpanObject,
  ExemplarObject,
  HistogramObject,
  LabelObject,
  MetricMetadataObject,
  SampleObject,
  TimeSeriesObject,
  WriteRequestObject,
} from './types.ts';
export { SnappyDecoder, snappyCompress, snappyDecompress } from './snappy.ts';
export { DecodedWriteRequest } from './decoded-write-request.ts';
export { decodeWriteRequest } from './decode.ts';
export { EncodeBuffer, encodeWriteRequestFromDecoded } from './encode-subset.ts';
export { decodeUtf8, labelName, labelValue } from './labels.ts';
export { decodedToObject } from './decoded-to-object.ts';
export { decodeWriteRequestReference, encodeWriteRequest } from './reference-codec.ts';
export { makeNodeExporterSeries } from './testdata.ts';
