/**
 * The 24 h mode of bench/storage (`--range 24h`): what the bucket holds after compaction.
 *
 * One whole UTC day of the calibrated synthetic {@link Dataset} (5760 scrapes at 15 s) is appended
 * to a head and cut into its twelve aligned 2 h blocks as the ingester's flush does; for every
 * `--samples-per-chunk` value N they are uploaded to a fresh FilesystemBucket and compacted by the
 * real compactor (2h → 12h → 24h, chunks of up to N samples) into one 24 h block, which is
 * measured. Prometheus's side is promtool's backfill of the same samples into one block: promtool
 * 2.42 rounds `--max-block-duration` down to its ranges 2h, 6h, 18h, 54h… (24h gives 18h + 6h
 * blocks), so it is run with 54h on a day that lies inside one 54 h window (see {@link pickDay}).
 * Its chunks hold 120 samples, as Prometheus's compaction (which copies chunks) keeps them.
 *
 * Query latency: the same `query_range` queries over the day and over one hour of it, on a
 * BucketStore of the twelve 2 h blocks and on one of each compacted bucket: the price of bigger
 * chunks and of one big index.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { headBlocks, fillHead, measureBlock, promtoolBlocks, sumSizes, type BlockSize } from './blocks.ts';
import { bucketOf, compactDay, DAY_MS } from './compact.ts';
import { CALIBRATION, Dataset, SCRAPE_MS } from './dataset.ts';
import { latencyQueries, measureBucketLatency, type LatencyBucket } from './latency.ts';

/** promtool's block range holding the day: the smallest of its ranges (2h·3^k) of at least 24 h. */
export const PROMTOOL_RANGE_MS = 54 * 3_600_000;

/** What {@link runDay} is given. */
export interface DayRunOptions {
  series: number;
  seed: number;
  jitterMs: number;
  promtool: string;
  /** Values of the compactor's samplesPerChunk to measure, one compaction each. */
  samplesPerChunk: number[];
  /** Runs per query for the latency medians; 0 skips the latency part. */
  reps: number;
  work: string;
}

/**
 * Start of the latest UTC day ending at least a day before `nowMs` that lies inside one
 * {@link PROMTOOL_RANGE_MS} window aligned to the epoch, as promtool's blocks are (6 days in 9 do).
 */
export function pickDay(nowMs: number): number {
  for (let d = Math.floor(nowMs / DAY_MS) - 2; ; d--) {
    const t0 = d * DAY_MS;
    if ((t0 % PROMTOOL_RANGE_MS) + DAY_MS <= PROMTOOL_RANGE_MS) return t0;
  }
}

const fmt = (n: number, d = 3): string => n.toFixed(d);
const perSample = (b: BlockSize): string =>
  `${fmt((b.indexBytes + b.chunkBytes) / b.samples)} B/sample (chunks ${fmt(b.chunkBytes / b.samples)}, index ${fmt(b.indexBytes / b.samples)})`;
const chunkLine = (b: BlockSize): string => `${b.series} series, ${b.chunks} chunks (${fmt(b.samples / b.chunks, 1)} samples/chunk), ${b.samples} samples`;
const seconds = (t: number): string => `${fmt((performance.now() - t) / 1000, 1)} s`;
const TARGET = 1.5;

