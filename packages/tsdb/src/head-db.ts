/**
 * Head: the public face of one tenant's in-memory TSDB — open (with WAL replay), append, read,
 * truncate, close. The state lives in {@link HeadState}; the halves of the work in
 * `head-append.ts`, `head-read.ts` and here (the WAL).
 */
import { Labels, type Matcher } from '@tessera/model';
import { DEFAULT_BLOCK_RANGE_MS, HeadState, type HeadOptions } from './head.ts';
import { appendBatchToMemory, PendingSamples, type NewSeriesValidator } from './head-append.ts';
import { labelNames, labelValues, selectSeries } from './head-read.ts';
import { SlabSpill, type ChunkBytes } from './chunk-spill.ts';
import type { MemSeries } from './mem-series.ts';
import type { AppendBatch, AppendResult, SeriesLimits } from './append-batch.ts';
import {
  Wal,
  RECORD_SAMPLES,
  RECORD_SERIES,
  SamplesRecordEncoder,
  SeriesRecordEncoder,
  decodeSamplesRecord,
  decodeSeriesRecord,
  type WalStats,
} from './wal/index.ts';
import { hashBytes } from '@tessera/model';

/** Samples per WAL samples record: keeps records (and replay buffers) bounded. */
const MAX_SAMPLES_PER_RECORD = 10_000;

/** Figures of a replay, for the start-up log line and tests. */
export interface HeadReplayStats {
  series: number;
  samples: number;
  /** Samples in the WAL the head already held or that were out of order (skipped). */
  samplesSkipped: number;
  durationMs: number;
}

/** One tenant's head. */
export class Head {
  readonly state: HeadState;
  readonly #wal: Wal;
  readonly #pending = new PendingSamples();
  readonly #seriesEnc = new SeriesRecordEncoder();
  readonly #samplesEnc = new SamplesRecordEncoder();
  readonly replayStats: HeadReplayStats;

  private constructor(state: HeadState, wal: Wal, replayStats: HeadReplayStats) {
    this.state = state;
    this.#wal = wal;
    this.replayStats = replayStats;
  }

  /** Opens a head: creates or replays its WAL. A torn WAL tail is repaired with a warning. */
  static open(opts: HeadOptions): Head {
    // The spill directory is emptied, not read: its files are no recovery source (the WAL is).
    const spill = opts.chunksDir === undefined ? null : SlabSpill.open(opts.chunksDir, { logger: opts.logger });
    const state = new HeadState(opts.blockRangeMs ?? DEFAULT_BLOCK_RANGE_MS, opts.logger, spill);
    const wal = Wal.open(opts.walDir, {
      ...(opts.walSegmentBytes === undefined ? {} : { segmentSizeBytes: opts.walSegmentBytes }),
      ...(opts.walFsyncIntervalMs === undefined ? {} : { fsyncIntervalMs: opts.walFsyncIntervalMs }),
      logger: opts.logger,
    });
    const stats = replayInto(state, wal);
    if (stats.series > 0 || stats.samples > 0) {
      opts.logger.info({ ...stats, walDir: opts.walDir }, 'WAL replayed');
    }
    return new Head(state, wal, stats);
  }

  /**
   * Appends a batch: resolves or creates its series, applies the sample rules, and writes the new
   * series and accepted samples to the WAL before returning. Throws if the WAL cannot be written
   * (the caller must then answer 5xx: nothing of the batch is acknowledged).
   */
  appendBatch(
    batch: AppendBatch,
    seriesOk: Uint8Array | null,
    sampleOk: Uint8Array | null,
    limits: SeriesLimits,
    result: AppendResult,
    validateNew: NewSeriesValidator | null = null,
  ): void {
    const pending = this.#pending;
    pending.reset();
    appendBatchToMemory(this.state, batch, seriesOk, sampleOk, limits, pending, result, validateNew);
    this.#log(pending);
  }

