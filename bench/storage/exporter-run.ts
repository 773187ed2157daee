/**
 * `--source node-exporter`: bytes per sample of blocks holding real node_exporter scrapes.
 *
 * A node_exporter runs on 127.0.0.1 and is scraped every `--scrape-interval` for `--rounds`
 * scrapes (scrape.ts). Each scrape is remote-written at once to a `tessera` process, which cuts
 * and uploads its blocks on SIGTERM (tessera-live.ts); the same samples are written as OpenMetrics
 * text for `promtool tsdb create-blocks-from openmetrics`. As a cross-check, the recording is also
 * appended in-process to a head and cut with the ingester's cutBlock (what the synthetic source
 * does). `--load` rebuilds the blocks of a recording saved with `--save`, without scraping.
 */
import { join } from 'node:path';
import { BLOCK_RANGE_MS, fillHead, headBlocks, measureBlock, promtoolBlocks, sumSizes, type BlockSize } from './blocks.ts';
import { breakdownLines, chunkBytesByClass } from './breakdown.ts';
import { classShares, profileSeries, sharesLines } from './calibrate.ts';
import { Recording, scrapeExporter, startNodeExporter } from './scrape.ts';
import { startLiveTessera, type LiveTessera } from './tessera-live.ts';

/** Settings of the node-exporter source. */
export interface ExporterRunOptions {
  work: string;
  exporterBin: string;
  promtool: string;
  intervalMs: number;
  rounds: number;
  save: string | undefined;
  load: string | undefined;
}

const fmt = (n: number, d = 3): string => n.toFixed(d);
const total = (b: BlockSize): number => b.indexBytes + b.chunkBytes;
const perSample = (b: BlockSize): string => `${fmt(total(b) / b.samples)} B/sample (chunks ${fmt(b.chunkBytes / b.samples)}, index ${fmt(b.indexBytes / b.samples)}); ${b.series} series, ${b.chunks} chunks, ${b.samples} samples`;

