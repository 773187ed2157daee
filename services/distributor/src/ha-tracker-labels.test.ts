import { describe, expect, it } from 'vitest';
import { Labels } from '@tessera/model';
import { DecodedWriteRequest, decodeWriteRequest, decodedToObject, encodeWriteRequest, type TimeSeriesObject } from '@tessera/remotewrite';
import { batchLabels } from '@tessera/tsdb';
import { haLabelsOfFirstSeries, ReplicaLabelRemover } from './ha-tracker-labels.ts';

/** Deterministic PRNG (LCG) so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

const VALUE_CHARS = ['a', 'z', '0', '-', '_', '.', 'é', '日', '🙂', ' '];

function randomValue(r: () => number): string {
  // Mostly short, sometimes over 127 bytes (two-byte varint lengths), sometimes multi-byte UTF-8.
  const len = r() < 0.1 ? 60 + Math.floor(r() * 80) : 1 + Math.floor(r() * 12);
  let s = '';
  for (let i = 0; i < len; i++) s += VALUE_CHARS[Math.floor(r() * VALUE_CHARS.length)]!;
  return s;
}

function decode(bytes: Uint8Array): DecodedWriteRequest {
  const req = new DecodedWriteRequest();
  decodeWriteRequest(bytes, req);
  return req;
}

function series(pairs: [string, string][], t = 1000, exemplar = false): TimeSeriesObject {
  return {
    labels: pairs.map(([name, value]) => ({ name, value })),
    samples: [
      { value: 1.5, timestamp: t },
      { value: -2, timestamp: t + 15_000 },
    ],
    exemplars: exemplar ? [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 7, timestamp: t }] : [],
    histograms: [],
  };
}

/** The labels of a series written by hand: pairs sorted, the replica label left out. */
function expectedLabels(pairs: [string, string][], drop: string): Labels {
  return Labels.fromPairs(pairs.filter(([n]) => n !== drop));
}

