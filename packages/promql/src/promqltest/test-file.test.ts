import { describe, expect, it } from 'vitest';
import { parseTestFile, type EvalCommand, type LoadCommand, type TestCommand } from './test-file.ts';

function only<K extends TestCommand['kind']>(cmds: TestCommand[], kind: K): Extract<TestCommand, { kind: K }>[] {
  return cmds.filter((c): c is Extract<TestCommand, { kind: K }> => c.kind === kind);
}

function evalOf(text: string): EvalCommand {
  const cmds = parseTestFile(text);
  expect(only(cmds, 'bad')).toEqual([]);
  const evals = only(cmds, 'eval');
  expect(evals).toHaveLength(1);
  return evals[0]!;
}

describe('parseTestFile', () => {
  it('parses load blocks with interval, series lines and line numbers; comments end blocks', () => {
    const cmds = parseTestFile(['# comment', 'load 5m', '\thttp_requests{job="a"} 0+10x2', '  other 1 _ 3', '', 'load_with_nhcb 10s53ms', '  x_bucket{le="1"} 1', '# c', 'clear'].join('\n'));
    expect(cmds.map((c) => c.kind)).toEqual(['load', 'load', 'clear']);
    const [a, b] = only(cmds, 'load') as [LoadCommand, LoadCommand];
    expect(a.line).toBe(2);
    expect(a.intervalMs).toBe(300_000);
    expect(a.withNhcb).toBe(false);
    expect(a.series.map((s) => [s.labels.toString(), s.values.length, s.line])).toEqual([
      ['http_requests{job="a"}', 3, 3],
      ['other', 3, 4],
    ]);
    expect(b.intervalMs).toBe(10_053);
    expect(b.withNhcb).toBe(true);
    expect(cmds[2]!.line).toBe(9);
  });

  it('parses instant evals with expected series and scalars', () => {
    const e = evalOf('eval instant at 1h5m sum by (job) (x)\n  {job="a"} 3\n  {job="b"} -Inf');
    expect(e.expr).toBe('sum by (job) (x)');
    expect(e.startMs).toBe(3_900_000);
    expect(e.range).toBeNull();
    expect(e.series.map((s) => [s.labels.toString(), s.values, s.pos])).toEqual([
      ['{job="a"}', [{ kind: 'float', v: 3 }], 1],
      ['{job="b"}', [{ kind: 'float', v: -Infinity }], 2],
    ]);
    const s = evalOf('eval instant at 50m 12.34e+6\n\t12340000');
    expect(s.scalar).toBe(12_340_000);
    expect(s.series).toEqual([]);
    expect(evalOf('eval instant at 0 vector(1) > 2').series).toEqual([]);
  });

  it('parses range evals; a step too long to match greedily still splits at the last "step"', () => {
    const e = evalOf('eval range from 0 to 10m step 5m rate(x[5m])\n  x{} 1 _ 3');
    expect(e.range).toEqual({ endMs: 600_000, stepMs: 300_000 });
    expect(e.startMs).toBe(0);
    expect(e.expr).toBe('rate(x[5m])');
    expect(e.series[0]!.values.map((v) => v.kind)).toEqual(['float', 'omitted', 'float']);
  });

  it('reads the eval variants and the expected failure text', () => {
    expect(evalOf('eval_ordered instant at 50m topk(3, x)').ordered).toBe(true);
    expect(evalOf('eval_warn instant at 1m x').warnFlag).toBe(true);
    expect(evalOf('eval_info range from 0 to 1m step 1m x').infoFlag).toBe(true);
    const f = evalOf('eval_fail instant at 0 count_values("a\\xc5z", version)\n  expected_fail_message invalid label name "a\\xc5z"');
    expect(f.fail).toBe(true);
    expect(f.failMessage).toBe('invalid label name "a\\xc5z"');
    const r = evalOf('eval_fail instant at 0 x\n  expected_fail_regexp vector cannot .*');
    expect(r.failRegexp!.test('error: vector cannot contain metrics')).toBe(true);
    expect(r.failRegexp!.test('other')).toBe(false);
  });

  it('reads expect lines: messages, regexes, bare types, no_warn/no_info, ordered, string', () => {
    const e = evalOf(
      [
        'eval instant at 1m quantile without(point)(NaN, data)',
        '\texpect warn msg: PromQL warning: quantile value should be between 0 and 1, got NaN',
        '\texpect warn regex: metric .* counter',
        '\texpect no_info',
        '    {test="two samples"} NaN',
      ].join('\n'),
    );
    expect(e.expectWarn[0]).toEqual({ msg: 'PromQL warning: quantile value should be between 0 and 1, got NaN' });
    expect(e.expectWarn).toHaveLength(2);
    const re = e.expectWarn[1]!;
    expect(re !== null && 'regex' in re && re.regex.test('PromQL info: metric might not be a counter')).toBe(true);
    expect(e.noInfo).toBe(true);
    expect(e.series).toHaveLength(1);
    expect(e.series[0]!.pos).toBe(1); // expect lines do not count as positions
    const o = evalOf('eval instant at 1m x\n  expect ordered\n  expect fail\n  expect no_warn');
    expect([o.ordered, o.expectFail, o.noWarn]).toEqual([true, [null], true]);
    expect(evalOf('eval instant at 1m "a"\n  expect string "a\\tb"').string).toBe('a\tb');
  });

  it('marks evals that expect native histograms', () => {
    expect(evalOf('eval instant at 5m h\n  h{a="1"} {{schema:1 sum:15 count:10 buckets:[3 2 5 7 9]}}').histogramExpected).toBe(true);
    expect(evalOf('eval instant at 5m h\n  h{a="{{x}}"} 1').histogramExpected).toBe(false);
  });

  it('keeps the last of two expected lines with the same labels', () => {
    const e = evalOf('eval instant at 0 x\n  x 1\n  x 2');
    expect(e.series).toHaveLength(1);
    expect(e.series[0]!.values).toEqual([{ kind: 'float', v: 2 }]);
  });

  it.each([
    ['frobnicate 1m', /invalid command/],
    ['load', /invalid load command/],
    ['load 5x', /invalid load interval/],
    ['eval foo', /invalid eval command/],
    ['eval range from 10m to 0 step 1m x', /before its start/],
    ['eval instant at 1m x\n  x 1 2', /multiple values in instant/],
    ['eval instant at 1m x\n  expect sometimes', /invalid expect/],
    ['eval instant at 1m x\n  expect warn\n  expect no_warn', /cannot be used together/],
    ['eval instant at 1m x\n  expect fail\n  expect fail', /multiple expect fail/],
    ['eval_fail instant at 1m x\n  expected_fail_regexp (', /invalid regexp/],
    ['eval instant at 1m x\n  expect string nope', /quoted string/],
    ['load 1m\n  m{a=1} 1', /quoted value/],
  ])('reports %j as a bad command with its line, and resumes after the block', (text, msg) => {
    const cmds = parseTestFile(`${text}\n\nclear`);
    const bad = only(cmds, 'bad');
    expect(bad).toHaveLength(1);
    expect(bad[0]!.message).toMatch(msg);
    expect(bad[0]!.line).toBe(text.includes('\n') ? text.split('\n').length : 1);
    expect(cmds[cmds.length - 1]!.kind).toBe('clear');
  });
});
