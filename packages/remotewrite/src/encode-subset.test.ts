import { describe, expect, it } from 'vitest';
import { DecodedWriteRequest } from './decoded-write-request.ts';
import { decodeWriteRequest } from './decode.ts';
import { EncodeBuffer, encodeWriteRequestFromDecoded } from './encode-subset.ts';
import { decodeWriteRequestReference, encodeWriteRequest } from './reference-codec.ts';
import { bytesField, labelField, sampleField, stringField, varintField } from './test-proto-writer.ts';
import { makeNodeExporterSeries } from './testdata.ts';
import type { TimeSeriesObject, WriteRequestObject } from './types.ts';

function series(labels: Record<string, string>, samples: [number, number][]): TimeSeriesObject {
  return {
    labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
    samples: samples.map(([timestamp, value]) => ({ timestamp, value })),
    exemplars: [],
    histograms: [],
  };
}

function decoded(buf: Uint8Array): DecodedWriteRequest {
  const d = new DecodedWriteRequest();
  decodeWriteRequest(buf, d);
  return d;
}

const STALE_NAN_BITS = 0x7ff0000000000002n;

describe('encodeWriteRequestFromDecoded', () => {
  const request: WriteRequestObject = {
    timeseries: [
      series({ __name__: 'a', job: 'x' }, [[1000, 1], [2000, 2], [3000, 3]]),
      series({ __name__: 'b', instance: 'h:9100', job: 'ü-unicode' }, [[-5, -0.5], [2 ** 53 - 1, 1e300]]),
      series({ __name__: 'c' }, [[1_700_000_000_000, 42]]),
    ],
    metadata: [],
  };

  it('writes the chosen series in the given order, decodable by the reference codec', () => {
    const req = decoded(encodeWriteRequest(request));
    const out = encodeWriteRequestFromDecoded(req, [2, 0], 2, null, new EncodeBuffer());
    expect(decodeWriteRequestReference(out)).toEqual({ timeseries: [request.timeseries[2], request.timeseries[0]], metadata: [] });
  });

  it('keeps only the samples marked ok and drops series left without samples', () => {
    const req = decoded(encodeWriteRequest(request));
    const ok = new Uint8Array(req.sampleTotal).fill(1);
    ok[1] = 0; // a@2000
    ok[3] = 0; // both samples of b
    ok[4] = 0;
    const out = encodeWriteRequestFromDecoded(req, Int32Array.of(0, 1, 2), 3, ok, new EncodeBuffer());
    expect(decodeWriteRequestReference(out).timeseries).toEqual([
      series({ __name__: 'a', job: 'x' }, [[1000, 1], [3000, 3]]),
      request.timeseries[2],
    ]);
  });

  it('copies contiguous label fields byte for byte and keeps NaN payloads and negative timestamps', () => {
    const body = [...labelField('__name__', 'up'), ...labelField('job', 'n'), ...sampleField(-1_000, STALE_NAN_BITS), ...sampleField(7, 0x3ff0000000000000n)];
    const src = new Uint8Array(bytesField(1, body));
    const req = decoded(src);
    const out = encodeWriteRequestFromDecoded(req, [0], 1, null, new EncodeBuffer());
    const back = decoded(out);
    expect(back.labelsContiguous[0]).toBe(1);
    expect([...out.subarray(back.labelsStart[0]!, back.labelsEnd[0]!)]).toEqual([...src.subarray(req.labelsStart[0]!, req.labelsEnd[0]!)]);
    expect(back.timestamps[0]).toBe(-1_000);
    expect(back.valueWords[1]).toBe(0x7ff00000);
    expect(back.valueWords[0]).toBe(2);
    expect(back.values[1]).toBe(1);
    // The whole output equals what protobufjs writes for the same request.
    expect([...out]).toEqual([...src]);
  });

  it('re-frames labels that were interleaved with samples, keeping their raw bytes', () => {
    const body = [...labelField('__name__', 'up'), ...sampleField(5, 0x4000000000000000n), ...labelField('zone', 'é')];
    const req = decoded(new Uint8Array(bytesField(1, body)));
    expect(req.labelsContiguous[0]).toBe(0);
    const out = encodeWriteRequestFromDecoded(req, [0], 1, null, new EncodeBuffer());
    const back = decoded(out);
    expect(back.labelsContiguous[0]).toBe(1);
    expect(decodeWriteRequestReference(out).timeseries).toEqual([series({ __name__: 'up', zone: 'é' }, [[5, 2]])]);
  });

  it('re-frames labels with extra fields or long values the same way the reference decodes them', () => {
    // A label carrying an unknown field 3 (skipped), and a value longer than 127 bytes.
    const long = 'v'.repeat(300);
    const odd = bytesField(1, [...stringField(1, 'a'), ...varintField(3, 9), ...stringField(2, long)]);
    const body = [...odd, ...sampleField(1, 0n), ...labelField('b', 'c')];
    const req = decoded(new Uint8Array(bytesField(1, body)));
    const out = encodeWriteRequestFromDecoded(req, [0], 1, null, new EncodeBuffer());
    expect(decodeWriteRequestReference(out).timeseries).toEqual([series({ a: long, b: 'c' }, [[1, 0]])]);
  });

  it('appends metadata entries after the series', () => {
    const req = decoded(encodeWriteRequest(request));
    const metadata = [
      { type: 1, metricFamilyName: 'a', help: 'Help with ünïcode.', unit: 'seconds' },
      { type: 0, metricFamilyName: 'b', help: '', unit: '' },
    ];
    const out = encodeWriteRequestFromDecoded(req, [1], 1, null, new EncodeBuffer(), metadata);
    expect(decodeWriteRequestReference(out)).toEqual({ timeseries: [request.timeseries[1]], metadata });
  });

  it('grows a small buffer and matches the reference over many realistic series', () => {
    const labelSets = makeNodeExporterSeries(500, 7);
    const big: WriteRequestObject = {
      timeseries: labelSets.map((ls, i) => ({
        labels: ls.map(([name, value]) => ({ name, value })),
        samples: [{ timestamp: 1_700_000_000_000 + i, value: i / 3 }],
        exemplars: [],
        histograms: [],
      })),
      metadata: [],
    };
    const req = decoded(encodeWriteRequest(big));
    const picks = Int32Array.from({ length: 250 }, (_, k) => 2 * k + 1);
    const buf = new EncodeBuffer(16);
    const out = encodeWriteRequestFromDecoded(req, picks, picks.length, null, buf);
    expect(decodeWriteRequestReference(out).timeseries).toEqual([...picks].map((i) => big.timeseries[i]));
    // Reused: the second encode into the same buffer is again correct.
    const again = encodeWriteRequestFromDecoded(req, [0], 1, null, buf);
    expect(decodeWriteRequestReference(again).timeseries).toEqual([big.timeseries[0]]);
  });

  it('encodes nothing for an empty selection', () => {
    const req = decoded(encodeWriteRequest(request));
    expect(encodeWriteRequestFromDecoded(req, [], 0, null, new EncodeBuffer()).length).toBe(0);
  });
});
