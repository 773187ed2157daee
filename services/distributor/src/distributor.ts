/**
 * Distributor: the write path's front door. Decodes a remote-write body (snappy + protobuf),
 * validates every series and sample against the tenant's limits, applies the tenant's ingestion
 * rate limit, and hands the accepted part to the ingester.
 *
 * Answers as Prometheus senders expect: 2xx when everything was stored; 400 when some or all of
 * the data can never be accepted (the valid rest of the request is stored all the same, and the
 * message names the first problems and the counts); 429 over the rate limit; 5xx when retrying
 * can help. Never a 4xx for an internal failure.
 */
import { Counter, type Registry } from 'prom-client';
import {
  DecodedWriteRequest,
  RemoteWriteDecodeError,
  SnappyDecoder,
  decodeWriteRequest,
  MetricType,
} from '@tessera/remotewrite';
import { TesseraError, type Logger, type Service } from '@tessera/server';
import {
  batchLabels,
  newAppendResult,
  type AppendResult,
  type HeadRejectCode,
  type NewSeriesValidator,
} from '@tessera/tsdb';
import type { Limits } from '@tessera/limits';
import type { MetricMetadata } from '@tessera/ingester';
import { validateSeriesBytes, type SeriesRejectReason } from './validation.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { HaTracker } from './ha-tracker.ts';

/**
 * The ingester(s) as the distributor sees them: in `-target=all` the in-process Ingester
 * (synchronous), in the cluster mode a client that replicates to remote ingesters
 * (asynchronous, see {@link IngesterClient.async}).
 */
export interface IngesterClient {
  /**
   * Appends the accepted part of a batch. `validateNew`, when given, is called for the series the
   * ingester does not recognise byte for byte (only an in-process ingester can; see
   * `validatesNewSeriesOnly`).
   *
   * An asynchronous client returns a promise that settles once `result` is filled in. It must
   * have read everything it needs from `batch`, `seriesOk` and `sampleOk` before returning: the
   * distributor reuses those buffers for the next request as soon as push returns.
   */
  push(
    tenant: string,
    batch: DecodedWriteRequest,
    seriesOk: Uint8Array | null,
    sampleOk: Uint8Array | null,
    result: AppendResult,
    validateNew?: NewSeriesValidator | null,
  ): void | Promise<void>;
  /**
   * True when `push` returns a promise. The distributor then gives every request its own
   * `result` (a synchronous client shares one, reused request after request).
   */
  readonly async?: boolean;
  /**
   * True when the ingester calls `validateNew` for every series it does not already hold with the
   * exact same label bytes. The distributor then validates only those: a known series' bytes were
   * validated when it was created. (A lowered label limit therefore applies to new series only.)
   */
  readonly validatesNewSeriesOnly?: boolean;
  pushMetadata(tenant: string, entries: readonly MetricMetadata[]): void;
}

/** Configuration of the distributor. */
export interface DistributorConfig {
  /** Largest decompressed request accepted, bytes (`-distributor.max-recv-msg-size`). */
  maxRecvMsgSize: number;
}

/** What the distributor needs besides its config. */
export interface DistributorDeps {
  logger: Logger;
  registry: Registry;
  limits: (tenant: string) => Readonly<Limits>;
  ingester: IngesterClient;
  /** Wall clock in ms (injected for tests). */
  now?: () => number;
  /** Deduplicates HA Prometheus pairs (`-distributor.ha-tracker.enable`); absent when disabled. */
  haTracker?: HaTracker;
}

/** Every reason a sample can be discarded for, pre-initialised in the metrics. */
export const DISCARD_REASONS = [
  'missing-metric-name',
  'metric-name-invalid',
  'max-label-names-per-series',
  'label-invalid',
  'label-name-too-long',
  'label-value-too-long',
  'label-value-invalid',
  'duplicate-label-names',
  'labels-not-sorted',
  'sample-too-far-in-future',
  'sample-too-far-in-past',
  'sample-out-of-order',
  'sample-duplicate-timestamp',
  'sample-too-old',
  'max-series-per-user',
  'max-series-per-metric',
  'rate-limited',
  'native-histogram-unsupported',
] as const;

/** One of {@link DISCARD_REASONS}. */
export type DiscardReason = (typeof DISCARD_REASONS)[number];

