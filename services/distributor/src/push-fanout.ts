/**
 * The distributor's ingester client in the cluster mode: replicates every accepted series to the
 * ingesters that own it in the ring and waits for a quorum.
 *
 * Per request, synchronously (the decode buffers are reused as soon as `push` returns):
 * 1. every series with an accepted sample gets its ring token (`tokenForSeries(tenant, label
 *    bytes)`: the labels exactly as received, which is the canonical encoding whenever the sender
 *    marshals as Prometheus does) and its write replication set;
 * 2. series are grouped per ingester, and each group is re-encoded as one WriteRequest (label
 *    bytes and sample values copied, never decoded).
 * Then the groups are POSTed in parallel to `/internal/ingester/push`. A series succeeds once
 * `minSuccess` of its set accepted it, and fails once more than `maxErrors` did not (no answer in
 * `-distributor.remote-timeout`, a network error, or a status other than 200). The request
 * resolves as soon as every series succeeded, without waiting for slower replicas, and rejects
 * (503, kind `unavailable`: senders retry) as soon as one series failed.
 *
 * Rejections of data (out of order, series limits, …) are results, not failures: each replica
 * reports its own in a PushResult, and the merged result counts each rejected sample once (the
 * replicas' counts divided by the mean number of replicas that answered; exact when replicas agree).
 */
import { Counter, type Registry } from 'prom-client';
import { EncodeBuffer, encodeWriteRequestFromDecoded, DecodedWriteRequest, MetricType, type MetricMetadataObject } from '@tessera/remotewrite';
import { TesseraError, type Logger } from '@tessera/server';
import { batchLabels, newAppendResult, type AppendResult, type HeadRejectCode } from '@tessera/tsdb';
import { decodePushResult, type MetricMetadata } from '@tessera/ingester';
import type { InstanceDesc, ReplicationSet, RingOperation } from '@tessera/ring';
import type { IngesterClient } from './distributor.ts';
import type { IngesterTransport } from './ingester-pool.ts';

/** Path of the ingester's push RPC. */
export const INGESTER_PUSH_PATH = '/internal/ingester/push';

/** The part of the ring the fan-out reads (a `Ring` of @tessera/ring). */
export interface WriteRing {
  replicationSetForToken(token: number, op: RingOperation): ReplicationSet;
  allHealthy(op: RingOperation): ReplicationSet;
  tokenForSeries(tenant: string, labelBytes: Uint8Array, start: number, end: number): number;
}

/** Configuration of a {@link PushFanout}. */
export interface PushFanoutConfig {
  /** How long to wait for one ingester's answer (`-distributor.remote-timeout`), ms. */
  remoteTimeoutMs: number;
}

/** What a {@link PushFanout} needs besides its config. */
export interface PushFanoutDeps {
  ring: WriteRing;
  transport: IngesterTransport;
  logger: Logger;
  registry: Registry;
}

/** The series of one request bound for one ingester. */
interface Group {
  inst: InstanceDesc;
  series: Int32Array;
  count: number;
  /** Accepted samples in those series. */
  samples: number;
}

/** An encoded request body and how many requests in flight send it. */
interface Body {
  buf: EncodeBuffer;
  bytes: Uint8Array;
  users: number;
}

/** Quorum bookkeeping of one request, per series index. */
interface Tracker {
  successes: Uint8Array;
  failures: Uint8Array;
  minSuccess: Uint8Array;
  maxErrors: Uint8Array;
  /** Series still short of their quorum. */
  pending: number;
  /** Series that can no longer reach it. */
  failed: number;
  /** Accepted samples over all series (each counted once). */
  samples: number;
  /** Samples in the groups that answered 200 (each counted once per replica). */
  replicaSamples: number;
  /** Sums of the PushResults that arrived. */
  sum: AppendResult;
  /** First message of each reason met, in arrival order. */
  firstErrors: Map<string, string>;
  errors: string[];
}

