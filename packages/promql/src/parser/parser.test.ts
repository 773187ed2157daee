import { describe, expect, it } from 'vitest';
import { exprType } from './ast.ts';
import type { Expr } from './ast.ts';
import { PromQLParseError } from './errors.ts';
import { hasInvalidUtf8 } from './literals.ts';
import { parseExpr } from './parser.ts';
import { formatExprLine } from './printer.ts';
import { sexpr } from './test-support.ts';

const parse = (q: string): Expr => parseExpr(q, { enableExperimentalFunctions: true });

function parseError(q: string, opts = { enableExperimentalFunctions: true }): PromQLParseError {
  try {
    parseExpr(q, opts);
  } catch (e) {
    if (PromQLParseError.is(e)) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(q)} to fail`);
}

describe('number literals', () => {
  it.each([
    ['1', 1],
    ['.5', 0.5],
    ['5.', 5],
    ['123.4567', 123.4567],
    ['5e-3', 0.005],
    ['5E3', 5000],
    ['0xc', 12],
    ['0X1f', 31],
    ['0x_1F', 31],
    ['0755', 493],
    ['089', 89],
    ['+5.5e-3', 0.0055],
    ['-0755', -493],
    ['1_000', 1000],
    ['1_000.5', 1000.5],
    ['Inf', Infinity],
    ['+inf', Infinity],
    ['-INF', -Infinity],
    ['9223372036854775807', 9223372036854775807],
  ])('%s is %d', (q, want) => {
    const e = parse(q);
    expect(e.type).toBe('NumberLiteral');
    expect(e.type === 'NumberLiteral' && e.value).toBe(want);
  });

  it('reads NaN case-insensitively', () => {
    for (const q of ['NaN', 'nan', 'nAn']) {
      const e = parse(q);
      expect(e.type === 'NumberLiteral' && Number.isNaN(e.value)).toBe(true);
    }
  });

  it('reads a duration as a number of seconds and prints it back as a duration', () => {
    const e = parse('-1h30m');
    expect(e).toMatchObject({ type: 'NumberLiteral', value: -5400, duration: true, pos: { start: 0, end: 6 } });
    expect(formatExprLine(parse('predict_linear(x[1h], 90m)'))).toBe('predict_linear(x[1h], 1h30m)');
  });

  it('folds a sign into the literal and extends its position', () => {
    expect(parse(' - 2')).toMatchObject({ type: 'NumberLiteral', value: -2, pos: { start: 1, end: 4 } });
  });
});

describe('string literals', () => {
  it.each([
    [String.raw`"double \" quoted"`, 'double " quoted'],
    [String.raw`'single \' quoted'`, "single ' quoted"],
    ['`raw \\n \\x`', 'raw \\n \\x'],
    ['`multi\nline`', 'multi\nline'],
    [String.raw`"\a\b\f\n\r\t\v\\"`, '\x07\b\f\n\r\t\v\\'],
    [String.raw`"\101\x42\u0043\U0001F600"`, 'ABC\u{1F600}'],
    [String.raw`"\xc3\xa9"`, 'é'],
    ['"☺"', '☺'],
  ])('%s', (q, want) => {
    const e = parse(q);
    expect(e.type === 'StringLiteral' && e.value).toBe(want);
  });

  it('keeps bytes that are not UTF-8 distinguishable and prints them as Go does', () => {
    const e = parse(String.raw`"a\xc5z"`);
    expect(e.type === 'StringLiteral' && hasInvalidUtf8(e.value)).toBe(true);
    expect(formatExprLine(e)).toBe(String.raw`"a\xc5z"`);
    const valid = parse(String.raw`"a\xc3\xa9z"`);
    expect(valid.type === 'StringLiteral' && hasInvalidUtf8(valid.value)).toBe(false);
  });
});

describe('selectors and modifiers', () => {
  it.each([
    ['foo', '(sel foo {__name__="foo"})'],
    ['foo:bar{a="bc"}', '(sel foo:bar {__name__="foo:bar",a="bc"})'],
    ['{"foo"}', '(sel - {__name__="foo"})'],
    [`{'foo\\'bar', "a.b"=~"x", c!="d", e!~"f",}`, `(sel - {__name__="foo'bar",a.b=~"x",c!="d",e!~"f"})`],
    ['{__name__=~"bar", __name__!~"baz"}', '(sel - {__name__!~"baz",__name__=~"bar"})'],
    ['foo{NaN="bc", offset="x"}', '(sel foo {NaN="bc",__name__="foo",offset="x"})'],
    ['sum', '(sel sum {__name__="sum"})'],
    ['offset{step="1s"}[5m]', '(range 300000 (sel offset {__name__="offset",step="1s"}))'],
    ['foo offset 5m', '(sel foo {__name__="foo"} off=300000)'],
    ['foo OFFSET -7m', '(sel foo {__name__="foo"} off=-420000)'],
    ['foo offset 90', '(sel foo {__name__="foo"} off=90000)'],
    ['foo @ 1603774568', '(sel foo {__name__="foo"} at=1603774568000)'],
    ['foo @ -3.3335', '(sel foo {__name__="foo"} at=-3334)'],
    ['foo @ 3.3335', '(sel foo {__name__="foo"} at=3334)'],
    ['foo @ 0xA', '(sel foo {__name__="foo"} at=10000)'],
    ['foo @ start() offset 1m', '(sel foo {__name__="foo"} off=60000 at=start)'],
    ['foo offset 1m @ end()', '(sel foo {__name__="foo"} off=60000 at=end)'],
    ['test[5y] @ 2.345 offset 1h', '(range 157680000000 (sel test {__name__="test"} off=3600000 at=2345))'],
    ['foo[4.018]', '(range 4018 (sel foo {__name__="foo"}))'],
    ['foo[1m30s]', '(range 90000 (sel foo {__name__="foo"}))'],
    ['foo[10m:6s]', '(subquery 600000:6000 (sel foo {__name__="foo"}))'],
    ['foo[10m:]', '(subquery 600000:0 (sel foo {__name__="foo"}))'],
    ['foo offset 1m [10m:5s]', '(subquery 600000:5000 (sel foo {__name__="foo"} off=60000))'],
    ['rate(x[5m])[30m:1m] offset 1h @ 100', '(subquery 1800000:60000 (rate (range 300000 (sel x {__name__="x"}))) off=3600000 at=100000)'],
  ])('%s', (q, want) => {
    expect(sexpr(parse(q))).toBe(want);
  });

  it('records where each node is in the query', () => {
    const e = parse('rate(foo{a="b"}[5m] offset 1m)');
    expect(e.pos).toEqual({ start: 0, end: 30 });
    const arg = e.type === 'Call' ? e.args[0]! : e;
    expect(arg.type === 'MatrixSelector' && [arg.pos, arg.vector.pos]).toEqual([{ start: 5, end: 29 }, { start: 5, end: 15 }]);
    expect(parse('foo offset 5m').pos).toEqual({ start: 0, end: 13 });
  });
});

