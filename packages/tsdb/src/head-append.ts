/**
 * The head's write path: resolve each series of a batch (fast path: hash the raw label bytes and
 * compare them with a stored canonical key; slow path: decode, sort, canonicalise), apply
 * Prometheus's sample rules, append to chunks, and collect what the WAL must record.
 *
 * Sample rules, as Prometheus's head applies them without an out-of-order window:
 *   t < maxT(head) − blockRange/2            → too old (out of bounds)
 *   t < last t of the series                 → out of order
 *   t = last t, same value bits              → duplicate, silently ignored
 *   t = last t, other value                  → duplicate timestamp with another value
 * NaN values and stale markers are stored as their exact bits.
 */
import { Labels, hashBytes } from '@tessera/model';
import type { MemSeries } from './mem-series.ts';
import type { HeadState } from './head.ts';
import {
  HeadRejectReason,
  type AppendBatch,
  type AppendResult,
  type HeadRejectCode,
  type SeriesLimits,
} from './append-batch.ts';

/** Samples accepted by the last batch, in append order, for the WAL. Grows by doubling. */
export class PendingSamples {
  refs = new Int32Array(4096);
  timestamps = new Float64Array(4096);
  values = new Float64Array(4096);
  values32 = new Uint32Array(this.values.buffer);
  count = 0;
  /** Series created (or not yet logged) by the last batch, for the WAL's series record. */
  newSeries: MemSeries[] = [];

  reset(): void {
    this.count = 0;
    this.newSeries.length = 0;
  }

  push(ref: number, t: number, hi: number, lo: number): void {
    if (this.count === this.refs.length) this.#grow();
    const k = this.count++;
    this.refs[k] = ref;
    this.timestamps[k] = t;
    this.values32[2 * k] = lo;
    this.values32[2 * k + 1] = hi;
  }

  #grow(): void {
    const n = this.refs.length * 2;
    const refs = new Int32Array(n);
    refs.set(this.refs);
    const ts = new Float64Array(n);
    ts.set(this.timestamps);
    const vals = new Float64Array(n);
    new Uint32Array(vals.buffer).set(this.values32);
    this.refs = refs;
    this.timestamps = ts;
    this.values = vals;
    this.values32 = new Uint32Array(vals.buffer);
  }
}

const textDecoder = new TextDecoder('utf-8');

/** Decodes UTF-8 bytes, with a fast path for short ASCII strings. */
export function decodeString(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  }
  return textDecoder.decode(buf.subarray(start, end));
}

let u32Cache: Uint32Array | null = null;
let u32CacheSource: Float64Array | null = null;

/** A Uint32Array alias of a Float64Array, cached for the batch's reused value array. */
function u32Of(values: Float64Array): Uint32Array {
  if (u32CacheSource !== values || u32Cache === null || u32Cache.buffer !== values.buffer) {
    u32Cache = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    u32CacheSource = values;
  }
  return u32Cache;
}

function reject(result: AppendResult, code: HeadRejectCode, n: number, message: () => string): void {
  if (result.rejected[code] === 0) result.firstErrors.push(message());
  result.rejected[code] += n;
}

/** Builds the canonical labels of series `i` of a batch from its decoded label fields. */
export function batchLabels(batch: AppendBatch, i: number): Labels {
  const first = batch.labelFirst[i]!;
  const count = batch.labelCount[i]!;
  const pairs: [string, string][] = [];
  for (let k = first; k < first + count; k++) {
    const vs = batch.valueStart[k]!;
    const ve = batch.valueEnd[k]!;
    if (ve === vs) continue; // an empty value is the absence of the label
    pairs.push([decodeString(batch.buf, batch.nameStart[k]!, batch.nameEnd[k]!), decodeString(batch.buf, vs, ve)]);
  }
  return Labels.fromPairs(pairs);
}

/**
 * Decides whether series `i` of a batch, whose label bytes are not those of a series the head
 * holds, may be stored; records its own rejection. The head calls it only for series it does not
 * recognise byte for byte: a known series' exact bytes were validated when it was created.
 */
export type NewSeriesValidator = (batch: AppendBatch, i: number) => boolean;

/**
 * Finds or creates the series `i` of a batch. Returns null when validation or a series limit
 * refuses it (the rejection is recorded in `result`, or by the validator).
 */