/** Runs the 24 h mode and prints its report; returns the exit code (1 when sample counts differ). */
export async function runDay(o: DayRunOptions): Promise<number> {
  const rounds = DAY_MS / SCRAPE_MS;
  const t0 = pickDay(Date.now());
  const data = new Dataset(o.series, rounds, t0, o.seed, o.jitterMs);
  const expected = o.series * rounds;
  console.log(`bench/storage --range 24h: ${data.series} node_exporter-like series × ${rounds} samples (15 s scrapes over the UTC day ${new Date(t0).toISOString().slice(0, 10)}, ${o.jitterMs} ms jitter), work dir ${o.work}`);
  console.log(`  class mix: ${data.classMix()} — calibrated on real scrapes: ${CALIBRATION}`);
  let exitCode = 0;
  const check = (what: string, samples: number): void => {
    if (samples === expected) return;
    console.log(`  MISMATCH: ${what} holds ${samples} samples, the data ${expected}`);
    exitCode = 1;
  };

  let t = performance.now();
  const head = fillHead(data, join(o.work, 'wal'));
  console.log(`head filled in ${seconds(t)}`);
  t = performance.now();
  let level1: string[];
  try {
    level1 = await headBlocks(head, join(o.work, 'level1'), t0, t0 + DAY_MS - 1);
  } finally {
    head.close();
  }
  const l1 = sumSizes(await Promise.all(level1.map(measureBlock)));
  console.log(`${level1.length} level-1 blocks (2 h) cut in ${seconds(t)}`);
  console.log(`  Tessera 2 h blocks:        ${perSample(l1)}; ${chunkLine(l1)} (summed over the ${level1.length} blocks)`);
  check('the 2 h blocks', l1.samples);

  const buckets: LatencyBucket[] = [{ name: `2 h blocks ×${level1.length}`, bucket: await bucketOf(join(o.work, 'bucket-2h'), level1) }];
  const compacted: Array<{ n: number; size: BlockSize }> = [];
  for (const n of o.samplesPerChunk) {
    const bucket = await bucketOf(join(o.work, `bucket-${n}`), level1);
    const day = await compactDay(bucket, join(o.work, `compactor-${n}`), t0, n);
    const size = await measureBlock(day.dir);
    compacted.push({ n, size });
    buckets.push({ name: `24 h, N=${n}`, bucket });
    console.log(`  Tessera 24 h block, N=${String(n).padEnd(4)} ${perSample(size)}; ${chunkLine(size)}; compaction ${fmt(day.compactSeconds, 1)} s`);
    if (n > 120 && size.samples / size.chunks <= 120) console.log(`    NOTE: no chunk holds more than 120 samples on average: this compactor build ignores samplesPerChunk`);
    check(`the 24 h block (N=${n})`, size.samples);
  }

  t = performance.now();
  const prom = await promtoolBlocks(data, join(o.work, 'promtool'), o.promtool, [`--max-block-duration=${PROMTOOL_RANGE_MS / 3_600_000}h`]);
  await rm(join(o.work, 'promtool', 'data.om'), { force: true });
  let pSize: BlockSize | null = null;
  if ('error' in prom) {
    console.log(`  Prometheus: SKIPPED (${prom.error})`);
  } else {
    pSize = sumSizes(await Promise.all(prom.dirs.map(measureBlock)));
    const blocks = prom.dirs.length === 1 ? 'one block' : `${prom.dirs.length} blocks, summed`;
    console.log(`  Prometheus 24 h (promtool): ${perSample(pSize)}; ${chunkLine(pSize)}; ${blocks} (promtool ${seconds(t)} with writing its input)`);
    check("promtool's block", pSize.samples);
  }

  for (const { n, size } of compacted) {
    const b = (size.indexBytes + size.chunkBytes) / size.samples;
    const vsProm = pSize === null ? 'Prometheus: n/a' : `Tessera / Prometheus ${fmt((size.indexBytes + size.chunkBytes) / (pSize.indexBytes + pSize.chunkBytes))}× (goal ≤ 1)`;
    console.log(`  N=${String(n).padEnd(4)} ${fmt(b)} B/sample: target ≤ ${TARGET} B/sample ${b <= TARGET ? 'met' : 'NOT met'}; ${vsProm}`);
  }

  if (o.reps > 0) {
    // The whole day (what a 24 h block is for) and one hour inside it (where a bigger chunk costs
    // the most: up to N samples decoded for a window of 240).
    const ranges = [
      { what: 'the day', startMs: t0 + 5 * 60_000, endMs: t0 + DAY_MS - 60_000 },
      { what: 'one hour (13:07–14:07)', startMs: t0 + 13 * 3_600_000 + 7 * 60_000, endMs: t0 + 14 * 3_600_000 + 7 * 60_000 },
    ];
    for (const { what, startMs, endMs } of ranges) {
      console.log(`query latency, query_range over ${what} at a 60 s step, median of ${o.reps} (FilesystemBucket, index cached locally; first run in brackets); noisy on a shared machine, compare within one run:`);
      console.log(`  ${'query'.padEnd(24)} ${buckets.map((b) => b.name.padStart(26)).join('')}`);
      for (const r of await measureBucketLatency(latencyQueries(data), buckets, { startMs, endMs, stepMs: 60_000 }, o.reps)) {
        const cells = r.medianMs.map((m, k) => {
          const ratio = k === 0 ? '' : ` ${fmt(m / r.medianMs[0]!, 2)}×`;
          return `${fmt(m, 1)} ms${ratio} [${fmt(r.coldMs[k]!, 0)}]`.padStart(26);
        });
        console.log(`  ${r.name.padEnd(24)} ${cells.join('')}`);
      }
    }
  }
  for (const b of buckets) await b.bucket.close();
  return exitCode;
}
