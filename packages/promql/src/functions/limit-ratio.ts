/**
 * The series selection of the `limit_ratio(r, v)` aggregation, as Prometheus defines it: each
 * series gets a fixed offset in [0, 1) derived from its label hash, `xxhash64(labels) / 2^64`,
 * where the hashed bytes are `name 0xff value 0xff` for every label in sorted order (Prometheus's
 * `labels.Hash()`). A series is kept when `offset < r` for r ≥ 0, or `offset ≥ 1 + r` for r < 0,
 * so `limit_ratio(r, v)` and `limit_ratio(-(1 - r), v)` are complements and a series stays
 * selected across steps as long as its labels do not change.
 */
import type { Labels } from '@tessera/model';
import { invalidRatioWarning } from './annotations.ts';
import { FunctionError } from './errors.ts';
import { formatGoFloatG } from './go-float.ts';
import { xxhash64 } from './xxhash64.ts';

const encoder = new TextEncoder();
let buf = new Uint8Array(1024);
const SEP = 0xff;
const TWO_POW_64 = 18446744073709551616;

/** Prometheus's `labels.Hash()`: XXH64 over `name 0xff value 0xff` for every label. */
export function prometheusLabelsHash(labels: Labels): bigint {
  let len = 0;
  for (let i = 0; i < labels.size; i++) {
    len = put(labels.name(i), len);
    len = put(labels.value(i), len);
  }
  return xxhash64(buf, len);
}

function put(s: string, at: number): number {
  // A UTF-16 unit encodes to at most 3 UTF-8 bytes; one more for the separator.
  const need = at + 3 * s.length + 1;
  if (need > buf.length) {
    const grown = new Uint8Array(Math.max(need, buf.length * 2));
    grown.set(buf.subarray(0, at));
    buf = grown;
  }
  const { written } = encoder.encodeInto(s, buf.subarray(at));
  buf[at + written] = SEP;
  return at + written + 1;
}

/** A series' position in [0, 1] for limit_ratio: `float64(hash) / float64(MaxUint64)`. */
export function limitRatioOffset(labels: Labels): number {
  // float64(MaxUint64) rounds to 2^64; Number(bigint) rounds to nearest like Go's conversion.
  return Number(prometheusLabelsHash(labels)) / TWO_POW_64;
}

/** Whether a series with the given {@link limitRatioOffset} is kept for ratio `r` ∈ [−1, 1]. */
export function limitRatioKeeps(ratio: number, offset: number): boolean {
  return ratio >= 0 ? offset < ratio : offset >= 1 + ratio;
}

/** The outcome of checking a limit_ratio parameter. */
export interface LimitRatioParam {
  /** The ratio to apply, capped to [−1, 1]; 0 means no output at all. */
  ratio: number;
  /** The {@link invalidRatioWarning} text when the parameter had to be capped. */
  warning: string | undefined;
}

/**
 * Validates the `r` of `limit_ratio(r, v)` for one step.
 *
 * @throws FunctionError `ratio-is-nan` ("Ratio value NaN is NaN") for NaN, a query error in
 *   Prometheus.
 */
export function limitRatioParam(param: number): LimitRatioParam {
  if (param !== param) {
    throw new FunctionError('ratio-is-nan', `Ratio value ${formatGoFloatG(param)} is NaN`);
  }
  if (param < -1) return { ratio: -1, warning: invalidRatioWarning(param, -1) };
  if (param > 1) return { ratio: 1, warning: invalidRatioWarning(param, 1) };
  return { ratio: param, warning: undefined };
}
