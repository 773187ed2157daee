/**
 * Runs a directory of `.test` files and reports per file and in total, for the CLI and the
 * vitest ratchet. The report format is stable (scripts read it):
 *
 *   <file>: N passed, M failed, K skipped
 *     FAIL <file>:<line> <expr>
 *          <what differed>
 *          expected: <…>
 *          actual:   <…>
 *   …
 *   N passed, M failed, K skipped          ← always the last line
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTestFile, type ConformanceEngine, type FileResult, type QueryVariant } from './runner.ts';

/** Totals over all files. */
export interface ConformanceTotals {
  passed: number;
  failed: number;
  skipped: number;
}

/** The outcome of a directory run. */
export interface ConformanceRun {
  readonly dir: string;
  readonly files: FileResult[];
  readonly totals: ConformanceTotals;
}

/** Raised when the test data directory is missing or holds no `.test` file. */
export class TestDataMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TestDataMissingError';
  }
}

/** The repository root (this file is packages/promql/src/promqltest/conformance.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The test data directory: `explicit` if given (relative to `cwd`), else `$PROMQL_TESTDATA`, else
 * `../shared/promql-testdata` next to the repository root.
 */
export function resolveTestDataDir(explicit: string | undefined, cwd: string = process.cwd()): string {
  if (explicit !== undefined && explicit !== '') return path.resolve(cwd, explicit);
  const env = process.env['PROMQL_TESTDATA'];
  if (env !== undefined && env !== '') return path.resolve(cwd, env);
  return path.resolve(REPO_ROOT, '../shared/promql-testdata');
}

/** The `.test` files of `dir`, sorted; throws TestDataMissingError when there are none. */
export function listTestFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new TestDataMissingError(`PromQL test data directory ${dir} is not readable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set PROMQL_TESTDATA or pass the directory`);
  }
  const files = names.filter((n) => n.endsWith('.test')).sort();
  if (files.length === 0) throw new TestDataMissingError(`PromQL test data directory ${dir} holds no .test files`);
  return files.map((n) => path.join(dir, n));
}

/** Options of a directory run. */
export interface ConformanceOptions {
  readonly engine: ConformanceEngine;
  readonly atModifierVariants?: (expr: string, timeMs: number) => QueryVariant[];
  /** Called after each file (for progress output). */
  readonly onFile?: (r: FileResult) => void;
}

/** Runs every `.test` file of `dir`. Heads live in a temporary directory removed afterwards. */
export function runConformance(dir: string, opts: ConformanceOptions): ConformanceRun {
  const files = listTestFiles(dir);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-promqltest-'));
  const results: FileResult[] = [];
  const totals: ConformanceTotals = { passed: 0, failed: 0, skipped: 0 };
  try {
    for (const f of files) {
      const r = runTestFile(path.basename(f), fs.readFileSync(f, 'utf8'), {
        engine: opts.engine,
        tmpDir,
        ...(opts.atModifierVariants === undefined ? {} : { atModifierVariants: opts.atModifierVariants }),
      });
      results.push(r);
      totals.passed += r.passed;
      totals.failed += r.failed;
      totals.skipped += r.skipped;
      opts.onFile?.(r);
    }
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  return { dir, files: results, totals };
}

/** `N passed, M failed, K skipped`. */
export function formatCounts(c: ConformanceTotals): string {
  return `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

/**
 * The report lines of one file: its summary, then its failures (when `withFailures`), then its
 * skipped cases with the reason (when `withSkips`).
 */
export function formatFileReport(r: FileResult, withFailures = true, width = 400, withSkips = false): string[] {
  const lines = [`${r.file}: ${formatCounts(r)}`];
  if (withSkips) for (const s of r.skips) lines.push(`  SKIP ${r.file}:${s.line} ${clip(s.expr, width)} (${s.reason})`);
  if (!withFailures) return lines;
  for (const f of r.failures) {
    lines.push(`  FAIL ${r.file}:${f.line} ${clip(f.expr, width)}`);
    lines.push(`       ${clip(f.message, width)}`);
    if (f.expected !== '') lines.push(`       expected: ${clip(f.expected, width)}`);
    if (f.actual !== '') lines.push(`       actual:   ${clip(f.actual, width)}`);
  }
  return lines;
}

/** The whole report; its last line is the totals. */
export function formatReport(run: ConformanceRun, withFailures = true): string {
  const lines: string[] = [];
  for (const r of run.files) lines.push(...formatFileReport(r, withFailures));
  lines.push(formatCounts(run.totals));
  return lines.join('\n');
}
