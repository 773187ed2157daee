/**
 * Validation rules for names, series and tenant IDs, as Prometheus and Mimir apply them on the
 * write path. Nothing here throws or allocates on success: checks return a boolean, a reason
 * code or a message, so the distributor can count and report rejections per reason.
 *
 * Names use the legacy scheme that Mimir validates by default:
 *   metric name  ^[a-zA-Z_:][a-zA-Z0-9_:]*$
 *   label name   ^[a-zA-Z_][a-zA-Z0-9_]*$
 * checked with char-code loops (no RegExp).
 */
import { utf8Length } from './utf8.ts';

// Character class bits for the 128 ASCII code points.
const NAME_START = 1; // [a-zA-Z_]
const NAME_CHAR = 2; // [a-zA-Z0-9_]
const COLON = 4; // ':' (metric names only)
const TENANT_CHAR = 8; // [a-zA-Z0-9!\-_.*'()]

const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
  const digit = ch >= '0' && ch <= '9';
  let bits = 0;
  if (alpha || ch === '_') bits |= NAME_START | NAME_CHAR;
  if (digit) bits |= NAME_CHAR;
  if (ch === ':') bits |= COLON;
  if (alpha || digit || "!-_.*'()".includes(ch)) bits |= TENANT_CHAR;
  CLASS[c] = bits;
}

function charClass(c: number): number {
  return c < 128 ? CLASS[c]! : 0;
}

/** Reports whether `s` is a valid legacy metric name (`^[a-zA-Z_:][a-zA-Z0-9_:]*$`). */
export function isValidMetricName(s: string): boolean {
  const n = s.length;
  if (n === 0 || (charClass(s.charCodeAt(0)) & (NAME_START | COLON)) === 0) return false;
  for (let i = 1; i < n; i++) {
    if ((charClass(s.charCodeAt(i)) & (NAME_CHAR | COLON)) === 0) return false;
  }
  return true;
}

/** Reports whether `s` is a valid legacy label name (`^[a-zA-Z_][a-zA-Z0-9_]*$`). */
export function isValidLabelName(s: string): boolean {
  const n = s.length;
  if (n === 0 || (charClass(s.charCodeAt(0)) & NAME_START) === 0) return false;
  for (let i = 1; i < n; i++) {
    if ((charClass(s.charCodeAt(i)) & NAME_CHAR) === 0) return false;
  }
  return true;
}

/** The longest tenant ID Mimir accepts. */
export const MAX_TENANT_ID_LENGTH = 150;

/** A tenant ID Mimir reserves for itself and therefore rejects. */
export const RESERVED_TENANT_ID = '__mimir_cluster';

/**
 * Top-level folders of the bucket that are not tenants: the rule groups (`rules/<tenant>/…`)
 * and the Alertmanager configurations (`alertmanager/<tenant>`) share the bucket with the
 * tenants' blocks (`<tenant>/<ULID>/…`), so these names cannot be tenant IDs.
 */
export const BUCKET_RESERVED_TENANT_IDS: readonly string[] = ['rules', 'alertmanager'];

/**
 * Validates a tenant ID by Mimir's documented rules: non-empty, at most 150 characters, only
 * `a-z A-Z 0-9 ! - _ . * ' ( )`, not `.` or `..`, and not the reserved `__mimir_cluster`.
 * Returns null when valid, otherwise a message saying why.
 */
export function validateTenantId(id: string): string | null {
  if (id.length === 0) return 'tenant ID is empty';
  if (id.length > MAX_TENANT_ID_LENGTH) {
    return `tenant ID is too long: max ${MAX_TENANT_ID_LENGTH} characters`;
  }
  for (let i = 0; i < id.length; i++) {
    if ((charClass(id.charCodeAt(i)) & TENANT_CHAR) === 0) {
      const ch = String.fromCodePoint(id.codePointAt(i)!);
      return `tenant ID ${JSON.stringify(id)} contains unsupported character ${JSON.stringify(ch)}`;
    }
  }
  if (id === '.' || id === '..') return 'tenant ID must not be "." or ".."';
  if (id === RESERVED_TENANT_ID || BUCKET_RESERVED_TENANT_IDS.includes(id)) return `tenant ID ${JSON.stringify(id)} is reserved`;
  return null;
}

/**
 * Why a series was rejected; the same IDs as Mimir's `err-mimir-<reason>` (without the prefix).
 */
export type SeriesValidationReason =
  | 'missing-metric-name'
  | 'metric-name-invalid'
  | 'max-label-names-per-series'
  | 'label-invalid'
  | 'label-name-too-long'
  | 'label-value-too-long'
  | 'duplicate-label-names'
  | 'labels-not-sorted';

/** Every SeriesValidationReason, for pre-initialising per-reason counters. */
export const SERIES_VALIDATION_REASONS: readonly SeriesValidationReason[] = [
  'missing-metric-name',
  'metric-name-invalid',
  'max-label-names-per-series',
  'label-invalid',
  'label-name-too-long',
  'label-value-too-long',
  'duplicate-label-names',
  'labels-not-sorted',
];

/** The per-tenant limits series validation applies (Mimir's defaults: 30, 1024, 2048). */
export interface SeriesValidationLimits {
  /** Most labels a series may have, `__name__` included. */
  readonly maxLabelNamesPerSeries: number;
  /** Longest label name, in bytes. */
  readonly maxLabelNameLength: number;
  /** Longest label value, in UTF-8 bytes. */
  readonly maxLabelValueLength: number;
}

/** A rejected series: the reason and the index of the offending label (-1 for the series). */
export interface SeriesValidationFailure {
  readonly reason: SeriesValidationReason;
  readonly labelIndex: number;
}

function failure(reason: SeriesValidationReason, labelIndex: number): SeriesValidationFailure {
  return { reason, labelIndex };
}

/**
 * Validates the labels of one incoming series, given as a flat [n0, v0, n1, v1, …] array in the
 * order the client sent them (Labels.toFlat() of a Labels is always sorted and unique). Checks,
 * in Mimir's order: metric name present and valid, label count, then each label's name validity,
 * name length, value length, and strict ascending order (equal neighbours are duplicates).
 * Returns null when valid; allocates only on failure.
 */
export function validateSeriesLabels(
  flat: readonly string[],
  limits: SeriesValidationLimits,
): SeriesValidationFailure | null {
  let metricName = '';
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] === '__name__') {
      metricName = flat[i + 1]!;
      break;
    }
  }
  if (metricName === '') return failure('missing-metric-name', -1);
  if (!isValidMetricName(metricName)) return failure('metric-name-invalid', -1);
  if (flat.length >> 1 > limits.maxLabelNamesPerSeries) return failure('max-label-names-per-series', -1);
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!;
    const value = flat[i + 1]!;
    if (!isValidLabelName(name)) return failure('label-invalid', i >> 1);
    if (name.length > limits.maxLabelNameLength) return failure('label-name-too-long', i >> 1);
    // UTF-16 length <= UTF-8 length <= 3 × UTF-16 length: count bytes only when it matters.
    const max = limits.maxLabelValueLength;
    if (value.length > max || (value.length * 3 > max && utf8Length(value) > max)) {
      return failure('label-value-too-long', i >> 1);
    }
    if (i > 0) {
      // Valid label names are ASCII, so `<` is byte order here.
      const prev = flat[i - 2]!;
      if (prev === name) return failure('duplicate-label-names', i >> 1);
      if (prev > name) return failure('labels-not-sorted', i >> 1);
    }
  }
  return null;
}
