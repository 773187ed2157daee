/**
 * Test support for the HA tracker tests (not exported from index.ts): remote-write bodies from an
 * HA replica, an ingester client that records what reached storage, and a distributor with an HA
 * tracker over a shared KV store and a fake clock.
 */
import { Registry } from 'prom-client';
import { encodeWriteRequest, snappyCompress, type DecodedWriteRequest } from '@tessera/remotewrite';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '@tessera/limits';
import { MemoryKV, type KVStore } from '@tessera/ring';
import { createLogger } from '@tessera/server';
import { batchLabels, type AppendResult } from '@tessera/tsdb';
import { Distributor, type IngesterClient, type PushOutcome } from './distributor.ts';
import { HaTracker, type HaTrackerConfig } from './ha-tracker.ts';
import { haTrackerStateCodec, type HaTrackerState } from './ha-tracker-state.ts';

/** A silent logger. */
export const silentLogger = createLogger({ level: 'silent' });

/** Start of the fake clock, ms. */
export const T0 = 1_700_000_000_000;

/** Mimir's defaults, without jitter so that tests are exact. */
export const HA_CONFIG: HaTrackerConfig = { updateTimeoutMs: 15_000, updateTimeoutJitterMaxMs: 0, failoverTimeoutMs: 30_000 };

/** A settable clock. */
export class FakeClock {
  ms = T0;
  readonly now = (): number => this.ms;
  /** Moves the clock forward by `s` seconds. */
  advance(s: number): void {
    this.ms += s * 1000;
  }
}

/** The labels an HA Prometheus adds as external labels, plus the series' own. */
export function haSeries(replica: string | null, cluster: string | null, extra: [string, string][] = [['job', 'node']]): [string, string][] {
  const pairs: [string, string][] = [['__name__', 'up'], ...extra];
  if (replica !== null) pairs.push(['__replica__', replica]);
  if (cluster !== null) pairs.push(['cluster', cluster]);
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** A snappy remote-write body: each series gets one sample (t, v). */
export function body(series: [string, string][][], t: number, v = 1): Uint8Array {
  return snappyCompress(
    encodeWriteRequest({
      timeseries: series.map((labels) => ({
        labels: labels.map(([name, value]) => ({ name, value })),
        samples: [{ value: v, timestamp: t }],
        exemplars: [],
        histograms: [],
      })),
      metadata: [],
    }),
  );
}

/** One stored sample as the recording client saw it. */
export interface Recorded {
  labels: string;
  t: number;
  v: number;
}

/** An ingester client that records every accepted sample with its series' labels. */
export class RecordingIngester implements IngesterClient {
  readonly samples: Recorded[] = [];
  push(_tenant: string, batch: DecodedWriteRequest, seriesOk: Uint8Array | null, sampleOk: Uint8Array | null, result: AppendResult): void {
    for (let i = 0; i < batch.seriesCount; i++) {
      if (seriesOk !== null && seriesOk[i] === 0) continue;
      const labels = batchLabels(batch, i).toString();
      const first = batch.sampleFirst[i]!;
      for (let j = first; j < first + batch.sampleCount[i]!; j++) {
        if (sampleOk !== null && sampleOk[j] === 0) continue;
        this.samples.push({ labels, t: batch.timestamps[j]!, v: batch.values[j]! });
        result.samplesAppended++;
      }
    }
  }
  pushMetadata(): void {}
}

/** Per-tenant limits: tenants named `ha…` have HA deduplication on, the others off. */
export function haLimits(overrides: Partial<Limits> = {}): (tenant: string) => Readonly<Limits> {
  const on = resolveLimits(DEFAULT_LIMITS, { acceptHaSamples: true, ...overrides });
  const off = resolveLimits(DEFAULT_LIMITS, overrides);
  return (tenant) => (tenant.startsWith('ha') ? on : off);
}

/** A distributor with an HA tracker, as one process of a cluster sees it. */
export interface HaNode {
  distributor: Distributor;
  tracker: HaTracker;
  ingester: RecordingIngester;
  registry: Registry;
  /** Pushes a body; resolves to the outcome or to the error the HTTP layer would answer with. */
  push(tenant: string, bytes: Uint8Array): Promise<PushOutcome | { error: { status: number; code: string; message: string } }>;
}

/** Builds a distributor + HA tracker over `kv` (a new MemoryKV by default) and `clock`. */
export function haNode(clock: FakeClock, kv: KVStore<HaTrackerState> = new MemoryKV(haTrackerStateCodec), limits = haLimits()): HaNode {
  const registry = new Registry();
  const tracker = new HaTracker(HA_CONFIG, { kv, registry, logger: silentLogger, now: clock.now });
  const ingester = new RecordingIngester();
  const distributor = new Distributor(
    { maxRecvMsgSize: 1 << 20 },
    { logger: silentLogger, registry, limits, ingester, now: clock.now, haTracker: tracker },
  );
  return {
    distributor,
    tracker,
    ingester,
    registry,
    async push(tenant, bytes) {
      try {
        return await distributor.push(tenant, bytes);
      } catch (e) {
        const err = e as { status: number; code: string; message: string };
        return { error: { status: err.status, code: err.code, message: err.message } };
      }
    },
  };
}

/** The HTTP status the push route answers an outcome (or error) with. */
export function statusOf(r: Awaited<ReturnType<HaNode['push']>>): number {
  return 'error' in r ? r.error.status : r.problems.length > 0 ? 400 : 200;
}

/** The value of a counter or gauge with the given labels, 0 when absent. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (m === undefined) return 0;
  const v = (await m.get()).values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}
