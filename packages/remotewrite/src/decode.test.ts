import { describe, expect, it } from 'vitest';
import { decodeWriteRequest } from './decode.ts';
import { DecodedWriteRequest } from './decoded-write-request.ts';
import { decodedToObject } from './decoded-to-object.ts';
import { RemoteWriteDecodeError } from './errors.ts';
import { labelName, labelValue } from './labels.ts';
import { decodeWriteRequestReference, encodeWriteRequest } from './reference-codec.ts';
import {
  bytesField, doubleField, fixed32Field, fixed64Field, groupField, labelField, oneSeriesRequest,
  sampleField, stringField, tag, varintField,
} from './test-proto-writer.ts';
import type { WriteRequestObject } from './types.ts';

const STALE_NAN = 0x7ff0000000000002n;

function decode(buf: Uint8Array): DecodedWriteRequest {
  const out = new DecodedWriteRequest();
  decodeWriteRequest(buf, out);
  return out;
}

function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (!RemoteWriteDecodeError.is(err)) throw err;
    return err.code;
  }
  throw new Error('expected a RemoteWriteDecodeError');
}

function valueBits(out: DecodedWriteRequest, j: number): bigint {
  return (BigInt(out.valueWords[2 * j + 1]!) << 32n) | BigInt(out.valueWords[2 * j]!);
}

