// Presentation of the PromQL benchmark: a per-query Markdown table (printed and recorded), the
// median ratio against the issue's target, and the dated entry appended to bench/RESULTS.md.

import fs from 'node:fs';
import type { QueryFigures } from './measure.ts';

/** The issue's target for the median of the per-query latency ratios Tessera ÷ Prometheus. */
export const PROMQL_GOALS = { ratioMax: 2, ratioGoal: 1 } as const;

const fmt = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const fmtInt = (n: number | null | undefined): string => (n !== null && n !== undefined && Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
/** A number of milliseconds with about three significant digits. */
const ms = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const dur = (s: number): string => (s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`);

/** The median of a list (mean of the middle two when even); NaN when empty. */
export function median(xs: readonly number[]): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** The per-query table. Expressions are escaped for Markdown tables. */
export function queryTable(rows: readonly QueryFigures[]): string {
  const head = [
    'query', 'expression', 'kind', 'series', 'Tessera ms', 'Prometheus ms', 'ratio', 'Tessera samples', 'Tessera Msamples/s', 'Prometheus samples', 'answers', 'other CPU',
  ];
  const lines = rows.map((r) => {
    const t = r.byTarget.tessera;
    const p = r.byTarget.prometheus;
    const kind = r.query.kind === 'instant' ? 'instant' : `range ${dur(r.query.rangeS!)} / ${dur(r.query.stepS!)}`;
    return [
      r.query.id, `\`${r.query.expr.replaceAll('|', '\\|')}\``, kind, fmtInt((t ?? p)?.answer.series), ms(t?.medianMs), ms(p?.medianMs),
      Number.isFinite(r.ratio) ? `${fmt(r.ratio, 2)}×` : 'n/a', fmtInt(t?.samples), fmt(r.tesseraSamplesPerS / 1e6, 1), fmtInt(p?.samples),
      r.agreement === null ? 'not compared' : r.agreement.sameShape ? 'same' : 'DIFFERENT', fmt(r.cpu.otherCores, 2),
    ];
  });
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((h, i) => (i < 3 ? '---' : '---:'))), ...lines.map(line)].join('\n');
}

/** The summary lines: median and geometric-mean ratio against the target, throughput overall. */
export function summaryLines(rows: readonly QueryFigures[]): string[] {
  const out: string[] = [];
  const ratios = rows.map((r) => r.ratio).filter(Number.isFinite);
  if (ratios.length > 0) {
    const med = median(ratios);
    const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
    const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    out.push(
      `median latency ratio Tessera ÷ Prometheus over ${ratios.length} queries: ${fmt(med, 2)}× ` +
        `(target ≤ ${PROMQL_GOALS.ratioMax}×: ${verdict(med <= PROMQL_GOALS.ratioMax)}; goal ≤ ${PROMQL_GOALS.ratioGoal}×: ${verdict(med <= PROMQL_GOALS.ratioGoal)}); ` +
        `geometric mean ${fmt(geo, 2)}×; ${ratios.filter((r) => r <= 1).length} queries ≤ 1×, ${ratios.filter((r) => r <= 2).length} ≤ 2×, ` +
        `worst ${fmt(Math.max(...ratios), 2)}× (${rows.find((r) => r.ratio === Math.max(...ratios))?.query.id})`,
    );
  }
  const withSamples = rows.filter((r) => r.byTarget.tessera?.samples !== null && r.byTarget.tessera !== undefined);
  const samples = withSamples.reduce((s, r) => s + r.byTarget.tessera!.samples!, 0);
  const seconds = withSamples.reduce((s, r) => s + r.byTarget.tessera!.medianMs / 1000, 0);
  if (seconds > 0) out.push(`Tessera over all queries: ${fmtInt(samples)} samples in ${fmt(seconds, 2)} s of median latencies = ${fmt(samples / seconds / 1e6, 1)}M samples/s`);
  const slow = [...rows].filter((r) => r.byTarget.tessera !== undefined).sort((a, b) => b.byTarget.tessera!.medianMs - a.byTarget.tessera!.medianMs).slice(0, 3);
  if (slow.length > 0) out.push(`slowest in Tessera: ${slow.map((r) => `${r.query.id} ${ms(r.byTarget.tessera!.medianMs)} ms`).join(', ')}`);
  return out;
}

/** Lines about answers that differ, noisy measurements and retries. */
export function noteLines(rows: readonly QueryFigures[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (r.agreement !== null && (!r.agreement.sameShape || r.agreement.maxRelDiff > 1e-6 || r.agreement.missingSeries > 0)) out.push(`${r.query.id}: answers: ${r.agreement.text}`);
    if (r.attempts > 1) out.push(`${r.query.id}: measured ${r.attempts}× because other processes used the machine`);
    if (r.cpu.otherCores > 0.2 || r.cpu.stealCores > 0.1) out.push(`${r.query.id}: NOISY: other processes ${fmt(r.cpu.otherCores, 2)} cores, steal ${fmt(r.cpu.stealCores, 2)} in the last measurement`);
  }
  return out;
}

/** Fields of a RESULTS.md entry besides the figures. */
export interface PromqlRecordContext {
  command: string;
  machine: string;
  settings: string;
  /** Lines about the data and how it was loaded. */
  data: string[];
}

/** Appends a dated PromQL-benchmark entry to the results file. */
export function appendPromqlResults(file: string, ctx: PromqlRecordContext, rows: readonly QueryFigures[]): void {
  const entry = [
    '',
    `## PromQL benchmark — ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC`,
    '',
    `- machine: ${ctx.machine}`,
    `- command: \`${ctx.command}\``,
    `- settings: ${ctx.settings}`,
    ...ctx.data.map((l) => `- ${l}`),
    '',
    queryTable(rows),
    '',
    ...summaryLines(rows).map((l) => `- ${l}`),
    ...noteLines(rows).map((l) => `- note: ${l}`),
    '',
  ].join('\n');
  fs.appendFileSync(file, entry);
}