const METRIC_TYPES: Record<string, number> = {
  unknown: MetricType.UNKNOWN,
  counter: MetricType.COUNTER,
  gauge: MetricType.GAUGE,
  histogram: MetricType.HISTOGRAM,
  gaugehistogram: MetricType.GAUGEHISTOGRAM,
  summary: MetricType.SUMMARY,
  info: MetricType.INFO,
  stateset: MetricType.STATESET,
};

/** At most one warning per ingester in this period, however many pushes fail. */
const FAILURE_LOG_INTERVAL_MS = 10_000;
/** Free encode buffers kept for reuse. */
const MAX_POOLED_BUFFERS = 64;
const EMPTY_REQUEST = new DecodedWriteRequest();

/** Replicates pushes to the ingesters of the ring; see the file comment. */
export class PushFanout implements IngesterClient {
  /** The ingesters answer asynchronously. */
  readonly async = true;
  /** Remote ingesters cannot call back into the distributor: it validates every series. */
  readonly validatesNewSeriesOnly = false;
  readonly #cfg: PushFanoutConfig;
  readonly #deps: PushFanoutDeps;
  readonly #log: Logger;
  readonly #buffers: EncodeBuffer[] = [];
  readonly #lastLogged = new Map<string, number>();
  readonly #failures: Counter<'reason'>;
  readonly #quorumFailures: Counter;

