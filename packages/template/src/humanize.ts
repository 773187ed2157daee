/**
 * Prometheus's number formatting functions for templates: humanize, humanize1024,
 * humanizeDuration, humanizePercentage, humanizeTimestamp. Formats as Prometheus documents and
 * prints them: four significant digits (Go's %.4g) with SI, binary or time-unit prefixes.
 */
import { sprintf } from './fmt.ts';
import { GoTime } from './go-time.ts';
import { FuncError } from './exec.ts';
import { parseGoFloat } from './go-strconv.ts';
import { type GoValue, typeName } from './values.ts';

const g4 = (v: number, suffix = ''): string => sprintf('%.4g', [v]) + suffix;

/** Prometheus's convertToFloat: float64 as is, strings parsed as Go does, ints converted. */
export function toFloat(v: GoValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseGoFloat(v);
  if (typeof v === 'bigint') return Number(v);
  throw new FuncError(`can't convert ${v === undefined || v === null ? '<nil>' : typeName(v)} to float`);
}

/** `humanize`: 1234567 → "1.235M", 0.001234 → "1.234m". */
export function humanize(x: GoValue): string {
  let v = toFloat(x);
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  if (Math.abs(v) >= 1) {
    let prefix = '';
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v, prefix);
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v, prefix);
}

/** `humanize1024`: 1048576 → "1Mi". */
export function humanize1024(x: GoValue): string {
  let v = toFloat(x);
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v, prefix);
}

/** `humanizeDuration` (seconds): 3661 → "1h 1m 1s", 0.5 → "500ms". */
export function humanizeDuration(x: GoValue): string {
  let v = toFloat(x);
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return g4(v, 's');
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) { sign = '-'; v = -v; }
    // Go's int64(v): on amd64 an out-of-range conversion yields the minimum int64, and the
    // arithmetic below then goes negative, as Prometheus prints it.
    const duration = v >= 2 ** 63 ? -(2n ** 63n) : BigInt(Math.trunc(v));
    const seconds = duration % 60n;
    const minutes = (duration / 60n) % 60n;
    const hours = (duration / 3600n) % 24n;
    const days = duration / 86400n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return sign + g4(v, 's');
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v, prefix + 's');
}

/** `humanizePercentage` (a ratio): 0.1234 → "12.34%". */
export function humanizePercentage(x: GoValue): string {
  return g4(toFloat(x) * 100, '%');
}

/** Prometheus's floatToTime: seconds to a UTC time with millisecond precision. */
export function floatToTime(v: number): GoTime {
  const ns = v * 1e9;
  if (ns > 9.223372036854775807e18 || ns < -9.223372036854775808e18) {
    throw new FuncError(`${sprintf('%v', [v])} cannot be represented as a nanoseconds timestamp since it overflows int64`);
  }
  // model.TimeFromUnixNano truncates toward zero to milliseconds.
  const ms = Number(BigInt(Math.trunc(ns)) / 1_000_000n);
  return new GoTime(ms, true);
}

/** `humanizeTimestamp` (seconds): 1435065584.128 → "2015-06-23 13:19:44.128 +0000 UTC". */
export function humanizeTimestamp(x: GoValue): string {
  const v = toFloat(x);
  if (!Number.isFinite(v)) return g4(v);
  return floatToTime(v).toGoString();
}

/** `toTime`: seconds to a *time.Time. */
export function toTime(x: GoValue): GoTime {
  const v = toFloat(x);
  if (!Number.isFinite(v)) throw new FuncError('value is NaN or Inf');
  return floatToTime(v);
}
