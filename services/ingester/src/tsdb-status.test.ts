import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Labels } from '@tessera/model';
import { Head, newAppendResult } from '@tessera/tsdb';
import { cleanupTempDirs, tempDir } from './test-support.ts';
import { decodeTsdbStatus, decodeTsdbStatusRequest, encodeTsdbStatus, encodeTsdbStatusRequest, headTsdbStatus } from './tsdb-status.ts';

afterEach(cleanupTempDirs);

function headWith(series: Record<string, string>[], samples = 1): Head {
  const head = Head.open({ walDir: path.join(tempDir(), 'wal'), logger: { info() {}, warn() {} } });
  for (const ls of series) {
    const ts = Array.from({ length: samples }, (_, i) => 1000 + i * 15_000);
    head.appendSamples(Labels.fromObject(ls), ts, Float64Array.from(ts, () => 1), newAppendResult());
  }
  return head;
}

describe('headTsdbStatus', () => {
  it('counts series per metric and label pair, distinct values and value bytes per label, largest first', () => {
    const series: Record<string, string>[] = [];
    for (let i = 0; i < 5; i++) series.push({ __name__: 'http_requests_total', code: i < 3 ? '200' : '500', instance: `host-${i}` });
    series.push({ __name__: 'up', instance: 'host-0' }, { __name__: 'up', instance: 'host-1' });
    const head = headWith(series, 3);
    const s = headTsdbStatus(head, 10);
    expect(s.headStats).toEqual({ numSeries: 7, numLabelPairs: 2 + 2 + 5, chunkCount: 7, minTime: 1000, maxTime: 31_000 });
    expect(s.seriesCountByMetricName).toEqual([
      { name: 'http_requests_total', value: 5 },
      { name: 'up', value: 2 },
    ]);
    expect(s.labelValueCountByLabelName).toEqual([
      { name: 'instance', value: 5 },
      { name: '__name__', value: 2 },
      { name: 'code', value: 2 },
    ]);
    // Value bytes times series: "http_requests_total" (19) × 5 + "up" (2) × 2 = 99.
    expect(s.memoryInBytesByLabelName).toEqual([
      { name: '__name__', value: 99 },
      { name: 'instance', value: 42 },
      { name: 'code', value: 15 },
    ]);
    expect(s.seriesCountByLabelValuePair.slice(0, 3)).toEqual([
      { name: '__name__=http_requests_total', value: 5 },
      { name: 'code=200', value: 3 },
      { name: '__name__=up', value: 2 },
    ]);
    head.close();
  });

  it('cuts every list at the limit and reports an absent head as empty', () => {
    const head = headWith(Array.from({ length: 30 }, (_, i) => ({ __name__: `m${i}` })));
    const s = headTsdbStatus(head, 4);
    expect(s.seriesCountByMetricName).toHaveLength(4);
    expect(s.seriesCountByLabelValuePair).toHaveLength(4);
    expect(headTsdbStatus(undefined, 10).headStats).toEqual({ numSeries: 0, numLabelPairs: 0, chunkCount: 0, minTime: null, maxTime: null });
    head.close();
  });

  it('goes over the RPC wire unchanged', () => {
    const head = headWith([{ __name__: 'a', x: 'é' }, { __name__: 'b', x: '1' }], 2);
    const s = headTsdbStatus(head, 10);
    expect(decodeTsdbStatus(encodeTsdbStatus(s))).toEqual(s);
    const empty = headTsdbStatus(undefined, 10);
    expect(decodeTsdbStatus(encodeTsdbStatus(empty))).toEqual(empty);
    expect(decodeTsdbStatusRequest(encodeTsdbStatusRequest(25))).toBe(25);
    expect(decodeTsdbStatusRequest(new Uint8Array(0))).toBe(10);
    head.close();
  });
});
