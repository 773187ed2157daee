/**
 * Series descriptions of the `.test` format: a label set followed by a sequence of values, as
 * written under `load` (samples at 0, interval, 2×interval, …) and under `eval` (expected values).
 *
 *   series   := [metric] ['{' [label (',' label)* [',']] '}'] item*
 *   label    := (identifier | quoted) '=' quoted   |   quoted        (a bare quoted string names the metric)
 *   item     := '_' | '_x' N                                        (1 or N missing samples)
 *             | 'stale'                                            (a staleness marker)
 *             | num | num 'x' N | num ('+'|'-') num 'x' N          (N+1 values: a, a+b, a+2b, …)
 *             | hist | hist 'x' N | hist ('+'|'-') hist 'x' N      (native histograms: counted, not read)
 *   num      := Go number (see go-number.ts), optionally signed, or Inf / NaN in any case
 *
 * In `a+bxN` the values are produced by repeated addition (a, a+b, (a+b)+b, …), so the floating
 * point results are exactly Prometheus's. Hexadecimal numbers are not accepted here (the `x` of
 * `0x5` means "times").
 */
import { Labels, scanStringLiteral } from '@tessera/model';
import { parseGoNumber } from './go-number.ts';

/** One position of a value sequence. */
export type SeqValue =
  | { readonly kind: 'float'; readonly v: number }
  | { readonly kind: 'stale' }
  | { readonly kind: 'omitted' }
  | { readonly kind: 'histogram' };

/** A parsed series description. */
export interface SeriesDesc {
  readonly labels: Labels;
  readonly values: SeqValue[];
}

/** An error in the test file's syntax; `line` is 1-based, set by the file parser. */
export class TestFormatError extends Error {
  line = 0;

  constructor(message: string, line = 0) {
    super(message);
    this.name = 'TestFormatError';
    this.line = line;
  }
}

/** Largest repeat count accepted (guards against typos that would allocate gigabytes). */
const MAX_REPEAT = 10_000_000;

const OMITTED: SeqValue = { kind: 'omitted' };
const STALE: SeqValue = { kind: 'stale' };
const HISTOGRAM: SeqValue = { kind: 'histogram' };

const METRIC_START = /[a-zA-Z_:]/;
const METRIC_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;
const NUMBER_BODY = /(?:inf|nan)|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/iy;
const UINT = /[0-9]+/y;

/** Parses one series description line (already trimmed). */
export function parseSeriesDesc(line: string): SeriesDesc {
  const p = { s: line, i: 0 };
  const labels = parseLabels(p);
  const values: SeqValue[] = [];
  for (;;) {
    skipSpace(p);
    if (p.i >= p.s.length) break;
    parseItem(p, values);
    if (p.i < p.s.length && !/\s/.test(p.s[p.i]!)) {
      throw new TestFormatError(`unexpected ${JSON.stringify(p.s.slice(p.i, p.i + 10))} in series values`);
    }
  }
  return { labels, values };
}

interface Cursor {
  readonly s: string;
  i: number;
}

function skipSpace(p: Cursor): void {
  while (p.i < p.s.length && /\s/.test(p.s[p.i]!)) p.i++;
}

function readWhile(p: Cursor, first: RegExp, rest: RegExp): string {
  const start = p.i;
  if (p.i < p.s.length && first.test(p.s[p.i]!)) {
    p.i++;
    while (p.i < p.s.length && rest.test(p.s[p.i]!)) p.i++;
  }
  return p.s.slice(start, p.i);
}

function readQuoted(p: Cursor): string {
  try {
    const lit = scanStringLiteral(p.s, p.i);
    p.i = lit.end;
    return lit.value;
  } catch (e) {
    throw new TestFormatError(`bad string literal in series description: ${(e as Error).message}`);
  }
}

function isQuote(c: string | undefined): boolean {
  return c === '"' || c === "'" || c === '`';
}