describe('decodeWriteRequest', () => {
  it('keeps the stale-marker NaN payload bit for bit', () => {
    const buf = oneSeriesRequest([...labelField('__name__', 'up'), ...sampleField(1000, STALE_NAN), ...sampleField(2000, 0xfff8000000000001n)]);
    const out = decode(buf);
    expect(out.sampleTotal).toBe(2);
    expect(valueBits(out, 0)).toBe(STALE_NAN);
    expect(valueBits(out, 1)).toBe(0xfff8000000000001n);
    expect(Number.isNaN(out.values[0])).toBe(true);
  });

  it('decodes samples before labels and labels split around samples, marking them non-contiguous', () => {
    const body = [
      ...sampleField(10, 0x3ff0000000000000n), // 1.0
      ...labelField('__name__', 'node_load1'),
      ...sampleField(20, 0x4000000000000000n), // 2.0
      ...labelField('instance', 'h:9100'),
      ...labelField('job', 'node'),
    ];
    const out = decode(oneSeriesRequest(body));
    expect(out.labelsContiguous[0]).toBe(0);
    expect(decodedToObject(out).timeseries[0]).toEqual({
      labels: [{ name: '__name__', value: 'node_load1' }, { name: 'instance', value: 'h:9100' }, { name: 'job', value: 'node' }],
      samples: [{ value: 1, timestamp: 10 }, { value: 2, timestamp: 20 }],
      exemplars: [],
      histograms: [],
    });
    // labelsStart is the first label field's tag, labelsEnd just past the last label field.
    const first = oneSeriesRequest([]).length + sampleField(10, 0n).length;
    expect(out.labelsStart[0]).toBe(first);
    expect(out.labelsEnd[0]).toBe(oneSeriesRequest(body).length);
  });

  it('gives contiguous labels as the exact label-field bytes, even after samples', () => {
    const labels = [...labelField('__name__', 'up'), ...labelField('job', 'node')];
    const buf = oneSeriesRequest([...sampleField(5, 0n), ...labels, ...sampleField(6, 0n)]);
    const out = decode(buf);
    expect(out.labelsContiguous[0]).toBe(1);
    expect([...buf.subarray(out.labelsStart[0], out.labelsEnd[0])]).toEqual(labels);
  });

  it('treats an unknown field between labels as breaking contiguity', () => {
    const buf = oneSeriesRequest([...labelField('a', '1'), ...varintField(9, 1), ...labelField('b', '2')]);
    const out = decode(buf);
    expect(out.labelCount[0]).toBe(2);
    expect(out.labelsContiguous[0]).toBe(0);
  });

  it('applies proto3 defaults for missing fields', () => {
    const body = [
      ...bytesField(1, stringField(2, 'v')), // label without a name
      ...bytesField(1, []), // empty label
      ...bytesField(2, []), // sample with neither value nor timestamp
      ...bytesField(2, doubleField(1, 2.5)), // no timestamp
      ...bytesField(2, varintField(2, 7)), // no value
    ];
    const out = decode(oneSeriesRequest(body));
    expect(decodedToObject(out).timeseries[0]!.labels).toEqual([{ name: '', value: 'v' }, { name: '', value: '' }]);
    expect(decodedToObject(out).timeseries[0]!.samples).toEqual([{ value: 0, timestamp: 0 }, { value: 2.5, timestamp: 0 }, { value: 0, timestamp: 7 }]);
    expect(valueBits(out, 0)).toBe(0n);
  });

  it('lets the last occurrence of a repeated singular field win, like protobufjs', () => {
    const label = bytesField(1, [...stringField(1, 'a'), ...stringField(2, 'x'), ...stringField(1, 'b')]);
    const sample = bytesField(2, [...varintField(2, 1), ...doubleField(1, 1), ...varintField(2, 2)]);
    const buf = oneSeriesRequest([...label, ...sample]);
    expect(decodedToObject(decode(buf))).toEqual(decodeWriteRequestReference(buf));
    expect(decodedToObject(decode(buf)).timeseries[0]!.labels[0]).toEqual({ name: 'b', value: 'x' });
  });

  it('skips unknown fields of every wire type at every level', () => {
    const unknown = [
      ...varintField(15, -1),
      ...fixed64Field(16, 123n),
      ...bytesField(17, [1, 2, 3]),
      ...groupField(18, [...varintField(1, 5), ...groupField(2, stringField(3, 'nested'))]),
      ...fixed32Field(19, 0xdeadbeef),
    ];
    const plain = oneSeriesRequest([...labelField('a', 'b'), ...sampleField(3, 0x4008000000000000n)]);
    const label = bytesField(1, [...unknown, ...stringField(1, 'a'), ...unknown, ...stringField(2, 'b'), ...unknown]);
    const sample = bytesField(2, [...unknown, ...fixed64Field(1, 0x4008000000000000n), ...unknown, ...varintField(2, 3)]);
    const series = bytesField(1, [...unknown, ...label, ...unknown, ...sample, ...unknown]);
    const buf = new Uint8Array([...unknown, ...bytesField(2, [9, 9]), ...series, ...unknown]);
    expect(decodedToObject(decode(buf))).toEqual(decodedToObject(decode(plain)));
    expect(decodedToObject(decode(buf))).toEqual(decodeWriteRequestReference(buf));
  });

  it('accepts non-minimal varints for tags and lengths', () => {
    // Tag 0x0a as 0x8a 0x00 and the label length padded to 3 bytes.
    const inner = [...stringField(1, 'n'), ...stringField(2, 'v')];
    const label = [0x8a, 0x00, (inner.length & 0x7f) | 0x80, 0x80, 0x00, ...inner];
    const out = decode(oneSeriesRequest(label));
    expect(labelName(out, 0)).toBe('n');
    expect(labelValue(out, 0)).toBe('v');
  });

  it('decodes negative and large timestamps and rejects those a number cannot hold', () => {
    const max = 2 ** 53 - 1;
    const buf = oneSeriesRequest([...sampleField(-1, 0n), ...sampleField(-max, 0n), ...sampleField(max, 0n), ...sampleField(-1700000000000, 0n)]);
    expect([...decode(buf).timestamps.subarray(0, 4)]).toEqual([-1, -max, max, -1700000000000]);
    expect(errorCode(() => decode(oneSeriesRequest(sampleField(2n ** 53n, 0n))))).toBe('timestamp-out-of-range');
    expect(errorCode(() => decode(oneSeriesRequest(sampleField(-(2n ** 53n), 0n))))).toBe('timestamp-out-of-range');
    expect(errorCode(() => decode(oneSeriesRequest(sampleField(2n ** 63n - 1n, 0n))))).toBe('timestamp-out-of-range');
  });

  it.each([
    ['label sent as a varint', oneSeriesRequest(varintField(1, 3))],
    ['sample value sent as a varint', oneSeriesRequest(bytesField(2, varintField(1, 3)))],
    ['sample timestamp sent as fixed64', oneSeriesRequest(bytesField(2, fixed64Field(2, 3n)))],
    ['label name sent as fixed32', oneSeriesRequest(bytesField(1, fixed32Field(1, 3)))],
    ['timeseries sent as fixed64', new Uint8Array(fixed64Field(1, 1n))],
    ['field number 0', new Uint8Array([...tag(0, 0), 0])],
    ['wire type 6', new Uint8Array([...tag(5, 6), 0])],
    ['end group without start', new Uint8Array(tag(5, 4))],
    ['mismatched end group', new Uint8Array([...tag(5, 3), ...tag(6, 4)])],
    ['unterminated group', new Uint8Array([...tag(5, 3), ...varintField(1, 1)])],
    ['varint longer than 10 bytes', new Uint8Array([...tag(5, 0), ...new Array(10).fill(0x80), 0])],
    ['length past the end', new Uint8Array([...tag(1, 2), 5, 0x0a])],
    ['label length past its series', oneSeriesRequest([...tag(1, 2), 9, 0x0a, 0x00])],
    ['truncated sample value', oneSeriesRequest(bytesField(2, [0x09, 1, 2, 3]))],
    ['exemplar label given as a varint', oneSeriesRequest(bytesField(3, varintField(1, 1)))],
    ['histogram packed doubles not a multiple of 8', oneSeriesRequest(bytesField(4, bytesField(10, [1, 2, 3])))],
    ['histogram span truncated', oneSeriesRequest(bytesField(4, bytesField(8, [0x08])))],
    ['histogram packed varints truncated', oneSeriesRequest(bytesField(4, bytesField(9, [0x80])))],
    ['histogram schema sent as fixed64', oneSeriesRequest(bytesField(4, fixed64Field(4, 1n)))],
    ['groups nested too deep', new Uint8Array([...new Array(40).fill(tag(5, 3)).flat(), ...new Array(40).fill(tag(5, 4)).flat()])],
  ])('rejects %s as invalid-protobuf', (_name, buf) => {
    expect(errorCode(() => decode(buf))).toBe('invalid-protobuf');
  });

  it('frames and counts exemplars and native histograms, packed or not', () => {
    const exemplar = bytesField(3, [...labelField('trace_id', 'abc'), ...doubleField(2, 1.5), ...varintField(3, 99)]);
    // Unpacked sint64 deltas (zigzag 2 → 1, 3 → -2) and unpacked doubles, which protobufjs never writes.
    const unpacked = bytesField(4, [...varintField(1, 3), ...bytesField(11, [...varintField(1, 0), ...varintField(2, 2)]), ...varintField(12, 2), ...varintField(12, 3), ...varintField(15, 5)]);
    const floats = bytesField(4, [...doubleField(2, 4), ...doubleField(13, 1.5), ...doubleField(13, 2.5), ...varintField(15, 6)]);
    const buf = oneSeriesRequest([...labelField('__name__', 'h'), ...exemplar, ...unpacked, ...floats, ...sampleField(1, 0n)]);
    const out = decode(buf);
    expect([out.exemplarCount[0], out.histogramCount[0], out.exemplarTotal, out.histogramTotal, out.sampleCount[0]]).toEqual([1, 2, 1, 2, 1]);
    const obj = decodedToObject(out);
    expect(obj).toEqual(decodeWriteRequestReference(buf));
    expect(obj.timeseries[0]!.histograms[0]!.positiveDeltas).toEqual([1, -2]);
    expect(obj.timeseries[0]!.histograms[1]!.positiveCounts).toEqual([1.5, 2.5]);
    expect(obj.timeseries[0]!.exemplars[0]!.labels).toEqual([{ name: 'trace_id', value: 'abc' }]);
  });

  it('decodes metadata and rejects invalid UTF-8 in it', () => {
    const req: WriteRequestObject = { timeseries: [], metadata: [{ type: 2, metricFamilyName: 'node_load1', help: '1m load average.', unit: '' }] };
    expect(decode(encodeWriteRequest(req)).metadata).toEqual(req.metadata);
    const bad = new Uint8Array(bytesField(3, bytesField(4, [0xc0, 0x80])));
    expect(errorCode(() => decode(bad))).toBe('invalid-utf8');
  });

  it('reuses its arrays across requests without mixing them up', () => {
    const out = new DecodedWriteRequest();
    const big: WriteRequestObject = {
      timeseries: Array.from({ length: 300 }, (_, i) => ({
        labels: [{ name: '__name__', value: `m${i}` }, { name: 'i', value: String(i) }],
        samples: Array.from({ length: 5 }, (_, s) => ({ value: i + s / 10, timestamp: 1000 * s })),
        exemplars: [],
        histograms: [],
      })),
      metadata: [],
    };
    const small: WriteRequestObject = { timeseries: [{ labels: [{ name: 'x', value: 'y' }], samples: [{ value: 7, timestamp: 8 }], exemplars: [], histograms: [] }], metadata: [] };
    for (const req of [big, small, big]) {
      decodeWriteRequest(encodeWriteRequest(req), out);
      expect(decodedToObject(out)).toEqual(req);
    }
  });

  it('decodes a series with very many samples without sizing the label arrays by it', () => {
    const samples = Array.from({ length: 50_000 }, (_, s) => ({ value: s, timestamp: 1_700_000_000_000 + s }));
    const req: WriteRequestObject = {
      timeseries: [
        { labels: [{ name: '__name__', value: 'a' }], samples, exemplars: [], histograms: [] },
        { labels: Array.from({ length: 3000 }, (_, l) => ({ name: `l${l}`, value: 'v' })), samples: [], exemplars: [], histograms: [] },
      ],
      metadata: [],
    };
    const out = decode(encodeWriteRequest(req));
    expect(decodedToObject(out)).toEqual(req);
    expect(out.nameStart.length).toBeLessThan(8192);
    expect(out.timestamps.length).toBeLessThan(2 * 65536);
  });

  it('rejects every truncation of a valid request with RemoteWriteDecodeError or decodes a prefix of whole series', () => {
    const req: WriteRequestObject = {
      timeseries: [0, 1, 2].map((i) => ({
        labels: [{ name: '__name__', value: 'node_cpu_seconds_total' }, { name: 'cpu', value: String(i) }],
        samples: [{ value: 1.25, timestamp: -5 }, { value: 2, timestamp: 1700000000000 }],
        exemplars: [{ labels: [{ name: 'trace_id', value: 't' }], value: 1, timestamp: 2 }],
        histograms: [{ countInt: 2, sum: 1, schema: 3, zeroThreshold: 0.001, negativeSpans: [], negativeDeltas: [], negativeCounts: [], positiveSpans: [{ offset: -1, length: 2 }], positiveDeltas: [1, 0], positiveCounts: [], resetHint: 0, timestamp: 3 }],
      })),
      metadata: [],
    };
    const buf = encodeWriteRequest(req);
    const seriesLen = buf.length / 3;
    for (let n = 0; n < buf.length; n++) {
      const prefix = buf.subarray(0, n);
      if (n % seriesLen === 0) {
        expect(decode(prefix).seriesCount).toBe(n / seriesLen);
      } else {
        expect(errorCode(() => decode(prefix))).toBe('invalid-protobuf');
      }
    }
  });
});

describe('labelName / labelValue', () => {
  it('decodes ASCII, multi-byte and long strings', () => {
    const long = 'x'.repeat(100);
    const buf = oneSeriesRequest([...labelField('a', 'ünïcödé ✓ 𝄞'), ...labelField(long, ''), ...labelField('abcdefghijklm', 'short')]);
    const out = decode(buf);
    expect([labelName(out, 0), labelValue(out, 0), labelName(out, 1), labelValue(out, 1), labelName(out, 2)]).toEqual(['a', 'ünïcödé ✓ 𝄞', long, '', 'abcdefghijklm']);
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0x61, 0xe2, 0x82]],
  ])('throws invalid-utf8 for %s', (_name, bytes) => {
    const out = decode(oneSeriesRequest(bytesField(1, [...stringField(1, 'ok'), ...bytesField(2, bytes)])));
    expect(labelName(out, 0)).toBe('ok');
    expect(errorCode(() => labelValue(out, 0))).toBe('invalid-utf8');
  });
});
