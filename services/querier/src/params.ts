/**
 * Parsing of the Prometheus HTTP API's common parameters: times (`start`, `end`, `time`) as
 * RFC 3339 or Unix seconds with fractions, `match[]` selectors, `limit`.
 */
import { parseSeriesSelector, ModelError, type Matcher } from '@tessera/model';
import { TesseraError } from '@tessera/server';

/** Prometheus's "minimum time": what an absent `start` means. */
export const MIN_TIME_MS = -9223372036854.775;
/** Prometheus's "maximum time": what an absent `end` means. */
export const MAX_TIME_MS = 9223372036854.775;

// The strings Prometheus prints for its min/max times; clients echo them back.
const MIN_TIME_STRINGS = new Set(['-292273086-05-16T16:47:06Z', '-292273086-05-16T16:47:06.000Z']);
const MAX_TIME_STRINGS = new Set(['292277025-08-18T07:12:54.999999999Z', '292277025-08-18T07:12:54.999Z']);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses a time parameter (ms). Accepts Unix seconds (`1700000000`, `1700000000.123`) and RFC 3339
 * (`2023-11-14T22:13:20.123Z`). `name` is used in the error message.
 */
export function parseTimeParam(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.round(seconds * 1000);
  }
  if (MIN_TIME_STRINGS.has(value)) return MIN_TIME_MS;
  if (MAX_TIME_STRINGS.has(value)) return MAX_TIME_MS;
  const m = RFC3339.exec(value);
  if (m !== null) {
    const ms = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
    if (Number.isFinite(ms)) return ms;
  }
  throw new TesseraError('bad_data', 'invalid-time', `invalid parameter "${name}": cannot parse "${value}" to a valid timestamp`);
}

/** Parses every `match[]` value into matcher sets; a bad selector is a 400 naming it. */
export function parseMatchParams(values: readonly string[]): Matcher[][] {
  return values.map((v) => {
    try {
      return parseSeriesSelector(v);
    } catch (e) {
      if (ModelError.is(e)) {
        throw new TesseraError('bad_data', 'invalid-match', `invalid parameter "match[]": ${e.message}`);
      }
      throw e;
    }
  });
}

/** Parses `limit` (0 or absent = no limit). */
export function parseLimitParam(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new TesseraError('bad_data', 'invalid-limit', `invalid parameter "limit": "${value}" is not a non-negative integer`);
  }
  return n;
}

/** Parses start and end, checking end ≥ start. */
export function parseRange(start: string | undefined, end: string | undefined): { mint: number; maxt: number } {
  const mint = parseTimeParam(start, 'start', MIN_TIME_MS);
  const maxt = parseTimeParam(end, 'end', MAX_TIME_MS);
  if (maxt < mint) {
    throw new TesseraError('bad_data', 'invalid-time-range', 'invalid parameter "end": end timestamp must not be before start time');
  }
  return { mint, maxt };
}
