/**
 * Parser of Prometheus's PromQL `.test` files (format: promql/promqltest/README.md of Prometheus
 * 3.5 and /work/shared/promql-testdata/README.md) into commands: `load`, `clear` and `eval`.
 *
 * Layout rules: lines are trimmed; a line starting with `#` counts as blank; a command's block
 * ends at the first blank line. Keywords:
 *
 *   load[_with_nhcb] <interval>                   then one series description per line
 *   clear
 *   eval[_fail|_warn|_info|_ordered] instant at <time> <expr>
 *   eval[_fail|_warn|_info] range from <start> to <end> step <step> <expr>
 *     expected lines: a bare number (scalar result; ends the block) or series descriptions;
 *     `expected_fail_message <text>` / `expected_fail_regexp <re>` (eval_fail only; end the block);
 *     `expect (fail|warn|info|no_warn|no_info|ordered) [(msg|regex): <text>]`;
 *     `expect string "<literal>"` (a string result).
 *
 * Times are Prometheus durations from the Unix epoch. An instant eval may expect one value per
 * series only. A syntax error is reported per command (with its line) and parsing resumes at the
 * next block, so that one bad command cannot hide the others.
 */
import type { Labels } from '@tessera/model';
import { parseDuration, scanStringLiteral } from '@tessera/model';
import { parseGoNumber } from './go-number.ts';
import { parseSeriesDesc, TestFormatError, type SeqValue } from './series-desc.ts';
import { compileGoRegexp, type GoRegexp } from './go-regexp.ts';

/** `load`: series to append, samples at 0, interval, 2×interval, … */
export interface LoadCommand {
  readonly kind: 'load';
  readonly line: number;
  readonly intervalMs: number;
  /** `load_with_nhcb`: classic histogram series are also loaded as native histograms. */
  readonly withNhcb: boolean;
  readonly series: { labels: Labels; values: SeqValue[]; line: number }[];
}

/** `clear`: drop all loaded data. */
export interface ClearCommand {
  readonly kind: 'clear';
  readonly line: number;
}

/** An `expect` line's text match: exact message or (unanchored) regexp; null matches anything. */
export type TextMatch = { readonly msg: string } | { readonly regex: GoRegexp } | null;

/** One expected series of an eval: its labels and one value per step (instant: one value). */
export interface ExpectedSeries {
  readonly labels: Labels;
  readonly values: SeqValue[];
  /** 1-based position among the expected lines (for ordered comparison). */
  readonly pos: number;
  readonly line: number;
}

/** `eval…`: a query and what it must return. */
export interface EvalCommand {
  readonly kind: 'eval';
  readonly line: number;
  readonly expr: string;
  /** Instant query time, or the range start (ms). */
  readonly startMs: number;
  /** null for an instant query. */
  readonly range: { readonly endMs: number; readonly stepMs: number } | null;
  /** From the `eval_*` variant or `expect` lines. */
  ordered: boolean;
  fail: boolean;
  /** `eval_warn` / `eval_info`: at least one annotation of that kind. */
  warnFlag: boolean;
  infoFlag: boolean;
  failMessage: string | null;
  failRegexp: GoRegexp | null;
  readonly expectFail: TextMatch[];
  readonly expectWarn: TextMatch[];
  readonly expectInfo: TextMatch[];
  noWarn: boolean;
  noInfo: boolean;
  /** Expected scalar (a bare number line), else null. */
  scalar: number | null;
  /** Expected string result (`expect string`), else null. */
  string: string | null;
  /** Expected series (in line order; a repeated label set replaces the earlier line). */
  readonly series: ExpectedSeries[];
  /** True when an expected value is a native histogram. */
  histogramExpected: boolean;
}

/** A command that could not be parsed; reported as a failure of the file. */
export interface BadCommand {
  readonly kind: 'bad';
  readonly line: number;
  readonly text: string;
  readonly message: string;
}

/** Any parsed command. */
export type TestCommand = LoadCommand | ClearCommand | EvalCommand | BadCommand;

