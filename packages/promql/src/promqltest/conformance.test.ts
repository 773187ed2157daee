/**
 * The conformance ratchet: runs the whole PromQL corpus and fails when fewer cases pass than
 * `conformance-ratchet.json` records (raise the number when a run beats it), or when the test
 * data is missing. Prints the per-file summary; `npm run conformance` prints the failures.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { atModifierVariants } from './at-modifier.ts';
import { formatReport, resolveTestDataDir, runConformance } from './conformance.ts';
import { newTestEngine } from './test-engine.ts';

const ratchetFile = new URL('../../conformance-ratchet.json', import.meta.url);
const ratchet = JSON.parse(fs.readFileSync(ratchetFile, 'utf8')) as { passed: number };

describe('PromQL conformance', () => {
  it('passes at least as many cases as the ratchet records', () => {
    const run = runConformance(resolveTestDataDir(undefined), { engine: newTestEngine(), atModifierVariants });
    console.log(formatReport(run, false));
    if (run.totals.passed > ratchet.passed) {
      console.log(`notice: ${run.totals.passed} cases pass, the ratchet says ${ratchet.passed}: raise "passed" in packages/promql/conformance-ratchet.json`);
    }
    expect(run.totals.passed + run.totals.failed + run.totals.skipped).toBeGreaterThan(0);
    expect(run.totals.passed).toBeGreaterThanOrEqual(ratchet.passed);
  }, 600_000);
});
