/** Parameter parsing, table-driven: the forms clients send and Prometheus's error texts. */
import { describe, expect, it } from 'vitest';
import { MAX_TIME_MS, MIN_TIME_MS, parseApiDuration, parseLimitParam, parseTimeParam, parseTimestamp, unescapeLabelName } from './params.ts';

describe('parseTimestamp', () => {
  it.each([
    ['1700000000', 1_700_000_000_000],
    ['1700000000.123', 1_700_000_000_123],
    ['1700000000.1234', 1_700_000_000_123],
    ['1700000000.1235', 1_700_000_000_124],
    ['1.5e9', 1_500_000_000_000],
    ['-1.5', -1500],
    ['-0.0005', -1], // Go's math.Round rounds half away from zero
    ['.5', 500],
    ['4', 4000],
    ['1718000124000', 1_718_000_124_000_000], // Grafana's exemplar probe: milliseconds read as seconds
    ['2023-11-14T22:13:20Z', 1_700_000_000_000],
    ['2023-11-14T22:13:20.5Z', 1_700_000_000_500],
    ['2023-11-14T22:13:20.123456789Z', 1_700_000_000_123],
    ['2023-11-15T00:13:20+02:00', 1_700_000_000_000],
    ['2023-11-14T17:43:20-04:30', 1_700_000_000_000],
    ['-292273086-05-16T16:47:06Z', MIN_TIME_MS],
    ['292277025-08-18T07:12:54.999999999Z', MAX_TIME_MS],
  ])('%s → %d ms', (input, ms) => {
    expect(parseTimestamp(input)).toBe(ms);
  });

  it.each(['', 'now', '12:00', '2023-11-14', '2023-11-14 22:13:20Z', '2023-13-01T00:00:00Z', '2023-11-14T22:13:20', 'Inf', 'NaN', '1e300', '0x10', '1_000'])(
    '%j is not a timestamp',
    (input) => {
      expect(parseTimestamp(input)).toBe(`cannot parse ${JSON.stringify(input)} to a valid timestamp`);
    },
  );

  it('optional times fall back when absent and wrap errors as Prometheus does', () => {
    expect(parseTimeParam(undefined, 'time', 42)).toBe(42);
    expect(parseTimeParam('', 'time', 42)).toBe(42);
    expect(() => parseTimeParam('x', 'end', 0)).toThrow(`invalid parameter "end": invalid time value for 'end': cannot parse "x" to a valid timestamp`);
  });
});

describe('parseApiDuration', () => {
  it.each([
    ['15', 15_000],
    ['15s', 15_000],
    ['1m0s', 60_000],
    ['1h30m', 5_400_000],
    ['2w', 1_209_600_000],
    ['500ms', 500],
    ['0.5', 500],
    ['1.001', 1000], // Go converts float seconds to whole nanoseconds, truncating: 1.000999999s
    ['0.0001', 0],
    ['-30', -30_000],
    ['0', 0],
    ['1e3', 1_000_000],
  ])('%s → %d ms', (input, ms) => {
    expect(parseApiDuration(input)).toBe(ms);
  });

  it.each([
    ['', 'cannot parse "" to a valid duration'],
    ['1.5s', 'cannot parse "1.5s" to a valid duration'],
    ['5 minutes', 'cannot parse "5 minutes" to a valid duration'],
    ['1s1m', 'cannot parse "1s1m" to a valid duration'],
    ['-1m', 'cannot parse "-1m" to a valid duration'],
    ['Inf', 'cannot parse "Inf" to a valid duration. It overflows int64'],
    ['1e10', 'cannot parse "1e10" to a valid duration. It overflows int64'],
  ])('%j: %s', (input, message) => {
    expect(parseApiDuration(input)).toBe(message);
  });
});

describe('parseLimitParam', () => {
  it.each([
    [undefined, 0],
    ['', 0],
    ['0', 0],
    ['40000', 40000],
    ['+7', 7],
  ])('%j → %d', (input, n) => {
    expect(parseLimitParam(input)).toBe(n);
  });

  it.each([
    ['-1', 'invalid parameter "limit": limit must be non-negative'],
    ['abc', 'invalid parameter "limit": strconv.Atoi: parsing "abc": invalid syntax'],
    ['1.5', 'invalid parameter "limit": strconv.Atoi: parsing "1.5": invalid syntax'],
    ['99999999999999999999', 'invalid parameter "limit": strconv.Atoi: parsing "99999999999999999999": value out of range'],
  ])('%j: %s', (input, message) => {
    expect(() => parseLimitParam(input)).toThrow(message);
  });
});

describe('unescapeLabelName', () => {
  it.each([
    ['job', 'job'],
    ['U__job', 'job'],
    ['U__my__label', 'my_label'],
    ['U__http_2e_status__code', 'http.status_code'],
    ['U___1f600_', '😀'],
    ['U__bad_zz_', 'U__bad_zz_'], // not validly escaped: unchanged
    ['U__open_2e', 'U__open_2e'],
    ['U__a.b', 'U__a.b'],
  ])('%s → %s', (input, out) => {
    expect(unescapeLabelName(input)).toBe(out);
  });
});
