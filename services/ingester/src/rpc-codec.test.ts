import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { Labels, Matcher } from '@tessera/model';
import { newAppendResult } from '@tessera/tsdb';
import {
  decodePushResult,
  decodeQueryRequest,
  decodeQueryResponse,
  encodePushResult,
  encodeQueryRequest,
  encodeQueryResponse,
} from './rpc-codec.ts';
import {
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
import { ProtoWriter, RpcDecodeError } from './rpc-wire.ts';
import type { ChunkSeries } from './query-chunks.ts';

// The reference: protobufjs reading proto/ingester.proto, so the hand-written codecs are checked
// against the schema itself (field numbers, wire types, int64 handling).
const root = protobuf.loadSync(fileURLToPath(new URL('../../../proto/ingester.proto', import.meta.url)));
const T = (name: string) => root.lookupType(`tessera.ingester.${name}`);
const asObject = (name: string, buf: Uint8Array) => T(name).toObject(T(name).decode(buf), { longs: String, enums: Number, defaults: true, bytes: Array });
const refEncode = (name: string, obj: Record<string, unknown>) => T(name).encode(T(name).fromObject(obj)).finish();

const MAX_TIME_MS = 9223309901257974999; // Prometheus's max time, not a safe integer

describe('QueryRequest', () => {
  const matchers = [Matcher.create('=', '__name__', 'up'), Matcher.create('!=', 'job', ''), Matcher.create('=~', 'instance', 'a.*|ü'), Matcher.create('!~', 'x', 'y')];

  it('encodes the schema fields, readable by the reference decoder', () => {
    const o = asObject('QueryRequest', encodeQueryRequest(matchers, -5_000, 1_700_000_000_000));
    expect(o).toEqual({
      startTimestampMs: '-5000',
      endTimestampMs: '1700000000000',
      matchers: [
        { type: 0, name: '__name__', value: 'up' },
        { type: 1, name: 'job', value: '' },
        { type: 2, name: 'instance', value: 'a.*|ü' },
        { type: 3, name: 'x', value: 'y' },
      ],
    });
  });

  it('decodes what the reference encodes into compiled matchers', () => {
    const buf = refEncode('QueryRequest', { startTimestampMs: 10, endTimestampMs: 20, matchers: [{ type: 2, name: 'a', value: 'b+' }, { name: 'c', value: 'd' }] });
    const q = decodeQueryRequest(buf);
    expect([q.mint, q.maxt]).toEqual([10, 20]);
    expect(q.matchers.map((m) => m.toString())).toEqual(['a=~"b+"', 'c="d"']);
    expect(q.matchers[0]!.matches('bbb')).toBe(true);
  });

  it('clamps open ranges to int64 and round-trips Prometheus min/max times', () => {
    const inf = asObject('QueryRequest', encodeQueryRequest([], -Infinity, Infinity));
    expect([inf.startTimestampMs, inf.endTimestampMs]).toEqual(['-9223372036854775808', '9223372036854775807']);
    const q = decodeQueryRequest(encodeQueryRequest([], -MAX_TIME_MS, MAX_TIME_MS));
    expect([q.mint, q.maxt]).toEqual([-MAX_TIME_MS, MAX_TIME_MS]);
    expect(asObject('QueryRequest', encodeQueryRequest([], 0, MAX_TIME_MS)).endTimestampMs).toBe(BigInt(MAX_TIME_MS).toString());
  });

  it('rejects unknown matcher types and truncated input', () => {
    const bad = refEncode('QueryRequest', { matchers: [{ type: 2, name: 'a', value: 'b' }] });
    // Body: 08 02 (type RE) 12 01 'a' 1a 01 'b': patch the type's value byte.
    expect(bad[bad.length - 8]).toBe(0x08);
    bad[bad.length - 7] = 7;
    expect(() => decodeQueryRequest(bad)).toThrow(RpcDecodeError);
    expect(() => decodeQueryRequest(bad)).toThrow(/unknown matcher type 7/);
    const ok = encodeQueryRequest(matchers, 1, 2);
    expect(() => decodeQueryRequest(ok.subarray(0, ok.length - 1))).toThrow(/malformed RPC message/);
  });
});

describe('QueryResponse', () => {
  const series: ChunkSeries[] = [
    { labels: Labels.fromObject({ __name__: 'a', job: 'x' }), chunks: [{ minT: 0, maxT: 1190, data: Uint8Array.of(0, 1, 2, 3) }, { minT: 1200, maxT: 2390, data: new Uint8Array(300).fill(7) }] },
    { labels: Labels.fromObject({ __name__: 'b', zone: 'é'.repeat(100) }), chunks: [{ minT: -20, maxT: -10, data: Uint8Array.of(9) }] },
  ];

  it('round-trips series, labels and chunks, and matches the reference decoder', () => {
    const buf = encodeQueryResponse(series);
    const back = decodeQueryResponse(buf);
    expect(back.map((s) => s.labels.toString())).toEqual(series.map((s) => s.labels.toString()));
    expect(back.map((s) => s.chunks.map((c) => [c.minT, c.maxT, [...c.data]]))).toEqual(series.map((s) => s.chunks.map((c) => [c.minT, c.maxT, [...c.data]])));
    expect(asObject('QueryResponse', buf)).toEqual({
      series: series.map((s) => ({
        labels: s.labels.names().map((n) => ({ name: n, value: s.labels.get(n) })),
        chunks: s.chunks.map((c) => ({ minTimeMs: String(c.minT), maxTimeMs: String(c.maxT), encoding: 1, data: [...c.data] })),
      })),
    });
  });

  it('decodes the reference encoding, chunk data as views of the response', () => {
    const buf = refEncode('QueryResponse', {
      series: [{ labels: [{ name: '__name__', value: 'm' }], chunks: [{ minTimeMs: 5, maxTimeMs: 6, encoding: 1, data: [1, 2] }] }],
    });
    const [s] = decodeQueryResponse(buf);
    expect(s!.labels.equals(Labels.fromObject({ __name__: 'm' }))).toBe(true);
    expect(s!.chunks[0]!.data.buffer).toBe(buf.buffer);
  });

  it('sorts labels that arrive unsorted or split around chunks', () => {
    const w = new ProtoWriter();
    w.fork(1);
    w.fork(1).string(1, 'z').string(2, '1').ldelim();
    w.fork(2).int64(1, 1).int64(2, 2).uint(3, 1).bytes(4, Uint8Array.of(1)).ldelim();
    w.fork(1).string(1, 'a').string(2, '2').ldelim();
    w.fork(1).string(1, 'm').string(2, '3').ldelim();
    w.ldelim();
    const [s] = decodeQueryResponse(w.finish());
    expect(s!.labels.toFlat()).toEqual(['a', '2', 'm', '3', 'z', '1']);
    expect(s!.chunks).toHaveLength(1);
  });

  it('refuses chunks that are not XOR', () => {
    const buf = refEncode('QueryResponse', { series: [{ labels: [{ name: 'a', value: 'b' }], chunks: [{ encoding: 0, data: [1] }] }] });
    expect(() => decodeQueryResponse(buf)).toThrow(/unsupported chunk encoding 0/);
  });
});

describe('PushResult', () => {
  it('round-trips counts and messages, omitting zero reasons, and matches the schema', () => {
    const r = newAppendResult();
    r.samplesAppended = 1_000_000;
    r.samplesDuplicateIgnored = 3;
    r.seriesCreated = 12;
    r.rejected['sample-out-of-order'] = 5;
    r.rejected['max-series-per-user'] = 200;
    r.firstErrors.push('out of order: m{a="b"} @ 5', 'per-tenant series limit');
    const buf = encodePushResult(r);
    expect(asObject('PushResult', buf)).toEqual({
      samplesAppended: '1000000',
      samplesDuplicateIgnored: '3',
      seriesCreated: '12',
      rejected: [{ reason: 'sample-out-of-order', samples: '5' }, { reason: 'max-series-per-user', samples: '200' }],
      firstErrors: r.firstErrors,
    });
    const into = newAppendResult();
    into.rejected['sample-too-old'] = 9; // stale contents are replaced
    into.firstErrors.push('stale');
    expect(decodePushResult(buf, into)).toEqual(r);
  });

  it('ignores reasons it does not know and decodes an empty result', () => {
    const buf = refEncode('PushResult', { samplesAppended: 2, rejected: [{ reason: 'from-the-future', samples: 4 }], firstErrors: ['new reason'] });
    const r = decodePushResult(buf);
    expect(r.samplesAppended).toBe(2);
    expect(Object.values(r.rejected).every((n) => n === 0)).toBe(true);
    expect(r.firstErrors).toEqual(['new reason']);
    expect(decodePushResult(new Uint8Array(0))).toEqual(newAppendResult());
  });
});

describe('label, series and metadata messages', () => {
  const sets = [[Matcher.create('=', '__name__', 'up')], [Matcher.create('=~', 'job', 'n.*'), Matcher.create('!=', 'x', '')]];
  const text = (q: { sets: Matcher[][] }) => q.sets.map((s) => s.map((m) => m.toString()));

  it('label names and series requests carry matcher sets and the range', () => {
    for (const [enc, dec, name] of [
      [encodeLabelNamesRequest, decodeLabelNamesRequest, 'LabelNamesRequest'],
      [encodeSeriesRequest, decodeSeriesRequest, 'SeriesRequest'],
    ] as const) {
      const buf = enc(sets, 100, 200);
      const q = dec(buf);
      expect([q.mint, q.maxt]).toEqual([100, 200]);
      expect(text(q)).toEqual([['__name__="up"'], ['job=~"n.*"', 'x!=""']]);
      expect(asObject(name, buf).matcherSets).toHaveLength(2);
    }
    expect(decodeLabelNamesRequest(encodeLabelNamesRequest([], 1, 2)).sets).toEqual([]);
  });

  it('label values requests carry the name first', () => {
    const buf = encodeLabelValuesRequest('job', sets.slice(0, 1), -1, 5);
    expect(asObject('LabelValuesRequest', buf)).toMatchObject({ name: 'job', startTimestampMs: '-1', endTimestampMs: '5' });
    const q = decodeLabelValuesRequest(buf);
    expect([q.name, q.mint, q.maxt, text(q)]).toEqual(['job', -1, 5, [['__name__="up"']]]);
    const ref = refEncode('LabelValuesRequest', { name: 'n', startTimestampMs: 3, endTimestampMs: 4 });
    expect(decodeLabelValuesRequest(ref)).toMatchObject({ name: 'n', mint: 3, maxt: 4, sets: [] });
  });

  it('string lists keep order, unicode and empty strings', () => {
    const values = ['', 'a', 'ü', 'x'.repeat(200)];
    const buf = encodeStringList(values);
    expect(decodeStringList(buf)).toEqual(values);
    expect(asObject('LabelValuesResponse', buf).values).toEqual(values);
  });

  it('series responses carry label sets', () => {
    const series = [Labels.fromObject({ __name__: 'a', b: 'c' }), Labels.EMPTY, Labels.fromObject({ x: 'y' })];
    const buf = encodeSeriesResponse(series);
    expect(decodeSeriesResponse(buf).map((l) => l.toString())).toEqual(series.map((l) => l.toString()));
    expect(asObject('SeriesResponse', buf).series[0]).toEqual({ labels: [{ name: '__name__', value: 'a' }, { name: 'b', value: 'c' }] });
  });

  it('metadata requests and responses', () => {
    expect(decodeMetadataRequest(encodeMetadataRequest('up', 3))).toEqual({ metric: 'up', limit: 3 });
    expect(decodeMetadataRequest(encodeMetadataRequest())).toEqual({ metric: '', limit: 0 });
    const byMetric = new Map([
      ['up', [{ metricFamilyName: 'up', type: 'gauge', help: 'Up.', unit: '' }, { metricFamilyName: 'up', type: 'counter', help: 'Other.', unit: 's' }]],
      ['x', [{ metricFamilyName: 'x', type: 'unknown', help: '', unit: '' }]],
    ]);
    const buf = encodeMetadataResponse(byMetric);
    expect(decodeMetadataResponse(buf)).toEqual(byMetric);
    expect(asObject('MetadataResponse', buf).metadata[1]).toEqual({ metricFamilyName: 'up', type: 'counter', help: 'Other.', unit: 's' });
  });
});