const LOAD = /^load(?:_(with_nhcb))?\s+(.+?)$/;
const EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const EVAL_RANGE = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;
const EXPECT = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;
const EXPECT_STRING = 'expect string';

/** Parses a whole `.test` file. */
export function parseTestFile(content: string): TestCommand[] {
  const lines = content.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
  const cmds: TestCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '') continue;
    const word = l.split(/[\t ]+/, 1)[0]!.toLowerCase();
    try {
      if (word === 'clear') cmds.push({ kind: 'clear', line: i + 1 });
      else if (word.startsWith('load')) {
        const [cmd, next] = parseLoad(lines, i);
        cmds.push(cmd);
        i = next;
      } else if (word.startsWith('eval')) {
        const [cmd, next] = parseEval(lines, i);
        cmds.push(cmd);
        i = next;
      } else throw new TestFormatError(`invalid command ${JSON.stringify(l)}`, i + 1);
    } catch (e) {
      if (!(e instanceof TestFormatError)) throw e;
      const line = e.line > 0 ? e.line : i + 1;
      cmds.push({ kind: 'bad', line, text: lines[i]!, message: e.message });
      while (i + 1 < lines.length && lines[i + 1] !== '') i++; // resume after this block
    }
  }
  return cmds;
}

function duration(text: string, what: string, line: number): number {
  try {
    return parseDuration(text.trim());
  } catch (e) {
    throw new TestFormatError(`invalid ${what} ${JSON.stringify(text)}: ${(e as Error).message}`, line);
  }
}

/** Returns the command and the index of its last line. */
function parseLoad(lines: string[], i: number): [LoadCommand, number] {
  const m = LOAD.exec(lines[i]!);
  if (m === null) throw new TestFormatError('invalid load command (load[_with_nhcb] <interval>)', i + 1);
  const header = i + 1;
  const intervalMs = duration(m[2]!, 'load interval', header);
  const series: LoadCommand['series'] = [];
  while (i + 1 < lines.length && lines[i + 1] !== '') {
    i++;
    series.push({ ...withLine(() => parseSeriesDesc(lines[i]!), i + 1), line: i + 1 });
  }
  return [{ kind: 'load', line: header, intervalMs, withNhcb: m[1] === 'with_nhcb', series }, i];
}

function withLine<T>(fn: () => T, line: number): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TestFormatError) e.line = line;
    throw e;
  }
}

