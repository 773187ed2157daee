// Property tests: the hot-path decoder against the protobufjs reference on random requests,
// on requests whose fields are interleaved in unusual orders, and on garbage.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeWriteRequest } from './decode.ts';
import { DecodedWriteRequest } from './decoded-write-request.ts';
import { decodedToObject } from './decoded-to-object.ts';
import { RemoteWriteDecodeError } from './errors.ts';
import { labelName, labelValue } from './labels.ts';
import { decodeWriteRequestReference, encodeWriteRequest } from './reference-codec.ts';
import { bytesField } from './test-proto-writer.ts';
import type { HistogramObject, TimeSeriesObject, WriteRequestObject } from './types.ts';

const STALE = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const str = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 10, maxLength: 140 }),
  fc.constant(''),
);
const labelArb = fc.record({ name: str, value: str });
const timestampArb = fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -10_000, max: 10_000 }), fc.constantFrom(0, 1_700_000_000_000, MAX_SAFE, -MAX_SAFE));
const valueArb = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, STALE, Infinity, -Infinity, -0, 0));
const spanArb = fc.record({ offset: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), length: fc.integer({ min: 0, max: 2 ** 32 - 1 }) });
const histogramArb: fc.Arbitrary<HistogramObject> = fc
  .record({
    count: fc.oneof(fc.record({ countInt: fc.maxSafeNat() }), fc.record({ countFloat: fc.double() }), fc.constant({})),
    zero: fc.oneof(fc.record({ zeroCountInt: fc.maxSafeNat() }), fc.record({ zeroCountFloat: fc.double() }), fc.constant({})),
    sum: fc.double(),
    schema: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    zeroThreshold: fc.double(),
    negativeSpans: fc.array(spanArb, { maxLength: 3 }),
    negativeDeltas: fc.array(fc.maxSafeInteger(), { maxLength: 4 }),
    negativeCounts: fc.array(fc.double(), { maxLength: 4 }),
    positiveSpans: fc.array(spanArb, { maxLength: 3 }),
    positiveDeltas: fc.array(fc.maxSafeInteger(), { maxLength: 4 }),
    positiveCounts: fc.array(fc.double(), { maxLength: 4 }),
    resetHint: fc.integer({ min: 0, max: 3 }),
    timestamp: timestampArb,
  })
  .map(({ count, zero, ...rest }) => ({ ...count, ...zero, ...rest }));
const seriesArb: fc.Arbitrary<TimeSeriesObject> = fc.record({
  labels: fc.array(labelArb, { maxLength: 12 }),
  samples: fc.array(fc.record({ value: valueArb, timestamp: timestampArb }), { maxLength: 8 }),
  exemplars: fc.array(fc.record({ labels: fc.array(labelArb, { maxLength: 3 }), value: valueArb, timestamp: timestampArb }), { maxLength: 2 }),
  histograms: fc.array(histogramArb, { maxLength: 2 }),
});
const requestArb: fc.Arbitrary<WriteRequestObject> = fc.record({
  timeseries: fc.array(seriesArb, { maxLength: 8 }),
  metadata: fc.array(fc.record({ type: fc.integer({ min: 0, max: 7 }), metricFamilyName: str, help: str, unit: str }), { maxLength: 3 }),
});

const out = new DecodedWriteRequest();

function hotDecode(buf: Uint8Array): WriteRequestObject {
  decodeWriteRequest(buf, out);
  return decodedToObject(out);
}

/** The bytes of the one TimeSeries-level field that encoding `series` produces. */
function seriesFieldBytes(series: Partial<TimeSeriesObject>): Uint8Array {
  const buf = encodeWriteRequest({ timeseries: [{ labels: [], samples: [], exemplars: [], histograms: [], ...series }], metadata: [] });
  let pos = 1; // skip the WriteRequest.timeseries tag, then its length varint
  while (buf[pos]! >= 0x80) pos++;
  return buf.subarray(pos + 1);
}

