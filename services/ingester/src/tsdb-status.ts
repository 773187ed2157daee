/**
 * TSDB status: the cardinality figures of one tenant's head, as Prometheus's
 * `GET /api/v1/status/tsdb` reports them — head stats and the top entries by series count per
 * metric name, distinct values per label name, value bytes per label name and series per
 * label pair — with the wire codec of the ingester RPC `tsdb_status` that carries them to a
 * querier in the cluster mode.
 *
 * The figures follow Prometheus's definitions: `memoryInBytesByLabelName` sums, over the
 * label's values, the value's length in bytes times the number of series holding it.
 */
import type { Head } from '@tessera/tsdb';
import { ProtoReader, ProtoWriter, RpcDecodeError } from './rpc-wire.ts';

/** One entry of a top list. */
export interface TsdbStat {
  name: string;
  value: number;
}

/** Head figures. Times are ms; null when the head holds no sample. */
export interface TsdbHeadStats {
  numSeries: number;
  numLabelPairs: number;
  chunkCount: number;
  minTime: number | null;
  maxTime: number | null;
}

/** The tenant's TSDB status (the `data` of `status/tsdb`, with head times in ms). */
export interface TsdbStatus {
  headStats: TsdbHeadStats;
  seriesCountByMetricName: TsdbStat[];
  labelValueCountByLabelName: TsdbStat[];
  memoryInBytesByLabelName: TsdbStat[];
  seriesCountByLabelValuePair: TsdbStat[];
}

/** Prometheus's default number of entries per top list. */
export const DEFAULT_TSDB_STATUS_LIMIT = 10;

const utf8 = new TextEncoder();

/** The status of `head` (an empty status for none), each list cut to its `limit` largest entries. */
export function headTsdbStatus(head: Head | undefined, limit: number): TsdbStatus {
  const byMetric: TsdbStat[] = [];
  const valueCounts: TsdbStat[] = [];
  const valueBytes: TsdbStat[] = [];
  const pairs: TsdbStat[] = [];
  let numLabelPairs = 0;
  let chunkCount = 0;
  if (head === undefined) return finish(emptyHead(), byMetric, valueCounts, valueBytes, pairs, limit);
  const postings = head.state.postings;
  for (const name of postings.labelNames()) {
    if (name === '') continue; // the all-series key, not a label
    let distinct = 0;
    let bytes = 0;
    for (const value of postings.labelValues(name)) {
      const series = postings.get(name, value).length;
      if (series === 0) continue;
      distinct++;
      numLabelPairs++;
      bytes += utf8.encode(value).length * series;
      pairs.push({ name: `${name}=${value}`, value: series });
      if (name === '__name__') byMetric.push({ name: value, value: series });
    }
    if (distinct === 0) continue;
    valueCounts.push({ name, value: distinct });
    valueBytes.push({ name, value: bytes });
  }
  for (const s of head.state.liveSeries()) chunkCount += s.chunkCount();
  const st = head.state;
  const stats: TsdbHeadStats = {
    numSeries: head.numSeries,
    numLabelPairs,
    chunkCount,
    minTime: Number.isFinite(st.minT) ? st.minT : null,
    maxTime: Number.isFinite(st.maxT) ? st.maxT : null,
  };
  return finish(stats, byMetric, valueCounts, valueBytes, pairs, limit);
}

function emptyHead(): TsdbHeadStats {
  return { numSeries: 0, numLabelPairs: 0, chunkCount: 0, minTime: null, maxTime: null };
}

function finish(headStats: TsdbHeadStats, a: TsdbStat[], b: TsdbStat[], c: TsdbStat[], d: TsdbStat[], limit: number): TsdbStatus {
  return {
    headStats,
    seriesCountByMetricName: top(a, limit),
    labelValueCountByLabelName: top(b, limit),
    memoryInBytesByLabelName: top(c, limit),
    seriesCountByLabelValuePair: top(d, limit),
  };
}