function resolveSeries(
  head: HeadState,
  batch: AppendBatch,
  i: number,
  limits: SeriesLimits,
  pending: PendingSamples,
  result: AppendResult,
  validateNew: NewSeriesValidator | null,
): MemSeries | null {
  const buf = batch.buf;
  if (batch.labelsContiguous[i] === 1) {
    const ls = batch.labelsStart[i]!;
    const le = batch.labelsEnd[i]!;
    const s = head.table.get(hashBytes(buf, ls, le), buf, ls, le);
    if (s !== undefined) return s;
  }
  // Slow path: the series is new, or its labels were not sent in canonical form.
  if (validateNew !== null && !validateNew(batch, i)) return null;
  const labels = batchLabels(batch, i);
  const key = labels.encode();
  const hash = labels.hash();
  const existing = head.table.get(hash, key, 0, key.length);
  if (existing !== undefined) return existing;
  const nSamples = batch.sampleCount[i]!;
  if (limits.maxSeriesPerUser > 0 && head.numSeries >= limits.maxSeriesPerUser) {
    reject(result, HeadRejectReason.maxSeriesPerUser, nSamples, () =>
      `per-tenant series limit of ${limits.maxSeriesPerUser} exceeded (${HeadRejectReason.maxSeriesPerUser}): ` +
      `series ${labels.toString()} was not created; raise -ingester.max-global-series-per-user or reduce cardinality`,
    );
    return null;
  }
  const metric = labels.get('__name__');
  if (limits.maxSeriesPerMetric > 0 && (head.perMetric.get(metric) ?? 0) >= limits.maxSeriesPerMetric) {
    reject(result, HeadRejectReason.maxSeriesPerMetric, nSamples, () =>
      `per-metric series limit of ${limits.maxSeriesPerMetric} exceeded for metric ${metric} (${HeadRejectReason.maxSeriesPerMetric}): ` +
      `series ${labels.toString()} was not created; raise -ingester.max-global-series-per-metric or reduce cardinality`,
    );
    return null;
  }
  const s = head.createSeries(labels, key, hash);
  result.seriesCreated++;
  pending.newSeries.push(s);
  return s;
}

/**
 * Appends the accepted series and samples of a batch to the head's memory and records what the
 * WAL must log in `pending`. `seriesOk[i] === 0` skips series i; `sampleOk[j] === 0` skips sample j
 * (both were refused by validation upstream); null means all accepted. `validateNew`, when
 * given, validates the series the head does not recognise byte for byte (see
 * {@link NewSeriesValidator}); without it the caller has validated every series.
 */
export function appendBatchToMemory(
  head: HeadState,
  batch: AppendBatch,
  seriesOk: Uint8Array | null,
  sampleOk: Uint8Array | null,
  limits: SeriesLimits,
  pending: PendingSamples,
  result: AppendResult,
  validateNew: NewSeriesValidator | null = null,
): void {
  const ts = batch.timestamps;
  const v32 = u32Of(batch.values);
  const rangeMs = head.blockRangeMs;
  const store = head.store;
  for (let i = 0; i < batch.seriesCount; i++) {
    if (seriesOk !== null && seriesOk[i] === 0) continue;
    const first = batch.sampleFirst[i]!;
    const end = first + batch.sampleCount[i]!;
    if (end === first) continue;
    const s = resolveSeries(head, batch, i, limits, pending, result, validateNew);
    if (s === null) continue;
    const slot = s.slot;
    if (!store.walLogged(slot) && (pending.newSeries.length === 0 || pending.newSeries[pending.newSeries.length - 1] !== s)) {
      if (!pending.newSeries.includes(s)) pending.newSeries.push(s);
    }
    for (let j = first; j < end; j++) {
      if (sampleOk !== null && sampleOk[j] === 0) continue;
      const t = ts[j]!;
      const lo = v32[2 * j]!;
      const hi = v32[2 * j + 1]!;
      const lastT = store.lastT[slot]!;
      if (t > lastT) {
        const minValid = head.maxT - rangeMs / 2;
        if (t < minValid) {
          reject(result, HeadRejectReason.tooOld, 1, () => tooOldMessage(head, s, t));
          continue;
        }
        store.append(slot, t, hi, lo, rangeMs);
        if (t > head.maxT) head.maxT = t;
        if (t < head.minT) head.minT = t;
        pending.push(s.ref, t, hi, lo);
        result.samplesAppended++;
      } else if (t === lastT) {
        if (hi === store.lastHi[slot] && lo === store.lastLo[slot]) {
          result.samplesDuplicateIgnored++;
        } else {
          reject(result, HeadRejectReason.duplicate, 1, () =>
            `the sample has been rejected because another sample with the same timestamp but a different value has already been ingested (${HeadRejectReason.duplicate}); ` +
            `timestamp ${new Date(t).toISOString()}, series ${Labels.decode(s.key).toString()}`,
          );
        }
      } else if (t < head.maxT - rangeMs / 2) {
        reject(result, HeadRejectReason.tooOld, 1, () => tooOldMessage(head, s, t));
      } else {
        reject(result, HeadRejectReason.outOfOrder, 1, () =>
          `the sample has been rejected because another sample with a more recent timestamp has already been ingested and out-of-order samples are not allowed (${HeadRejectReason.outOfOrder}); ` +
          `timestamp ${new Date(t).toISOString()}, newest ${new Date(lastT).toISOString()}, series ${Labels.decode(s.key).toString()}`,
        );
      }
    }
  }
  head.samplesAppended += result.samplesAppended;
}

function tooOldMessage(head: HeadState, s: MemSeries, t: number): string {
  return (
    `the sample has been rejected because its timestamp is too old (${HeadRejectReason.tooOld}): ` +
    `timestamp ${new Date(t).toISOString()} is before ${new Date(head.maxT - head.blockRangeMs / 2).toISOString()}, ` +
    `half a block range before the newest sample; series ${Labels.decode(s.key).toString()}`
  );
}
