import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { pino } from 'pino';
import { encodeWriteRequest, snappyCompress } from '@tessera/remotewrite';
import { DEFAULT_LIMITS, resolveLimits } from '@tessera/limits';
import type { AppendBatch, AppendResult, NewSeriesValidator } from '@tessera/tsdb';
import { Distributor, type IngesterClient } from './distributor.ts';

const now = 1_700_000_000_000;

function body(series: [string, string][][]): Uint8Array {
  return snappyCompress(
    encodeWriteRequest({
      timeseries: series.map((labels) => ({
        labels: labels.map(([name, value]) => ({ name, value })),
        samples: [{ value: 1, timestamp: now }],
        exemplars: [],
        histograms: [],
      })),
      metadata: [],
    }),
  );
}

/** An ingester client that records which series reached it, validating new ones if asked. */
class RecordingIngester implements IngesterClient {
  stored: number[] = [];
  validatorCalls = 0;
  readonly validatesNewSeriesOnly: boolean;
  readonly known = new Set<number>();
  constructor(validatesNewSeriesOnly: boolean) {
    this.validatesNewSeriesOnly = validatesNewSeriesOnly;
  }
  push(_t: string, batch: AppendBatch, seriesOk: Uint8Array | null, _s: Uint8Array | null, result: AppendResult, validateNew?: NewSeriesValidator | null): void {
    for (let i = 0; i < batch.seriesCount; i++) {
      if (seriesOk !== null && seriesOk[i] === 0) continue;
      if (!this.known.has(i) && validateNew) {
        this.validatorCalls++;
        if (!validateNew(batch, i)) continue;
      }
      this.known.add(i);
      this.stored.push(i);
      result.samplesAppended++;
    }
  }
  pushMetadata(): void {}
}

function distributor(ing: IngesterClient): Distributor {
  const limits = resolveLimits(DEFAULT_LIMITS);
  return new Distributor({ maxRecvMsgSize: 1 << 20 }, { logger: pino({ level: 'silent' }), registry: new Registry(), limits: () => limits, ingester: ing, now: () => now });
}

const good: [string, string][] = [['__name__', 'up'], ['job', 'a']];
const bad: [string, string][] = [['__name__', 'up'], ['job', 'a'], ['job', 'b']];

describe('Distributor', () => {
  for (const defer of [false, true]) {
    it(`stores the valid series and reports the invalid one (${defer ? 'validation by the in-process ingester' : 'validation up front'})`, async () => {
      const ing = new RecordingIngester(defer);
      const d = distributor(ing);
      const out = await d.push('t', body([good, bad]));
      expect(ing.stored).toEqual([0]);
      expect(out.samplesStored).toBe(1);
      expect(out.discarded).toBe(1);
      expect(out.problems).toHaveLength(1);
      expect(out.problems[0]).toMatch(/duplicate label names \(duplicate-label-names\): up\{job="a", job="b"\}|duplicate-label-names/);
    });
  }

  it('validates a series only until the in-process ingester holds it', () => {
    const ing = new RecordingIngester(true);
    const d = distributor(ing);
    d.push('t', body([good]));
    d.push('t', body([good]));
    expect(ing.validatorCalls).toBe(1);
  });
});
