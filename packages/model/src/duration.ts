/**
 * Prometheus duration strings (`1h30m`, `500ms`, `2w`), as accepted in PromQL range selectors,
 * rule intervals and configuration, converted to and from milliseconds.
 *
 * Syntax: one or more `<digits><unit>` terms with units drawn from y, w, d, h, m, s, ms, in that
 * (descending) order, each at most once; or the plain string `0`. A year is 365 days and a week
 * 7 days. The result must fit Go's time.Duration (int64 nanoseconds), as in Prometheus.
 */
import { ModelError } from './errors.ts';

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;
const MS_PER_WEEK = 7 * MS_PER_DAY;
const MS_PER_YEAR = 365 * MS_PER_DAY;

/** Largest duration, in ms, that Go's int64-nanosecond time.Duration can hold. */
export const MAX_DURATION_MS = 9_223_372_036_854;

// Unit index in descending order: y=0 w=1 d=2 h=3 m=4 s=5 ms=6. Parsing requires the index to
// increase strictly from term to term, which enforces both the order and "each at most once".
const UNIT_MS = [MS_PER_YEAR, MS_PER_WEEK, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, 1] as const;
const UNIT_NAME = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

const CH_0 = 0x30;
const CH_9 = 0x39;

function invalid(s: string): ModelError {
  return new ModelError('invalid-duration', `not a valid duration string: ${JSON.stringify(s)}`);
}

/**
 * Parses a Prometheus duration string into milliseconds.
 *
 * @throws ModelError with code `invalid-duration` (message naming the input) when `s` is empty,
 *   malformed, has units out of order or repeated, or exceeds {@link MAX_DURATION_MS}.
 */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  if (s.length === 0) throw new ModelError('invalid-duration', 'empty duration string');
  let total = 0;
  let nextUnit = 0; // smallest unit index the next term may use
  let i = 0;
  const n = s.length;
  while (i < n) {
    const digitsStart = i;
    let value = 0;
    let c = s.charCodeAt(i);
    while (c >= CH_0 && c <= CH_9) {
      value = value * 10 + (c - CH_0);
      c = ++i < n ? s.charCodeAt(i) : -1;
    }
    if (i === digitsStart || i === n) throw invalid(s);
    let unit: number;
    switch (c) {
      case 0x79: unit = 0; break; // y
      case 0x77: unit = 1; break; // w
      case 0x64: unit = 2; break; // d
      case 0x68: unit = 3; break; // h
      case 0x6d: // m or ms
        if (i + 1 < n && s.charCodeAt(i + 1) === 0x73) { unit = 6; i++; } else unit = 4;
        break;
      case 0x73: unit = 5; break; // s
      default: throw invalid(s);
    }
    i++;
    if (unit < nextUnit) throw invalid(s);
    nextUnit = unit + 1;
    // Digits beyond 2^53 lose precision but are then far beyond MAX_DURATION_MS anyway.
    total += value * UNIT_MS[unit]!;
    if (total > MAX_DURATION_MS) {
      throw new ModelError('invalid-duration', `duration out of range: ${JSON.stringify(s)}`);
    }
  }
  return total;
}

/**
 * Formats milliseconds as a Prometheus duration string: `0s` for zero, otherwise the non-zero
 * units from largest to smallest (`1h30m`, `500ms`, `1d2h`). Years and weeks are used only when
 * they divide the duration exactly (`90d`, not `12w6d`), as Prometheus does. Fractions of a
 * millisecond are truncated; a negative duration gets a leading `-`.
 *
 * @throws ModelError `invalid-duration` when `ms` is not finite.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) {
    throw new ModelError('invalid-duration', `not a finite duration: ${ms}`);
  }
  let rest = Math.trunc(ms);
  if (rest === 0) return '0s';
  if (rest < 0) return '-' + formatDuration(-rest);
  let out = '';
  for (let u = 0; u < UNIT_MS.length; u++) {
    const mult = UNIT_MS[u]!;
    if (u <= 1 && rest % mult !== 0) continue; // y and w only when exact
    const v = Math.floor(rest / mult);
    if (v > 0) {
      out += v + UNIT_NAME[u]!;
      rest -= v * mult;
    }
  }
  return out;
}
