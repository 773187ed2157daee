import { describe, expect, it } from 'vitest';
import { parseSeriesDesc, TestFormatError, type SeqValue } from './series-desc.ts';
import { parseGoNumber } from './go-number.ts';

/** Values as test-file text: numbers, '_', 'stale', 'H'. */
function vals(line: string): (number | string)[] {
  return parseSeriesDesc(line).values.map((v: SeqValue) =>
    v.kind === 'float' ? v.v : v.kind === 'omitted' ? '_' : v.kind === 'stale' ? 'stale' : 'H',
  );
}

describe('parseSeriesDesc values', () => {
  it.each([
    ['m 1+2x3', [1, 3, 5, 7]],
    ['m 1-1x3', [1, 0, -1, -2]],
    ['m -2+4x3', [-2, 2, 6, 10]],
    ['m 1x3', [1, 1, 1, 1]],
    ['m 0x5', [0, 0, 0, 0, 0, 0]], // no hex in series values: 0 repeated
    ['m 5 _ 7', [5, '_', 7]],
    ['m _x3 1', ['_', '_', '_', 1]], // _xN is N blanks
    ['m stale 1', ['stale', 1]],
    ['m NaN Inf -Inf inf +Inf', [NaN, Infinity, -Infinity, Infinity, Infinity]],
    ['m 1e+3 -1.5e-2 .5 2.', [1000, -0.015, 0.5, 2]],
    ['m 9.988465674311579e+307', [9.988465674311579e307]],
    ['m 010', [8]], // Go integer literal rules: leading 0 is octal
    ['m\t1\t2', [1, 2]],
    ['m', []],
  ])('%s', (line, want) => {
    expect(vals(line)).toEqual(want);
  });

  it('accumulates a+bxN by repeated addition, like Prometheus', () => {
    const got = vals('m 0+0.1x10');
    let v = 0;
    const want: number[] = [];
    for (let i = 0; i <= 10; i++, v += 0.1) want.push(v);
    expect(got).toEqual(want);
    expect(got[10]).not.toBe(1); // 0.1 added ten times is 0.9999999999999999
  });

  it('counts native histogram positions without reading them', () => {
    expect(vals('m {{schema:1 sum:3 count:22 buckets:[5 10 7]}} 1 {{sum:1 count:1}}x2 {{a:1}}+{{a:2}}x1 3')).toEqual([
      'H', 1, 'H', 'H', 'H', 'H', 'H', 3,
    ]);
  });
});

describe('parseSeriesDesc labels', () => {
  it('reads metric names, label sets and quoted values with commas and braces', () => {
    const d = parseSeriesDesc('{job="{count:20, sum:10, [-2,-1):2}", group="canary"} 2');
    expect(d.labels.toObject()).toEqual({ job: '{count:20, sum:10, [-2,-1):2}', group: 'canary' });
    expect(parseSeriesDesc('ns:metric_total{a="1",} 1').labels.toString()).toBe('ns:metric_total{a="1"}');
    expect(parseSeriesDesc('{__name__="m", b=\'x\'} 1').labels.toString()).toBe('m{b="x"}');
    expect(parseSeriesDesc('{} 1').labels.size).toBe(0);
    expect(parseSeriesDesc('{"my.metric", "a.b"="c"} 1').labels.toObject()).toEqual({ __name__: 'my.metric', 'a.b': 'c' });
    expect(parseSeriesDesc('m{a="\\xc3\\xa9\\n"} 1').labels.get('a')).toBe('é\n');
    expect(parseSeriesDesc('m{a=""} 1').labels.toString()).toBe('m'); // empty value = absent
  });

  it.each([
    ['m{a="1" 1', /expected ',' or '}'/],
    ['m{a=1} 1', /quoted value/],
    ['m{a} 1', /expected '='/],
    ['m{a="1", a="2"} 1', /duplicate label/],
    ['m 1+2', /x<N>/],
    ['m 1x', /repeat count/],
    ['m 1abc', /unexpected/],
    ['m foo', /expected a value/],
    ['m {{sum:1', /unterminated/],
    ['5 1', /metric name/],
  ])('rejects %s', (line, msg) => {
    expect(() => parseSeriesDesc(line)).toThrow(TestFormatError);
    expect(() => parseSeriesDesc(line)).toThrow(msg);
  });
});

describe('parseGoNumber', () => {
  it.each([
    ['12340000', 12340000],
    ['0x1f', 31],
    ['0o17', 15],
    ['017', 15],
    ['08', 8], // not octal: falls back to float parsing
    ['-0b101', -5],
    ['+Inf', Infinity],
    ['-inf', -Infinity],
    ['Infinity', Infinity],
    ['NaN', NaN],
    ['0.00001234', 0.00001234],
    ['-0.0000002', -0.0000002],
    ['0x1p-2', 0.25],
    ['9223372036854775808', 9223372036854775808],
  ])('%s', (s, want) => {
    expect(parseGoNumber(s)).toEqual(want);
  });

  it.each(['', '1e400', '{} 1', 'foo', '1 2', '-NaN', '0x'])('rejects %j', (s) => {
    expect(parseGoNumber(s)).toBeNull();
  });
});
