import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { Labels, Matcher } from '@tessera/model';
import { DecodedWriteRequest, decodeWriteRequest } from '@tessera/remotewrite';
import { newAppendResult } from '@tessera/tsdb';
import { Ingester } from './ingester.ts';
import { cleanupTempDirs, pushBody, samplesOf, silentLogger, tempDir, ts } from './test-support.ts';

afterEach(() => cleanupTempDirs());

describe('ingester heads spill completed chunks to <tenant>/chunks_head', () => {
  it('writes them there, reads them back, reports where the bytes are, and starts empty after a restart', async () => {
    const dataDir = tempDir();
    const registry = new Registry();
    const cfg = { dataDir, blockRangeMs: 2 * 3600_000, retentionMs: 2 ** 40, truncateIntervalMs: 3600_000, walSegmentBytes: 1 << 20, walFsyncIntervalMs: 0 };
    const deps = { logger: silentLogger, registry, seriesLimits: () => ({ maxSeriesPerUser: 0, maxSeriesPerMetric: 0 }) };
    let ing = new Ingester(cfg, deps);
    await ing.start();
    const req = new DecodedWriteRequest();
    decodeWriteRequest(pushBody([ts({ __name__: 'up' }, [[0, 1]])]), req);
    ing.push('team-a', req, null, null, newAppendResult());
    // Bulk data straight into the tenant's head: 1000 series × 360 noisy samples (~3 MiB of chunks).
    const head = ing.head('team-a')!;
    const tsArr = Float64Array.from({ length: 360 }, (_, i) => (i + 1) * 15_000);
    // In rounds of 120 samples: a series far ahead of the others would make their samples too old.
    for (let from = 0; from < 360; from += 120) {
      for (let s = 0; s < 1000; s++) {
        const vs = Float64Array.from({ length: 120 }, (_, i) => Math.sin(s * 7 + from + i) * 1e6);
        head.appendSamples(Labels.fromObject({ __name__: 'm', i: String(s) }), tsArr.subarray(from, from + 120), vs, newAppendResult());
      }
    }
    await head.chunksSettled();
    const dir = path.join(dataDir, 'tsdb', 'team-a', 'chunks_head');
    expect(fs.readdirSync(dir).length).toBeGreaterThan(0);

    const metric = await registry.getSingleMetric('tessera_ingester_head_chunk_bytes')!.get();
    const byLocation = Object.fromEntries(metric.values.map((v) => [v.labels.location, v.value]));
    expect(byLocation.disk).toBeGreaterThan(500_000);
    expect(byLocation.memory).toBeLessThan(1 << 20);

    const one = ing.queryChunks('team-a', [Matcher.create('=', 'i', '123')], 0, Infinity);
    expect(samplesOf(one[0]!)).toEqual(Array.from(tsArr, (t, i) => [t, Math.sin(123 * 7 + i) * 1e6]));

    await ing.stop();
    fs.writeFileSync(path.join(dir, 'stale'), 'x');
    ing = new Ingester(cfg, { ...deps, registry: new Registry() });
    await ing.start();
    expect(fs.readdirSync(dir)).not.toContain('stale');
    // The replay rebuilt the chunks; the old files were removed before it.
    const again = ing.queryChunks('team-a', [Matcher.create('=', 'i', '123')], 0, Infinity);
    expect(samplesOf(again[0]!)).toEqual(samplesOf(one[0]!));
    await ing.stop();
  });
});
