import { describe, expect, it } from 'vitest';
import { PromQLParseError } from './errors.ts';
import { MAX_EXPR_DEPTH, parseExpr } from './parser.ts';
import type { ParseOptions } from './token-stream.ts';

function parseError(q: string, opts: ParseOptions = { enableExperimentalFunctions: true }): PromQLParseError {
  try {
    parseExpr(q, opts);
  } catch (e) {
    if (PromQLParseError.is(e)) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(q)} to fail`);
}

// [query, Prometheus's error message]. Column numbers count UTF-8 bytes from 1.
const CASES: Array<[string, string]> = [
  // Lexer errors.
  ['', '1:1: parse error: no expression found in input'],
  ['# just a comment\n\n', '1:1: parse error: no expression found in input'],
  ['.', "1:1: parse error: unexpected character: '.'"],
  ['2.5.', '1:1: parse error: bad number or duration syntax: "2.5."'],
  ['100..4', '1:1: parse error: bad number or duration syntax: "100.."'],
  ['0deadbeef', '1:1: parse error: bad number or duration syntax: "0de"'],
  ['1__0', '1:1: parse error: bad number or duration syntax: "1__"'],
  ['(1))', "1:5: parse error: unexpected right parenthesis ')'"],
  ['((1)', '1:5: parse error: unclosed left parenthesis'],
  ['(', '1:2: parse error: unclosed left parenthesis'],
  ['sum(rate(', '1:10: parse error: unclosed left parenthesis'],
  ['1 !~ 1', "1:3: parse error: unexpected character after '!': '~'"],
  ['1 =~ 1', "1:3: parse error: unexpected character after '=': '~'"],
  ['}', "1:1: parse error: unexpected character: '}'"],
  ['{', '1:2: parse error: unexpected end of input inside braces'],
  ['some{', '1:6: parse error: unexpected end of input inside braces'],
  ['some_metric{a:b="b"}', "1:14: parse error: unexpected character inside braces: ':'"],
  ['foo{a*"b"}', "1:6: parse error: unexpected character inside braces: '*'"],
  ['foo{a>="b"}', "1:6: parse error: unexpected character inside braces: '>'"],
  ['foo{1}', "1:5: parse error: unexpected character inside braces: '1'"],
  ['foo[5mm]', '1:5: parse error: bad number or duration syntax: "5mm"'],
  ['foo[5m1]', '1:5: parse error: bad number or duration syntax: "5m1"'],
  ['foo[5m:1m1]', '1:8: parse error: bad number or duration syntax: "1m1"'],
  ['foo{bar="baz"}[', '1:16: parse error: unexpected end of input in duration expression'],
  ['some_metric[5m] OFFSET 1mm', '1:24: parse error: bad number or duration syntax: "1mm"'],
  ['`\\``', '1:4: parse error: unterminated raw string'],
  ['"\\', '1:1: parse error: escape sequence not terminated'],
  ['"\\c"', "1:1: parse error: unknown escape sequence U+0063 'c'"],
  ['"\\x."', "1:1: parse error: illegal character U+002E '.' in escape sequence"],
  ['"\\U00110000"', '1:1: parse error: escape sequence is an invalid Unicode code point'],
  ['"abc', '1:1: parse error: unterminated quoted string'],
  ['x{a="\ufffd"}', '1:5: parse error: invalid UTF-8 rune'],
  // Grammar errors.
  ['1+', '1:3: parse error: unexpected end of input'],
  ['1 /', '1:4: parse error: unexpected end of input'],
  ['*1', '1:1: parse error: unexpected <op:*>'],
  ['*test', '1:1: parse error: unexpected <op:*>'],
  ['@@', '1:1: parse error: unexpected <op:@>'],
  ['-=', '1:2: parse error: unexpected "="'],
  ['++-++-+-+-<', '1:11: parse error: unexpected <op:<>'],
  ['e-+=/(0)', '1:4: parse error: unexpected "="'],
  ['a - on(b) ignoring(c) d', '1:11: parse error: unexpected <ignoring>'],
  ['foo + group_left(baz) bar', '1:7: parse error: unexpected <group_left>'],
  ['some_metric{a=b}', '1:15: parse error: unexpected identifier "b" in label matching, expected string'],
  ['foo{gibberish}', '1:14: parse error: unexpected "}" in label matching, expected label matching operator'],
  ['foo{__name__= =}', '1:15: parse error: unexpected "=" in label matching, expected string'],
  ['foo{,}', '1:5: parse error: unexpected "," in label matching, expected identifier or "}"'],
  ['foo{__name__ == "bar"}', '1:15: parse error: unexpected "=" in label matching, expected string'],
  ['foo{__name__="bar" lol}', '1:20: parse error: unexpected identifier "lol" in label matching, expected "," or "}"'],
  ['foo{"a"=}', '1:9: parse error: unexpected "}" in label matching, expected string'],
  ['sum without(==)(some_metric)', '1:13: parse error: unexpected <op:==> in grouping opts, expected label'],
  ['sum without(,)(some_metric)', '1:13: parse error: unexpected "," in grouping opts, expected label'],
  ['sum without(foo,,)(some_metric)', '1:17: parse error: unexpected "," in grouping opts, expected label'],
  ['sum some_metric by (test)', '1:5: parse error: unexpected identifier "some_metric"'],
  ['sum (some_metric) by test', '1:22: parse error: unexpected identifier "test" in grouping opts, expected "("'],
  ['MIN keep_common (some_metric)', '1:5: parse error: unexpected identifier "keep_common"'],
  ['MIN (some_metric) keep_common', '1:19: parse error: unexpected identifier "keep_common"'],
  ['sum (some_metric) without (test) by (test)', '1:34: parse error: unexpected <by>'],
  ['sum without (test) (some_metric) by (test)', '1:34: parse error: unexpected <by>'],
  ['sum by (foo)', '1:13: parse error: unexpected end of input in aggregation'],
  ['sum(foo bar)', '1:9: parse error: unexpected identifier "bar" in aggregation'],
  ['sum(rate(foo) +)', '1:16: parse error: unexpected ")" in aggregation'],
  ['rate(foo bar)', '1:10: parse error: unexpected identifier "bar"'],
  ['foo offset', '1:11: parse error: unexpected end of input in offset, expected number or duration'],
  ['some_metric[5m] @', '1:18: parse error: unexpected end of input in @, expected timestamp'],
  ['foo @ start', '1:12: parse error: unexpected end of input in @, expected timestamp'],
  ['foo[5m 5s]', '1:8: parse error: unexpected duration "5s" in subquery or range, expected ":" or "]"'],
  ['topk(some_metric,)', '1:17: parse error: trailing commas not allowed in function call args'],
  // Errors Prometheus raises while building nodes.
  ['foo[0m]', '1:5: parse error: duration must be greater than 0'],
  ['foo[-1]', '1:5: parse error: duration must be greater than 0'],
  ['foo[5m1h]', '1:5: parse error: not a valid duration string: "5m1h"'],
  ['foo[5m1m]', '1:5: parse error: not a valid duration string: "5m1m"'],
  ['foo[5y1hs]', '1:5: parse error: unknown unit "hs" in duration "5y1hs"'],
  ['foo offset 9.5e10', '1:12: parse error: duration out of range'],
  ['foo offset -0s', '1:13: parse error: duration must be greater than 0'],
  ['foo[5m*2]', '1:5: parse error: experimental duration expression is not enabled'],
  ['foo offset (5m)', '1:12: parse error: experimental duration expression is not enabled'],
  ['1 offset 1d', '1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['sum(x) offset 1d', '1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['foo offset 1s offset 2s', '1:1: parse error: offset may not be set multiple times'],
  ['rate(some_metric[5m]) @ 1234', '1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['foo @ 1 @ 2', '1:1: parse error: @ <timestamp> may not be set multiple times'],
  ['foo @ +Inf', '1:1: parse error: timestamp out of bounds for @ modifier: +Inf'],
  ['foo @ -Inf', '1:1: parse error: timestamp out of bounds for @ modifier: -Inf'],
  ['foo @ NaN', '1:1: parse error: timestamp out of bounds for @ modifier: NaN'],
  ['foo @ 9223372036854775808', '1:1: parse error: timestamp out of bounds for @ modifier: 9223372036854775808.000000'],
  ['some_metric OFFSET 1m[5m]', '1:22: parse error: no offset modifiers allowed before range'],
  ['some_metric @ 1234 [5m]', '1:20: parse error: no @ modifiers allowed before range'],
  ['some_metric @ end()[5m]', '1:20: parse error: no @ modifiers allowed before range'],
  ['(foo + bar)[5m]', '1:12: parse error: ranges only allowed for vector selectors'],
  ['rate(food[1m])[1h] offset 1h', '1:15: parse error: ranges only allowed for vector selectors'],
  ['sum () by (test)', '1:1: parse error: no arguments for aggregate expression provided'],
  ['topk(some_metric)', '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1'],
  ['sum(a, b)', '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2'],
  ['non_existent_function_far_bar()', '1:1: parse error: unknown function with name "non_existent_function_far_bar"'],
  ['a>b()', '1:3: parse error: unknown function with name "b"'],
  ['x{a=~"(.*"}', '1:3: parse error: error parsing regexp: missing closing ): `(.*`'],
  ['999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999',
    '1:1: parse error: error parsing number: strconv.ParseFloat: parsing "999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999": value out of range'],
  // Type checks.
  ['1 and 1', '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
  ['1 == 1', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
  ['1 or 1', '1:1: parse error: set operator "or" not allowed in binary scalar expression'],
  ['foo unless 1', '1:1: parse error: set operator "unless" not allowed in binary scalar expression'],
  ['1 or on(bar) foo', '1:1: parse error: vector matching only allowed between instant vectors'],
  ['foo == on(bar) 10', '1:1: parse error: vector matching only allowed between instant vectors'],
  ['foo and on(bar) group_left(baz) bar', '1:1: parse error: no grouping allowed for "and" operation'],
  ['foo unless on(bar) group_right(baz) bar', '1:1: parse error: no grouping allowed for "unless" operation'],
  ['http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"}',
    '1:35: parse error: label "instance" must not occur in ON and GROUP clause at once'],
  ['foo + bool bar', '1:5: parse error: bool modifier can only be used on comparison operators'],
  ['foo and bool 10', '1:5: parse error: bool modifier can only be used on comparison operators'],
  ['foo[5m] + 1', '1:1: parse error: binary expression must contain only scalar and instant vector types'],
  ['1 + "a"', '1:5: parse error: binary expression must contain only scalar and instant vector types'],
  ['-"string"', '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string"'],
  ['-test[5m]', '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"'],
  ['{}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['{x=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['{x=~".*"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['{x!~".+"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['{x!="a"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
  ['topk(some_metric, other_metric)', '1:6: parse error: expected type scalar in aggregation parameter, got instant vector'],
  ['count_values(5, other_metric)', '1:14: parse error: expected type string in aggregation parameter, got scalar'],
  ['sum(x[5m])', '1:5: parse error: expected type instant vector in aggregation expression, got range vector'],
  ['floor()', '1:1: parse error: expected 1 argument(s) in call to "floor", got 0'],
  ['floor(some_metric, other_metric)', '1:1: parse error: expected 1 argument(s) in call to "floor", got 2'],
  ['floor(1)', '1:7: parse error: expected type instant vector in call to function "floor", got scalar'],
  ['hour(some_metric, some_metric, some_metric)', '1:1: parse error: expected at most 1 argument(s) in call to "hour", got 3'],
  ['label_join(x)', '1:1: parse error: expected at least 3 argument(s) in call to "label_join", got 1'],
  ['time(some_metric)', '1:1: parse error: expected 0 argument(s) in call to "time", got 1'],
  ['rate(some_metric)', '1:6: parse error: expected type range vector in call to function "rate", got instant vector'],
  ['rate(avg)', '1:6: parse error: expected type range vector in call to function "rate", got instant vector'],
  ['label_join(x, "a", ",", "b", 1)', '1:30: parse error: expected type string in call to function "label_join", got scalar'],
  ['test[5d] OFFSET 10s [10m:5s]', '1:1: parse error: subquery is only allowed on instant vector, got matrix instead'],
  ['1[5m:]', '1:1: parse error: subquery is only allowed on instant vector, got scalar instead'],
  ['info(x, y{a="b"})', '1:9: parse error: expected label selectors only, got vector selector instead'],
  // Positions on later lines; columns count bytes.
  ['foo +\n  bar +\n   *', '3:4: parse error: unexpected <op:*>'],
  ['{a="é"} + *', '1:12: parse error: unexpected <op:*>'],
];

describe('parse errors', () => {
  it.each(CASES)('%j', (q, message) => {
    const err = parseError(q);
    expect(err.message).toBe(message);
    expect(err.code).toBe('parse-error');
    expect(err.detail).toBe(message.replace(/^\d+:\d+: parse error: /, ''));
  });

  it('reports the range the error refers to', () => {
    expect(parseError('foo + bool bar').position).toEqual({ start: 4, end: 10 });
    expect(parseError('rate(some_metric)').position).toEqual({ start: 5, end: 16 });
  });

  it('rejects experimental functions and aggregations unless enabled', () => {
    const off = {};
    expect(parseError('sort_by_label(x, "a")', off).message).toBe('1:1: parse error: function "sort_by_label" is not enabled');
    expect(parseError('limitk(1, x)', off).message).toBe(
      '1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
    );
    expect(() => parseExpr('sort_by_label(x, "a")', { enableExperimentalFunctions: true })).not.toThrow();
  });

  it('reports a syntax error before a type error that comes earlier in the query', () => {
    expect(parseError('rate(foo) +').message).toBe('1:12: parse error: unexpected end of input');
  });
  it('refuses expressions nested deeper than MAX_EXPR_DEPTH as a parse error, not a stack overflow', () => {
    const n = MAX_EXPR_DEPTH;
    // Exactly the limit (root to leaf) parses; one more level, by recursion or by a long chain, does not.
    expect(() => parseExpr('('.repeat(n - 1) + 'x' + ')'.repeat(n - 1))).not.toThrow();
    expect(() => parseExpr('x' + '+x'.repeat(n - 1))).not.toThrow();
    for (const q of [
      '('.repeat(n) + 'x' + ')'.repeat(n),
      '('.repeat(10_000) + '1' + ')'.repeat(10_000),
      '-'.repeat(10_000) + 'x',
      'abs('.repeat(10_000) + 'x' + ')'.repeat(10_000),
      'x' + '+x'.repeat(n),
      'x' + ' and x'.repeat(10_000),
    ]) {
      expect(parseError(q).message).toMatch(new RegExp(`^1:\\d+: parse error: expression nested too deeply: more than ${MAX_EXPR_DEPTH} levels$`));
    }
  });
});
