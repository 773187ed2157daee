/**
 * Test support (not exported from index.ts): a real Ingester over a temporary data directory,
 * remote-write bodies built the way the cluster distributor builds them, and XOR chunk reading.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { XorIterator } from '@tessera/chunkenc';
import {
  DecodedWriteRequest,
  EncodeBuffer,
  decodeWriteRequest,
  encodeWriteRequest,
  encodeWriteRequestFromDecoded,
  type MetricMetadataObject,
  type TimeSeriesObject,
} from '@tessera/remotewrite';
import { createLogger } from '@tessera/server';
import { Ingester } from './ingester.ts';
import type { ChunkSeries } from './query-chunks.ts';

/** A silent logger. */
export const silentLogger = createLogger({ level: 'silent' });

/** Creates a temporary directory; `cleanup` removes every one created. */
export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-ing-'));
  created.push(d);
  return d;
}

const created: string[] = [];

/** Removes the temporary directories. */
export function cleanupTempDirs(): void {
  for (const d of created.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A started Ingester over `dataDir` (a new temporary directory by default). */
export async function startIngester(dataDir = tempDir(), maxSeriesPerUser = 0): Promise<Ingester> {
  const ing = new Ingester(
    { dataDir, blockRangeMs: 2 * 3600_000, retentionMs: 2 ** 40, truncateIntervalMs: 3600_000, walSegmentBytes: 1 << 20, walFsyncIntervalMs: 0 },
    { logger: silentLogger, registry: new Registry(), seriesLimits: () => ({ maxSeriesPerUser, maxSeriesPerMetric: 0 }) },
  );
  await ing.start();
  return ing;
}

/** A series of plain samples `[timestamp, value]`. */
export function ts(labels: Record<string, string>, samples: readonly (readonly [number, number])[]): TimeSeriesObject {
  return {
    labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
    samples: samples.map(([timestamp, value]) => ({ timestamp, value })),
    exemplars: [],
    histograms: [],
  };
}

/**
 * The body of an internal push: the request encoded, decoded with the hot-path decoder, and
 * re-encoded from the decoded form, as the cluster distributor does.
 */
export function pushBody(series: TimeSeriesObject[], metadata: MetricMetadataObject[] = []): Uint8Array {
  const req = new DecodedWriteRequest();
  decodeWriteRequest(encodeWriteRequest({ timeseries: series, metadata: [] }), req);
  const all = Int32Array.from({ length: req.seriesCount }, (_, i) => i);
  return encodeWriteRequestFromDecoded(req, all, all.length, null, new EncodeBuffer(), metadata).slice();
}

/** Every sample of a series' chunks, as [t, v] pairs, trimmed to [mint, maxt]. */
export function samplesOf(s: ChunkSeries, mint = -Infinity, maxt = Infinity): [number, number][] {
  const out: [number, number][] = [];
  const it = new XorIterator();
  for (const c of s.chunks) {
    it.reset(c.data);
    while (it.next()) if (it.t >= mint && it.t <= maxt) out.push([it.t, it.v]);
    if (it.err !== null) throw it.err;
  }
  return out;
}
