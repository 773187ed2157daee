// The reference codec: protobufjs driven by proto/remote.proto, loaded at run time.
// It builds objects for every field and is several times slower than the hand-written scanner
// in decode.ts, so it serves tests, benchmarks and clients only, never the ingest hot path.

import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type * as ProtobufJs from 'protobufjs';
import type { Type, IConversionOptions } from 'protobufjs';
import type { ExemplarObject, HistogramObject, WriteRequestObject } from './types.ts';

/** Path of the schema: the module lives in packages/remotewrite/src, the schema in /proto. */
const PROTO_PATH = fileURLToPath(new URL('../../../proto/remote.proto', import.meta.url));

/** int64 → number (via Long), enums → numbers, absent scalars → proto3 defaults, arrays always present. */
const TO_OBJECT: IConversionOptions = { longs: Number, enums: Number, defaults: true, arrays: true };

interface ReferenceTypes {
  writeRequest: Type;
  exemplar: Type;
  histogram: Type;
}

let types: ReferenceTypes | undefined;

/** Loads the schema on first use, so importing the package costs no file I/O. */
function referenceTypes(): ReferenceTypes {
  if (types === undefined) {
    // protobufjs is loaded on first use: the server's hot path never needs it (~7 MiB resident).
    const protobuf = createRequire(import.meta.url)('protobufjs') as typeof ProtobufJs;
    const root = protobuf.loadSync(PROTO_PATH);
    types = {
      writeRequest: root.lookupType('prometheus.WriteRequest'),
      exemplar: root.lookupType('prometheus.Exemplar'),
      histogram: root.lookupType('prometheus.Histogram'),
    };
  }
  return types;
}

/**
 * Decodes an uncompressed WriteRequest with protobufjs into plain objects.
 *
 * The reference against which the hot-path decoder is tested. Throws protobufjs's own errors
 * on malformed input.
 */
export function decodeWriteRequestReference(buf: Uint8Array): WriteRequestObject {
  const t = referenceTypes().writeRequest;
  return t.toObject(t.decode(buf), TO_OBJECT) as WriteRequestObject;
}

/**
 * Encodes a WriteRequest to protobuf bytes (not snappy-compressed) with protobufjs.
 *
 * For clients, tests and benchmarks. Missing optional members take proto3 defaults.
 */
export function encodeWriteRequest(req: WriteRequestObject): Uint8Array {
  const t = referenceTypes().writeRequest;
  return t.encode(t.fromObject(req)).finish();
}

/** Decodes one Exemplar message body (the bytes inside its length prefix) with protobufjs. */
export function decodeExemplarReference(body: Uint8Array): ExemplarObject {
  const t = referenceTypes().exemplar;
  return t.toObject(t.decode(body), TO_OBJECT) as ExemplarObject;
}

/** Decodes one Histogram message body (the bytes inside its length prefix) with protobufjs. */
export function decodeHistogramReference(body: Uint8Array): HistogramObject {
  const t = referenceTypes().histogram;
  return t.toObject(t.decode(body), TO_OBJECT) as HistogramObject;
}