describe('decodeWriteRequest (property)', () => {
  it('decodes protobufjs-encoded random requests exactly as the reference codec does', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const buf = encodeWriteRequest(req);
        const ours = hotDecode(buf);
        expect(ours).toEqual(decodeWriteRequestReference(buf));
        // And against the input itself, independently of protobufjs's decoder.
        expect(ours.timeseries.map((s) => [s.labels, s.samples])).toEqual(req.timeseries.map((s) => [s.labels, s.samples]));
        expect(ours.metadata).toEqual(req.metadata);
        expect(out.sampleTotal).toBe(req.timeseries.reduce((n, s) => n + s.samples.length, 0));
        expect(out.exemplarTotal).toBe(req.timeseries.reduce((n, s) => n + s.exemplars.length, 0));
        expect(out.histogramTotal).toBe(req.timeseries.reduce((n, s) => n + s.histograms.length, 0));
      }),
      { numRuns: 400 },
    );
  });

  it('decodes series whose fields come in any interleaving, tracking label contiguity', () => {
    const interleaved = fc.tuple(fc.array(seriesArb, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { minLength: 64, maxLength: 64 }));
    fc.assert(
      fc.property(interleaved, ([series, picks]) => {
        const bodies: number[][] = [];
        const expectContiguous: number[] = [];
        const labelBytes: number[][] = [];
        let pick = 0;
        for (const s of series) {
          // One queue per field kind; a random merge keeps each kind's own order.
          const queues = [
            s.labels.map((l) => ['l', seriesFieldBytes({ labels: [l] })] as const),
            s.samples.map((x) => ['o', seriesFieldBytes({ samples: [x] })] as const),
            s.exemplars.map((x) => ['o', seriesFieldBytes({ exemplars: [x] })] as const),
            s.histograms.map((x) => ['o', seriesFieldBytes({ histograms: [x] })] as const),
          ].filter((q) => q.length > 0);
          const order: string[] = [];
          const body: number[] = [];
          while (queues.length > 0) {
            const qi = picks[pick++ % picks.length]! % queues.length;
            const [kind, bytes] = queues[qi]!.shift()!;
            if (queues[qi]!.length === 0) queues.splice(qi, 1);
            order.push(kind);
            body.push(...bytes);
          }
          const firstLabel = order.indexOf('l');
          const lastLabel = order.lastIndexOf('l');
          expectContiguous.push(firstLabel < 0 || order.slice(firstLabel, lastLabel + 1).every((k) => k === 'l') ? 1 : 0);
          labelBytes.push(s.labels.flatMap((l) => [...seriesFieldBytes({ labels: [l] })]));
          bodies.push(body);
        }
        const buf = new Uint8Array(bodies.flatMap((b) => bytesField(1, b)));
        const ours = hotDecode(buf);
        expect(ours).toEqual(decodeWriteRequestReference(buf));
        expect(ours.timeseries).toEqual(decodeWriteRequestReference(encodeWriteRequest({ timeseries: series, metadata: [] })).timeseries);
        expect([...out.labelsContiguous.subarray(0, series.length)]).toEqual(expectContiguous);
        for (let i = 0; i < series.length; i++) {
          if (out.labelsContiguous[i] === 1) expect([...buf.subarray(out.labelsStart[i], out.labelsEnd[i])]).toEqual(labelBytes[i]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('throws only RemoteWriteDecodeError on garbage and mutated requests, with all offsets inside the body', () => {
    const mutated = fc
      .tuple(requestArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'cut')), { minLength: 1, maxLength: 4 }))
      .map(([req, edits]) => {
        const bytes = [...encodeWriteRequest(req)];
        for (const [at, b, op] of edits) {
          const i = bytes.length === 0 ? 0 : at % bytes.length;
          if (op === 'set' && bytes.length > 0) bytes[i] = b;
          else if (op === 'insert') bytes.splice(i, 0, b);
          else bytes.length = i;
        }
        return new Uint8Array(bytes);
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated), (buf) => {
        try {
          decodeWriteRequest(buf, out);
          for (let k = 0; k < out.labelTotal; k++) {
            expect(0 <= out.nameStart[k]! && out.nameStart[k]! <= out.nameEnd[k]! && out.nameEnd[k]! <= buf.length).toBe(true);
            expect(0 <= out.valueStart[k]! && out.valueStart[k]! <= out.valueEnd[k]! && out.valueEnd[k]! <= buf.length).toBe(true);
            labelName(out, k);
            labelValue(out, k);
          }
          for (let i = 0; i < out.seriesCount; i++) {
            expect(0 <= out.labelsStart[i]! && out.labelsStart[i]! <= out.labelsEnd[i]! && out.labelsEnd[i]! <= buf.length).toBe(true);
          }
          expect(Number.isSafeInteger(out.timestamps.subarray(0, out.sampleTotal).reduce((a, t) => Math.max(a, Math.abs(t)), 0))).toBe(true);
        } catch (err) {
          if (!RemoteWriteDecodeError.is(err)) throw err;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