const SERIES_MESSAGES: Record<SeriesRejectReason, string> = {
  'missing-metric-name': 'received a series without a metric name',
  'metric-name-invalid': 'received a series with an invalid metric name',
  'max-label-names-per-series': 'received a series whose number of labels exceeds the limit (-validation.max-label-names-per-series)',
  'label-invalid': 'received a series with an invalid label name',
  'label-name-too-long': 'received a series whose label name length exceeds the limit (-validation.max-length-label-name)',
  'label-value-too-long': 'received a series whose label value length exceeds the limit (-validation.max-length-label-value)',
  'label-value-invalid': 'received a series with a label value that is not valid UTF-8',
  'duplicate-label-names': 'received a series with duplicate label names',
  'labels-not-sorted': 'received a series whose label names are not sorted (the remote-write spec requires sorted labels)',
};

/** Outcome of a push, for the HTTP layer. */
export interface PushOutcome {
  samplesReceived: number;
  samplesStored: number;
  /** Non-empty when something was refused: the request is then answered 400. */
  problems: string[];
  discarded: number;
}

/** Stateful per-request scratch, reused: the typed arrays grow and are never shrunk. */
class Scratch {
  seriesOk = new Uint8Array(1024);
  sampleOk = new Uint8Array(4096);
  ensure(series: number, samples: number): void {
    if (this.seriesOk.length < series) this.seriesOk = new Uint8Array(series * 2);
    if (this.sampleOk.length < samples) this.sampleOk = new Uint8Array(samples * 2);
  }
}

/** The distributor service. */
export class Distributor implements Service {
  readonly name = 'distributor';
  readonly #cfg: DistributorConfig;
  readonly #deps: DistributorDeps;
  readonly #now: () => number;
  readonly #snappy = new SnappyDecoder(1 << 20);
  readonly #req = new DecodedWriteRequest();
  readonly #scratch = new Scratch();
  readonly #result = newAppendResult();
  readonly #rate = new RateLimiter();
  readonly #received: Counter<'tenant'>;
  readonly #discarded: Counter<'reason' | 'tenant'>;
  readonly #metadataReceived: Counter<'tenant'>;
  readonly #exemplarsDiscarded: Counter<'tenant'>;
  readonly #knownTenants = new Set<string>();