describe('ReplicaLabelRemover', () => {
  it('rewrites random requests exactly as Labels built by hand, samples untouched', () => {
    const r = rng(42);
    const remover = new ReplicaLabelRemover();
    for (let round = 0; round < 30; round++) {
      const all: [string, string][][] = [];
      const n = 1 + Math.floor(r() * 40);
      for (let i = 0; i < n; i++) {
        const pairs: [string, string][] = [['__name__', `metric_${i}`], ['cluster', randomValue(r)], ['job', randomValue(r)]];
        if (r() < 0.8) pairs.push(['__replica__', randomValue(r)]);
        const extra = Math.floor(r() * 4);
        for (let e = 0; e < extra; e++) pairs.push([`l${e}_${Math.floor(r() * 1000)}`, randomValue(r)]);
        // Sorted as senders must send them (duplicate random names are vanishingly unlikely).
        const sorted = Labels.fromPairs(pairs);
        all.push(Array.from({ length: sorted.size }, (_, k) => [sorted.name(k), sorted.value(k)] as [string, string]));
      }
      const src = decode(encodeWriteRequest({ timeseries: all.map((p, i) => series(p, 1000 + i)), metadata: [] }));
      const before = decodedToObject(src);
      const out = remover.remove(src, '__replica__');
      expect(out.seriesCount).toBe(n);
      for (let i = 0; i < n; i++) {
        const want = expectedLabels(all[i]!, '__replica__');
        // Byte for byte the canonical encoding: the head and the ring see the same series as if
        // the sender had never had the label.
        expect(out.labelsContiguous[i]).toBe(1);
        expect(Buffer.from(out.buf.subarray(out.labelsStart[i]!, out.labelsEnd[i]!)).equals(Buffer.from(want.encode()))).toBe(true);
        expect(batchLabels(out, i).toString()).toBe(want.toString());
      }
      const after = decodedToObject(out);
      expect(after.timeseries.map((s) => s.samples)).toEqual(before.timeseries.map((s) => s.samples));
      // The source is untouched.
      expect(decodedToObject(src)).toEqual(before);
    }
  });

  it('reuses its output and buffer from request to request', () => {
    const remover = new ReplicaLabelRemover();
    const a = decode(encodeWriteRequest({ timeseries: [series([['__name__', 'up'], ['__replica__', 'a'], ['cluster', 'c']])], metadata: [] }));
    const out1 = remover.remove(a, '__replica__');
    const buf1 = out1.buf;
    const out2 = remover.remove(a, '__replica__');
    expect(out2).toBe(out1);
    expect(out2.buf).toBe(buf1);
  });

  it('grows for a request larger than any before', () => {
    const remover = new ReplicaLabelRemover();
    const small = decode(encodeWriteRequest({ timeseries: [series([['__name__', 'up'], ['__replica__', 'a']])], metadata: [] }));
    remover.remove(small, '__replica__');
    const big: [string, string][][] = [];
    for (let i = 0; i < 3000; i++) big.push([['__name__', 'm'], ['__replica__', 'b'], ['cluster', 'c'], ['i', String(i).padStart(40, '0')]]);
    const src = decode(encodeWriteRequest({ timeseries: big.map((p) => series(p)), metadata: [] }));
    const out = remover.remove(src, '__replica__');
    for (const i of [0, 1234, 2999]) {
      expect(batchLabels(out, i).toString()).toBe(expectedLabels(big[i]!, '__replica__').toString());
    }
  });

  it('keeps exemplars and native histograms readable (their offsets still point at their bytes)', () => {
    const remover = new ReplicaLabelRemover();
    const src = decode(
      encodeWriteRequest({
        timeseries: [
          series([['__name__', 'a'], ['__replica__', 'r1'], ['cluster', 'c']], 1000, true),
          series([['__name__', 'b'], ['__replica__', 'r1'], ['cluster', 'c']], 2000, true),
        ],
        metadata: [],
      }),
    );
    const before = decodedToObject(src);
    const after = decodedToObject(remover.remove(src, '__replica__'));
    expect(after.timeseries.map((s) => s.exemplars)).toEqual(before.timeseries.map((s) => s.exemplars));
    expect(after.timeseries[1]!.labels).toEqual([{ name: '__name__', value: 'b' }, { name: 'cluster', value: 'c' }]);
  });

  it('writes the canonical form even when the sender did not (field order, extra fields)', () => {
    // One series whose labels are encoded oddly: value before name, an unknown field 3 inside a
    // label, and a two-byte length where one byte would do.
    const str = (tag: number, s: string) => [tag, Buffer.byteLength(s), ...Buffer.from(s)];
    const msg = (tag: number, body: number[]) => [tag, body.length, ...body];
    const labels = [
      msg(0x0a, [...str(0x12, 'up'), ...str(0x0a, '__name__')]),
      msg(0x0a, [...str(0x0a, '__replica__'), ...str(0x12, 'r1'), 0x18, 0x01]),
      [0x0a, 0x8b, 0x00, ...str(0x0a, 'cluster'), 0x12, 0x00], // length 11 in two bytes; empty value written out
      msg(0x0a, [...str(0x0a, 'job'), ...str(0x12, 'node')]),
    ].flat();
    const sample = msg(0x12, [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x01]);
    const bytes = new Uint8Array(msg(0x0a, [...labels, ...sample]));
    const src = decode(bytes);
    expect(src.labelCount[0]).toBe(4);
    expect(src.sampleCount[0]).toBe(1);
    const out = new ReplicaLabelRemover().remove(src, '__replica__');
    // The empty-valued label stays (as no value field, as proto3 writes it); batchLabels drops it.
    const want = new Uint8Array([
      ...msg(0x0a, [...str(0x0a, '__name__'), ...str(0x12, 'up')]),
      ...msg(0x0a, str(0x0a, 'cluster')),
      ...msg(0x0a, [...str(0x0a, 'job'), ...str(0x12, 'node')]),
    ]);
    expect([...out.buf.subarray(out.labelsStart[0]!, out.labelsEnd[0]!)]).toEqual([...want]);
    expect(batchLabels(out, 0).toString()).toBe('up{job="node"}');
    expect(out.values[0]).toBe(1);
  });

  it('drops every occurrence, and handles labels interleaved with samples', () => {
    const str = (tag: number, s: string) => [tag, Buffer.byteLength(s), ...Buffer.from(s)];
    const msg = (tag: number, b: number[]) => [tag, b.length, ...b];
    const label = (n: string, v: string) => msg(0x0a, [...str(0x0a, n), ...str(0x12, v)]);
    const sample = msg(0x12, [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x01]);
    const twice = msg(0x0a, [...label('__name__', 'up'), ...label('__replica__', 'a'), ...label('__replica__', 'b'), ...label('job', 'x'), ...sample]);
    const interleaved = msg(0x0a, [...label('__name__', 'up'), ...sample, ...label('__replica__', 'a'), ...label('job', 'y')]);
    const untouched = msg(0x0a, [...label('__name__', 'up'), ...label('job', 'z'), ...sample]);
    const src = decode(new Uint8Array([...twice, ...interleaved, ...untouched]));
    expect(src.labelsContiguous[1]).toBe(0);
    const out = new ReplicaLabelRemover().remove(src, '__replica__');
    const want = ['up{job="x"}', 'up{job="y"}', 'up{job="z"}'];
    for (let i = 0; i < 3; i++) {
      expect(batchLabels(out, i).toString()).toBe(want[i]);
      expect(out.labelsContiguous[i]).toBe(1);
      const bytes = out.buf.subarray(out.labelsStart[i]!, out.labelsEnd[i]!);
      expect(Buffer.from(bytes).equals(Buffer.from(Labels.fromPairs([['__name__', 'up'], ['job', want[i]!.slice(8, 9)]]).encode()))).toBe(true);
    }
  });
});

describe('haLabelsOfFirstSeries', () => {
  const req = (...s: [string, string][][]) => decode(encodeWriteRequest({ timeseries: s.map((p) => series(p)), metadata: [] }));

  it.each([
    ['both labels', [[['__name__', 'up'], ['__replica__', 'b'], ['cluster', 'prom']]], { cluster: 'prom', replica: 'b' }],
    ['only the cluster label', [[['__name__', 'up'], ['cluster', 'prom']]], null],
    ['only the replica label', [[['__name__', 'up'], ['__replica__', 'b']]], null],
    ['an empty replica value', [[['__name__', 'up'], ['__replica__', ''], ['cluster', 'prom']]], null],
    ['the labels on the second series only', [[['__name__', 'up']], [['__name__', 'up'], ['__replica__', 'b'], ['cluster', 'prom']]], null],
    ['no series', [], null],
  ] as [string, [string, string][][], unknown][])('%s', (_name, s, want) => {
    expect(haLabelsOfFirstSeries(req(...s), 'cluster', '__replica__')).toEqual(want);
  });

  it('uses the configured label names', () => {
    const r = req([['__name__', 'up'], ['dc', 'x'], ['prom', 'p2']]);
    expect(haLabelsOfFirstSeries(r, 'dc', 'prom')).toEqual({ cluster: 'x', replica: 'p2' });
    expect(haLabelsOfFirstSeries(r, 'cluster', '__replica__')).toBeNull();
  });
});
