import { describe, expect, it } from 'vitest';
import { Labels } from '@tessera/model';
import { Annotations, type Value } from '@tessera/promql';
import { formatTimestamp, formatValue, jsonString, queryResponseBody } from './response-json.ts';

describe('formatValue (Go strconv.FormatFloat as Prometheus uses it)', () => {
  it.each<[number, string]>([
    [1, '1'],
    [-2.5, '-2.5'],
    [0, '0'],
    [-0, '-0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1266464.0146205237, '1266464.0146205237'],
    [1e6, '1000000'],
    [123456789012345680000, '123456789012345680000'],
    [1e21, '1e+21'],
    [-1.5e300, '-1.5e+300'],
    [0.000001, '0.000001'],
    [1e-7, '1e-07'],
    [-1.25e-9, '-1.25e-09'],
    [5e-324, '5e-324'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('%s → %s', (v, s) => {
    expect(formatValue(v)).toBe(s);
  });
});

describe('formatTimestamp (Unix seconds, 3-digit millisecond fraction when non-zero)', () => {
  it.each<[number, string]>([
    [1435781451781, '1435781451.781'],
    [1435781451000, '1435781451'],
    [1500, '1.500'],
    [1050, '1.050'],
    [1005, '1.005'],
    [0, '0'],
    [-1500, '-1.500'],
    [-500, '-0.500'],
  ])('%s → %s', (ms, s) => {
    expect(formatTimestamp(ms)).toBe(s);
  });
});

describe('jsonString', () => {
  it('escapes like Go encoding/json, HTML characters included', () => {
    expect(jsonString('plain')).toBe('"plain"');
    expect(jsonString('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
    expect(jsonString('<a&b>')).toBe('"\\u003ca\\u0026b\\u003e"');
    expect(jsonString('x\u2028y')).toBe('"x\\u2028y"');
    expect(jsonString('ünï')).toBe('"ünï"');
    expect(JSON.parse(jsonString('<\u0001>'))).toBe('<\u0001>');
  });
});

describe('queryResponseBody', () => {
  const l = Labels.fromObject({ __name__: 'up', job: 'a<b' });

  it('writes a vector with labels as an object', () => {
    const v: Value = { type: 'vector', v: [{ metric: l, t: 1435781451781, v: 1 }] };
    expect(queryResponseBody(v, new Annotations(), null)).toBe(
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a\\u003cb"},"value":[1435781451.781,"1"]}]}}',
    );
  });

  it('writes a matrix, leaving out series without points', () => {
    const v: Value = {
      type: 'matrix',
      v: [
        { metric: Labels.EMPTY, ts: [], vs: [] },
        { metric: l, ts: [1000, 2000], vs: [NaN, -Infinity] },
      ],
    };
    expect(queryResponseBody(v, new Annotations(), null)).toBe(
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a\\u003cb"},"values":[[1,"NaN"],[2,"-Inf"]]}]}}',
    );
  });

  it('writes scalars, strings, empty results, warnings and infos (only when present) and stats', () => {
    const a = new Annotations();
    expect(queryResponseBody({ type: 'scalar', t: 2500, v: 0.5 }, a, null)).toBe('{"status":"success","data":{"resultType":"scalar","result":[2.500,"0.5"]}}');
    expect(queryResponseBody({ type: 'string', t: 0, v: 'x"y' }, a, null)).toBe('{"status":"success","data":{"resultType":"string","result":[0,"x\\"y"]}}');
    a.warn('w1');
    a.info('i1');
    a.info('i2');
    const stats = {
      timings: { evalTotalTime: 0.5, resultSortTime: 0, queryPreparationTime: 0.25, innerEvalTime: 0.5, execQueueTime: 0.125, execTotalTime: 1 },
      samples: { totalQueryableSamples: 7, peakSamples: 3 },
    };
    const body = queryResponseBody({ type: 'vector', v: [] }, a, stats);
    expect(body).toBe(
      '{"status":"success","data":{"resultType":"vector","result":[],"stats":{"timings":{"evalTotalTime":0.5,"resultSortTime":0,"queryPreparationTime":0.25,"innerEvalTime":0.5,"execQueueTime":0.125,"execTotalTime":1},"samples":{"totalQueryableSamples":7,"peakSamples":3}}},"warnings":["w1"],"infos":["i1","i2"]}',
    );
    expect(() => JSON.parse(body)).not.toThrow();
  });
});
