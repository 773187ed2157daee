/**
 * Conformance CLI: runs Prometheus's PromQL `.test` files against the engine over a real Head and
 * prints, per file, `file: N passed, M failed, K skipped` with each failure (line, expression,
 * difference, expected, actual); the last line is always `N passed, M failed, K skipped`.
 *
 *   npm run conformance -- [DIR] [--summary] [--skips]   (from the repository root)
 *   npm run conformance -w @tessera/promql -- [DIR]
 *
 * DIR defaults to $PROMQL_TESTDATA, else ../shared/promql-testdata next to the repository root;
 * a relative DIR is taken from the directory npm was started in. `--summary` prints only the
 * counts; `--skips` also lists the skipped (native histogram) cases with the reason. Exit status: 0 when nothing
 * failed, 1 when a case failed, 2 when the test data is missing or the arguments are wrong.
 */
import { atModifierVariants } from './at-modifier.ts';
import { formatCounts, formatFileReport, resolveTestDataDir, runConformance, TestDataMissingError } from './conformance.ts';
import { newTestEngine } from './test-engine.ts';

function main(argv: string[]): number {
  let dirArg: string | undefined;
  let summary = false;
  let skips = false;
  for (const a of argv) {
    if (a === '--summary') summary = true;
    else if (a === '--skips') skips = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: conformance [DIR] [--summary] [--skips]\n');
      return 0;
    } else if (a.startsWith('-')) {
      process.stderr.write(`conformance: unknown option ${a}\n`);
      return 2;
    } else if (dirArg === undefined) dirArg = a;
    else {
      process.stderr.write('conformance: at most one directory\n');
      return 2;
    }
  }
  const dir = resolveTestDataDir(dirArg, process.env['INIT_CWD'] ?? process.cwd());
  try {
    const run = runConformance(dir, {
      engine: newTestEngine(),
      atModifierVariants,
      onFile: (r) => process.stdout.write(formatFileReport(r, !summary, 400, skips).join('\n') + '\n'),
    });
    process.stdout.write(formatCounts(run.totals) + '\n');
    return run.totals.failed > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof TestDataMissingError) {
      process.stderr.write(`conformance: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