  constructor(cfg: PushFanoutConfig, deps: PushFanoutDeps) {
    this.#cfg = cfg;
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'push-fanout' });
    this.#failures = new Counter({
      name: 'tessera_distributor_ingester_push_failures_total',
      help: 'Pushes to one ingester that failed (reason: unreachable, timeout, status), whether or not the quorum was reached.',
      labelNames: ['reason'] as const,
      registers: [deps.registry],
    });
    for (const reason of ['unreachable', 'timeout', 'status']) this.#failures.inc({ reason }, 0);
    this.#quorumFailures = new Counter({
      name: 'tessera_distributor_quorum_failures_total',
      help: 'Remote-write requests refused with 503 because a series could not be written to a quorum of ingesters.',
      registers: [deps.registry],
    });
  }

  /** {@inheritDoc IngesterClient.push} */
  push(tenant: string, req: DecodedWriteRequest, seriesOk: Uint8Array | null, sampleOk: Uint8Array | null, result: AppendResult): Promise<void> {
    const { groups, tracker } = this.#group(tenant, req, seriesOk, sampleOk);
    if (tracker.pending === 0) return Promise.resolve();
    // Encode every group before the first await: `req` and `sampleOk` are reused afterwards.
    // A group holding every series of the request (each group does when there are no more
    // ingesters than replicas) lists them in the same order, so their bodies are equal: one
    // encoding serves them all.
    // A buffer goes back to the pool once every request sending it has been answered.
    let whole: Body | null = null;
    const bodies = groups.map((g): Body => {
      if (g.count === tracker.pending && whole !== null) {
        whole.users++;
        return whole;
      }
      const buf = this.#buffers.pop() ?? new EncodeBuffer();
      const body: Body = { buf, bytes: encodeWriteRequestFromDecoded(req, g.series, g.count, sampleOk, buf), users: 1 };
      if (g.count === tracker.pending) whole = body;
      return body;
    });
    return new Promise<void>((resolve, reject) => {
      let decided = false;
      const decide = (): void => {
        if (decided) return;
        if (tracker.failed > 0) {
          decided = true;
          this.#quorumFailures.inc();
          reject(quorumError(tracker));
        } else if (tracker.pending === 0) {
          decided = true;
          fillResult(tracker, result);
          resolve();
        }
      };
      groups.forEach((g, k) => {
        const body = bodies[k]!;
        this.#deps.transport.post(g.inst.addr, INGESTER_PUSH_PATH, tenant, body.bytes, this.#cfg.remoteTimeoutMs).then(
          (res) => {
            if (res.status === 200) {
              let replica: AppendResult;
              try {
                replica = decodePushResult(res.body);
              } catch (e) {
                this.#groupFailed(tracker, g, 'status', `ingester ${g.inst.addr} sent an invalid answer: ${(e as Error).message}`);
                return;
              }
              if (!decided) addReplicaResult(tracker, g, replica);
              for (let s = 0; s < g.count; s++) {
                const i = g.series[s]!;
                if (++tracker.successes[i]! === tracker.minSuccess[i]) tracker.pending--;
              }
            } else {
              this.#groupFailed(tracker, g, 'status', `ingester ${g.inst.addr} answered HTTP ${res.status}: ${res.body.toString('utf8', 0, Math.min(res.body.length, 300)).trim()}`);
            }
          },
          (e: unknown) => {
            const err = TesseraError.is(e) ? e : null;
            this.#groupFailed(tracker, g, err?.code === 'ingester-timeout' ? 'timeout' : 'unreachable', e instanceof Error ? e.message : String(e));
          },
        ).catch((err: unknown) => {
          this.#log.error({ err }, 'push fan-out: handling an ingester answer failed');
          this.#groupFailed(tracker, g, 'status', 'answer could not be handled');
        }).finally(() => {
          if (--body.users === 0 && this.#buffers.length < MAX_POOLED_BUFFERS) this.#buffers.push(body.buf);
          decide();
        });
      });
    });
  }

  /** {@inheritDoc IngesterClient.pushMetadata} Sent to every writable ingester, best effort. */
  pushMetadata(tenant: string, entries: readonly MetricMetadata[]): void {
    if (entries.length === 0) return;
    let set: ReplicationSet;
    try {
      set = this.#deps.ring.allHealthy('write');
    } catch (err) {
      this.#log.debug({ err, tenant }, 'metadata not forwarded: no writable ingester');
      return;
    }
    const metadata: MetricMetadataObject[] = entries.map((e) => ({
      metricFamilyName: e.metricFamilyName,
      type: METRIC_TYPES[e.type] ?? MetricType.UNKNOWN,
      help: e.help,
      unit: e.unit,
    }));
    const body = encodeWriteRequestFromDecoded(EMPTY_REQUEST, [], 0, null, new EncodeBuffer(1024), metadata).slice();
    for (const inst of set.instances) {
      this.#deps.transport.post(inst.addr, INGESTER_PUSH_PATH, tenant, body, this.#cfg.remoteTimeoutMs).then(
        (res) => {
          if (res.status !== 200) this.#logFailure(inst, `metadata push answered HTTP ${res.status}`);
        },
        (err: unknown) => this.#logFailure(inst, `metadata push failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
  }

  /** Steps 1 of the file comment: replication sets and per-ingester groups. */
  #group(tenant: string, req: DecodedWriteRequest, seriesOk: Uint8Array | null, sampleOk: Uint8Array | null): { groups: Group[]; tracker: Tracker } {
    const n = req.seriesCount;
    const tracker: Tracker = {
      successes: new Uint8Array(n),
      failures: new Uint8Array(n),
      minSuccess: new Uint8Array(n),
      maxErrors: new Uint8Array(n),
      pending: 0,
      failed: 0,
      samples: 0,
      replicaSamples: 0,
      sum: newAppendResult(),
      firstErrors: new Map(),
      errors: [],
    };
    const byId = new Map<string, Group>();
    const groups: Group[] = [];
    const ring = this.#deps.ring;
    for (let i = 0; i < n; i++) {
      if (seriesOk !== null && seriesOk[i] === 0) continue;
      const first = req.sampleFirst[i]!;
      const end = first + req.sampleCount[i]!;
      let samples = 0;
      if (sampleOk === null) samples = end - first;
      else for (let j = first; j < end; j++) samples += sampleOk[j]!;
      if (samples === 0) continue;
      let token: number;
      if (req.labelsContiguous[i] === 1) {
        token = ring.tokenForSeries(tenant, req.buf, req.labelsStart[i]!, req.labelsEnd[i]!);
      } else {
        // Labels not sent as one run of fields (rare): hash their canonical encoding instead.
        const canonical = batchLabels(req, i).encode();
        token = ring.tokenForSeries(tenant, canonical, 0, canonical.length);
      }
      const set = ring.replicationSetForToken(token, 'write'); // throws `unavailable` without a quorum
      tracker.minSuccess[i] = set.minSuccess;
      tracker.maxErrors[i] = set.maxErrors;
      tracker.pending++;
      tracker.samples += samples;
      for (const inst of set.instances) {
        let g = byId.get(inst.id);
        if (g === undefined) {
          g = { inst, series: new Int32Array(n), count: 0, samples: 0 };
          byId.set(inst.id, g);
          groups.push(g);
        }
        g.series[g.count++] = i;
        g.samples += samples;
      }
    }
    return { groups, tracker };
  }

  #groupFailed(tracker: Tracker, g: Group, reason: 'unreachable' | 'timeout' | 'status', message: string): void {
    this.#failures.inc({ reason });
    const text = `${g.inst.id}: ${message}`;
    if (tracker.errors.length < 3) tracker.errors.push(text);
    this.#logFailure(g.inst, message);
    for (let s = 0; s < g.count; s++) {
      const i = g.series[s]!;
      // The series fails when more replicas failed than its set tolerates; counted once.
      if (++tracker.failures[i]! === tracker.maxErrors[i]! + 1 && tracker.successes[i]! < tracker.minSuccess[i]!) tracker.failed++;
    }
  }

  #logFailure(inst: InstanceDesc, message: string): void {
    const now = Date.now();
    if (now - (this.#lastLogged.get(inst.id) ?? 0) < FAILURE_LOG_INTERVAL_MS) return;
    this.#lastLogged.set(inst.id, now);
    this.#log.warn({ ingester: inst.id, addr: inst.addr, error: message }, 'push to ingester failed');
  }
}