  constructor(cfg: DistributorConfig, deps: DistributorDeps) {
    this.#cfg = cfg;
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    const registers = [deps.registry];
    this.#received = new Counter({
      name: 'tessera_distributor_received_samples_total',
      help: 'Samples received in remote-write requests, before validation.',
      labelNames: ['tenant'] as const,
      registers,
    });
    this.#discarded = new Counter({
      name: 'tessera_discarded_samples_total',
      help: 'Samples discarded, by reason.',
      labelNames: ['reason', 'tenant'] as const,
      registers,
    });
    this.#metadataReceived = new Counter({
      name: 'tessera_distributor_received_metadata_total',
      help: 'Metric metadata entries received.',
      labelNames: ['tenant'] as const,
      registers,
    });
    this.#exemplarsDiscarded = new Counter({
      name: 'tessera_discarded_exemplars_total',
      help: 'Exemplars received and dropped (exemplar storage is not supported yet).',
      labelNames: ['tenant'] as const,
      registers,
    });
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  #discard(tenant: string, reason: DiscardReason, n: number): void {
    if (!this.#knownTenants.has(tenant)) {
      this.#knownTenants.add(tenant);
      for (const r of DISCARD_REASONS) this.#discarded.inc({ reason: r, tenant }, 0);
    }
    if (n > 0) this.#discarded.inc({ reason, tenant }, n);
  }

  /**
   * Handles one remote-write body for a tenant. Synchronous from decoding to the hand-over to the
   * ingester client, so the reused decode buffers are safe; with a synchronous client (the
   * in-process ingester) the outcome is returned directly, with an asynchronous one (the cluster)
   * as a promise. Throws (or rejects with) TesseraError for whole-request failures.
   */
  push(tenant: string, body: Uint8Array): PushOutcome | Promise<PushOutcome> {
    if (body.length === 0) {
      throw new TesseraError('bad_data', 'empty-request', 'empty request body: expected a snappy-compressed protobuf WriteRequest');
    }
    let req = this.#req;
    try {
      const raw = this.#snappy.decompress(body, this.#cfg.maxRecvMsgSize);
      decodeWriteRequest(raw, req);
    } catch (e) {
      if (RemoteWriteDecodeError.is(e)) {
        if (e.code === 'decoded-too-large') {
          throw new TesseraError('too_large', 'request-too-large', `${e.message} (-distributor.max-recv-msg-size)`);
        }
        const what = e.code === 'invalid-snappy' ? 'body is not snappy block-compressed' : 'body is not a valid remote-write WriteRequest';
        throw new TesseraError('bad_data', e.code, `${what}: ${e.message}`);
      }
      throw e;
    }
    const limits = this.#deps.limits(tenant);
    // HA deduplication, before anything is counted (as in Mimir): a non-elected replica's request
    // is answered 202; the elected one's continues without the replica label. When the election
    // needs the KV store, the decode buffers may serve other requests meanwhile: start over then.
    if (this.#deps.haTracker !== undefined) {
      const admitted = this.#deps.haTracker.admit(tenant, req, limits);
      if (admitted instanceof Promise) return admitted.then(() => this.push(tenant, body));
      req = admitted;
    }
    const problems: string[] = [];
    let discarded = 0;
    // Native histogram samples count as received (as in Mimir) and, not being stored yet, as
    // refused: the sender gets a 400 naming them rather than a 2xx that hides the loss.
    const received = req.sampleTotal + req.histogramTotal;
    if (received > 0) this.#received.inc({ tenant }, received);
    if (req.histogramTotal > 0) {
      this.#discard(tenant, 'native-histogram-unsupported', req.histogramTotal);
      discarded += req.histogramTotal;
      let first = 0;
      while (first < req.seriesCount - 1 && req.histogramCount[first] === 0) first++;
      problems.push(
        `received native histogram samples, which are not supported yet (native-histogram-unsupported): ` +
          `${req.histogramTotal} dropped, the first in series ${describeSeries(req, first)}; ` +
          `set send_native_histograms: false in the sender's remote_write configuration`,
      );
    }
    if (req.exemplarTotal > 0) this.#exemplarsDiscarded.inc({ tenant }, req.exemplarTotal);

    // Validate series and samples.
    const scratch = this.#scratch;
    scratch.ensure(req.seriesCount, req.sampleTotal);
    const seriesOk = scratch.seriesOk;
    const sampleOk = scratch.sampleOk;
    const now = this.#now();
    const maxT = now + limits.creationGracePeriod;
    const minT = limits.pastGracePeriod > 0 ? now - limits.pastGracePeriod : -Infinity;
    const seen = new Set<string>();
    let accepted = 0;
    const deferSeries = this.#deps.ingester.validatesNewSeriesOnly === true;
    for (let i = 0; i < req.seriesCount; i++) {
      const first = req.sampleFirst[i]!;
      const n = req.sampleCount[i]!;
      if (!deferSeries) {
        const problem = validateSeriesBytes(req, i, limits);
        if (problem !== null) {
          seriesOk[i] = 0;
          discarded += n;
          this.#seriesProblem(tenant, req, i, problem.reason, n, seen, problems);
          continue;
        }
      }
      seriesOk[i] = 1;
      for (let j = first; j < first + n; j++) {
        const t = req.timestamps[j]!;
        if (t > maxT || t < minT) {
          sampleOk[j] = 0;
          const reason: DiscardReason = t > maxT ? 'sample-too-far-in-future' : 'sample-too-far-in-past';
          this.#discard(tenant, reason, 1);
          discarded++;
          if (!seen.has(reason)) {
            seen.add(reason);
            problems.push(
              t > maxT
                ? `received a sample whose timestamp is too far in the future (${reason}): timestamp ${fmtTime(t)} is more than ${limits.creationGracePeriod / 1000}s after now (-validation.create-grace-period); series ${describeSeries(req, i)}`
                : `received a sample whose timestamp is too far in the past (${reason}): timestamp ${fmtTime(t)} (-validation.past-grace-period); series ${describeSeries(req, i)}`,
            );
          }
        } else {
          sampleOk[j] = 1;
          accepted++;
        }
      }
    }

    // Rate limit on what validation let through (Mimir counts accepted samples).
    if (accepted > 0 && !this.#rate.allow(tenant, now, accepted, limits.ingestionRate, limits.ingestionBurstSize)) {
      this.#discard(tenant, 'rate-limited', accepted);
      throw new TesseraError(
        'rate_limited',
        'tenant-max-ingestion-rate',
        `the request has been rejected because the tenant exceeded its ingestion rate limit, set to ${limits.ingestionRate} samples/s with a maximum allowed burst of ${limits.ingestionBurstSize || limits.ingestionRate} (tenant-max-ingestion-rate); adding ${accepted} samples. Reduce the rate or raise -distributor.ingestion-rate-limit`,
      );
    }

    const client = this.#deps.ingester;
    const result = client.async === true ? newAppendResult() : this.#result;
    if (result === this.#result) resetResult(result);
    let pending: void | Promise<void> = undefined;
    if (accepted > 0) {
      let validateNew: NewSeriesValidator | null = null;
      if (deferSeries) {
        validateNew = (batch, i) => {
          const problem = validateSeriesBytes(batch, i, limits);
          if (problem === null) return true;
          let n = 0;
          const first = batch.sampleFirst[i]!;
          for (let j = first; j < first + batch.sampleCount[i]!; j++) n += sampleOk[j]!;
          discarded += n;
          this.#seriesProblem(tenant, req, i, problem.reason, n, seen, problems);
          return false;
        };
      }
      pending = client.push(tenant, req, seriesOk, sampleOk, result, validateNew);
    }
    // Before any await: the metadata objects belong to the reused decode state.
    if (req.metadata.length > 0) this.#pushMetadata(tenant, req, limits);
    const finish = (): PushOutcome => {
      if (accepted > 0) {
        for (const code of Object.keys(result.rejected) as HeadRejectCode[]) {
          const n = result.rejected[code];
          if (n > 0) {
            this.#discard(tenant, code, n);
            discarded += n;
          }
        }
        problems.push(...result.firstErrors);
      }
      return { samplesReceived: received, samplesStored: result.samplesAppended, problems, discarded };
    };
    return pending instanceof Promise ? pending.then(finish) : finish();
  }

  /** Counts a refused series' samples and notes the first problem of each reason. */
  #seriesProblem(
    tenant: string,
    req: DecodedWriteRequest,
    i: number,
    reason: SeriesRejectReason,
    samples: number,
    seen: Set<string>,
    problems: string[],
  ): void {
    this.#discard(tenant, reason, samples);
    if (!seen.has(reason)) {
      seen.add(reason);
      problems.push(`${SERIES_MESSAGES[reason]} (${reason}): ${describeSeries(req, i)}`);
    }
  }

  #pushMetadata(tenant: string, req: DecodedWriteRequest, limits: Readonly<Limits>): void {
    const entries: MetricMetadata[] = [];
    const max = limits.maxMetadataLength;
    for (const m of req.metadata) {
      if (m.metricFamilyName.length > max || m.help.length > max || m.unit.length > max) continue;
      entries.push({ metricFamilyName: m.metricFamilyName, type: metricTypeName(m.type), help: m.help, unit: m.unit });
    }
    this.#metadataReceived.inc({ tenant }, req.metadata.length);
    this.#deps.ingester.pushMetadata(tenant, entries);
  }
}

function resetResult(r: AppendResult): void {
  r.samplesAppended = 0;
  r.samplesDuplicateIgnored = 0;
  r.seriesCreated = 0;
  for (const k of Object.keys(r.rejected) as HeadRejectCode[]) r.rejected[k] = 0;
  r.firstErrors.length = 0;
}

function fmtTime(t: number): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
}

/** A series of the request as text for an error message (labels as sent, even if invalid). */
function describeSeries(req: DecodedWriteRequest, i: number): string {
  try {
    return batchLabels(req, i).toString();
  } catch {
    return `series #${i}`;
  }
}

const METRIC_TYPE_NAMES: Record<number, string> = {
  [MetricType.UNKNOWN]: 'unknown',
  [MetricType.COUNTER]: 'counter',
  [MetricType.GAUGE]: 'gauge',
  [MetricType.HISTOGRAM]: 'histogram',
  [MetricType.GAUGEHISTOGRAM]: 'gaugehistogram',
  [MetricType.SUMMARY]: 'summary',
  [MetricType.INFO]: 'info',
  [MetricType.STATESET]: 'stateset',
};

function metricTypeName(t: number): string {
  return METRIC_TYPE_NAMES[t] ?? 'unknown';
}

