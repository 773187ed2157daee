/**
 * bench/storage: bytes per sample of Tessera's blocks for node_exporter-like data against
 * Prometheus's own block of the same data (built with `promtool tsdb create-blocks-from
 * openmetrics` when promtool is installed), and query latency over a stored block vs the head
 * for the same range.
 *
 *   npm run bench:storage -- [--series 10000] [--jitter-ms 0] [--reps 5] [--seed 1] [--keep-data] [--no-latency]
 *   npm run bench:storage -- --range 24h [--series 2000] [--samples-per-chunk 240] [--reps 5] [--keep-data] [--no-latency]
 *   npm run bench:storage -- --source node-exporter [--scrape-interval 15s] [--rounds 480] [--save rec.json] [--keep-data]
 *   npm run bench:storage -- --source node-exporter --load rec.json
 *
 * `--source node-exporter` measures real node_exporter scrapes instead of the synthetic dataset
 * (exporter-run.ts); it has no latency part. `--range 24h` measures the compactor's 24 h block of
 * one synthetic day instead of a fresh 2 h block (day-run.ts), for each `--samples-per-chunk`
 * value (a comma-separated list).
 *
 * Scrape timestamps sit on the 15 s grid by default, as Prometheus's scrape timestamp alignment
 * (2 ms tolerance) leaves most of them; `--jitter-ms` adds deterministic jitter.
 *
 * Prints a report; recording it in bench/RESULTS.md is done by hand. Exits 1 when the two blocks
 * do not hold the same number of samples (they would not be comparable).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BLOCK_RANGE_MS, fillHead, measureBlock, promtoolBlocks, sumSizes, tesseraBlock, type BlockSize } from './blocks.ts';
import { CALIBRATION, Dataset, SCRAPE_MS } from './dataset.ts';
import { breakdownLines, chunkBytesByClass } from './breakdown.ts';
import { runDay } from './day-run.ts';
import { runExporterSource } from './exporter-run.ts';
import { measureLatency } from './latency.ts';

const { values: args } = parseArgs({
  options: {
    series: { type: 'string' },
    range: { type: 'string', default: '2h' },
    'samples-per-chunk': { type: 'string', default: '240' },
    'jitter-ms': { type: 'string', default: '0' },
    reps: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    promtool: { type: 'string', default: '/usr/bin/promtool' },
    'keep-data': { type: 'boolean', default: false },
    'no-latency': { type: 'boolean', default: false },
    source: { type: 'string', default: 'synthetic' },
    'scrape-interval': { type: 'string', default: '15s' },
    rounds: { type: 'string', default: '480' },
    exporter: { type: 'string', default: '/usr/bin/prometheus-node-exporter' },
    save: { type: 'string' },
    load: { type: 'string' },
  },
});

/** '15s', '1s', '500ms', '1m' → ms. */
function durationMs(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(s);
  if (m === null) throw new Error(`bad duration ${JSON.stringify(s)} (e.g. 15s, 500ms, 1m)`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
}

if (args.source !== 'synthetic' && args.source !== 'node-exporter') throw new Error(`--source must be synthetic or node-exporter, not ${args.source}`);
if (args.range !== '2h' && args.range !== '24h') throw new Error(`--range must be 2h or 24h, not ${args.range}`);
if (args.range === '24h' && args.source !== 'synthetic') throw new Error('--range 24h needs the synthetic source');
/** `--series`, with its default for the mode. */
const seriesArg = (): number => {
  const n = Number((args.series ?? (args.range === '24h' ? '2000' : '10000')).replace(/k$/i, '000'));
  if (!Number.isInteger(n) || n < 1) throw new Error(`--series must be a positive integer, not ${args.series}`);
  return n;
};
if (args.range === '24h') {
  const samplesPerChunk = args['samples-per-chunk']!.split(',').map(Number);
  if (samplesPerChunk.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--samples-per-chunk must list positive integers, not ${args['samples-per-chunk']}`);
  const work = await mkdtemp(join(tmpdir(), 'bench-storage-24h-'));
  try {
    process.exitCode = await runDay({
      series: seriesArg(),
      seed: Number(args.seed),
      jitterMs: Number(args['jitter-ms']),
      promtool: args.promtool!,
      samplesPerChunk,
      reps: args['no-latency'] ? 0 : Number(args.reps),
      work,
    });
  } finally {
    if (args['keep-data']) console.log(`data kept in ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
} else if (args.source === 'node-exporter') {
  const work = await mkdtemp(join(tmpdir(), 'bench-storage-ne-'));
  try {
    const rounds = Number(args.rounds);
    if (!Number.isInteger(rounds) || rounds < 2) throw new Error(`--rounds must be an integer ≥ 2, not ${args.rounds}`);
    process.exitCode = await runExporterSource({
      work,
      exporterBin: args.exporter!,
      promtool: args.promtool!,
      intervalMs: durationMs(args['scrape-interval']!),
      rounds,
      save: args.save,
      load: args.load,
    });
  } finally {
    if (args['keep-data']) console.log(`data kept in ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
} else {
  await runSynthetic();
}

async function runSynthetic(): Promise<void> {
  const series = seriesArg();
  const rounds = BLOCK_RANGE_MS / SCRAPE_MS;
  // A whole block range, aligned, ending a day ago.
  const t0 = Math.floor((Date.now() - 24 * 3_600_000) / BLOCK_RANGE_MS) * BLOCK_RANGE_MS;
  const data = new Dataset(series, rounds, t0, Number(args.seed), Number(args['jitter-ms']));
  const work = await mkdtemp(join(tmpdir(), 'bench-storage-'));
  const fmt = (n: number, d = 3): string => n.toFixed(d);
  const perSample = (b: BlockSize): string => `${fmt((b.indexBytes + b.chunkBytes) / b.samples)} B/sample (chunks ${fmt(b.chunkBytes / b.samples)}, index ${fmt(b.indexBytes / b.samples)})`;

  console.log(`bench/storage: ${data.series} node_exporter-like series × ${rounds} samples (15 s scrapes over 2 h, ${args['jitter-ms']} ms jitter), work dir ${work}`);
  console.log(`  class mix: ${data.classMix()} — calibrated on real scrapes: ${CALIBRATION}`);
  let exitCode = 0;
  try {
    let t = performance.now();
    const head = fillHead(data, join(work, 'wal'));
    console.log(`head filled in ${fmt((performance.now() - t) / 1000, 1)} s`);
    t = performance.now();
    const tDir = await tesseraBlock(head, data, join(work, 'tessera'));
    const tSize = await measureBlock(tDir);
    console.log(`Tessera block written in ${fmt((performance.now() - t) / 1000, 1)} s`);
    console.log(`  Tessera:    ${perSample(tSize)}; ${tSize.series} series, ${tSize.chunks} chunks, ${tSize.samples} samples`);

    t = performance.now();
    const prom = await promtoolBlocks(data, join(work, 'promtool'), args.promtool!);
    if ('error' in prom) {
      console.log(`  Prometheus: SKIPPED (${prom.error})`);
    } else {
      const pSize = sumSizes(await Promise.all(prom.dirs.map(measureBlock)));
      console.log(`  Prometheus: ${perSample(pSize)}; ${pSize.series} series, ${pSize.chunks} chunks, ${pSize.samples} samples in ${prom.dirs.length} block(s) (promtool ${fmt((performance.now() - t) / 1000, 1)} s)`);
      if (pSize.samples !== tSize.samples) {
        console.log(`  MISMATCH: the blocks hold ${tSize.samples} vs ${pSize.samples} samples`);
        exitCode = 1;
      }
      const ratio = (tSize.indexBytes + tSize.chunkBytes) / (pSize.indexBytes + pSize.chunkBytes);
      console.log(`  Tessera / Prometheus size: ${fmt(ratio)}× (target ≤ 1.5 B/sample, goal ≤ Prometheus)`);
    }

    console.log('chunk bytes by class of series (each series XOR-encoded alone, 120 samples a chunk; floor: the same timestamps with a constant value):');
    for (const l of breakdownLines(chunkBytesByClass(data))) console.log(l);

    if (!args['no-latency']) {
      const reps = Number(args.reps);
      console.log(`query latency, query_range over the 2 h at a 60 s step, median of ${reps} (block: FilesystemBucket, index cached locally):`);
      for (const r of await measureLatency(data, head, tDir, reps)) {
        console.log(`  ${r.name.padEnd(24)} head ${fmt(r.headMs, 1).padStart(8)} ms   block ${fmt(r.blockMs, 1).padStart(8)} ms (${fmt(r.blockMs / r.headMs, 2)}×)   block, first run ${fmt(r.blockColdMs, 1)} ms`);
      }
    }
    head.close();
  } finally {
    if (!args['keep-data']) await rm(work, { recursive: true, force: true });
  }
  process.exitCode = exitCode;
}
