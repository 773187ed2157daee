/**
 * Encoders and decoders of the ingester's metadata RPC messages (proto/ingester.proto):
 * label names, label values, series and metric metadata. Used by the ingester's routes and by
 * remote clients alike.
 *
 * Field numbers: MatcherSet {matchers=1}; LabelNamesRequest {start=1, end=2, matcher_sets=3};
 * LabelNamesResponse {names=1}; LabelValuesRequest {name=1, start=2, end=3, matcher_sets=4};
 * LabelValuesResponse {values=1}; SeriesRequest {start=1, end=2, matcher_sets=3};
 * SeriesResponse {series=1 LabelSet{labels=1}}; MetadataRequest {metric=1, limit=2};
 * MetadataResponse {metadata=1 MetricMetadataEntry{metric_family_name=1, type=2, help=3, unit=4}}.
 */
import type { Labels, Matcher } from '@tessera/model';
import type { MetricMetadata } from './metadata.ts';
import { LabelFieldCollector, readMatcher, writeLabels, writeMatchers } from './rpc-codec.ts';
import { ProtoReader, ProtoWriter, RpcDecodeError } from './rpc-wire.ts';

/** Matcher sets and a time range: what the label and series requests select. */
export interface SelectionFields {
  /** A series is selected when it matches every matcher of any set; no sets: every series. */
  sets: Matcher[][];
  mint: number;
  maxt: number;
}

/** A decoded LabelValuesRequest. */
export interface LabelValuesRequestFields extends SelectionFields {
  name: string;
}

/** A decoded MetadataRequest: one metric (non-empty) or all, at most `limit` metrics (0: all). */
export interface MetadataRequestFields {
  metric: string;
  limit: number;
}

function writeSets(w: ProtoWriter, field: number, sets: readonly (readonly Matcher[])[]): void {
  for (const set of sets) {
    w.fork(field);
    writeMatchers(w, 1, set);
    w.ldelim();
  }
}

function readSet(r: ProtoReader, end: number): Matcher[] {
  const inner = new ProtoReader(r.buf, r.pos, end);
  const set: Matcher[] = [];
  while (inner.more()) {
    const tag = inner.tag();
    if (tag === 0x0a) set.push(readMatcher(inner, inner.delimited()));
    else inner.skip(tag);
  }
  r.pos = end;
  return set;
}