  /**
   * Appends the samples `(ts[i], vs[i])` of one series, in the given order, through the same
   * sample rules, series creation and WAL as {@link Head.appendBatch} (no series limits). For
   * loading test data and for callers that hold decoded samples rather than a write request.
   * Values are read by their bits from a Float64Array, because a JS number array does not keep
   * NaN payloads (a stale marker would turn into a plain NaN).
   */
  appendSamples(labels: Labels, ts: ArrayLike<number>, vs: Float64Array, result: AppendResult): void {
    if (ts.length !== vs.length) throw new RangeError(`appendSamples: ${ts.length} timestamps but ${vs.length} values`);
    this.appendBatch(oneSeriesBatch(labels, ts, vs), null, null, NO_SERIES_LIMITS, result);
  }

  /** Writes the pending series and samples to the WAL and flushes it to the OS. */
  #log(pending: PendingSamples): void {
    const wal = this.#wal;
    if (pending.newSeries.length > 0) {
      const enc = this.#seriesEnc;
      enc.begin(wal);
      for (const s of pending.newSeries) enc.add(s.ref, s.key, 0, s.key.length);
      enc.end();
    }
    const n = pending.count;
    for (let from = 0; from < n; from += MAX_SAMPLES_PER_RECORD) {
      const to = Math.min(n, from + MAX_SAMPLES_PER_RECORD);
      const enc = this.#samplesEnc;
      enc.begin(wal, pending.refs[from]!, pending.timestamps[from]!);
      for (let k = from; k < to; k++) enc.add(pending.refs[k]!, pending.timestamps[k]!, pending.values, k);
      enc.end();
    }
    if (pending.newSeries.length > 0 || n > 0) wal.flush();
    for (const s of pending.newSeries) s.walLogged = true;
  }

  /** Series matching all matchers with samples in [mint, maxt], in ref order. */
  select(matchers: readonly Matcher[], mint: number, maxt: number): MemSeries[] {
    return selectSeries(this.state, matchers, mint, maxt);
  }

  /** The labels of a series. */
  labelsOf(s: MemSeries): Labels {
    return Labels.decode(s.key);
  }

  /** Sorted label names over the series matching any matcher set (all series when none). */
  labelNames(sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] {
    return labelNames(this.state, sets, mint, maxt);
  }

  /** Sorted values of a label over the series matching any matcher set (all series when none). */
  labelValues(name: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] {
    return labelValues(this.state, name, sets, mint, maxt);
  }

  /** Number of series held. */
  get numSeries(): number {
    return this.state.numSeries;
  }

  /** Live completed-chunk bytes in memory and on disk, and the spill's read cache. */
  chunkBytes(): ChunkBytes {
    return this.state.store.chunks.bytes.bytesByLocation();
  }

  /** Resolves when no completed-chunk write to `chunksDir` is in flight (tests, benchmarks). */
  chunksSettled(): Promise<void> {
    return this.state.spill?.settled() ?? Promise.resolve();
  }

  /** WAL counters (bytes written, fsyncs, …). */
  walStats(): WalStats {
    return this.#wal.stats;
  }

  /**
   * Drops everything older than `mint`: chunks that end before it, and series with no sample at
   * or after it; then checkpoints the WAL so that it holds only the live series and the samples
   * at or after `mint`, and deletes the older segments.
   */
  truncate(mint: number): { seriesRemoved: number; chunksRemoved: number } {
    const state = this.state;
    let chunksRemoved = 0;
    const dead = new Set<number>();
    for (const s of state.liveSeries()) {
      chunksRemoved += s.truncateBefore(mint);
      if (s.lastT < mint) dead.add(s.ref);
    }
    state.deleteSeries(dead);
    state.minT = Infinity;
    for (const s of state.liveSeries()) if (s.minT < state.minT) state.minT = s.minT;

    // Checkpoint every segment but the one being written.
    const wal = this.#wal;
    wal.flush();
    const last = wal.cut() - 1;
    const range = wal.segmentRange();
    if (last >= range.first) {
      const seriesEnc = new SeriesRecordEncoder();
      const samplesEnc = new SamplesRecordEncoder();
      wal.checkpoint(last, (type, payload, out) => {
        if (type === RECORD_SERIES) {
          let open = false;
          decodeSeriesRecord(payload, (ref, buf, start, end) => {
            if (state.series[ref] === undefined) return;
            if (!open) {
              seriesEnc.begin(out);
              open = true;
            }
            seriesEnc.add(ref, buf, start, end);
          });
          if (open) seriesEnc.end();
        } else if (type === RECORD_SAMPLES) {
          let open = false;
          decodeSamplesRecord(payload, (ref, t, values, i) => {
            if (t < mint || state.series[ref] === undefined) return;
            if (!open) {
              samplesEnc.begin(out, ref, t);
              open = true;
            }
            samplesEnc.add(ref, t, values, i);
          });
          if (open) samplesEnc.end();
        }
      });
    }
    return { seriesRemoved: dead.size, chunksRemoved };
  }

  /** Flushes and fsyncs the WAL and closes it; stops spilling chunks. */
  close(): void {
    this.state.spill?.close();
    this.#wal.close();
  }
}

