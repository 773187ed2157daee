import { describe, expect, it } from 'vitest';
import { parseExpr } from './parser.ts';
import { formatExpr } from './prettier.ts';
import { formatExprLine, formatNumber } from './printer.ts';
import { sexpr } from './test-support.ts';

const parse = (q: string) => parseExpr(q, { enableExperimentalFunctions: true });

describe('formatExprLine', () => {
  it.each([
    ['sum(rate(foo[5m])) by (job)', 'sum by (job) (rate(foo[5m]))'],
    ['sum by ()(x)', 'sum(x)'],
    ['sum without ()(x)', 'sum without () (x)'],
    ['topk(3,x)without(a,b)', 'topk without (a, b) (3, x)'],
    ['count_values ( "v" , x )', 'count_values("v", x)'],
    ['foo{c="3",a="1", b=~"2"}', 'foo{a="1",b=~"2",c="3"}'],
    ['{__name__="foo"}', '{__name__="foo"}'],
    ['{"foo.bar", "a b"!~"x"}', '{"a b"!~"x",__name__="foo.bar"}'],
    ['{__name__="", a="b"}', '{__name__="",a="b"}'],
    ['foo offset 90s @ 1', 'foo @ 1.000 offset 1m30s'],
    ['foo @ -100', 'foo @ -100.000'],
    ['foo[2w] offset -3d @ end()', 'foo[2w] @ end() offset -3d'],
    ['foo[100]', 'foo[1m40s]'],
    ['foo[1d1h]', 'foo[1d1h]'],
    ['foo[14d]', 'foo[2w]'],
    ['foo[15d]', 'foo[15d]'],
    ['foo[365d]', 'foo[1y]'],
    ['foo[10m:]', 'foo[10m:]'],
    ['(a+b)[5m:30s] offset 1m', '(a + b)[5m:30s] offset 1m'],
    ['a + on(x,y) group_left(z) b', 'a + on (x, y) group_left (z) b'],
    ['a - ignoring(x) group_right b', 'a - ignoring (x) group_right () b'],
    ['a and on() b', 'a and on () b'],
    ['a or ignoring() b', 'a or b'],
    ['a * ignoring() group_left b', 'a * ignoring () group_left () b'],
    ['a > bool 1', 'a > bool 1'],
    ['a==bool on(x) b', 'a == bool on (x) b'],
    ['-(1)', '-(1)'],
    ['+foo', '+foo'],
    ['- - 2', '2'],
    ['1e3 + 0x10 + .5 + 1_0', '1000 + 16 + 0.5 + 10'],
    ['12.34e-6 * 12.34e6', '0.00001234 * 12340000'],
    ['Inf - -Inf + NaN', '+Inf - -Inf + NaN'],
    ["label_replace(x, 'sq', `raw\\n`, '', '')", 'label_replace(x, "sq", "raw\\\\n", "", "")'],
    ['"tab\\there☺"', '"tab\\there☺"'],
    ['label_replace(x, "a", "$1", "b", "(.*)")', 'label_replace(x, "a", "$1", "b", "(.*)")'],
    ['time() - 1h', 'time() - 1h'],
    ['sum by ("a.b", c) (x)', 'sum by ("a.b", c) (x)'],
    ['x # comment', 'x'],
  ])('%s → %s', (q, want) => {
    expect(formatExprLine(parse(q))).toBe(want);
  });

  it('formats numbers as Go formats them with FormatFloat(v, \'f\', -1)', () => {
    expect([1e21, 1.5e-7, -0, 0.1 + 0.2, 2 ** 53 + 2].map(formatNumber)).toEqual([
      '1000000000000000000000', '0.00000015', '-0', '0.30000000000000004', '9007199254740994',
    ]);
  });
});

