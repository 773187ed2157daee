/**
 * The shape of a decoded write request as the head consumes it: flat typed arrays of offsets into
 * the request's bytes, so that appending allocates nothing per sample. The remote-write decoder's
 * `DecodedWriteRequest` satisfies it structurally; the head does not depend on the codec.
 */

/** A batch of series and samples to append, with byte offsets into `buf`. */
export interface AppendBatch {
  readonly buf: Uint8Array;
  readonly seriesCount: number;
  readonly labelsStart: Int32Array;
  readonly labelsEnd: Int32Array;
  readonly labelsContiguous: Uint8Array;
  readonly labelFirst: Int32Array;
  readonly labelCount: Int32Array;
  readonly sampleFirst: Int32Array;
  readonly sampleCount: Int32Array;
  readonly nameStart: Int32Array;
  readonly nameEnd: Int32Array;
  readonly valueStart: Int32Array;
  readonly valueEnd: Int32Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** Why the head refused a sample or a series. Codes are permanent (they appear in messages). */
export const HeadRejectReason = {
  outOfOrder: 'sample-out-of-order',
  duplicate: 'sample-duplicate-timestamp',
  tooOld: 'sample-too-old',
  maxSeriesPerUser: 'max-series-per-user',
  maxSeriesPerMetric: 'max-series-per-metric',
} as const;

/** One of {@link HeadRejectReason}'s values. */
export type HeadRejectCode = (typeof HeadRejectReason)[keyof typeof HeadRejectReason];

/** Per-call series limits, read from the tenant's limits at each request (0 = unlimited). */
export interface SeriesLimits {
  maxSeriesPerUser: number;
  maxSeriesPerMetric: number;
}

/** What happened to a batch. Reused across calls; {@link resetAppendResult} clears it. */
export interface AppendResult {
  samplesAppended: number;
  /** Exact resends of samples already held: accepted and ignored, as Prometheus does. */
  samplesDuplicateIgnored: number;
  seriesCreated: number;
  rejected: Record<HeadRejectCode, number>;
  /** The first rejection of each reason, as a message naming the series and timestamp. */
  firstErrors: string[];
}

/** Creates an empty {@link AppendResult}. */
export function newAppendResult(): AppendResult {
  return {
    samplesAppended: 0,
    samplesDuplicateIgnored: 0,
    seriesCreated: 0,
    rejected: {
      'sample-out-of-order': 0,
      'sample-duplicate-timestamp': 0,
      'sample-too-old': 0,
      'max-series-per-user': 0,
      'max-series-per-metric': 0,
    },
    firstErrors: [],
  };
}
