/**
 * Encoders and decoders of the ingester RPC messages of proto/ingester.proto that carry data:
 * QueryRequest/QueryResponse (the chunks of the query path) and PushResult (the answer to a
 * push). The metadata RPCs are in rpc-codec-labels.ts. Both the ingester (server) and its
 * remote clients (distributor, querier) use these, so the two sides cannot drift apart.
 *
 * Field numbers (see the .proto): LabelMatcher {type=1 enum EQ/NEQ/RE/NRE, name=2, value=3};
 * QueryRequest {start_timestamp_ms=1, end_timestamp_ms=2, matchers=3}; QueryResponse {series=1};
 * Series {labels=1 LabelPair{name=1,value=2}, chunks=2}; Chunk {min_time_ms=1, max_time_ms=2,
 * encoding=3 (XOR=1), data=4}; PushResult {samples_appended=1, samples_duplicate_ignored=2,
 * series_created=3, rejected=4 RejectedCount{reason=1, samples=2}, first_errors=5}.
 */
import { Labels, Matcher, decodeFlatLabels, encodeFlatLabelsInto, flatLabelsMaxByteLength, type MatchType } from '@tessera/model';
import { newAppendResult, type AppendResult, type HeadRejectCode } from '@tessera/tsdb';
import type { ChunkSeries } from './query-chunks.ts';
import { ProtoReader, ProtoWriter, RpcDecodeError } from './rpc-wire.ts';

/** LabelMatcher.Type values by PromQL operator. */
const MATCH_TYPE_CODE: Record<MatchType, number> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };
const MATCH_TYPES: readonly MatchType[] = ['=', '!=', '=~', '!~'];

/** Chunk.Encoding XOR: Prometheus's XOR chunks, 2-byte header included. */
const CHUNK_ENCODING_XOR = 1;

/** Writes `matchers` as repeated LabelMatcher in field `field`. */
export function writeMatchers(w: ProtoWriter, field: number, matchers: readonly Matcher[]): void {
  for (const m of matchers) {
    w.fork(field).uint(1, MATCH_TYPE_CODE[m.type]).string(2, m.name).string(3, m.value).ldelim();
  }
}

/**
 * Reads one LabelMatcher body (the reader is positioned at its first byte, `end` its end) and
 * compiles it. Throws RpcDecodeError for an unknown type, ModelError for an invalid regex.
 */
export function readMatcher(r: ProtoReader, end: number): Matcher {
  let type = 0;
  let name = '';
  let value = '';
  const inner = new ProtoReader(r.buf, r.pos, end);
  while (inner.more()) {
    const tag = inner.tag();
    if (tag === 0x08) type = inner.uvarint();
    else if (tag === 0x12) name = inner.string();
    else if (tag === 0x1a) value = inner.string();
    else inner.skip(tag);
  }
  r.pos = end;
  const op = MATCH_TYPES[type];
  if (op === undefined) throw new RpcDecodeError(`unknown matcher type ${type}`);
  return Matcher.create(op, name, value);
}

/** Encodes a QueryRequest: the series matching every matcher with chunks in [mint, maxt] (ms). */
export function encodeQueryRequest(matchers: readonly Matcher[], mint: number, maxt: number): Uint8Array {
  const w = new ProtoWriter(64 + 32 * matchers.length);
  w.int64(1, mint).int64(2, maxt);
  writeMatchers(w, 3, matchers);
  return w.finish();
}

/** A decoded QueryRequest. */
export interface QueryRequestFields {
  matchers: Matcher[];
  mint: number;
  maxt: number;
}

/** Decodes a QueryRequest. Throws RpcDecodeError (malformed) or ModelError (invalid regex). */
export function decodeQueryRequest(buf: Uint8Array): QueryRequestFields {
  const r = new ProtoReader(buf);
  const out: QueryRequestFields = { matchers: [], mint: 0, maxt: 0 };
  while (r.more()) {
    const tag = r.tag();
    if (tag === 0x08) out.mint = r.int64();
    else if (tag === 0x10) out.maxt = r.int64();
    else if (tag === 0x1a) out.matchers.push(readMatcher(r, r.delimited()));
    else r.skip(tag);
  }
  return out;
}

/** Writes a label set as repeated LabelPair (field 1), the canonical label encoding. */
export function writeLabels(w: ProtoWriter, labels: Labels): void {
  const flat = labels.toFlat();
  w.raw(flatLabelsMaxByteLength(flat), (buf, offset) => encodeFlatLabelsInto(flat, buf, offset));
}

/**
 * Collects the LabelPair fields (field 1) of a message body into a Labels, skipping its other
 * fields. Label fields are usually adjacent and canonical, decoded in one pass; otherwise they
 * are gathered one by one and sorted.
 */
export class LabelFieldCollector {
  #first = -1;
  #last = -1;
  #split = false;
  #extra: string[] | null = null;

  /** Starts a new message. */
  reset(): void {
    this.#first = -1;
    this.#last = -1;
    this.#split = false;
    this.#extra = null;
  }

