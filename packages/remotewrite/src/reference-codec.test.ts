import { describe, expect, it } from 'vitest';
import { decodeWriteRequestReference, encodeWriteRequest } from './reference-codec.ts';
import { labelField, oneSeriesRequest, sampleField } from './test-proto-writer.ts';
import type { WriteRequestObject } from './types.ts';

describe('reference codec', () => {
  it('round-trips a request with int64 timestamps as plain numbers', () => {
    const req: WriteRequestObject = {
      timeseries: [{
        labels: [{ name: '__name__', value: 'up' }],
        samples: [{ value: 1, timestamp: -1 }, { value: 0.5, timestamp: 2 ** 53 - 1 }],
        exemplars: [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 3, timestamp: 1_700_000_000_123 }],
        histograms: [],
      }],
      metadata: [{ type: 1, metricFamilyName: 'up', help: 'Target is up.', unit: '' }],
    };
    const back = decodeWriteRequestReference(encodeWriteRequest(req));
    expect(back).toEqual(req);
    expect(typeof back.timeseries[0]!.samples[0]!.timestamp).toBe('number');
  });

  it('writes the field numbers of the remote-write spec', () => {
    // Hand-built bytes (TimeSeries=1 {Label=1 {name=1, value=2}, Sample=2 {value=1, timestamp=2}}).
    const buf = oneSeriesRequest([...labelField('job', 'node'), ...sampleField(5, 0x3ff0000000000000n)]);
    const req: WriteRequestObject = { timeseries: [{ labels: [{ name: 'job', value: 'node' }], samples: [{ value: 1, timestamp: 5 }], exemplars: [], histograms: [] }], metadata: [] };
    expect([...encodeWriteRequest(req)]).toEqual([...buf]);
    expect(decodeWriteRequestReference(buf)).toEqual(req);
  });
});
