import { describe, expect, it } from 'vitest';
import {
  isValidLabelName,
  isValidMetricName,
  SERIES_VALIDATION_REASONS,
  validateSeriesLabels,
  validateTenantId,
} from './validation.ts';

describe('name validation', () => {
  it.each([
    ['up', true, true],
    ['_x', true, true],
    ['a1_B2', true, true],
    ['job:rate5m', true, false],
    [':leading_colon', true, false],
    ['', false, false],
    ['1abc', false, false],
    ['a-b', false, false],
    ['a.b', false, false],
    ['a b', false, false],
    ['é', false, false],
    ['a\n', false, false],
  ])('%j: metric name %s, label name %s', (s, metric, label) => {
    expect(isValidMetricName(s)).toBe(metric);
    expect(isValidLabelName(s)).toBe(label);
  });

  it('agrees with the documented regular expressions on every 1- and 2-char ASCII string', () => {
    const metricRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
    const labelRe = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
    for (let a = 0; a < 128; a++) {
      for (let b = -1; b < 128; b++) {
        const s = String.fromCharCode(a) + (b < 0 ? '' : String.fromCharCode(b));
        expect(isValidMetricName(s)).toBe(metricRe.test(s));
        expect(isValidLabelName(s)).toBe(labelRe.test(s));
      }
    }
  });
});

describe('validateTenantId', () => {
  it.each(['a', 'team-1', "A_b.c*d'e(f)!g", 'x'.repeat(150), '...', '.a', 'a..b'])('accepts %j', (id) => {
    expect(validateTenantId(id)).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['x'.repeat(151), /too long: max 150/],
    ['.', /"\." or "\.\."/],
    ['..', /"\." or "\.\."/],
    ['__mimir_cluster', /reserved/],
    ['rules', /reserved/],
    ['alertmanager', /reserved/],
    ['a/b', /unsupported character "\/"/],
    ['a b', /unsupported character " "/],
    ['a|b', /unsupported character "\|"/],
    ['tenänt', /unsupported character "ä"/],
    ['a\u{1F600}', /unsupported character "\u{1F600}"/u],
  ])('rejects %j', (id, message) => {
    expect(validateTenantId(id)).toMatch(message);
  });
});

describe('validateSeriesLabels', () => {
  const limits = { maxLabelNamesPerSeries: 4, maxLabelNameLength: 10, maxLabelValueLength: 12 };

  it.each([
    [['__name__', 'up', 'job', 'x'], null],
    [['job', 'x'], ['missing-metric-name', -1]],
    [['__name__', '', 'job', 'x'], ['missing-metric-name', -1]],
    [['__name__', 'a-b'], ['metric-name-invalid', -1]],
    [['__name__', 'up', 'a', '1', 'b', '2', 'c', '3', 'd', '4'], ['max-label-names-per-series', -1]],
    [['__name__', 'up', 'a.b', '1'], ['label-invalid', 1]],
    [['__name__', 'up', 'a_very_long_name', '1'], ['label-name-too-long', 1]],
    [['__name__', 'up', 'v', 'x'.repeat(13)], ['label-value-too-long', 1]],
    [['__name__', 'up', 'v', 'é'.repeat(6)], null], // 12 bytes: fits
    [['__name__', 'up', 'v', 'é'.repeat(7)], ['label-value-too-long', 1]], // 7 chars, 14 bytes
    [['__name__', 'up', 'b', '1', 'b', '2'], ['duplicate-label-names', 2]],
    [['__name__', 'up', 'b', '1', 'a', '2'], ['labels-not-sorted', 2]],
  ] as const)('%j → %j', (flat, want) => {
    const got = validateSeriesLabels(flat, limits);
    expect(got === null ? null : [got.reason, got.labelIndex]).toEqual(want);
  });

  it('lists every reason once', () => {
    expect(new Set(SERIES_VALIDATION_REASONS).size).toBe(8);
  });
});