describe('operators', () => {
  it.each([
    ['-1^2', '(- (^ 1 2))'],
    ['-1*2', '(* -1 2)'],
    ['-1^-2', '(- (^ 1 -2))'],
    ['+1 + -2 * 1', '(+ 1 (* -2 1))'],
    ['2 ^ 3 ^ 2', '(^ 2 (^ 3 2))'],
    ['1 - 2 - 3', '(- (- 1 2) 3)'],
    ['1 + 2 * 3 % 4 / 5', '(+ 1 (/ (% (* 2 3) 4) 5))'],
    ['a atan2 b * c', '(* (atan2 a b) c)'],
    ['-a ^ b * c', '(* (- (^ a b)) c)'],
    ['a * -b ^ c', '(* a (- (^ b c)))'],
    ['1 < bool 2 - 1 * 2', '(< bool 1 (- 2 (* 1 2)))'],
    ['a + b or c and d', '(or (+ a b) (and c d))'],
    ['a and b unless c or d', '(or (unless (and a b) c) d)'],
    ['a == b > c', '(> (== a b) c)'],
    ['-foo offset 5m', '(- (sel foo off=300000))'],
    ['foo offset 5s - 8', '(- (sel foo off=5000) 8)'],
    ['foo offset -1^1', '(^ (sel foo off=-1000) 1)'],
    ['--1', '1'],
  ])('%s', (q, want) => {
    // Selector renderings are abbreviated in the table: "(sel x …)" stands for a plain name.
    const got = sexpr(parse(q)).replace(/\(sel (\w+) \{__name__="\1"\}\)/g, '$1').replace(/\(sel (\w+) \{__name__="\1"\} /g, '(sel $1 ');
    expect(got.replace(/ (one-to-one|many-to-many)/g, '')).toBe(want);
  });

  it('fills in vector matching as Prometheus does', () => {
    expect(sexpr(parse('a + b'))).toContain('(+ one-to-one');
    expect(sexpr(parse('a and b'))).toContain('(and many-to-many');
    expect(sexpr(parse('a or on() b'))).toContain('(or many-to-many on()');
    expect(sexpr(parse('a / ignoring(x, y) group_left(z) b'))).toContain('(/ many-to-one ignoring(x,y) include(z)');
    expect(sexpr(parse('a - on(x) group_right b'))).toContain('(- one-to-many on(x)');
    const scalarSide = parse('a * 2');
    expect(scalarSide.type === 'BinaryExpr' && scalarSide.vectorMatching).toBe(null);
  });

  it('accepts keywords as grouping labels and aggregations either way round', () => {
    expect(sexpr(parse('sum without(and, by, avg, count, alert, on)(x)'))).toBe('(sum without(and,by,avg,count,alert,on) (sel x {__name__="x"}))');
    expect(sexpr(parse('sum(x) by (a,)'))).toBe(sexpr(parse('sum by (a) (x)')));
    expect(sexpr(parse('SUM BY ("a.b", c) (x)'))).toBe('(sum by(a.b,c) (sel x {__name__="x"}))');
    expect(sexpr(parse('count_values("v", x)'))).toBe('(count_values "v" (sel x {__name__="x"}))');
    expect(sexpr(parse('topk(5, x)'))).toBe('(topk 5 (sel x {__name__="x"}))');
  });

  it('types expressions as Prometheus does', () => {
    expect(['1', '"s"', 'x', 'x[1m]', 'x[1m:]', '-x', '1 + 1', 'x + 1', 'time()', 'sum(x)', '(x[1m])'].map((q) => exprType(parse(q))))
      .toEqual(['scalar', 'string', 'vector', 'matrix', 'matrix', 'vector', 'scalar', 'vector', 'scalar', 'vector', 'matrix']);
  });
});

describe('comments and whitespace', () => {
  it('skips comments anywhere', () => {
    expect(sexpr(parse('foo # one\n+ # two\n{a="b", # three\n}'))).toBe(sexpr(parse('foo + {a="b"}')));
  });
});
