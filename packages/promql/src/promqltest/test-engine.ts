/**
 * The engine configuration Prometheus's own test runner uses (promqltest.NewTestEngine):
 * experimental functions on, at most 10,000 samples per query, a 100 s timeout, the default 5 m
 * lookback. The CLI and the vitest ratchet both evaluate through this one constructor.
 */
import { Engine } from '../engine/engine.ts';
import type { ConformanceEngine } from './runner.ts';

/** Prometheus's `DefaultMaxSamplesPerQuery` for tests. */
export const TEST_MAX_SAMPLES = 10_000;

/** Creates the engine the conformance suite runs against. */
export function newTestEngine(): ConformanceEngine {
  return new Engine({ enableExperimentalFunctions: true, maxSamples: TEST_MAX_SAMPLES, timeoutMs: 100_000 });
}