function parseEval(lines: string[], i: number): [EvalCommand, number] {
  const header = lines[i]!;
  const line = i + 1;
  const inst = EVAL_INSTANT.exec(header);
  const rng = inst === null ? EVAL_RANGE.exec(header) : null;
  if (inst === null && rng === null) {
    throw new TestFormatError(
      "invalid eval command: must be 'eval[_fail|_warn|_info|_ordered] instant at <time> <query>' or " +
        "'eval[_fail|_warn|_info] range from <start> to <end> step <step> <query>'",
      line,
    );
  }
  let cmd: EvalCommand;
  const base = {
    kind: 'eval' as const, line, ordered: false, fail: false, warnFlag: false, infoFlag: false,
    failMessage: null, failRegexp: null, expectFail: [], expectWarn: [], expectInfo: [],
    noWarn: false, noInfo: false, scalar: null, string: null, series: [], histogramExpected: false,
  };
  let mod: string | undefined;
  if (inst !== null) {
    mod = inst[1];
    cmd = { ...base, expr: inst[3]!, startMs: duration(inst[2] ?? '', 'eval time', line), range: null };
  } else {
    mod = rng![1];
    const startMs = duration(rng![2]!, 'range start', line);
    const endMs = duration(rng![3]!, 'range end', line);
    if (endMs < startMs) throw new TestFormatError(`range end ${rng![3]} is before its start ${rng![2]}`, line);
    cmd = { ...base, expr: rng![5]!, startMs, range: { endMs, stepMs: duration(rng![4]!, 'range step', line) } };
  }
  if (mod === 'ordered') cmd.ordered = true;
  else if (mod === 'fail') cmd.fail = true;
  else if (mod === 'warn') cmd.warnFlag = true;
  else if (mod === 'info') cmd.infoFlag = true;

  const byKey = new Map<string, number>();
  let pos = 0;
  while (i + 1 < lines.length && lines[i + 1] !== '') {
    i++;
    const l = lines[i]!;
    const at = i + 1;
    if (cmd.fail && l.startsWith('expected_fail_message')) {
      cmd.failMessage = l.slice('expected_fail_message'.length).trim();
      break;
    }
    if (cmd.fail && l.startsWith('expected_fail_regexp')) {
      cmd.failRegexp = regexp(l.slice('expected_fail_regexp'.length).trim(), at);
      break;
    }
    if (l.startsWith(EXPECT_STRING)) {
      cmd.string = parseStringLiteral(l.slice(EXPECT_STRING.length).trim(), at);
      continue;
    }
    if (l.split(' ', 1)[0] === 'expect') {
      parseExpect(cmd, l, at);
      continue;
    }
    pos++;
    const scalar = parseGoNumber(l);
    if (scalar !== null) {
      cmd.scalar = scalar;
      break;
    }
    const desc = withLine(() => parseSeriesDesc(l), at);
    if (desc.values.some((v) => v.kind === 'histogram')) cmd.histogramExpected = true;
    if (cmd.range === null && desc.values.length > 1) {
      throw new TestFormatError('expecting multiple values in instant evaluation not allowed', at);
    }
    const key = desc.labels.toString();
    const entry = { labels: desc.labels, values: desc.values, pos, line: at };
    const prev = byKey.get(key);
    if (prev === undefined) {
      byKey.set(key, cmd.series.length);
      cmd.series.push(entry);
    } else cmd.series[prev] = entry;
  }
  return [cmd, i];
}

function parseExpect(cmd: EvalCommand, l: string, at: number): void {
  const m = EXPECT.exec(l.trim());
  if (m === null) throw new TestFormatError('invalid expect statement, must match `expect <type> <match_type>: <string>`', at);
  const type = m[1]!;
  let match: TextMatch = null;
  if (m[2] === 'msg') match = { msg: m[3]!.trim() };
  else if (m[2] === 'regex') match = { regex: regexp(m[3]!.trim(), at) };
  switch (type) {
    case 'ordered': cmd.ordered = true; break;
    case 'fail': cmd.expectFail.push(match); break;
    case 'warn': cmd.expectWarn.push(match); break;
    case 'info': cmd.expectInfo.push(match); break;
    case 'no_warn': cmd.noWarn = true; break;
    case 'no_info': cmd.noInfo = true; break;
  }
  if (cmd.expectInfo.length > 0 && cmd.noInfo) throw new TestFormatError('expect info and expect no_info cannot be used together', at);
  if (cmd.expectWarn.length > 0 && cmd.noWarn) throw new TestFormatError('expect warn and expect no_warn cannot be used together', at);
  if (cmd.expectFail.length > 1) throw new TestFormatError('multiple expect fail lines are not allowed', at);
}

function regexp(pattern: string, at: number): GoRegexp {
  try {
    return compileGoRegexp(pattern);
  } catch (e) {
    throw new TestFormatError(`invalid regexp ${JSON.stringify(pattern)}: ${(e as Error).message}`, at);
  }
}

/** A Go-quoted string literal (`"…"`, `'…'` or `` `…` ``) spanning all of `text`, as `expect string` takes. */
function parseStringLiteral(text: string, at: number): string {
  let lit: { value: string; end: number };
  try {
    lit = scanStringLiteral(text, 0);
  } catch (e) {
    throw new TestFormatError(`expect string needs a quoted string literal: ${(e as Error).message}`, at);
  }
  if (lit.end !== text.length) throw new TestFormatError('trailing text after the expected string literal', at);
  return lit.value;
}

/** Whether an eval's expectation is a failure (eval_fail or `expect fail`). */
export function expectsFailure(cmd: EvalCommand): boolean {
  return cmd.fail || cmd.expectFail.length > 0;
}

