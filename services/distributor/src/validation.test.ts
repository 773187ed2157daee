import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateSeriesLabels } from '@tessera/model';
import { DecodedWriteRequest, decodeWriteRequest, encodeWriteRequest } from '@tessera/remotewrite';
import { validateSeriesBytes, validUtf8 } from './validation.ts';

const limits = { maxLabelNamesPerSeries: 6, maxLabelNameLength: 12, maxLabelValueLength: 10 };

function decoded(pairs: [string, string][]): DecodedWriteRequest {
  const buf = encodeWriteRequest({
    timeseries: [
      {
        labels: pairs.map(([name, value]) => ({ name, value })),
        samples: [{ value: 1, timestamp: 1 }],
        exemplars: [],
        histograms: [],
      },
    ],
    metadata: [],
  });
  const out = new DecodedWriteRequest();
  decodeWriteRequest(buf, out);
  return out;
}

// Names from a small alphabet with invalid characters and `__name__`, so every rule is hit often.
const name = fc.oneof(
  fc.constant('__name__'),
  fc.constantFrom('a', 'b', 'job', 'instance', 'A', '_x', 'z9'),
  fc.string({ unit: fc.constantFrom('a', 'b', '_', '1', ':', '-', 'é'), minLength: 1, maxLength: 14 }),
);
const value = fc.oneof(
  fc.constantFrom('up', 'node_cpu', 'x:y', '1bad', 'v'),
  fc.string({ unit: fc.constantFrom('a', 'z', '_', ':', '0', 'é', '日'), minLength: 1, maxLength: 12 }),
);

describe('validateSeriesBytes', () => {
  it('agrees with the model validator on random series (reason and label)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { minLength: 0, maxLength: 8 }), (pairs) => {
        const req = decoded(pairs);
        const fromBytes = validateSeriesBytes(req, 0, limits);
        const flat = pairs.flat();
        const fromStrings = validateSeriesLabels(flat, limits);
        expect(fromBytes).toEqual(fromStrings);
      }),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('accepts a typical node_exporter series and rejects each broken variant with its reason', () => {
    const ok: [string, string][] = [['__name__', 'node_cpu'], ['cpu', '0'], ['job', 'node']];
    expect(validateSeriesBytes(decoded(ok), 0, limits)).toBeNull();
    const cases: [[string, string][], string][] = [
      [[['job', 'node']], 'missing-metric-name'],
      [[['__name__', '1up']], 'metric-name-invalid'],
      [[['__name__', 'up'], ['a-b', 'x']], 'label-invalid'],
      [[['__name__', 'up'], ['job', 'a'], ['job', 'b']], 'duplicate-label-names'],
      [[['__name__', 'up'], ['job', 'a'], ['cpu', 'b']], 'labels-not-sorted'],
      [[['__name__', 'up'], ['abcdefghijklm', 'x']], 'label-name-too-long'],
      [[['__name__', 'up'], ['a', 'abcdefghijk']], 'label-value-too-long'],
      [[['__name__', 'up'], ['a', '1'], ['b', '1'], ['c', '1'], ['d', '1'], ['e', '1'], ['f', '1']], 'max-label-names-per-series'],
    ];
    for (const [pairs, reason] of cases) {
      expect(validateSeriesBytes(decoded(pairs), 0, limits)?.reason, reason).toBe(reason);
    }
  });

  it('rejects label values that are not valid UTF-8', () => {
    const req = decoded([['__name__', 'up'], ['a', 'xx']]);
    // Overwrite the value bytes in place with an invalid sequence (a lone continuation byte).
    req.buf[req.valueStart[1]!] = 0x80;
    expect(validateSeriesBytes(req, 0, limits)?.reason).toBe('label-value-invalid');
  });
});

describe('validUtf8', () => {
  it('agrees with a fatal TextDecoder on random bytes', () => {
    const dec = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (bytes) => {
        let expected = true;
        try {
          dec.decode(bytes);
        } catch {
          expected = false;
        }
        expect(validUtf8(bytes, 0, bytes.length)).toBe(expected);
      }),
      { numRuns: 20000, seed: 7 },
    );
  });
});
