/**
 * The values PromQL expressions evaluate to, as Prometheus defines them: scalar, string, instant
 * vector (one sample per series at one time), range vector (matrix: many samples per series).
 * Only float samples exist so far (native histograms are out of scope).
 *
 * Timestamps are milliseconds since the epoch (JS numbers, exact integers); values are floats.
 */
import type { Labels } from '@tessera/model';

/** The type of a value or expression, named as in Prometheus's API (`resultType`). */
export type ValueType = 'scalar' | 'string' | 'vector' | 'matrix';

/** A scalar at a time. */
export interface Scalar {
  readonly type: 'scalar';
  t: number;
  v: number;
}

/** A string at a time. */
export interface StringValue {
  readonly type: 'string';
  t: number;
  v: string;
}

/** One element of an instant vector. */
export interface Sample {
  metric: Labels;
  t: number;
  v: number;
  /**
   * True when the metric name must be dropped from the result once evaluation is done
   * (Prometheus 3's delayed name removal for functions and operators that change the meaning of
   * the value).
   */
  dropName?: boolean;
}

/** An instant vector: at most one sample per distinct label set. */
export type Vector = Sample[];

/** One series of a range vector or range query result: its samples in time order. */
export interface Series {
  metric: Labels;
  /** Sample timestamps, ascending; `ts.length === vs.length`. */
  ts: number[];
  vs: number[];
  dropName?: boolean;
}

/** A range vector / range query result. */
export type Matrix = Series[];

/** Any evaluated value. */
export type Value =
  | Scalar
  | StringValue
  | { readonly type: 'vector'; v: Vector }
  | { readonly type: 'matrix'; v: Matrix };

/**
 * Annotations are the non-fatal messages of a query, as Prometheus returns them in `warnings` and
 * `infos` (e.g. `PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "foo"`).
 * Kept as a set of unique strings in insertion order.
 */
export class Annotations {
  readonly warnings = new Set<string>();
  readonly infos = new Set<string>();

  warn(msg: string): void {
    this.warnings.add(msg);
  }

  info(msg: string): void {
    this.infos.add(msg);
  }

  merge(other: Annotations): void {
    for (const w of other.warnings) this.warnings.add(w);
    for (const i of other.infos) this.infos.add(i);
  }
}

const staleBits = new Float64Array(1);
const staleWords = new Uint32Array(staleBits.buffer);

/** The high/low words of Prometheus's staleness marker NaN 0x7ff0000000000002. */
export const STALE_NAN_HI = 0x7ff00000;
export const STALE_NAN_LO = 0x00000002;

/** Whether a value is Prometheus's staleness marker (a NaN with a specific payload). */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false; // not NaN
  staleBits[0] = v;
  return staleWords[1] === STALE_NAN_HI && staleWords[0] === STALE_NAN_LO;
}
