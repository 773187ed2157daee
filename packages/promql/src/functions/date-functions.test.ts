import { describe, expect, it } from 'vitest';
import { DATE_FUNCTIONS, dayOfMonth, dayOfWeek, dayOfYear, daysInMonth, hour, minute, month, year } from './date-functions.ts';

describe('date functions (UTC)', () => {
  it('decode the epoch', () => {
    expect([year(0), month(0), dayOfMonth(0), dayOfYear(0), dayOfWeek(0), hour(0), minute(0)]).toEqual([1970, 1, 1, 1, 4, 0, 0]);
  });

  it('decode 2006-01-02 22:04:05 (Monday)', () => {
    const t = 1136239445;
    expect([year(t), month(t), dayOfMonth(t), dayOfYear(t), dayOfWeek(t), hour(t), minute(t)]).toEqual([2006, 1, 2, 2, 1, 22, 4]);
  });

  it.each([
    // functions.test "Test time-related functions".
    [1230767999, 'year', 2008],
    [1230768000, 'year', 2009],
    [1456790399, 'month', 2],
    [1456790399, 'day_of_month', 29],
    [1456790400, 'month', 3],
    [1456790400, 'day_of_month', 1],
    [1483191420, 'day_of_year', 366],
    [1672493820, 'day_of_year', 365],
    [1454284800, 'days_in_month', 29],
    [1485907200, 'days_in_month', 28],
    [951782400, 'days_in_month', 29], // 2000-02-29: divisible by 400
    [-2206310400, 'days_in_month', 28], // 1900-02-01: divisible by 100, not a leap year
    [1719792000, 'days_in_month', 31], // 2024-07-01
    [1725148800, 'days_in_month', 30], // 2024-09-01
  ])('%d: %s = %d', (t, name, want) => {
    expect(DATE_FUNCTIONS.get(name)!(t)).toBe(want);
  });

  it('truncates fractional seconds towards zero', () => {
    // -0.5 s truncates to 0 (1970-01-01 00:00), not to -1 (1969-12-31 23:59).
    expect(year(-0.5)).toBe(1970);
    expect(year(-1)).toBe(1969);
    expect(hour(-1)).toBe(23);
    expect(minute(-1)).toBe(59);
    expect(dayOfWeek(-1)).toBe(3);
    expect(dayOfYear(-1)).toBe(365);
    expect(minute(59.999)).toBe(0);
  });

  it('handles dates far from the epoch in the proleptic Gregorian calendar', () => {
    // 0001-01-01 00:00:00 is -62135596800; 9999-12-31 23:59:59 is 253402300799.
    expect([year(-62135596800), month(-62135596800), dayOfMonth(-62135596800)]).toEqual([1, 1, 1]);
    expect([year(253402300799), month(253402300799), dayOfMonth(253402300799), hour(253402300799)]).toEqual([9999, 12, 31, 23]);
    expect(dayOfWeek(-62135596800)).toBe(1); // a Monday
  });

  it('maps NaN, ±Inf and out-of-range values like Go on amd64 (int64 min, wrapped)', () => {
    // Go: time.Unix(math.MinInt64, 0).UTC() is 292277026596-12-04 15:30:08.
    for (const v of [NaN, Infinity, -Infinity, 1e300, -1e300]) {
      expect(year(v)).toBe(292277026596);
      expect(month(v)).toBe(12);
      expect(dayOfMonth(v)).toBe(4);
      expect(hour(v)).toBe(15);
      expect(minute(v)).toBe(30);
    }
    expect(daysInMonth(NaN)).toBe(31);
  });
});
