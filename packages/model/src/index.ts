/**
 * @tessera/model: the data model shared by every Tessera package — label sets and their canonical
 * encoding and hash, label matchers, series selectors, durations, and validation rules.
 */
export { ModelError } from './errors.ts';
export type { ModelErrorCode, ModelErrorOptions } from './errors.ts';
export { formatDuration, MAX_DURATION_MS, parseDuration } from './duration.ts';
export { hashBytes } from './hash.ts';
export { Labels, METRIC_NAME_LABEL } from './labels.ts';
export {
  decodeFlatLabels,
  encodeFlatLabelsInto,
  encodeLabelsInto,
  flatLabelsByteLength,
  flatLabelsMaxByteLength,
  labelsByteLength,
} from './label-encoding.ts';
export { compareUtf8, readUtf8, utf8Length, writeUtf8 } from './utf8.ts';
export { quoteGo } from './go-quote.ts';
export { seededRandom, seededRandomUint32 } from './seeded-random.ts';
export {
  isValidLabelName,
  isValidMetricName,
  MAX_TENANT_ID_LENGTH,
  RESERVED_TENANT_ID,
  BUCKET_RESERVED_TENANT_IDS,
  SERIES_VALIDATION_REASONS,
  validateSeriesLabels,
  validateTenantId,
} from './validation.ts';
export type { SeriesValidationFailure, SeriesValidationLimits, SeriesValidationReason } from './validation.ts';
export { Matcher } from './matcher.ts';
export type { MatchType } from './matcher.ts';
export { parseSeriesSelector } from './selector.ts';
export { scanStringLiteral } from './string-literal.ts';
export type { StringLiteral } from './string-literal.ts';
