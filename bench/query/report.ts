// Presentation of the query-throughput benchmark: the totals per target with ratios, the
// latency per query of the mix, and the dated entry appended to bench/RESULTS.md.

import fs from 'node:fs';
import type { BenchQuery } from '../promql/queries.ts';
import type { CannonFigures } from './cannon.ts';

const fmt = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ms = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const dur = (s: number): string => (s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`);
const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;

/** Totals, one row per target. */
export function totalsTable(runs: readonly CannonFigures[]): string {
  const head = ['target', 'requests/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'max ms', '2xx', 'non-2xx / errors / timeouts', 'KiB/answer', 'CPU target / client / other'];
  const rows = runs.map((r) => [
    r.kind, fmt(r.requestsPerS, 1), ms(r.p50Ms), ms(r.p97_5Ms), ms(r.p99Ms), ms(r.maxMs), String(r.ok),
    `${r.non2xx} / ${r.errors} / ${r.timeouts}`, fmt(r.bytesPerAnswer / 1024, 1),
    `${fmt(r.cpu.targetCores, 2)} / ${fmt(r.cpu.clientCores, 2)} / ${fmt(r.cpu.otherCores, 2)}`,
  ]);
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** Latency per query of the mix, both targets side by side. */
export function perQueryTable(mix: readonly BenchQuery[], runs: readonly CannonFigures[]): string {
  const head = ['query', 'expression', 'range / step', ...runs.flatMap((r) => [`${r.kind} p50 ms`, `${r.kind} p99 ms`])];
  const rows = mix.map((q) => [
    q.id, `\`${q.expr.replaceAll('|', '\\|')}\``, `${dur(q.rangeS!)} / ${dur(q.stepS!)}`,
    ...runs.flatMap((r) => {
      const f = r.perQuery.find((p) => p.id === q.id);
      return [ms(f?.p50Ms), ms(f?.p99Ms)];
    }),
  ]);
  return [line(head), line(head.map((_, i) => (i < 3 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** Ratio lines: Tessera against Prometheus. */
export function ratioLines(runs: readonly CannonFigures[]): string[] {
  const t = runs.find((r) => r.kind === 'tessera');
  const p = runs.find((r) => r.kind === 'prometheus');
  if (t === undefined || p === undefined) return [];
  return [
    `Tessera ÷ Prometheus: requests/s ${fmt(t.requestsPerS / p.requestsPerS, 2)}× (higher is better), ` +
      `p50 ${fmt(t.p50Ms / p.p50Ms, 2)}×, p99 ${fmt(t.p99Ms / p.p99Ms, 2)}× (lower is better)`,
  ];
}

/** Fields of a RESULTS.md entry besides the figures. */
export interface QueryRecordContext {
  command: string;
  machine: string;
  settings: string;
  data: string[];
  notes: string[];
}

/** Appends a dated entry to the results file. */
export function appendQueryResults(file: string, ctx: QueryRecordContext, mix: readonly BenchQuery[], runs: readonly CannonFigures[]): void {
  const entry = [
    '',
    `## Query throughput benchmark (autocannon) — ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC`,
    '',
    `- machine: ${ctx.machine}`,
    `- command: \`${ctx.command}\``,
    `- settings: ${ctx.settings}`,
    ...ctx.data.map((l) => `- ${l}`),
    '',
    totalsTable(runs),
    '',
    ...ratioLines(runs).map((l) => `- ${l}`),
    ...ctx.notes.map((l) => `- note: ${l}`),
    '',
    'Latency per query of the mix (from the same runs):',
    '',
    perQueryTable(mix, runs),
    '',
  ].join('\n');
  fs.appendFileSync(file, entry);
}
