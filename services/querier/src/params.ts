/**
 * Parsing of the Prometheus HTTP API's parameters, with Prometheus's own error texts (clients and
 * tests match on them): times (`time`, `start`, `end`) as RFC 3339 or Unix seconds with
 * fractions, durations (`step`, `timeout`, `lookback_delta`) as float seconds or Prometheus
 * duration strings, `match[]` selectors, `limit`, and label names in path segments.
 *
 * Every failure is a `bad_data` TesseraError (400) whose message starts with
 * `invalid parameter "<name>": ` as Prometheus's `invalidParamError` writes it.
 */
import { parseDuration, parseSeriesSelector, isValidLabelName, quoteGo, ModelError, MAX_DURATION_MS, type Matcher } from '@tessera/model';
import { TesseraError } from '@tessera/server';

/**
 * Prometheus's "minimum time" in ms (-292273086-05-16T16:47:06Z): what an absent `start` means,
 * and the earliest time accepted. Beyond 2^53 a JS number is not an exact integer; these two are
 * only ever bounds.
 */
export const MIN_TIME_MS = -9223309901257974000;
/** Prometheus's "maximum time" in ms (292277025-08-18T07:12:54.999Z): what an absent `end` means. */
export const MAX_TIME_MS = 9223309901257974999;

// The strings Prometheus prints for its min/max times; clients echo them back.
const MIN_TIME_STRINGS = new Set(['-292273086-05-16T16:47:06Z', '-292273086-05-16T16:47:06.000Z']);
const MAX_TIME_STRINGS = new Set(['292277025-08-18T07:12:54.999999999Z', '292277025-08-18T07:12:54.999Z']);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
// What Go's strconv.ParseFloat accepts in decimal form, plus its spellings of infinity and NaN.
const GO_FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const GO_SPECIAL = /^[+-]?(inf|infinity|nan)$/i;

/** The error every parameter problem becomes. */
export function invalidParam(name: string, message: string, code = 'invalid-parameter'): TesseraError {
  return new TesseraError('bad_data', code, `invalid parameter "${name}": ${message}`);
}

/** Go's `strconv.ParseFloat` for the forms clients send; undefined when `s` is not a float. */
function goFloat(s: string): number | undefined {
  if (GO_FLOAT.test(s)) return Number(s);
  if (GO_SPECIAL.test(s)) {
    const neg = s.startsWith('-');
    if (/nan/i.test(s)) return NaN;
    return neg ? -Infinity : Infinity;
  }
  return undefined;
}

/**
 * Parses a timestamp as Prometheus's `parseTime` does, to integer milliseconds: Unix seconds with
 * up to millisecond precision (the fraction is rounded to whole milliseconds), or RFC 3339 with
 * any fraction (truncated to milliseconds), or Prometheus's printed min/max times. Returns the
 * bare reason on failure (`cannot parse "x" to a valid timestamp`).
 */
export function parseTimestamp(value: string): number | string {
  const f = goFloat(value);
  if (f !== undefined) {
    if (Number.isFinite(f)) {
      // Go: s, ns := math.Modf(t); ns = math.Round(ns*1000)/1000 — rounding half away from zero.
      const whole = Math.trunc(f);
      const frac = f - whole;
      const ms = whole * 1000 + Math.sign(frac) * Math.round(Math.abs(frac) * 1000);
      if (ms >= MIN_TIME_MS && ms <= MAX_TIME_MS) return ms;
    }
    return `cannot parse ${quoteGo(value)} to a valid timestamp`;
  }
  if (MIN_TIME_STRINGS.has(value)) return MIN_TIME_MS;
  if (MAX_TIME_STRINGS.has(value)) return MAX_TIME_MS;
  if (RFC3339.test(value)) {
    const ms = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
    if (Number.isFinite(ms)) return ms;
  }
  return `cannot parse ${quoteGo(value)} to a valid timestamp`;
}

/**
 * Parses a required time parameter as `query_range` reads `start` and `end`: an absent value is
 * an error too (`invalid parameter "start": cannot parse "" to a valid timestamp`).
 */
export function parseTime(value: string | undefined, name: string): number {
  const r = parseTimestamp(value ?? '');
  if (typeof r === 'string') throw invalidParam(name, r, 'invalid-time');
  return r;
}

/**
 * Parses an optional time parameter (ms), `fallback` when absent or empty, as Prometheus's
 * `parseTimeParam`: `invalid parameter "time": invalid time value for 'time': cannot parse …`.
 */