// Outputs of Prometheus's format_query for the same queries.
const PRETTY: Array<[string, string]> = [
  ['rate(x[5m])', 'rate(x[5m])'],
  [
    'sum by (job, instance) (rate(http_requests_total{job="apiserver", handler="/api/v1/query"}[5m])) / on (job, instance) group_left (version) sum by (job, instance, version) (build_info)',
    '  sum by (job, instance) (rate(http_requests_total{handler="/api/v1/query",job="apiserver"}[5m]))\n' +
      '/ on (job, instance) group_left (version)\n' +
      '  sum by (job, instance, version) (build_info)',
  ],
  [
    'histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket{job="apiserver", verb!="WATCH"}[5m])))',
    'histogram_quantile(\n  0.99,\n  sum by (le, job) (rate(http_request_duration_seconds_bucket{job="apiserver",verb!="WATCH"}[5m]))\n)',
  ],
  [
    '-(sum by (job) (rate(http_requests_total{job="apiserver", handler="/api/v1/query", code=~"5.."}[5m])) + 1)',
    '-(\n    sum by (job) (rate(http_requests_total{code=~"5..",handler="/api/v1/query",job="apiserver"}[5m]))\n  +\n    1\n)',
  ],
  [
    'max_over_time((sum by (job) (rate(http_requests_total{job="apiserver", handler="/api/v1/query", code=~"5.."}[5m])))[1h:5m])',
    'max_over_time(\n  (sum by (job) (rate(http_requests_total{code=~"5..",handler="/api/v1/query",job="apiserver"}[5m])))[1h:5m]\n)',
  ],
  [
    'topk(5, sum by (job) (rate(http_requests_total{job="apiserver", handler="/api/v1/query", code=~"5.."}[5m])))',
    'topk(\n  5,\n  sum by (job) (rate(http_requests_total{code=~"5..",handler="/api/v1/query",job="apiserver"}[5m]))\n)',
  ],
];

describe('formatExpr (format_query)', () => {
  it.each(PRETTY)('%s', (q, want) => {
    expect(formatExpr(parse(q))).toBe(want);
  });

  it('splits nested aggregations level by level', () => {
    const q = 'sum by (cluster) (max by (cluster, instance) (rate(node_cpu_seconds_total{mode!="idle", cluster=~"prod-.*"}[5m])))';
    expect(formatExpr(parse(q))).toBe(
      'sum by (cluster) (\n' +
        '  max by (cluster, instance) (rate(node_cpu_seconds_total{cluster=~"prod-.*",mode!="idle"}[5m]))\n' +
        ')',
    );
  });
});

// Queries whose printed form must parse back to the same tree.
const ROUND_TRIP = [
  'foo', '{"a.b"}', 'foo{a="b", c!="d", e=~"f|g", h!~"i"}', 'foo offset -5m @ 12.5', 'foo[5m] @ start() offset 1h',
  'rate(foo{job="x"}[5m:1m] offset 30s)', 'sum by (a) (x) / ignoring (b) group_left (c) sum without (d) (y)',
  '-1 ^ 2', '(-1) ^ 2', '-(1 ^ 2)', '2 ^ -1 ^ 2', 'a * -b ^ c', '1 - -1', 'a - (b - c)', '(a - b) - c',
  'a and b or c unless d', 'a == bool 1', 'count_values("x\\ny", foo)', '"a\\xc5z"', '`a"b`',
  'quantile(0.9, x)', 'label_join(x, "d", ",", "a", "b", "c")', 'round(x, 0.1)', 'hour()', 'vector(time())',
  'absent_over_time(x[1h:])', 'max_over_time(rate(x[1m])[1h:1m] @ end())', 'predict_linear(x[1h], -30m)',
  '1e-30 + 1e300 + NaN + -Inf + 0x7fffffffffffffff', 'sum by ("a b", "c\\u00e9") ({"x y"})',
  'topk(3, sum by (job) (rate(http_requests_total{job="apiserver", handler="/api/v1/query", code=~"5.."}[5m]))) > bool 10',
  'a / on () b', 'a + on (x) group_right (y, z) b', 'sort_by_label(x, "a", "b")', 'limit_ratio(0.5, x)',
];

describe('printer round trip', () => {
  it.each(ROUND_TRIP)('%s', (q) => {
    const tree = sexpr(parse(q));
    expect(sexpr(parse(formatExprLine(parse(q))))).toBe(tree);
    expect(sexpr(parse(formatExpr(parse(q))))).toBe(tree);
  });
});