/** The `limit` largest entries, largest first; ties by name so that answers are stable. */
export function top(stats: TsdbStat[], limit: number): TsdbStat[] {
  stats.sort((x, y) => y.value - x.value || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return limit > 0 && stats.length > limit ? stats.slice(0, limit) : stats;
}

// ---- wire codec (ingester RPC `tsdb_status`) ----
//
// TsdbStatusRequest  { uint64 limit = 1; }
// TsdbStatusResponse { uint64 num_series = 1; uint64 num_label_pairs = 2; uint64 chunk_count = 3;
//                      bytes min_time = 4; bytes max_time = 5;  (float64 LE, absent when null)
//                      repeated Stat series_by_metric = 6; repeated Stat value_count_by_name = 7;
//                      repeated Stat bytes_by_name = 8; repeated Stat series_by_pair = 9; }
// Stat               { string name = 1; uint64 value = 2; }

/** Encodes the request of `tsdb_status`. */
export function encodeTsdbStatusRequest(limit: number): Uint8Array {
  return new ProtoWriter(16).uint(1, limit).finish();
}

/** Decodes the request of `tsdb_status`: the list limit. */
export function decodeTsdbStatusRequest(buf: Uint8Array): number {
  const r = new ProtoReader(buf);
  let limit = DEFAULT_TSDB_STATUS_LIMIT;
  while (r.more()) {
    const tag = r.tag();
    if (tag === 0x08) limit = r.uvarint();
    else r.skip(tag);
  }
  return limit;
}

function f64(v: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, v, true);
  return out;
}

/** Encodes the response of `tsdb_status`. */
export function encodeTsdbStatus(s: TsdbStatus): Uint8Array {
  const w = new ProtoWriter(1024);
  const h = s.headStats;
  w.uint(1, h.numSeries).uint(2, h.numLabelPairs).uint(3, h.chunkCount);
  if (h.minTime !== null) w.bytes(4, f64(h.minTime));
  if (h.maxTime !== null) w.bytes(5, f64(h.maxTime));
  const lists = [s.seriesCountByMetricName, s.labelValueCountByLabelName, s.memoryInBytesByLabelName, s.seriesCountByLabelValuePair];
  lists.forEach((list, i) => {
    for (const st of list) w.fork(6 + i).stringAlways(1, st.name).uint(2, st.value).ldelim();
  });
  return w.finish();
}

/** Decodes the response of `tsdb_status`. */
export function decodeTsdbStatus(buf: Uint8Array): TsdbStatus {
  const r = new ProtoReader(buf);
  const out = finish(emptyHead(), [], [], [], [], 0);
  const lists = [out.seriesCountByMetricName, out.labelValueCountByLabelName, out.memoryInBytesByLabelName, out.seriesCountByLabelValuePair];
  while (r.more()) {
    const tag = r.tag();
    const field = tag >>> 3;
    if (tag === 0x08) out.headStats.numSeries = r.uvarint();
    else if (tag === 0x10) out.headStats.numLabelPairs = r.uvarint();
    else if (tag === 0x18) out.headStats.chunkCount = r.uvarint();
    else if (tag === 0x22 || tag === 0x2a) {
      const b = r.bytes();
      if (b.length !== 8) throw new RpcDecodeError(`TsdbStatusResponse: time field of ${b.length} bytes`);
      const v = new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
      if (tag === 0x22) out.headStats.minTime = v;
      else out.headStats.maxTime = v;
    } else if (field >= 6 && field <= 9 && (tag & 7) === 2) {
      const end = r.delimited();
      const sub = new ProtoReader(buf, r.pos, end);
      const st: TsdbStat = { name: '', value: 0 };
      while (sub.more()) {
        const t = sub.tag();
        if (t === 0x0a) st.name = sub.string();
        else if (t === 0x10) st.value = sub.uvarint();
        else sub.skip(t);
      }
      r.pos = end;
      lists[field - 6]!.push(st);
    } else r.skip(tag);
  }
  return out;
}