export function parseTimeParam(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const r = parseTimestamp(value);
  if (typeof r === 'string') throw invalidParam(name, `invalid time value for '${name}': ${r}`, 'invalid-time');
  return r;
}

/**
 * Parses a duration as Prometheus's API `parseDuration` does, to milliseconds: a float number of
 * seconds (`15`, `0.5`, `-3`; converted to nanoseconds and then milliseconds, both truncated, as Go
 * converts) or a Prometheus duration string (`1m30s`). Returns the bare reason on failure.
 */
export function parseApiDuration(value: string): number | string {
  const f = goFloat(value);
  if (f !== undefined) {
    const ns = f * 1e9;
    if (Number.isNaN(ns) || Math.abs(ns) > MAX_DURATION_MS * 1e6) {
      return `cannot parse ${quoteGo(value)} to a valid duration. It overflows int64`;
    }
    return Math.trunc(Math.trunc(ns) / 1e6);
  }
  try {
    return parseDuration(value);
  } catch (e) {
    if (ModelError.is(e)) return `cannot parse ${quoteGo(value)} to a valid duration`;
    throw e;
  }
}

/** Parses a duration parameter (ms): `invalid parameter "step": cannot parse "x" to a valid duration`. */
export function parseDurationParam(value: string | undefined, name: string): number {
  const r = parseApiDuration(value ?? '');
  if (typeof r === 'string') throw invalidParam(name, r, 'invalid-duration');
  return r;
}

/** Parses every `match[]` value into matcher sets; a bad selector is a 400 naming it. */
export function parseMatchParams(values: readonly string[]): Matcher[][] {
  return values.map((v) => {
    try {
      return parseSeriesSelector(v);
    } catch (e) {
      if (ModelError.is(e)) throw invalidParam('match[]', e.message, 'invalid-match');
      throw e;
    }
  });
}

/** Parses `limit` as Prometheus's `parseLimitParam` (0 or absent = no limit, negative refused). */
export function parseLimitParam(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  if (!/^[+-]?\d+$/.test(value)) {
    throw invalidParam('limit', `strconv.Atoi: parsing ${quoteGo(value)}: invalid syntax`, 'invalid-limit');
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw invalidParam('limit', `strconv.Atoi: parsing ${quoteGo(value)}: value out of range`, 'invalid-limit');
  }
  if (n < 0) throw invalidParam('limit', 'limit must be non-negative', 'invalid-limit');
  return n;
}

/**
 * Parses the optional `start` and `end` of the series and label endpoints, checking end ≥ start
 * (Prometheus answers an empty list there; a 400 tells the client its range is upside down).
 */
export function parseRange(start: string | undefined, end: string | undefined): { mint: number; maxt: number } {
  const mint = parseTimeParam(start, 'start', MIN_TIME_MS);
  const maxt = parseTimeParam(end, 'end', MAX_TIME_MS);
  if (maxt < mint) {
    throw invalidParam('end', 'end timestamp must not be before start time', 'invalid-time-range');
  }
  return { mint, maxt };
}

/**
 * Decodes a label name from a URL path segment: Prometheus's "values escaping" (`U__` prefix;
 * `__` is `_`; `_<hex>_` is that code point; anything else literal). A name that is not validly
 * escaped is returned unchanged, as Prometheus does.
 */
export function unescapeLabelName(name: string): string {
  if (!name.startsWith('U__')) return name;
  const s = name.slice(3);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '_') {
      if (!/[A-Za-z0-9:]/.test(c)) return name;
      out += c;
      continue;
    }
    if (s[i + 1] === '_') {
      out += '_';
      i++;
      continue;
    }
    const close = s.indexOf('_', i + 1);
    if (close < 0) return name;
    const hex = s.slice(i + 1, close);
    const cp = /^[0-9a-fA-F]{1,6}$/.test(hex) ? parseInt(hex, 16) : NaN;
    if (!(cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) return name;
    out += String.fromCodePoint(cp);
    i = close;
  }
  return out;
}

/** The label name of a `label/<name>/values` path, unescaped and checked (400 when invalid). */
export function parseLabelNameParam(raw: string): string {
  const name = unescapeLabelName(raw);
  if (!isValidLabelName(name)) {
    throw new TesseraError('bad_data', 'invalid-label-name', `invalid label name: ${quoteGo(name)}`);
  }
  return name;
}
