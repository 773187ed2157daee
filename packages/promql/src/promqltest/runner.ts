/**
 * The conformance runner: executes a parsed `.test` file against the engine over a real Head.
 *
 * Storage: every `clear` (and the start of a file) opens a fresh Head with its own WAL directory
 * under `tmpDir`. Its block range is 2^40 ms, so no loaded sample is ever "too old" (tests load
 * data anywhere from time 0 on, series by series). Within one `load` block a series defined twice
 * keeps its last definition, as in Prometheus (which keys a load by series hash). Native histogram
 * samples are not loaded; their series are remembered by a {@link HistogramGuard}.
 *
 * Evaluation, per eval, as Prometheus 3.5's runner does it:
 * - the query runs (instant or range); an error must be expected (eval_fail / `expect fail`,
 *   with the message or regexp when given) and is otherwise a failure; success when a failure is
 *   expected is a failure;
 * - annotations: eval_warn / eval_info need at least one warning / info; `expect warn|info` lines
 *   must each match an annotation of that kind and every annotation of that kind must match a
 *   line; `expect no_warn|no_info` forbid them; a plain eval ignores annotations;
 * - the value is compared (see compare.ts);
 * - an instant query is run again as a range query from t−1m to t+1m step 1m and its middle step
 *   compared with the same expectations (skipped for ordered evals), and, when the caller
 *   supplies `atModifierVariants`, once per `@`-pinned variant with the same checks.
 * A case counts as skipped when it expects a native histogram or when the query as written read
 * a time range holding native histogram samples of a series it selects (they are not loaded, so
 * the result could not be Prometheus's); otherwise it passed or failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Head, newAppendResult } from '@tessera/tsdb';
import { headQueryable } from '../head-queryable.ts';
import type { Queryable } from '../storage.ts';
import { STALE_NAN_HI, STALE_NAN_LO, type Annotations, type Sample, type Value } from '../value.ts';
import { PromQLError } from '../engine/errors.ts';
import { compareResult, fmtExpected, fmtValue, type Steps } from './compare.ts';
import { HistogramGuard, nhcbSeriesOf } from './histogram-guard.ts';
import { expectsFailure, parseTestFile, type EvalCommand, type LoadCommand, type TextMatch } from './test-file.ts';

/** What the runner needs of an engine (the Engine of `../engine/engine.ts` satisfies it). */
export interface ConformanceEngine {
  instantQuery(q: Queryable, expr: string, timeMs: number): { value: Value; annotations: Annotations };
  rangeQuery(q: Queryable, expr: string, startMs: number, endMs: number, stepMs: number): { value: Value; annotations: Annotations };
}

/** An instant query to run in addition to an instant eval (an `@`-pinned rewrite of it). */
export interface QueryVariant {
  readonly expr: string;
  readonly timeMs: number;
}

/** Options of a run. */
export interface RunOptions {
  readonly engine: ConformanceEngine;
  /** Directory for the heads' WALs (created if missing; subfolders are removed after use). */
  readonly tmpDir: string;
  /** The `@`-modifier variants of an instant eval (Prometheus's runner checks these too). */
  readonly atModifierVariants?: (expr: string, timeMs: number) => QueryVariant[];
}

/** One failed case (or unparsable command). */
export interface CaseFailure {
  readonly line: number;
  readonly expr: string;
  /** What went wrong, one line (the variant is named when it was not the query as written). */
  readonly message: string;
  readonly expected: string;
  readonly actual: string;
}

/** The outcome of one file. */
export interface FileResult {
  readonly file: string;
  passed: number;
  failed: number;
  skipped: number;
  readonly failures: CaseFailure[];
  /** The skipped cases and why (expected a native histogram, or selected a histogram series). */
  readonly skips: { readonly line: number; readonly expr: string; readonly reason: string }[];
}

const BLOCK_RANGE_MS = 2 ** 40;
const quietLogger = { info(): void {}, warn(): void {} };

/** Runs one `.test` file's content. `file` names it in the result. */
export function runTestFile(file: string, content: string, opts: RunOptions): FileResult {
  const run = new FileRun(file, opts);
  try {
    run.run(content);
  } finally {
    run.close();
  }
  return run.result;
}

interface Failure {
  message: string;
  actual: string;
}

class FileRun {
  readonly result: FileResult;
  readonly #opts: RunOptions;
  readonly #guard = new HistogramGuard();
  #head: Head | null = null;
  #headDir = '';
  #heads = 0;

  constructor(file: string, opts: RunOptions) {
    this.result = { file, passed: 0, failed: 0, skipped: 0, failures: [], skips: [] };
    this.#opts = opts;
  }

  run(content: string): void {
    for (const cmd of parseTestFile(content)) {
      switch (cmd.kind) {
        case 'bad':
          this.#fail(cmd.line, cmd.text, { message: `cannot parse command: ${cmd.message}`, actual: '' }, '');
          break;
        case 'clear':
          this.#closeHead();
          this.#guard.clear();
          break;
        case 'load':
          this.#load(cmd);
          break;
        case 'eval':
          this.#eval(cmd);
          break;
      }
    }
  }

