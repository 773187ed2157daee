// Plain-object shapes of the remote-write messages in proto/remote.proto. Field names are the
// proto names in camelCase (protobufjs's convention); int64/uint64 fields are JS numbers.

/** A label pair of a series or an exemplar. */
export interface LabelObject {
  name: string;
  value: string;
}

/** A float sample: value and timestamp in milliseconds since the epoch. */
export interface SampleObject {
  value: number;
  timestamp: number;
}

/** An exemplar: its own labels (trace id …), value and timestamp in ms. */
export interface ExemplarObject {
  labels: LabelObject[];
  value: number;
  timestamp: number;
}

/** A run of native-histogram buckets (see `BucketSpan` in proto/remote.proto). */
export interface BucketSpanObject {
  offset: number;
  length: number;
}

/**
 * Values of `Histogram.reset_hint`: whether a counter reset happened before a native histogram.
 */
export const HistogramResetHint = {
  UNKNOWN: 0,
  YES: 1,
  NO: 2,
  GAUGE: 3,
} as const;

/**
 * A native histogram sample. Of each oneof pair (`countInt`/`countFloat`,
 * `zeroCountInt`/`zeroCountFloat`) at most one is present.
 */
export interface HistogramObject {
  countInt?: number;
  countFloat?: number;
  sum: number;
  schema: number;
  zeroThreshold: number;
  zeroCountInt?: number;
  zeroCountFloat?: number;
  negativeSpans: BucketSpanObject[];
  negativeDeltas: number[];
  negativeCounts: number[];
  positiveSpans: BucketSpanObject[];
  positiveDeltas: number[];
  positiveCounts: number[];
  /** One of {@link HistogramResetHint}'s values (unknown values are kept as numbers). */
  resetHint: number;
  timestamp: number;
}

/** One series of a write request with all its data points. */
export interface TimeSeriesObject {
  labels: LabelObject[];
  samples: SampleObject[];
  exemplars: ExemplarObject[];
  histograms: HistogramObject[];
}

/** Values of `MetricMetadata.type`, the metric family's type. */
export const MetricType = {
  UNKNOWN: 0,
  COUNTER: 1,
  GAUGE: 2,
  HISTOGRAM: 3,
  GAUGEHISTOGRAM: 4,
  SUMMARY: 5,
  INFO: 6,
  STATESET: 7,
} as const;

/** Type, help and unit of a metric family, as sent alongside series. */
export interface MetricMetadataObject {
  /** One of {@link MetricType}'s values (unknown values are kept as numbers). */
  type: number;
  metricFamilyName: string;
  help: string;
  unit: string;
}

/** A whole remote-write request as plain objects. */
export interface WriteRequestObject {
  timeseries: TimeSeriesObject[];
  metadata: MetricMetadataObject[];
}