  /** Notes a label field spanning buf[fieldStart, fieldEnd) (tag included). */
  add(buf: Uint8Array, fieldStart: number, fieldEnd: number): void {
    if (this.#first < 0) {
      this.#first = fieldStart;
    } else if (fieldStart !== this.#last) {
      // Not adjacent to the previous label field: decode the earlier run now, keep going.
      this.#extra ??= [];
      if (!this.#split) this.#extra.push(...decodeFlatLabels(buf, this.#first, this.#last));
      this.#split = true;
      this.#extra.push(...decodeFlatLabels(buf, fieldStart, fieldEnd));
    } else if (this.#split) {
      this.#extra!.push(...decodeFlatLabels(buf, fieldStart, fieldEnd));
    }
    this.#last = fieldEnd;
  }

  /** The labels collected from `buf`. */
  labels(buf: Uint8Array): Labels {
    if (this.#first < 0) return Labels.EMPTY;
    if (!this.#split) return Labels.decode(buf, this.#first, this.#last);
    const flat = this.#extra!;
    const pairs: [string, string][] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
    return Labels.fromPairs(pairs);
  }
}

/** Encodes a QueryResponse from the series the ingester found (sorted by labels). */
export function encodeQueryResponse(series: readonly ChunkSeries[]): Uint8Array {
  let size = 0;
  for (const s of series) for (const c of s.chunks) size += c.data.length + 32;
  const w = new ProtoWriter(Math.max(1024, size + 64 * series.length));
  for (const s of series) {
    w.fork(1);
    writeLabels(w, s.labels);
    for (const c of s.chunks) {
      w.fork(2).int64(1, c.minT).int64(2, c.maxT).uint(3, CHUNK_ENCODING_XOR).bytes(4, c.data).ldelim();
    }
    w.ldelim();
  }
  return w.finish();
}

/**
 * Decodes a QueryResponse. Chunk data are views of `buf` (no copy): keep `buf` unchanged while
 * the result is in use. Throws RpcDecodeError on malformed input or a chunk that is not XOR.
 */
export function decodeQueryResponse(buf: Uint8Array): ChunkSeries[] {
  const r = new ProtoReader(buf);
  const out: ChunkSeries[] = [];
  const labels = new LabelFieldCollector();
  while (r.more()) {
    const tag = r.tag();
    if (tag !== 0x0a) {
      r.skip(tag);
      continue;
    }
    const end = r.delimited();
    const s = new ProtoReader(buf, r.pos, end);
    const series: ChunkSeries = { labels: Labels.EMPTY, chunks: [] };
    labels.reset();
    while (s.more()) {
      const fieldStart = s.pos;
      const t = s.tag();
      if (t === 0x0a) {
        s.pos = s.delimited();
        labels.add(buf, fieldStart, s.pos);
      } else if (t === 0x12) {
        const ce = s.delimited();
        series.chunks.push(readChunk(new ProtoReader(buf, s.pos, ce)));
        s.pos = ce;
      } else {
        s.skip(t);
      }
    }
    series.labels = labelsOrFail(labels, buf);
    out.push(series);
    r.pos = end;
  }
  return out;
}

function labelsOrFail(c: LabelFieldCollector, buf: Uint8Array): Labels {
  try {
    return c.labels(buf);
  } catch (e) {
    throw new RpcDecodeError(`invalid labels: ${(e as Error).message}`);
  }
}

function readChunk(r: ProtoReader): { minT: number; maxT: number; data: Uint8Array } {
  let minT = 0;
  let maxT = 0;
  let encoding = 0;
  let data: Uint8Array = new Uint8Array(0);
  while (r.more()) {
    const tag = r.tag();
    if (tag === 0x08) minT = r.int64();
    else if (tag === 0x10) maxT = r.int64();
    else if (tag === 0x18) encoding = r.uvarint();
    else if (tag === 0x22) data = r.bytes();
    else r.skip(tag);
  }
  if (encoding !== CHUNK_ENCODING_XOR) throw new RpcDecodeError(`unsupported chunk encoding ${encoding}`);
  return { minT, maxT, data };
}

/** The rejection reasons a PushResult can carry that an AppendResult counts. */
const KNOWN_REASONS = new Set<string>(Object.keys(newAppendResult().rejected));

/** Encodes an AppendResult as a PushResult (reasons with a zero count are left out). */
export function encodePushResult(result: AppendResult): Uint8Array {
  const w = new ProtoWriter(64);
  w.uint(1, result.samplesAppended).uint(2, result.samplesDuplicateIgnored).uint(3, result.seriesCreated);
  for (const reason of Object.keys(result.rejected) as HeadRejectCode[]) {
    const n = result.rejected[reason];
    if (n > 0) w.fork(4).string(1, reason).uint(2, n).ldelim();
  }
  for (const msg of result.firstErrors) w.stringAlways(5, msg);
  return w.finish();
}

/**
 * Decodes a PushResult into `out` (replacing its contents; a new AppendResult by default) and
 * returns it. Reasons this version does not know are not counted (their first error message is
 * kept). Throws RpcDecodeError on malformed input.
 */
export function decodePushResult(buf: Uint8Array, out: AppendResult = newAppendResult()): AppendResult {
  out.samplesAppended = 0;
  out.samplesDuplicateIgnored = 0;
  out.seriesCreated = 0;
  for (const k of Object.keys(out.rejected) as HeadRejectCode[]) out.rejected[k] = 0;
  out.firstErrors.length = 0;
  const r = new ProtoReader(buf);
  while (r.more()) {
    const tag = r.tag();
    if (tag === 0x08) out.samplesAppended = r.uvarint();
    else if (tag === 0x10) out.samplesDuplicateIgnored = r.uvarint();
    else if (tag === 0x18) out.seriesCreated = r.uvarint();
    else if (tag === 0x22) {
      const end = r.delimited();
      const inner = new ProtoReader(buf, r.pos, end);
      let reason = '';
      let n = 0;
      while (inner.more()) {
        const t = inner.tag();
        if (t === 0x0a) reason = inner.string();
        else if (t === 0x10) n = inner.uvarint();
        else inner.skip(t);
      }
      if (KNOWN_REASONS.has(reason)) out.rejected[reason as HeadRejectCode] += n;
      r.pos = end;
    } else if (tag === 0x2a) out.firstErrors.push(r.string());
    else r.skip(tag);
  }
  return out;
}
