import { describe, expect, it } from 'vitest';
import {
  badBucketLabelWarning,
  histogramIgnoredInAggregationInfo,
  histogramIgnoredInMixedRangeInfo,
  histogramQuantileForcedMonotonicityInfo,
  incompatibleTypesInBinOpInfo,
  invalidQuantileWarning,
  looksLikeCounterName,
  mixedFloatsHistogramsAggWarning,
  mixedFloatsHistogramsWarning,
  possibleNonCounterInfo,
} from './annotations.ts';

describe('annotation texts', () => {
  it.each([
    // aggregators.test: `expect warn msg: PromQL warning: quantile value should be between 0 and 1, got NaN`
    [invalidQuantileWarning(NaN), 'PromQL warning: quantile value should be between 0 and 1, got NaN'],
    [invalidQuantileWarning(-0.1), 'PromQL warning: quantile value should be between 0 and 1, got -0.1'],
    [invalidQuantileWarning(1e6), 'PromQL warning: quantile value should be between 0 and 1, got 1e+06'],
    [
      possibleNonCounterInfo('kube_pod_container_status_ready'),
      'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "kube_pod_container_status_ready"',
    ],
    [
      badBucketLabelWarning('the_metric', 'x'),
      'PromQL warning: bucket label "le" is missing or has a malformed value of "x" for metric name "the_metric"',
    ],
    [mixedFloatsHistogramsWarning('mixed_metric'), 'PromQL warning: encountered a mix of histograms and floats for metric name "mixed_metric"'],
    [mixedFloatsHistogramsAggWarning(), 'PromQL warning: encountered a mix of histograms and floats for aggregation'],
    [
      histogramQuantileForcedMonotonicityInfo('nonmonotonic_bucket'),
      'PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "nonmonotonic_bucket"',
    ],
    [histogramIgnoredInAggregationInfo('stddev'), 'PromQL info: ignored histogram in stddev aggregation'],
    [
      histogramIgnoredInMixedRangeInfo('some_metric'),
      'PromQL info: ignored histograms in a range containing both floats and histograms for metric name "some_metric"',
    ],
    [
      incompatibleTypesInBinOpInfo('histogram', '>', 'float'),
      'PromQL info: incompatible sample types encountered for binary operator ">": histogram > float',
    ],
  ])('%s', (actual, want) => {
    expect(actual).toBe(want);
  });

  it('quotes names the Go way', () => {
    expect(possibleNonCounterInfo('a"b\n')).toBe(
      'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "a\\"b\\n"',
    );
  });

  it('recognises counter-like names', () => {
    for (const name of ['http_requests_total', 'rpc_duration_seconds_sum', 'x_count', 'le_bucket']) {
      expect(looksLikeCounterName(name)).toBe(true);
    }
    for (const name of ['http_requests', 'total', 'x_totals', 'bucket_size']) {
      expect(looksLikeCounterName(name)).toBe(false);
    }
  });
});
