/**
 * The Node.js flags Tessera runs with. `npm start` (root package.json) passes the same flags; a
 * test keeps the two in step. Anything that spawns Tessera (benchmarks, end-to-end tests) uses
 * this list. The launcher (bin/tessera.mjs) adds MALLOC_ARENA_MAX=2 to its own environment, so
 * that needs nothing here.
 *
 * `--max-semi-space-size=4` (MiB): V8's young generation otherwise grows to 3 × 16 MiB and, under
 * the write path's allocation rate, keeps that much mostly-empty heap resident. Measured with
 * `npm run bench:ingest -- --series 10000,100000 --no-prometheus --duration 15`: final RSS 458 →
 * 335 MiB at 10k series and 626 → 503 MiB at 100k, throughput unchanged within noise. Not 1 or 2:
 * the flag also sizes the PromQL worker threads' young generation, and 1 MiB, though it saves
 * 5 MiB of idle RSS and ~4 MiB in the 10k memory phase, slowed `npm run bench:promql` by ~5%
 * (sum of median latencies, 3 runs against 4; 2 MiB by ~3%). Figures of 2026-11-27.
 */
export const TESSERA_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--disable-warning=ExperimentalWarning'];
