/**
 * Element-wise kernels of instant-vector functions: math (`abs`, `ln`, `round`, `clamp`…),
 * trigonometry and angle conversion, plus `pi()`. Each maps one float sample value; the evaluator
 * drops histogram samples and, for `clamp`, the whole vector when {@link clampYieldsNothing}.
 *
 * Special values follow Go's `math` package (which JavaScript's `Math` matches: NaN in, NaN out;
 * `ln(0) = −Inf`; `ln(x < 0) = NaN`; `acos(2) = NaN`; `atanh(±1) = ±Inf`; `sin(±Inf) = NaN`…).
 * Transcendental results may differ from Go's in the last bit: Go and V8 use different libm
 * algorithms for some functions (e.g. log2(10) is 3.321928094887362 here, …626 in Go's test data).
 */

/** A kernel mapping one sample value to one output value. */
export type ElementFunction = (v: number) => number;

/** `abs(v)`. */
export const abs: ElementFunction = Math.abs;
/** `ceil(v)`: ceil(−0.5) = −0. */
export const ceil: ElementFunction = Math.ceil;
/** `floor(v)`. */
export const floor: ElementFunction = Math.floor;
/** `exp(v)`. */
export const exp: ElementFunction = Math.exp;
/** `sqrt(v)`: NaN for v < 0. */
export const sqrt: ElementFunction = Math.sqrt;
/** `ln(v)`: natural logarithm. */
export const ln: ElementFunction = Math.log;
/** `log2(v)`. */
export const log2: ElementFunction = Math.log2;
/** `log10(v)`. */
export const log10: ElementFunction = Math.log10;

/** `sgn(v)`: −1 for negative, 1 for positive, else v itself (±0, NaN). */
export function sgn(v: number): number {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;
}

/**
 * `round(v, to_nearest = 1)`: rounds to the nearest multiple of `toNearest`, ties up (towards
 * +Inf): `floor(v · (1/toNearest) + 0.5) / (1/toNearest)`. Multiplying by the inverse is
 * Prometheus's choice (fewer representation errors for fractional multiples such as 0.1).
 */
export function round(v: number, toNearest = 1): number {
  const inverse = 1 / toNearest;
  return Math.floor(v * inverse + 0.5) / inverse;
}

/** Whether `clamp(v, min, max)` outputs an empty vector (min > max); NaN bounds do not. */
export function clampYieldsNothing(min: number, max: number): boolean {
  return max < min;
}

/** `clamp(v, min, max)`: `max(min, min(max, v))`; NaN when a bound is NaN. */
export function clamp(v: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, v));
}

/** `clamp_max(v, max)`: `min(max, v)`. */
export function clampMax(v: number, max: number): number {
  return Math.min(max, v);
}

/** `clamp_min(v, min)`: `max(min, v)`. */
export function clampMin(v: number, min: number): number {
  return Math.max(min, v);
}

/** `acos(v)`. */
export const acos: ElementFunction = Math.acos;
/** `acosh(v)`. */
export const acosh: ElementFunction = Math.acosh;
/** `asin(v)`. */
export const asin: ElementFunction = Math.asin;
/** `asinh(v)`. */
export const asinh: ElementFunction = Math.asinh;
/** `atan(v)`. */
export const atan: ElementFunction = Math.atan;
/** `atanh(v)`. */
export const atanh: ElementFunction = Math.atanh;
/** `cos(v)`. */
export const cos: ElementFunction = Math.cos;
/** `cosh(v)`. */
export const cosh: ElementFunction = Math.cosh;
/** `sin(v)`. */
export const sin: ElementFunction = Math.sin;
/** `sinh(v)`. */
export const sinh: ElementFunction = Math.sinh;
/** `tan(v)`. */
export const tan: ElementFunction = Math.tan;
/** `tanh(v)`. */
export const tanh: ElementFunction = Math.tanh;

/** `deg(v)`: radians to degrees, `v · 180 / π` evaluated left to right. */
export function deg(v: number): number {
  return (v * 180) / Math.PI;
}

/** `rad(v)`: degrees to radians, `v · π / 180` evaluated left to right. */
export function rad(v: number): number {
  return (v * Math.PI) / 180;
}

/** `pi()`. */
export function pi(): number {
  return Math.PI;
}

/**
 * The one-argument element functions by PromQL name (`abs` … `tanh`, `deg`, `rad`, `sgn`).
 * `round` and the `clamp*` family take extra scalar arguments and are exported separately.
 */
export const ELEMENT_FUNCTIONS: ReadonlyMap<string, ElementFunction> = new Map<string, ElementFunction>([
  ['abs', abs], ['ceil', ceil], ['floor', floor], ['exp', exp], ['sqrt', sqrt], ['ln', ln],
  ['log2', log2], ['log10', log10], ['sgn', sgn], ['deg', deg], ['rad', rad],
  ['acos', acos], ['acosh', acosh], ['asin', asin], ['asinh', asinh], ['atan', atan],
  ['atanh', atanh], ['cos', cos], ['cosh', cosh], ['sin', sin], ['sinh', sinh], ['tan', tan],
  ['tanh', tanh],
]);
