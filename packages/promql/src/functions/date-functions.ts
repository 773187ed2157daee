/**
 * Date kernels (`year`, `month`, `day_of_month`, `day_of_week`, `day_of_year`, `days_in_month`,
 * `hour`, `minute`): each reads a float as seconds since the Unix epoch and returns a calendar
 * field in UTC (proleptic Gregorian calendar, no leap seconds).
 *
 * Conversion rules, as in Prometheus (Go, amd64): the float is converted with Go's `int64(v)`,
 * i.e. truncated towards zero, and NaN, ±Inf and values outside the int64 range all become
 * −2^63 (the x86 conversion result). Go's time package computes dates in unsigned 64-bit
 * arithmetic from an epoch in the year −292277022399, so instants before that epoch wrap around
 * by 2^64 s: NaN therefore yields year 292277026596 in Prometheus, and here.
 *
 * For the argument-less forms (`year()`), pass the evaluation time in seconds (ms / 1000; the
 * truncation makes that equal to Go's integer division).
 */

const TWO_63 = 9223372036854775808;
const TWO_64_BIG = 1n << 64n;
/** Seconds from Go's absolute epoch to the Unix epoch: instants before it wrap around by 2^64. */
const UNIX_TO_ABSOLUTE = 9223372028715321600;
const SECONDS_PER_DAY = 86400;

// The fields of the last decoded instant (module state instead of a result object: no allocation).
let fYear = 1970;
let fMonth = 1;
let fDay = 1;
let fHour = 0;
let fMinute = 0;
let fWeekday = 4;
let fYearDay = 1;

const CUMULATIVE_DAYS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** Decodes `v` (seconds, float) into the module's field variables. */
function decode(v: number): void {
  // Go's int64(v) on amd64: truncation, with NaN/±Inf/out-of-range giving MinInt64.
  const s = v >= -TWO_63 && v < TWO_63 ? Math.trunc(v) : -TWO_63;
  let days: number;
  let sod: number;
  if (Math.abs(s) < 2 ** 53 && s >= -UNIX_TO_ABSOLUTE) {
    days = Math.floor(s / SECONDS_PER_DAY);
    sod = s - days * SECONDS_PER_DAY;
  } else {
    // Exact integer arithmetic; wrap instants before Go's absolute epoch like uint64 does.
    let b = BigInt(s);
    if (s < -UNIX_TO_ABSOLUTE) b += TWO_64_BIG;
    const day = 86400n;
    let d = b / day;
    let r = b % day;
    if (r < 0n) {
      r += day;
      d -= 1n;
    }
    days = Number(d);
    sod = Number(r);
  }
  fHour = Math.floor(sod / 3600);
  fMinute = Math.floor((sod % 3600) / 60);
  fWeekday = (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday (4)
  // Civil date from day count (era-based algorithm; eras are 400-year cycles of 146097 days,
  // years counted from 1 March so that the leap day is last).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  fDay = doy - Math.floor((153 * mp + 2) / 5) + 1;
  fMonth = mp < 10 ? mp + 3 : mp - 9;
  fYear = yoe + era * 400 + (fMonth <= 2 ? 1 : 0);
  fYearDay = CUMULATIVE_DAYS[fMonth - 1]! + fDay + (fMonth > 2 && isLeap(fYear) ? 1 : 0);
}

/** `year(v)`: the year. */
export function year(v: number): number {
  decode(v);
  return fYear;
}

/** `month(v)`: the month, 1 (January) to 12. */
export function month(v: number): number {
  decode(v);
  return fMonth;
}

/** `day_of_month(v)`: 1 to 31. */
export function dayOfMonth(v: number): number {
  decode(v);
  return fDay;
}

/** `day_of_week(v)`: 0 (Sunday) to 6 (Saturday). */
export function dayOfWeek(v: number): number {
  decode(v);
  return fWeekday;
}

/** `day_of_year(v)`: 1 to 365, or 366 in leap years. */
export function dayOfYear(v: number): number {
  decode(v);
  return fYearDay;
}

/** `days_in_month(v)`: 28 to 31. */
export function daysInMonth(v: number): number {
  decode(v);
  if (fMonth === 2) return isLeap(fYear) ? 29 : 28;
  return fMonth === 4 || fMonth === 6 || fMonth === 9 || fMonth === 11 ? 30 : 31;
}

/** `hour(v)`: 0 to 23. */
export function hour(v: number): number {
  decode(v);
  return fHour;
}

/** `minute(v)`: 0 to 59. */
export function minute(v: number): number {
  decode(v);
  return fMinute;
}

/** The date kernels by PromQL name. */
export const DATE_FUNCTIONS: ReadonlyMap<string, (seconds: number) => number> = new Map([
  ['day_of_month', dayOfMonth],
  ['day_of_week', dayOfWeek],
  ['day_of_year', dayOfYear],
  ['days_in_month', daysInMonth],
  ['hour', hour],
  ['minute', minute],
  ['month', month],
  ['year', year],
]);
