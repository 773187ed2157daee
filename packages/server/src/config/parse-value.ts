/**
 * Turning raw option values into typed ones: command-line strings and decoded YAML values.
 *
 * Both return a tagged result instead of throwing, so the loader can collect every problem of a
 * command line and a file before failing. The `reason` is the part after the colon in
 * `invalid value "abc" for flag -server.http-listen-port: not an integer`; the caller supplies
 * the part that names the option, since only it knows where the value came from.
 */

import { parseDuration } from '@tessera/model';
import { checkValue, type OptionValue, type ResolvedOption } from './options.ts';

/** A parsed value, or the reason the raw value was rejected. */
export type ParseResult = { readonly ok: true; readonly value: OptionValue } | { readonly ok: false; readonly reason: string };

const INT = /^[+-]?\d+$/;
// Decimal floats as Go's ParseFloat reads them, minus hex, Inf and NaN (never a useful limit).
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** Parses a boolean the way Go's strconv.ParseBool does; `undefined` when it is not one. */
export function parseBoolString(s: string): boolean | undefined {
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return undefined;
}

/**
 * Parses the text of a flag value. Lists are comma-separated with blanks trimmed and empty
 * items dropped, so `-x=` sets an empty list. The value is range-checked.
 */
export function parseFlagValue(o: ResolvedOption, raw: string): ParseResult {
  let value: OptionValue;
  switch (o.spec.type) {
    case 'string':
    case 'enum':
      value = raw;
      break;
    case 'bool': {
      const b = parseBoolString(raw);
      if (b === undefined) return fail('not a boolean (use true or false)');
      value = b;
      break;
    }
    case 'int':
      if (!INT.test(raw)) return fail('not an integer');
      value = Number(raw);
      if (!Number.isSafeInteger(value)) return fail('integer out of range');
      break;
    case 'float':
      if (!FLOAT.test(raw)) return fail('not a number');
      value = Number(raw);
      if (!Number.isFinite(value)) return fail('number out of range');
      break;
    case 'duration': {
      const ms = durationMs(raw);
      if (ms === undefined) return fail(DURATION_HINT);
      value = ms;
      break;
    }
    case 'stringList':
      value = splitList(raw);
      break;
  }
  return checked(o, value);
}

/**
 * Converts a value decoded from YAML. Scalars must have the option's YAML type: numbers for
 * int/float, `true`/`false` for bool (not `yes`), strings for durations (or the number `0`, as
 * Prometheus accepts). Strings accept any scalar, as Go's YAML decoder does (`tenant: 123`).
 * Lists accept a YAML sequence of scalars or one comma-separated string.
 */
export function parseYamlValue(o: ResolvedOption, raw: unknown): ParseResult {
  let value: OptionValue;
  switch (o.spec.type) {
    case 'string':
      if (!isScalar(raw)) return fail('not a string');
      value = String(raw);
      break;
    case 'enum':
      if (typeof raw !== 'string') return fail(`must be one of ${o.spec.values.join(', ')}`);
      value = raw;
      break;
    case 'bool':
      if (typeof raw !== 'boolean') return fail('not a boolean (use true or false)');
      value = raw;
      break;
    case 'int':
      if (typeof raw !== 'number') return fail('not an integer');
      if (!Number.isSafeInteger(raw)) return fail(Number.isInteger(raw) ? 'integer out of range' : 'not an integer');
      value = raw;
      break;
    case 'float':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return fail('not a number');
      value = raw;
      break;
    case 'duration': {
      const ms = typeof raw === 'string' || typeof raw === 'number' ? durationMs(String(raw)) : undefined;
      if (ms === undefined) return fail(DURATION_HINT);
      value = ms;
      break;
    }
    case 'stringList':
      if (typeof raw === 'string') value = splitList(raw);
      else if (Array.isArray(raw) && raw.every(isScalar)) value = raw.map((v) => String(v));
      else return fail('not a list of strings');
      break;
  }
  return checked(o, value);
}

/** Shows a raw value in a message: strings quoted, long values cut. */
export function showRaw(raw: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(raw) ?? String(raw);
  } catch {
    s = String(raw);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const DURATION_HINT = 'not a duration (use e.g. 500ms, 10s, 1h30m, 0)';

function durationMs(s: string): number | undefined {
  try {
    return parseDuration(s);
  } catch {
    return undefined;
  }
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function checked(o: ResolvedOption, value: OptionValue): ParseResult {
  const reason = checkValue(o, value);
  return reason === undefined ? { ok: true, value } : fail(reason);
}

function fail(reason: string): ParseResult {
  return { ok: false, reason };
}