/** Runs the node-exporter source; returns the exit code. */
export async function runExporterSource(o: ExporterRunOptions): Promise<number> {
  let rec: Recording;
  let live: BlockSize | null = null;
  if (o.load !== undefined) {
    rec = await Recording.load(o.load);
    console.log(`recording ${o.load}: ${rec.series} series × ${rec.rounds} scrapes (no Tessera process: blocks are cut in-process only)`);
  } else {
    const exporter = await startNodeExporter(o.exporterBin);
    let tessera: LiveTessera | null = null;
    try {
      tessera = await startLiveTessera(join(o.work, 'tessera-live'));
      const quick = o.intervalMs < 15_000 ? ` — SHORTER than Prometheus's usual 15 s: a quick run, its bytes/sample is not the 15 s figure` : '';
      console.log(`scraping node_exporter ${exporter.version} (${o.exporterBin}, pid ${exporter.pid}) at 127.0.0.1:${exporter.port} every ${o.intervalMs / 1000} s${quick}, ${o.rounds} scrapes (${fmt((o.rounds - 1) * o.intervalMs / 60_000, 1)} min); each scrape remote-written to tessera at 127.0.0.1:${tessera.port}`);
      const every = Math.max(1, Math.round(o.rounds / 10));
      const t = tessera;
      rec = await scrapeExporter(exporter.port, o.intervalMs, o.rounds, async (s, b) => {
        await t.push(s, b.labels);
        // A partial recording every 20 scrapes, so that a long run can be looked at while it goes.
        if (o.save !== undefined && (s.round + 1) % 20 === 0) await b.finish().save(o.save);
        if ((s.round + 1) % every === 0 || s.round === o.rounds - 1) console.log(`  scrape ${s.round + 1}/${o.rounds}: ${s.series.length} samples, ${b.labels.length} series so far`);
      });
      if (o.save !== undefined) {
        await rec.save(o.save);
        console.log(`recording saved to ${o.save}`);
      }
      const dirs = await tessera.stopAndListBlocks();
      tessera = null;
      live = sumSizes(await Promise.all(dirs.map(measureBlock)));
      console.log(`tessera stopped; flush on shutdown uploaded ${dirs.length} block(s)`);
    } finally {
      tessera?.kill();
      await exporter.stop();
    }
  }

  if (o.load !== undefined) {
    const diffs = rec.ts.slice(1).map((t, r) => t - rec.ts[r]!).sort((a, b) => a - b);
    o = { ...o, intervalMs: diffs[Math.floor(diffs.length / 2)] ?? o.intervalMs };
  }
  const { samples, gaps } = rec.counts();
  const onGrid = rec.onGrid(o.intervalMs);
  console.log(`data: ${rec.series} series, ${samples} samples over ${fmt((rec.ts.at(-1)! - rec.ts[0]!) / 60_000, 1)} min; ${gaps} missing (series absent from a scrape after its first); ${onGrid}/${rec.rounds} timestamps on the ${o.intervalMs / 1000} s grid after Prometheus's 2 ms alignment (${rec.ts.filter((t, r) => t !== rec.rawTs[r]).length} of them moved onto it; scrape start lateness ms, max ${Math.max(...rec.rawTs.map((t) => (t - rec.rawTs[0]!) % o.intervalMs))})`);
  const blocks = Math.floor(rec.ts.at(-1)! / BLOCK_RANGE_MS) - Math.floor(rec.ts[0]! / BLOCK_RANGE_MS) + 1;
  if (blocks > 1) console.log(`  the data crosses ${blocks - 1} 2 h block boundar${blocks > 2 ? 'ies' : 'y'}: both systems cut ${blocks} blocks (sizes below are their sums)`);

  let code = 0;
  const head = fillHead(rec, join(o.work, 'wal'));
  const dirs = await headBlocks(head, join(o.work, 'tessera'), rec.ts[0]!, rec.ts.at(-1)!);
  head.close();
  const inProcess = sumSizes(await Promise.all(dirs.map(measureBlock)));
  const tessera = live ?? inProcess;
  if (live !== null) {
    console.log(`  Tessera (tessera process, remote write, flush on shutdown): ${perSample(live)}`);
    const same = live.samples === inProcess.samples && total(live) === total(inProcess);
    console.log(`  Tessera (same samples, head + cutBlock in-process):       ${perSample(inProcess)}${same ? '' : '  DIFFERS from the process'}`);
    if (live.samples !== samples) {
      console.log(`  MISMATCH: Tessera's blocks hold ${live.samples} of ${samples} scraped samples`);
      code = 1;
    }
  } else {
    console.log(`  Tessera (head + cutBlock in-process): ${perSample(inProcess)}`);
  }
  const prom = await promtoolBlocks(rec, join(o.work, 'promtool'), o.promtool);
  if ('error' in prom) {
    console.log(`  Prometheus: SKIPPED (${prom.error})`);
  } else {
    const p = sumSizes(await Promise.all(prom.dirs.map(measureBlock)));
    console.log(`  Prometheus (promtool tsdb create-blocks-from openmetrics):  ${perSample(p)}`);
    if (p.samples !== tessera.samples) {
      console.log(`  MISMATCH: the blocks hold ${tessera.samples} vs ${p.samples} samples`);
      code = 1;
    }
    console.log(`  Tessera ${fmt(total(tessera) / tessera.samples)} B/sample vs target ≤ 1.5 B/sample: ${total(tessera) / tessera.samples <= 1.5 ? 'MET' : 'NOT MET'}; Tessera / Prometheus size: ${fmt(total(tessera) / total(p))}× (goal ≤ 1)`);
  }

  if (onGrid < rec.rounds) {
    // What the timestamps cost: the same values with every scrape on its tick.
    const grid = rec.withTimestamps(rec.ts.map((_, r) => rec.ts[0]! + r * o.intervalMs));
    const gh = fillHead(grid, join(o.work, 'grid-wal'));
    const gDirs = await headBlocks(gh, join(o.work, 'grid-tessera'), grid.ts[0]!, grid.ts.at(-1)!);
    gh.close();
    const gT = sumSizes(await Promise.all(gDirs.map(measureBlock)));
    const gProm = await promtoolBlocks(grid, join(o.work, 'grid-promtool'), o.promtool);
    const gP = 'error' in gProm ? null : sumSizes(await Promise.all(gProm.dirs.map(measureBlock)));
    console.log(`  the same values with every timestamp on the ${o.intervalMs / 1000} s grid (as if every scrape had started within 2 ms of its tick; ${rec.rounds - onGrid} of ${rec.rounds} started later here):`);
    console.log(`    Tessera ${perSample(gT)}`);
    if (gP !== null) console.log(`    Prometheus ${perSample(gP)}; Tessera / Prometheus ${fmt(total(gT) / total(gP))}×`);
  }
  console.log('chunk bytes by class of series (each series XOR-encoded alone, 120 samples a chunk, timestamps as stored; floor: the same timestamps with a constant value):');
  for (const l of breakdownLines(chunkBytesByClass(rec))) console.log(l);

  const shares = classShares(profileSeries(rec));
  console.log(`series classes measured on this recording (${shares.series} series; rare = changed in ≤ 10% of the ${o.intervalMs / 1000} s intervals):`);
  for (const l of sharesLines(shares)) console.log(l);
  return code;
}
