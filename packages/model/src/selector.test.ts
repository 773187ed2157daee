import { describe, expect, it } from 'vitest';
import { ModelError } from './errors.ts';
import { Labels } from './labels.ts';
import { parseSeriesSelector } from './selector.ts';
import { scanStringLiteral } from './string-literal.ts';

/** Renders matchers compactly for comparison. */
const show = (s: string): string[] => parseSeriesSelector(s).map((m) => `${m.name}${m.type}${m.value}`);

function parseError(s: string): ModelError {
  try {
    parseSeriesSelector(s);
  } catch (e) {
    if (ModelError.is(e)) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(s)} to fail`);
}

describe('parseSeriesSelector', () => {
  it.each([
    ['up', ['__name__=up']],
    ['  job:rate5m:sum  ', ['__name__=job:rate5m:sum']],
    ['metric{a="b",c!~"d"}', ['__name__=metric', 'a=b', 'c!~d']],
    ['metric{}', ['__name__=metric']],
    ['{__name__=~"x.*"}', ['__name__=~x.*']],
    ['{a="b", c!="d", e=~"f", g!~"h",}', ['a=b', 'c!=d', 'e=~f', 'g!~h']],
    ['{"quoted.metric.name", a="b"}', ['__name__=quoted.metric.name', 'a=b']],
    ['{"my.label"="x", "other"=~"y"}', ['my.label=x', 'other=~y']],
    ["{a='single', b=`raw\\n`}", ['a=single', 'b=raw\\n']],
    ['{ a = "b" , }', ['a=b']],
    ['up{\n  job="x", # a comment\n  env="p"\n}', ['__name__=up', 'job=x', 'env=p']],
    ['{on="x", by="y", bool="z"}', ['on=x', 'by=y', 'bool=z']],
    ['sum{a="b"}', ['__name__=sum', 'a=b']],
  ])('%j', (s, want) => {
    expect(show(s)).toEqual(want);
  });

  it('unquotes Go escapes in values', () => {
    const [m] = parseSeriesSelector('{a="q\\"\\\\\\n\\t\\x41\\101\\u00e9\\U0001F600\\xc3\\xa9"}');
    expect(m!.value).toBe('q"\\\n\tAAé😀é');
    expect(parseSeriesSelector("{a='it\\'s'}")[0]!.value).toBe("it's");
  });

  it('builds working matchers', () => {
    const ms = parseSeriesSelector('http_requests_total{code=~"5..", method!="GET"}');
    const match = (o: Record<string, string>): boolean => {
      const ls = Labels.fromObject(o);
      return ms.every((m) => m.matches(ls.get(m.name)));
    };
    expect(match({ __name__: 'http_requests_total', code: '503', method: 'POST' })).toBe(true);
    expect(match({ __name__: 'http_requests_total', code: '200', method: 'POST' })).toBe(false);
    expect(match({ __name__: 'http_requests_total', code: '500', method: 'GET' })).toBe(false);
    expect(match({ __name__: 'http_requests_total', code: '500' })).toBe(true); // absent ≠ GET
  });

  it('round-trips with Matcher.toString', () => {
    const s = '{"my.metric", job=~"a|b\\n", "x.y"!="\\"q\\""}';
    const ms = parseSeriesSelector(s);
    const again = parseSeriesSelector(`{${ms.map(String).join(', ')}}`);
    expect(again.map(String)).toEqual(ms.map(String));
  });

  it.each([
    ['', '1:1: parse error: unexpected end of input, expected a metric name or "{"'],
    ['{}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['{a=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['{a=~".*", b!="x"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['  {a!~".+"}', '1:3: parse error: vector selector must contain at least one non-empty matcher'],
    ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
    ['foo{"bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
    ['foo[5m]', '1:4: parse error: unexpected character "[" after the series selector'],
    ['foo bar', '1:5: parse error: unexpected identifier "bar" after the series selector'],
    ['{a="b"', '1:7: parse error: unexpected end of input inside braces'],
    ['{a="b" c="d"}', '1:8: parse error: unexpected identifier "c" in label matching, expected "," or "}"'],
    ['{a=="b"}', '1:4: parse error: unexpected character "=" in label matching, expected string'],
    ['{a~"b"}', '1:3: parse error: unexpected character "~" in label matching, expected label matching operator'],
    ['{a=b}', '1:4: parse error: unexpected identifier "b" in label matching, expected string'],
    ['{1a="b"}', '1:2: parse error: unexpected character "1" inside braces, expected a label name'],
    ['{a="b}', '1:4: parse error: unterminated quoted string'],
    ['{a="b\nc"}', '1:4: parse error: unterminated quoted string'],
    ['{a=`b}', '1:4: parse error: unterminated raw string'],
    ['{a="\\q"}', "1:5: parse error: unknown escape sequence U+0071 'q'"],
    ["{a=\"\\'\"}", "1:5: parse error: unknown escape sequence U+0027 '''"],
    ['{a="\\x4"}', '1:5: parse error: invalid \\x escape sequence: expected 2 hex digits'],
    ['{a="\\400"}', '1:5: parse error: octal escape sequence out of range'],
    ['{a="\\ud800"}', '1:5: parse error: escape sequence is an invalid Unicode code point'],
    ['{a=~"(b"}', '1:5: parse error: error parsing regexp: missing closing ): `(b`'],
    ['{\n a="b",\n c=~"[" }', '3:5: parse error: error parsing regexp: missing closing ]: `[`'],
  ])('rejects %j', (s, message) => {
    const e = parseError(s);
    expect(e.code).toBe('parse-error');
    expect(e.message).toBe(message);
    expect(typeof e.position).toBe('number');
  });
});

describe('scanStringLiteral', () => {
  it('keeps newlines in raw strings and reports the end offset', () => {
    expect(scanStringLiteral('x`a\nb\\n`y', 1)).toEqual({ value: 'a\nb\\n', end: 8 });
  });

  it('joins byte escapes as UTF-8 and replaces malformed bytes', () => {
    expect(scanStringLiteral('"\\xe6\\x97\\xa5"', 0).value).toBe('日');
    expect(scanStringLiteral('"a\\xffb"', 0).value).toBe('a\uFFFDb');
  });
});
