/**
 * Building the two blocks of the benchmark from the same {@link Dataset}: Tessera's (the head the
 * ingester appends to, cut with blockFromHead and written with writeBlock, exactly the flush
 * path) and Prometheus's (`promtool tsdb create-blocks-from openmetrics`). Both are measured the
 * same way: bytes of `index` + `chunks/*` (meta.json and tombstones are a few hundred bytes).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Labels } from '@tessera/model';
import { DecodedWriteRequest, decodeWriteRequest, encodeWriteRequest, type TimeSeriesObject } from '@tessera/remotewrite';
import { Head, blockFromHead, isUlid, newAppendResult, writeBlock, type BlockMeta } from '@tessera/tsdb';
import { cutBlock, flushRanges } from '@tessera/ingester';
import type { Dataset } from './dataset.ts';

export const BLOCK_RANGE_MS = 2 * 3_600_000;

/** Samples per (series, round): the synthetic {@link Dataset} or a recording of real scrapes. */
export interface SampleSource {
  readonly labels: Array<Array<[string, string]>>;
  readonly rounds: number;
  readonly series: number;
  t(i: number, r: number): number;
  value(i: number, r: number): number;
  /** False when series `i` has no sample in round `r` (every sample exists when absent). */
  has?(i: number, r: number): boolean;
  /** OpenMetrics text of every sample, for promtool. */
  writeOpenMetrics(path: string): Promise<void>;
}

/** Sizes of a block directory. */
export interface BlockSize {
  dir: string;
  indexBytes: number;
  chunkBytes: number;
  samples: number;
  series: number;
  chunks: number;
}

/** Index and chunk bytes, and the stats of meta.json, of the block in `dir`. */
export async function measureBlock(dir: string): Promise<BlockSize> {
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as BlockMeta;
  let chunkBytes = 0;
  for (const f of await readdir(join(dir, 'chunks'))) chunkBytes += (await stat(join(dir, 'chunks', f))).size;
  return {
    dir,
    indexBytes: (await stat(join(dir, 'index'))).size,
    chunkBytes,
    samples: meta.stats.numSamples,
    series: meta.stats.numSeries,
    chunks: meta.stats.numChunks,
  };
}

/** Sums block sizes (promtool may split the data over two blocks when it is not aligned). */
export function sumSizes(list: BlockSize[]): BlockSize {
  return list.reduce((a, b) => ({
    dir: a.dir === '' ? b.dir : `${a.dir}, ${b.dir}`,
    indexBytes: a.indexBytes + b.indexBytes,
    chunkBytes: a.chunkBytes + b.chunkBytes,
    samples: a.samples + b.samples,
    series: a.series + b.series,
    chunks: a.chunks + b.chunks,
  }), { dir: '', indexBytes: 0, chunkBytes: 0, samples: 0, series: 0, chunks: 0 });
}

/**
 * Appends the dataset to a head round by round (one remote-write batch per round, as scrapes
 * arrive) and returns the head; the caller closes it.
 */
export function fillHead(data: SampleSource, walDir: string): Head {
  const head = Head.open({ walDir, blockRangeMs: BLOCK_RANGE_MS, walFsyncIntervalMs: 60_000, logger: { info() {}, warn() {} } });
  const decoded = new DecodedWriteRequest();
  const result = newAppendResult();
  const labels = data.labels.map((ls) => ls.map(([name, value]) => ({ name, value })));
  const noLimits = { maxSeriesPerUser: 0, maxSeriesPerMetric: 0 };
  let expected = 0;
  for (let r = 0; r < data.rounds; r++) {
    const timeseries: TimeSeriesObject[] = [];
    labels.forEach((ls, i) => {
      if (data.has === undefined || data.has(i, r)) timeseries.push({ labels: ls, samples: [{ value: data.value(i, r), timestamp: data.t(i, r) }], exemplars: [], histograms: [] });
    });
    expected += timeseries.length;
    decodeWriteRequest(encodeWriteRequest({ timeseries, metadata: [] }), decoded);
    head.appendBatch(decoded, null, null, noLimits, result);
  }
  if (result.samplesAppended !== expected) throw new Error(`head took ${result.samplesAppended} of ${expected} samples: ${result.firstErrors.join('; ')}`);
  return head;
}

/** Cuts the head's range into a block under `dir` (the ingester's flush path) and returns its directory. */
export async function tesseraBlock(head: Head, data: Dataset, dir: string): Promise<string> {
  const meta = await writeBlock(dir, blockFromHead(head, data.t0, data.t0 + BLOCK_RANGE_MS), { minTime: data.t0, maxTime: data.t0 + BLOCK_RANGE_MS });
  return join(dir, meta.ulid);
}

/**
 * Cuts every aligned block range of the head holding samples in [minT, maxT] into blocks under
 * `dir`, as the ingester's flush on shutdown does; returns their directories.
 */
export async function headBlocks(head: Head, dir: string, minT: number, maxT: number): Promise<string[]> {
  const dirs: string[] = [];
  for (const range of flushRanges(minT, maxT, -Infinity, BLOCK_RANGE_MS)) {
    const meta = await cutBlock(head, dir, range);
    if (meta !== null) dirs.push(join(dir, meta.ulid));
  }
  return dirs;
}

/**
 * The block directories promtool wrote under `dir`, or null (with the reason) when promtool is
 * missing or fails. `flags` go before the input file (e.g. `--max-block-duration=54h`).
 */
export async function promtoolBlocks(data: SampleSource, dir: string, promtool: string, flags: readonly string[] = []): Promise<{ dirs: string[] } | { error: string }> {
  await mkdir(dir, { recursive: true });
  const om = join(dir, 'data.om');
  await data.writeOpenMetrics(om);
  const out = join(dir, 'blocks');
  const r = spawnSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', ...flags, om, out], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error !== undefined) return { error: r.error.message };
  if (r.status !== 0) return { error: `promtool exited with ${r.status}: ${r.stderr.slice(-2000)}` };
  const dirs = (await readdir(out)).filter(isUlid).map((u) => join(out, u));
  return { dirs };
}

/** Labels of series `i` as Tessera's Labels. */
export function seriesLabels(data: Dataset, i: number): Labels {
  return Labels.fromObject(Object.fromEntries(data.labels[i]!));
}