/** Adds one replica's PushResult to the request's sums. */
function addReplicaResult(tracker: Tracker, g: Group, r: AppendResult): void {
  const sum = tracker.sum;
  tracker.replicaSamples += g.samples;
  sum.samplesAppended += r.samplesAppended;
  sum.samplesDuplicateIgnored += r.samplesDuplicateIgnored;
  sum.seriesCreated += r.seriesCreated;
  for (const code of Object.keys(r.rejected) as HeadRejectCode[]) sum.rejected[code] += r.rejected[code];
  for (const msg of r.firstErrors) {
    const code = (Object.keys(r.rejected) as HeadRejectCode[]).find((c) => msg.includes(`(${c})`)) ?? msg;
    if (!tracker.firstErrors.has(code)) tracker.firstErrors.set(code, msg);
  }
}

/** Writes the merged outcome into the distributor's result (see the file comment). */
function fillResult(tracker: Tracker, out: AppendResult): void {
  const replicas = tracker.samples === 0 ? 1 : Math.max(1, tracker.replicaSamples / tracker.samples);
  const once = (n: number): number => Math.round(n / replicas);
  const sum = tracker.sum;
  out.samplesAppended = once(sum.samplesAppended);
  out.samplesDuplicateIgnored = once(sum.samplesDuplicateIgnored);
  out.seriesCreated = once(sum.seriesCreated);
  for (const code of Object.keys(sum.rejected) as HeadRejectCode[]) {
    // Never round a rejection away: a sender must hear of it.
    out.rejected[code] = sum.rejected[code] === 0 ? 0 : Math.max(1, once(sum.rejected[code]));
  }
  out.firstErrors.length = 0;
  out.firstErrors.push(...tracker.firstErrors.values());
}

function quorumError(tracker: Tracker): TesseraError {
  return new TesseraError(
    'unavailable',
    'ingester-quorum-unavailable',
    `${tracker.failed} series could not be written to a quorum of ingesters (a majority of the replication factor, -ring.replication-factor); the request is not acknowledged, retry it. ` +
      `Failures: ${tracker.errors.join('; ')}`,
  );
}