/** Encodes a LabelNamesRequest. */
export function encodeLabelNamesRequest(sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Uint8Array {
  const w = new ProtoWriter(128);
  w.int64(1, mint).int64(2, maxt);
  writeSets(w, 3, sets);
  return w.finish();
}

/** Decodes a LabelNamesRequest. Throws RpcDecodeError, or ModelError for an invalid regex. */
export function decodeLabelNamesRequest(buf: Uint8Array): SelectionFields {
  return decodeSelection(buf, 0);
}

/** Encodes a SeriesRequest (same fields as a LabelNamesRequest). */
export function encodeSeriesRequest(sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Uint8Array {
  return encodeLabelNamesRequest(sets, mint, maxt);
}

/** Decodes a SeriesRequest. Throws RpcDecodeError, or ModelError for an invalid regex. */
export function decodeSeriesRequest(buf: Uint8Array): SelectionFields {
  return decodeSelection(buf, 0);
}

/** Encodes a LabelValuesRequest. */
export function encodeLabelValuesRequest(name: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Uint8Array {
  const w = new ProtoWriter(128);
  w.string(1, name).int64(2, mint).int64(3, maxt);
  writeSets(w, 4, sets);
  return w.finish();
}

/** Decodes a LabelValuesRequest. Throws RpcDecodeError, or ModelError for an invalid regex. */
export function decodeLabelValuesRequest(buf: Uint8Array): LabelValuesRequestFields {
  return decodeSelection(buf, 1) as LabelValuesRequestFields;
}

/**
 * Decodes the selection fields; `shift` is 1 when a `name` field 1 comes first (label values),
 * moving start/end/sets to fields 2/3/4.
 */
function decodeSelection(buf: Uint8Array, shift: 0 | 1): SelectionFields & { name?: string } {
  const r = new ProtoReader(buf);
  const out: SelectionFields & { name?: string } = { sets: [], mint: 0, maxt: 0 };
  if (shift === 1) out.name = '';
  const startTag = (1 + shift) * 8;
  const endTag = (2 + shift) * 8;
  const setsTag = (3 + shift) * 8 + 2;
  while (r.more()) {
    const tag = r.tag();
    if (shift === 1 && tag === 0x0a) out.name = r.string();
    else if (tag === startTag) out.mint = r.int64();
    else if (tag === endTag) out.maxt = r.int64();
    else if (tag === setsTag) out.sets.push(readSet(r, r.delimited()));
    else r.skip(tag);
  }
  return out;
}

/** Encodes a LabelNamesResponse or LabelValuesResponse: repeated string field 1. */
export function encodeStringList(values: readonly string[]): Uint8Array {
  const w = new ProtoWriter(64 + 16 * values.length);
  for (const v of values) w.stringAlways(1, v);
  return w.finish();
}

/** Decodes a LabelNamesResponse or LabelValuesResponse. */
export function decodeStringList(buf: Uint8Array): string[] {
  const r = new ProtoReader(buf);
  const out: string[] = [];
  while (r.more()) {
    const tag = r.tag();
    if (tag === 0x0a) out.push(r.string());
    else r.skip(tag);
  }
  return out;
}

/** Encodes a SeriesResponse. */
export function encodeSeriesResponse(series: readonly Labels[]): Uint8Array {
  const w = new ProtoWriter(64 + 128 * series.length);
  for (const ls of series) {
    w.fork(1);
    writeLabels(w, ls);
    w.ldelim();
  }
  return w.finish();
}

/** Decodes a SeriesResponse. */
export function decodeSeriesResponse(buf: Uint8Array): Labels[] {
  const r = new ProtoReader(buf);
  const out: Labels[] = [];
  const labels = new LabelFieldCollector();
  while (r.more()) {
    const tag = r.tag();
    if (tag !== 0x0a) {
      r.skip(tag);
      continue;
    }
    const end = r.delimited();
    const s = new ProtoReader(buf, r.pos, end);
    labels.reset();
    while (s.more()) {
      const fieldStart = s.pos;
      const t = s.tag();
      if (t === 0x0a) {
        s.pos = s.delimited();
        labels.add(buf, fieldStart, s.pos);
      } else s.skip(t);
    }
    try {
      out.push(labels.labels(buf));
    } catch (e) {
      throw new RpcDecodeError(`invalid labels: ${(e as Error).message}`);
    }
    r.pos = end;
  }
  return out;
}

/** Encodes a MetadataRequest (`metric` '' or undefined: every metric; `limit` 0 or undefined: no limit). */
export function encodeMetadataRequest(metric?: string, limit?: number): Uint8Array {
  return new ProtoWriter(32).string(1, metric ?? '').uint(2, limit ?? 0).finish();
}

/** Decodes a MetadataRequest. */
export function decodeMetadataRequest(buf: Uint8Array): MetadataRequestFields {
  const r = new ProtoReader(buf);
  const out: MetadataRequestFields = { metric: '', limit: 0 };
  while (r.more()) {
    const tag = r.tag();
    if (tag === 0x0a) out.metric = r.string();
    else if (tag === 0x10) out.limit = r.uvarint();
    else r.skip(tag);
  }
  return out;
}

/** Encodes a MetadataResponse from the ingester's map of metric name → entries. */
export function encodeMetadataResponse(byMetric: ReadonlyMap<string, readonly MetricMetadata[]>): Uint8Array {
  const w = new ProtoWriter(256);
  for (const [name, entries] of byMetric) {
    for (const e of entries) {
      w.fork(1).string(1, name).string(2, e.type).string(3, e.help).string(4, e.unit).ldelim();
    }
  }
  return w.finish();
}

/** Decodes a MetadataResponse into metric name → entries, in the order received. */
export function decodeMetadataResponse(buf: Uint8Array): Map<string, MetricMetadata[]> {
  const r = new ProtoReader(buf);
  const out = new Map<string, MetricMetadata[]>();
  while (r.more()) {
    const tag = r.tag();
    if (tag !== 0x0a) {
      r.skip(tag);
      continue;
    }
    const end = r.delimited();
    const inner = new ProtoReader(buf, r.pos, end);
    const e: MetricMetadata = { metricFamilyName: '', type: '', help: '', unit: '' };
    while (inner.more()) {
      const t = inner.tag();
      if (t === 0x0a) e.metricFamilyName = inner.string();
      else if (t === 0x12) e.type = inner.string();
      else if (t === 0x1a) e.help = inner.string();
      else if (t === 0x22) e.unit = inner.string();
      else inner.skip(t);
    }
    r.pos = end;
    let list = out.get(e.metricFamilyName);
    if (list === undefined) {
      list = [];
      out.set(e.metricFamilyName, list);
    }
    list.push(e);
  }
  return out;
}