  close(): void {
    this.#closeHead();
  }

  #fail(line: number, expr: string, f: Failure, expected: string): void {
    this.result.failed++;
    this.result.failures.push({ line, expr, message: f.message, expected, actual: f.actual });
  }

  #headOrOpen(): Head {
    if (this.#head === null) {
      fs.mkdirSync(this.#opts.tmpDir, { recursive: true });
      this.#headDir = path.join(this.#opts.tmpDir, `${path.basename(this.result.file)}-${process.pid}-${this.#heads++}`);
      fs.rmSync(this.#headDir, { recursive: true, force: true });
      this.#head = Head.open({ walDir: this.#headDir, logger: quietLogger, blockRangeMs: BLOCK_RANGE_MS });
    }
    return this.#head;
  }

  #closeHead(): void {
    if (this.#head === null) return;
    this.#head.close();
    fs.rmSync(this.#headDir, { recursive: true, force: true });
    this.#head = null;
  }

  #load(cmd: LoadCommand): void {
    const head = this.#headOrOpen();
    // A series defined twice in one block keeps its last definition.
    const last = new Map<string, LoadCommand['series'][number]>();
    for (const s of cmd.series) last.set(s.labels.toString(), s);
    for (const s of last.values()) {
      const ts: number[] = [];
      const histTs: number[] = [];
      const vs = new Float64Array(s.values.length);
      const words = new Uint32Array(vs.buffer);
      s.values.forEach((v, i) => {
        const t = i * cmd.intervalMs;
        if (v.kind === 'float') {
          vs[ts.length] = v.v;
          ts.push(t);
        } else if (v.kind === 'stale') {
          words[2 * ts.length] = STALE_NAN_LO;
          words[2 * ts.length + 1] = STALE_NAN_HI;
          ts.push(t);
        } else if (v.kind === 'histogram') histTs.push(t);
      });
      this.#guard.add(s.labels, histTs);
      if (cmd.withNhcb) {
        const h = nhcbSeriesOf(s.labels);
        if (h !== null) this.#guard.add(h, ts);
      }
      if (ts.length === 0) continue;
      const r = newAppendResult();
      head.appendSamples(s.labels, ts, vs.subarray(0, ts.length), r);
      if (r.samplesAppended !== ts.length) {
        this.#fail(s.line, s.labels.toString(), { message: `load rejected samples: ${r.firstErrors.join('; ')}`, actual: '' }, '');
      }
    }
  }

  #eval(cmd: EvalCommand): void {
    if (cmd.histogramExpected) {
      this.result.skipped++;
      this.result.skips.push({ line: cmd.line, expr: cmd.expr, reason: 'expects a native histogram' });
      return;
    }
    const guard = this.#guard;
    guard.touched = null;
    const plain = headQueryable(this.#headOrOpen());
    const guarded = guard.wrap(plain);
    const failure = cmd.range === null ? this.#evalInstant(cmd, guarded, plain) : this.#evalRange(cmd, guarded);
    if (guard.touched !== null) {
      this.result.skipped++;
      this.result.skips.push({ line: cmd.line, expr: cmd.expr, reason: `selects native histogram series ${guard.touched}` });
    } else if (failure === null) this.result.passed++;
    else this.#fail(cmd.line, cmd.expr, failure, fmtExpected(cmd));
  }

  #evalRange(cmd: EvalCommand, q: Queryable): Failure | null {
    const { endMs, stepMs } = cmd.range!;
    const steps: Steps = { startMs: cmd.startMs, endMs, stepMs };
    let res: { value: Value; annotations: Annotations };
    try {
      res = this.#opts.engine.rangeQuery(q, cmd.expr, cmd.startMs, endMs, stepMs);
    } catch (e) {
      return checkError(cmd, e);
    }
    return checkSuccess(cmd, res, steps);
  }

  /**
   * Runs an instant eval and its variants. Only the query as written is guarded: its range-mode
   * middle step and its `@`-pinned variants read the same samples.
   */
  #evalInstant(cmd: EvalCommand, guarded: Queryable, plain: Queryable): Failure | null {
    const variants: QueryVariant[] = [{ expr: cmd.expr, timeMs: cmd.startMs }];
    const more = this.#opts.atModifierVariants;
    if (more !== undefined) variants.push(...more(cmd.expr, cmd.startMs));
    for (let k = 0; k < variants.length; k++) {
      const f = this.#runInstant(cmd, k === 0 ? guarded : plain, plain, variants[k]!);
      if (f !== null) {
        if (k > 0) f.message = `[@ variant: ${variants[k]!.expr} at ${variants[k]!.timeMs}] ${f.message}`;
        return f;
      }
    }
    return null;
  }

  #runInstant(cmd: EvalCommand, q: Queryable, plain: Queryable, v: QueryVariant): Failure | null {
    const engine = this.#opts.engine;
    const steps: Steps = { startMs: v.timeMs, endMs: v.timeMs, stepMs: 0 };
    let res: { value: Value; annotations: Annotations };
    try {
      res = engine.instantQuery(q, v.expr, v.timeMs);
    } catch (e) {
      return checkError(cmd, e);
    }
    const f = checkSuccess(cmd, res, steps);
    if (f !== null || cmd.ordered || res.value.type === 'string' || res.value.type === 'matrix') return f;

    // The same query in range mode: its middle step must give the same answer.
    const t = v.timeMs;
    let rangeRes: Value;
    try {
      rangeRes = engine.rangeQuery(plain, v.expr, t - 60_000, t + 60_000, 60_000).value;
    } catch (e) {
      return { message: `[range mode] error: ${errorMessage(e)}`, actual: '' };
    }
    if (rangeRes.type !== 'matrix') return { message: `[range mode] result is a ${rangeRes.type}, not a matrix`, actual: '' };
    const vec: Sample[] = [];
    for (const s of rangeRes.v) {
      const i = s.ts.indexOf(t);
      if (i >= 0) vec.push({ metric: s.metric, t, v: s.vs[i]! });
    }
    let value: Value;
    if (res.value.type === 'scalar') {
      if (vec.length === 0) return { message: `[range mode] no point at t=${t} for a scalar`, actual: fmtValue(rangeRes, steps) };
      value = { type: 'scalar', t, v: vec[0]!.v };
    } else value = { type: 'vector', v: vec };
    const diff = compareResult(cmd, value, steps);
    return diff === null ? null : { message: `[range mode] ${diff}`, actual: fmtValue(value, steps) };
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A query error: fine when expected (and matching), else a failure. Non-PromQL errors always fail. */
function checkError(cmd: EvalCommand, e: unknown): Failure | null {
  if (!PromQLError.is(e)) {
    const where = e instanceof Error ? (e.stack ?? '').split('\n')[1]?.trim() ?? '' : '';
    return { message: `internal error (not a PromQLError): ${e instanceof Error ? e.name + ': ' : ''}${errorMessage(e)} ${where}`, actual: '' };
  }
  const msg = e.message;
  if (!expectsFailure(cmd)) return { message: `unexpected error: ${msg}`, actual: `error ${JSON.stringify(msg)}` };
  const actual = `error ${JSON.stringify(msg)}`;
  if (cmd.failMessage !== null && cmd.failMessage !== msg) {
    return { message: `expected error ${JSON.stringify(cmd.failMessage)}, got ${JSON.stringify(msg)}`, actual };
  }
  if (cmd.failRegexp !== null && !cmd.failRegexp.test(msg)) {
    return { message: `expected error matching ${JSON.stringify(cmd.failRegexp.source)}, got ${JSON.stringify(msg)}`, actual };
  }
  const want = cmd.expectFail[0];
  if (want !== undefined && !textMatches(want, msg)) {
    return { message: `expected error ${describeMatch(want)}, got ${JSON.stringify(msg)}`, actual };
  }
  return null;
}