/** `metric{a="b", …}`, `{…}` or `metric`; the metric name becomes `__name__`. */
function parseLabels(p: Cursor): Labels {
  const pairs: [string, string][] = [];
  const metric = readWhile(p, METRIC_START, METRIC_CHAR);
  if (metric !== '') pairs.push(['__name__', metric]);
  if (p.s[p.i] !== '{') {
    if (metric === '') throw new TestFormatError(`expected a metric name or '{' at ${JSON.stringify(p.s.slice(0, 20))}`);
    return Labels.fromPairs(pairs);
  }
  p.i++;
  for (;;) {
    skipSpace(p);
    if (p.s[p.i] === '}') {
      p.i++;
      break;
    }
    let name: string;
    const quoted = isQuote(p.s[p.i]);
    if (quoted) name = readQuoted(p);
    else {
      name = readWhile(p, LABEL_START, LABEL_CHAR);
      if (name === '') throw new TestFormatError(`expected a label name at ${JSON.stringify(p.s.slice(p.i, p.i + 10))}`);
    }
    skipSpace(p);
    if (p.s[p.i] === '=') {
      p.i++;
      skipSpace(p);
      if (!isQuote(p.s[p.i])) throw new TestFormatError(`expected a quoted value for label ${JSON.stringify(name)}`);
      pairs.push([name, readQuoted(p)]);
    } else if (quoted) {
      pairs.push(['__name__', name]); // {"metric.name", …}
    } else {
      throw new TestFormatError(`expected '=' after label name ${JSON.stringify(name)}`);
    }
    skipSpace(p);
    if (p.s[p.i] === ',') p.i++;
    else if (p.s[p.i] !== '}') throw new TestFormatError(`expected ',' or '}' in label set at ${JSON.stringify(p.s.slice(p.i, p.i + 10))}`);
  }
  try {
    return Labels.fromPairs(pairs);
  } catch (e) {
    throw new TestFormatError((e as Error).message);
  }
}

/** Reads `x<N>` if present; returns N, or -1 when there is no repeat suffix. */
function readRepeat(p: Cursor): number {
  if (p.s[p.i] !== 'x') return -1;
  UINT.lastIndex = p.i + 1;
  const m = UINT.exec(p.s);
  if (m === null) throw new TestFormatError(`expected a repeat count after 'x'`);
  p.i = UINT.lastIndex;
  const n = Number(m[0]);
  if (n > MAX_REPEAT) throw new TestFormatError(`repeat count ${n} is too large`);
  return n;
}

/** A signed number at the cursor, or null when there is none. */
function readNumber(p: Cursor): number | null {
  const start = p.i;
  let j = p.i;
  if (p.s[j] === '+' || p.s[j] === '-') j++;
  NUMBER_BODY.lastIndex = j;
  const m = NUMBER_BODY.exec(p.s);
  if (m === null) return null;
  const text = p.s.slice(start, NUMBER_BODY.lastIndex);
  const v = parseGoNumber(text);
  if (v === null) throw new TestFormatError(`invalid number ${JSON.stringify(text)}`);
  p.i = NUMBER_BODY.lastIndex;
  return v;
}

/** Skips one `{{…}}` native histogram literal. */
function skipHistogram(p: Cursor): void {
  const end = p.s.indexOf('}}', p.i + 2);
  if (end < 0) throw new TestFormatError('unterminated native histogram {{…}}');
  p.i = end + 2;
}

function push(values: SeqValue[], v: SeqValue, times: number): void {
  for (let k = 0; k < times; k++) values.push(v);
}

function parseItem(p: Cursor, values: SeqValue[]): void {
  const s = p.s;
  if (s.startsWith('{{', p.i)) {
    skipHistogram(p);
    if ((s[p.i] === '+' || s[p.i] === '-') && s.startsWith('{{', p.i + 1)) {
      p.i++;
      skipHistogram(p);
      const n = readRepeat(p);
      if (n < 0) throw new TestFormatError(`expected 'x<N>' after a histogram increment`);
      push(values, HISTOGRAM, n + 1);
      return;
    }
    const n = readRepeat(p);
    push(values, HISTOGRAM, n < 0 ? 1 : n + 1);
    return;
  }
  if (s[p.i] === '_') {
    p.i++;
    const n = readRepeat(p);
    push(values, OMITTED, n < 0 ? 1 : n); // `_xN` is N blanks, not N+1
    return;
  }
  if (s.startsWith('stale', p.i) && (p.i + 5 === s.length || /\s/.test(s[p.i + 5]!))) {
    p.i += 5;
    values.push(STALE);
    return;
  }
  const first = readNumber(p);
  if (first === null) throw new TestFormatError(`expected a value, found ${JSON.stringify(s.slice(p.i, p.i + 10))}`);
  const n = readRepeat(p);
  if (n >= 0) {
    push(values, { kind: 'float', v: first }, n + 1);
    return;
  }
  if (s[p.i] === '+' || s[p.i] === '-') {
    const step = readNumber(p);
    if (step === null) throw new TestFormatError(`expected a step after ${JSON.stringify(s.slice(0, p.i))}`);
    const times = readRepeat(p);
    if (times < 0) throw new TestFormatError(`expected 'x<N>' after the step`);
    let v = first;
    for (let k = 0; k <= times; k++) {
      values.push({ kind: 'float', v });
      v += step;
    }
    return;
  }
  values.push({ kind: 'float', v: first });
}
