// Presentation of the ingest benchmark's figures: a Markdown table (printed and recorded), the
// ratios against the targets, and the dated entry appended to bench/RESULTS.md.

import fs from 'node:fs';
import os from 'node:os';
import { heapSummaryLines } from './heap-summary.ts';
import type { TargetResult } from './measure.ts';
import type { MemoryResult } from './memory.ts';

/** Targets from the issue: Tessera against Prometheus on the same machine and requests. */
export const GOALS = {
  throughputMin: 1.0,
  throughputGoal: 3.0,
  rssPerSeriesMax: 1.0,
  rssPerSeriesGoal: 0.5,
} as const;

const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fmt = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const mib = (kib: number): string => fmt(kib / 1024, 0);

/** RSS per active series, KiB: final RSS over the series count. */
export function rssPerSeriesKiB(r: TargetResult): number {
  return r.finalRssKiB / r.series;
}

/** The figures as a Markdown table, one row per target and series count. */
export function resultsTable(results: readonly TargetResult[]): string {
  const head = [
    'series', 'target', 'creation series/s', 'samples/s', 'p50 ms', 'p99 ms', 'non-2xx',
    'idle / peak / final RSS MiB', 'KiB/series', 'Δ KiB/series', 'WAL B/sample', 'CPU target / client / other', 'samples/series',
  ];
  const rows = results.map((r) => [
    fmtInt(r.series), r.kind, fmtInt(r.creationSeriesPerS), fmtInt(r.samplesPerS), fmt(r.p50Ms, 1), fmt(r.p99Ms, 1),
    String(r.nonOk), `${mib(r.idleRssKiB)} / ${mib(r.peakRssKiB)} / ${mib(r.finalRssKiB)}`,
    fmt(rssPerSeriesKiB(r), 2), fmt((r.finalRssKiB - r.idleRssKiB) / r.series, 2),
    `${fmt(r.walBytesPerSample, 1)} (${fmt(r.walBytesPerSampleTotal, 1)})`,
    `${fmt(r.targetCores, 2)} / ${fmt(r.clientCores, 2)} / ${fmt(r.otherCores, 2)}`, String(r.rounds),
  ]);
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((h, i) => (i < 2 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/**
 * The throughput ratio lines (Tessera ÷ Prometheus) for every series count measured on both. The
 * end-of-run RSS ratio is printed for information only: the two targets hold different amounts
 * of data by then (see {@link memoryRatioLines} for the memory target).
 */
export function ratioLines(results: readonly TargetResult[]): string[] {
  const out: string[] = [];
  for (const t of results.filter((r) => r.kind === 'tessera')) {
    const p = results.find((r) => r.kind === 'prometheus' && r.series === t.series);
    if (p === undefined) continue;
    const thr = t.samplesPerS / p.samplesPerS;
    const mem = rssPerSeriesKiB(t) / rssPerSeriesKiB(p);
    const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    out.push(
      `${fmtInt(t.series)} series: samples/s ${fmt(thr, 2)}× Prometheus ` +
        `(target ≥ ${GOALS.throughputMin}×: ${verdict(thr >= GOALS.throughputMin)}; goal ≥ ${GOALS.throughputGoal}×: ${verdict(thr >= GOALS.throughputGoal)}); ` +
        `final RSS per series ${fmt(mem, 2)}× Prometheus (unequal data, not the memory target: see the memory phase); ` +
        `series creation ${fmt(t.creationSeriesPerS / p.creationSeriesPerS, 2)}×`,
    );
  }
  return out;
}

/** RSS when a target had drawn `round` rounds: the first timeline sample at or past it. */
function rssAtRound(r: TargetResult, round: number): number {
  return r.rssTimeline.find((p) => p.round >= round)?.rssKiB ?? r.finalRssKiB;
}

/**
 * RSS per series of both targets once each had been sent the same number of rounds (as many as
 * the slower one reached): the faster target holds more samples per series at the end of a
 * fixed-duration run, so its final RSS alone overstates its cost per series.
 */
export function equalRoundLines(results: readonly TargetResult[]): string[] {
  const out: string[] = [];
  for (const t of results.filter((r) => r.kind === 'tessera')) {
    const p = results.find((r) => r.kind === 'prometheus' && r.series === t.series);
    if (p === undefined) continue;
    const round = Math.min(t.rounds, p.rounds);
    const tk = rssAtRound(t, round) / t.series;
    const pk = rssAtRound(p, round) / p.series;
    out.push(
      `${fmtInt(t.series)} series, throughput phase at equal rounds (${round} samples/series, informational): RSS per series Tessera ${fmt(tk, 2)} KiB, ` +
        `Prometheus ${fmt(pk, 2)} KiB, ratio ${fmt(tk / pk, 2)}×`,
    );
  }
  return out;
}

/** The memory phase's figures as a Markdown table, one row per target and series count. */
export function memoryTable(results: readonly MemoryResult[]): string {
  const head = [
    'series', 'target', 'samples/series', 'push s', 'idle RSS MiB', 'RSS MiB (anon + file)', 'VmHWM MiB',
    'KiB/series', 'Δ KiB/series', 'compacted', 'CPU other',
  ];
  const rows = results.map((r) => [
    fmtInt(r.series), r.kind, String(r.samplesPerSeries), `${fmt(r.pushS, 1)} (${fmtInt(r.samplesPerS)}/s)`, mib(r.idleRssKiB),
    `${mib(r.mem.rssKiB)} (${mib(r.mem.anonKiB)} + ${mib(r.mem.fileKiB)})`, mib(r.mem.peakKiB),
    fmt(r.mem.rssKiB / r.series, 2), fmt((r.mem.rssKiB - r.idleRssKiB) / r.series, 2), r.compacted ? 'YES' : 'no',
    fmt(r.otherCores, 2),
  ]);
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((h, i) => (i < 2 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/**
 * The memory target's lines: RSS per active series of Tessera ÷ Prometheus at equal data (the
 * memory phase), against the issue's ≤ 1.0× target and ≤ 0.5× goal, and the same for the growth
 * over idle RSS (without each runtime's fixed cost).
 */
export function memoryRatioLines(results: readonly MemoryResult[]): string[] {
  const out: string[] = [];
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  for (const t of results.filter((r) => r.kind === 'tessera')) {
    const p = results.find((r) => r.kind === 'prometheus' && r.series === t.series);
    if (p === undefined) continue;
    const tk = t.mem.rssKiB / t.series;
    const pk = p.mem.rssKiB / p.series;
    const td = (t.mem.rssKiB - t.idleRssKiB) / t.series;
    const pd = (p.mem.rssKiB - p.idleRssKiB) / p.series;
    const ratio = tk / pk;
    const invalid = t.compacted || p.compacted ? ' — INVALID: a target compacted during the phase' : '';
    out.push(
      `${fmtInt(t.series)} series @ ${t.samplesPerSeries} samples/series: RSS per active series Tessera ${fmt(tk, 2)} KiB, ` +
        `Prometheus ${fmt(pk, 2)} KiB = ${fmt(ratio, 2)}× ` +
        `(target ≤ ${GOALS.rssPerSeriesMax}×: ${verdict(ratio <= GOALS.rssPerSeriesMax)}; goal ≤ ${GOALS.rssPerSeriesGoal}×: ${verdict(ratio <= GOALS.rssPerSeriesGoal)}); ` +
        `growth over idle RSS Tessera ${fmt(td, 2)} KiB, Prometheus ${fmt(pd, 2)} KiB = ${fmt(td / pd, 2)}×${invalid}`,
    );
  }
  return out;
}

/** Notes of the memory phase: compaction checks, runtime memory, warnings. */
export function memoryNoteLines(results: readonly MemoryResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const at = `${r.kind} @ ${fmtInt(r.series)}`;
    if (r.otherCores > 0.2 || r.stealCores > 0.1) {
      out.push(`${at}: the machine was not quiet while pushing (other ${fmt(r.otherCores, 2)} cores, steal ${fmt(r.stealCores, 2)}); push time is depressed, memory figures are not affected`);
    }
    out.push(`${at}: compaction check: ${r.compactionCheck}`);
    out.push(`${at}: ${r.runtime}`);
    for (const n of r.notes) out.push(`${at}: ${n}`);
  }
  return out;
}

/** Heap snapshot summaries of the memory phase (Tessera with `--heap-snapshot`), as plain lines. */
export function heapLines(results: readonly MemoryResult[], top: number): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (r.heap === undefined) continue;
    out.push(
      `${r.kind} @ ${fmtInt(r.series)} series, ${r.samplesPerSeries} samples/series: ${r.heap.file}; ` +
        `live V8 heap after the snapshot's full GC ${fmt(r.heap.liveHeapBytes / 2 ** 20, 0)} MiB`,
    );
    out.push(...heapSummaryLines(r.heap.summary, r.series, top));
  }
  return out;
}

/** Notes gathered during measurement, prefixed by target and series count. */
export function noteLines(results: readonly TargetResult[]): string[] {
  const busy = results.filter((r) => r.otherCores > 0.2 || r.stealCores > 0.1);
  const warnings = busy.map(
    (r) =>
      `${r.kind} @ ${fmtInt(r.series)}: the machine was not quiet: other processes used ${fmt(r.otherCores, 2)} cores ` +
      `and the hypervisor stole ${fmt(r.stealCores, 2)} during the measured phase; its figures are depressed`,
  );
  return [...warnings, ...results.flatMap((r) => r.notes.map((n) => `${r.kind} @ ${fmtInt(r.series)}: ${n}`))];
}

/** A one-line description of the machine: cores, memory, CPU model, Node version. */
export function machineLine(prometheusVersion: string | null): string {
  const cpus = os.cpus();
  return (
    `${os.availableParallelism()} cores (${cpus[0]?.model ?? 'unknown CPU'}), ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, ` +
    `Node ${process.version}, ${prometheusVersion ?? 'Prometheus not run'}`
  );
}

/** Fields of a RESULTS.md entry besides the figures. */
export interface RecordContext {
  command: string;
  settings: string;
  /** How the memory phase was run (samples per series and why), when it was. */
  memorySettings?: string;
  machine: string;
}

const RESULTS_HEADER = `# Ingest benchmark results

Entries appended by \`npm run bench:ingest -- --record\`; newest last. What the columns mean is in
[README.md](README.md). Figures drift ±20% between runs on shared machines.
`;

/** Appends a dated entry to the results file, creating it with a header if needed. */
export function appendResults(file: string, ctx: RecordContext, results: readonly TargetResult[], memory: readonly MemoryResult[]): void {
  if (!fs.existsSync(file)) fs.writeFileSync(file, RESULTS_HEADER);
  const entry = [
    '',
    `## ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC`,
    '',
    `- machine: ${ctx.machine}`,
    `- command: \`${ctx.command}\``,
    `- settings: ${ctx.settings}`,
    ...(ctx.memorySettings !== undefined && ctx.memorySettings !== '' ? [`- memory phase: ${ctx.memorySettings}`] : []),
    '',
    ...(results.length > 0
      ? [
        '**Throughput phase**', '',
        resultsTable(results),
        '',
        ...ratioLines(results).map((l) => `- ${l}`),
        ...equalRoundLines(results).map((l) => `- ${l}`),
        ...noteLines(results).map((l) => `- note: ${l}`),
        '',
      ]
      : []),
    ...(memory.length > 0
      ? [
        '**Memory phase** (equal data on both targets; the figure for the RSS target)', '',
        memoryTable(memory),
        '',
        ...memoryRatioLines(memory).map((l) => `- ${l}`),
        ...memoryNoteLines(memory).map((l) => `- note: ${l}`),
        '',
        ...(memory.some((r) => r.heap !== undefined) ? ['```', ...heapLines(memory, 15), '```', ''] : []),
      ]
      : []),
  ].join('\n');
  fs.appendFileSync(file, entry);
}