/** A successful query: must not be expected to fail; annotations and value must match. */
function checkSuccess(cmd: EvalCommand, res: { value: Value; annotations: Annotations }, steps: Steps): Failure | null {
  const actual = fmtValue(res.value, steps);
  if (expectsFailure(cmd)) return { message: 'expected an error, got none', actual };
  const anno = checkAnnotations(cmd, res.annotations);
  if (anno !== null) return { message: anno, actual };
  const diff = compareResult(cmd, res.value, steps);
  return diff === null ? null : { message: diff, actual };
}

function textMatches(m: TextMatch, s: string): boolean {
  if (m === null) return true;
  return 'msg' in m ? m.msg === s : m.regex.test(s);
}

function describeMatch(m: TextMatch): string {
  if (m === null) return '(any)';
  return 'msg' in m ? JSON.stringify(m.msg) : `matching /${m.regex.source}/`;
}

/** Checks annotations against the eval's flags and `expect` lines; null when they agree. */
export function checkAnnotations(cmd: EvalCommand, annos: Annotations): string | null {
  const warnings = [...annos.warnings];
  const infos = [...annos.infos];
  if (cmd.warnFlag && warnings.length === 0) return 'expected a warning annotation, got none';
  if (cmd.infoFlag && infos.length === 0) return 'expected an info annotation, got none';
  const kinds = [['warn', cmd.expectWarn, warnings], ['info', cmd.expectInfo, infos]] as const;
  for (const [kind, expected, actual] of kinds) {
    if (expected.length === 0) continue;
    if (actual.length === 0) return `expected ${kind} annotations, got none`;
    for (const e of expected) {
      if (!actual.some((a) => textMatches(e, a))) return `expected ${kind} annotation ${describeMatch(e)}, got ${JSON.stringify(actual)}`;
    }
    for (const a of actual) {
      if (!expected.some((e) => textMatches(e, a))) return `unexpected ${kind} annotation ${JSON.stringify(a)}`;
    }
  }
  if (cmd.noWarn && warnings.length > 0) return `unexpected warnings ${JSON.stringify(warnings)}`;
  if (cmd.noInfo && infos.length > 0) return `unexpected infos ${JSON.stringify(infos)}`;
  return null;
}