const NO_SERIES_LIMITS: SeriesLimits = { maxSeriesPerUser: 0, maxSeriesPerMetric: 0 };

/**
 * A one-series AppendBatch. `buf` holds each label's name then value as bare UTF-8 (no protobuf
 * framing), so the series is marked non-contiguous and the head resolves it from the name/value
 * offsets (its slow path, which canonicalises).
 */
function oneSeriesBatch(labels: Labels, ts: ArrayLike<number>, vs: Float64Array): AppendBatch {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const nameStart: number[] = [];
  const nameEnd: number[] = [];
  const valueStart: number[] = [];
  const valueEnd: number[] = [];
  let off = 0;
  labels.forEach((n, v) => {
    for (const [text, starts, ends] of [[n, nameStart, nameEnd], [v, valueStart, valueEnd]] as const) {
      const b = enc.encode(text);
      parts.push(b);
      starts.push(off);
      off += b.length;
      ends.push(off);
    }
  });
  const buf = new Uint8Array(off);
  off = 0;
  for (const p of parts) {
    buf.set(p, off);
    off += p.length;
  }
  return {
    buf,
    seriesCount: 1,
    labelsStart: Int32Array.of(0),
    labelsEnd: Int32Array.of(0),
    labelsContiguous: Uint8Array.of(0),
    labelFirst: Int32Array.of(0),
    labelCount: Int32Array.of(nameStart.length),
    sampleFirst: Int32Array.of(0),
    sampleCount: Int32Array.of(ts.length),
    nameStart: Int32Array.from(nameStart),
    nameEnd: Int32Array.from(nameEnd),
    valueStart: Int32Array.from(valueStart),
    valueEnd: Int32Array.from(valueEnd),
    timestamps: Float64Array.from(ts),
    values: vs,
  };
}

/** Replays a WAL into an empty head state. */
function replayInto(state: HeadState, wal: Wal): HeadReplayStats {
  const started = performance.now();
  let series = 0;
  let samples = 0;
  let skipped = 0;
  const v32Holder: { buf: ArrayBufferLike | null; u32: Uint32Array } = { buf: null, u32: new Uint32Array(0) };
  wal.replay((type, payload) => {
    if (type === RECORD_SERIES) {
      decodeSeriesRecord(payload, (ref, buf, start, end) => {
        const hash = hashBytes(buf, start, end);
        const existing = state.table.get(hash, buf, start, end);
        if (existing !== undefined || state.series[ref] !== undefined) return;
        const labels = Labels.decode(buf, start, end);
        const s = state.createSeries(labels, buf.subarray(start, end), hash, ref);
        s.walLogged = true;
        series++;
      });
    } else if (type === RECORD_SAMPLES) {
      decodeSamplesRecord(payload, (ref, t, values, i) => {
        const s = state.series[ref];
        if (s === undefined || t <= s.lastT) {
          skipped++;
          return;
        }
        if (v32Holder.buf !== values.buffer) {
          v32Holder.buf = values.buffer;
          v32Holder.u32 = new Uint32Array(values.buffer);
        }
        const u32 = v32Holder.u32;
        s.append(t, values, i, u32[2 * i + 1]!, u32[2 * i]!, state.blockRangeMs, state.arena);
        if (t > state.maxT) state.maxT = t;
        if (t < state.minT) state.minT = t;
        samples++;
      });
    }
  });
  state.samplesAppended += samples;
  return { series, samples, samplesSkipped: skipped, durationMs: Math.round(performance.now() - started) };
}
