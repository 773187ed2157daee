// Running a benchmark query against a target's Prometheus HTTP API (POST, form-encoded, as
// Grafana sends them) and reducing an answer to what two systems' answers are compared on.

import http from 'node:http';
import type { RunningTarget, TargetKind } from '../ingest/targets.ts';
import type { BenchQuery } from './queries.ts';

/** Where each system serves the query API. */
export const API_PREFIX: Readonly<Record<TargetKind, string>> = {
  tessera: '/prometheus/api/v1',
  prometheus: '/api/v1',
};

/** One answered query. */
export interface QueryAnswer {
  status: number;
  body: string;
  /** From writing the request to the end of the answer, ms. */
  ms: number;
}

/** The path and form body of a query evaluated at `evalMs` (range queries end there). */
export function queryRequest(kind: TargetKind, q: BenchQuery, evalMs: number, stats: boolean): { path: string; form: string } {
  const p = new URLSearchParams({ query: q.expr });
  if (q.kind === 'instant') {
    p.set('time', (evalMs / 1000).toFixed(3));
  } else {
    p.set('start', ((evalMs - q.rangeS! * 1000) / 1000).toFixed(3));
    p.set('end', (evalMs / 1000).toFixed(3));
    p.set('step', String(q.stepS!));
  }
  if (stats) p.set('stats', 'all');
  return { path: `${API_PREFIX[kind]}/${q.kind === 'instant' ? 'query' : 'query_range'}`, form: p.toString() };
}

/** POSTs a form to a target and reads the whole answer. */
export function postForm(agent: http.Agent, t: RunningTarget, path: string, form: string): Promise<QueryAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        host: t.host, port: t.port, path, method: 'POST', agent,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(form) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(form);
  });
}

/** An answer reduced for comparison: series by label set, values by timestamp. */
export interface AnswerSummary {
  resultType: string;
  series: number;
  points: number;
  /** Key: the label set as sorted `name=value` pairs; value: timestamp (s) → value. */
  values: Map<string, Map<number, number>>;
  /** `stats.samples.totalQueryableSamples`, when the answer carries stats. */
  totalQueryableSamples: number | null;
}

interface PromJson {
  status: string;
  error?: string;
  data?: {
    resultType: string;
    result: unknown;
    stats?: { samples?: { totalQueryableSamples?: number } };
  };
}

type Point = [number, string];
interface SeriesJson { metric: Record<string, string>; value?: Point; values?: Point[] }

/** Parses a successful answer; throws with the answer's text when it is not one. */
export function summarise(a: QueryAnswer): AnswerSummary {
  const j = JSON.parse(a.body) as PromJson;
  if (a.status !== 200 || j.status !== 'success' || j.data === undefined) throw new Error(`HTTP ${a.status}: ${a.body.slice(0, 500)}`);
  const values = new Map<string, Map<number, number>>();
  let points = 0;
  const add = (key: string, pts: Point[]): void => {
    const m = new Map<number, number>();
    for (const [t, v] of pts) m.set(t, Number(v));
    values.set(key, m);
    points += pts.length;
  };
  const { resultType, result } = j.data;
  if (resultType === 'scalar' || resultType === 'string') {
    add('', [result as Point]);
  } else {
    for (const s of result as SeriesJson[]) {
      const key = Object.entries(s.metric).sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(',');
      add(key, s.values ?? (s.value !== undefined ? [s.value] : []));
    }
  }
  return { resultType, series: values.size, points, values, totalQueryableSamples: j.data.stats?.samples?.totalQueryableSamples ?? null };
}

/** How two answers to the same query compare. */
export interface Agreement {
  /** Same result type, series count and point count. */
  sameShape: boolean;
  /** Label sets of one answer missing from the other. */
  missingSeries: number;
  /** Largest relative difference of values at the same series and timestamp (0 when equal). */
  maxRelDiff: number;
  /** Points whose values differ by more than 1e-9 relative, and the span of their timestamps (s). */
  diffPoints: number;
  diffSpanS: [number, number] | null;
  /** One line for the report. */
  text: string;
}

/**
 * Compares Tessera's answer with Prometheus's. `originMs` (the oldest sample's timestamp) makes
 * the text say when differing points lie, relative to the start of the data.
 */
export function compareAnswers(t: AnswerSummary, p: AnswerSummary, originMs?: number): Agreement {
  let missing = 0;
  let maxRel = 0;
  let diffPoints = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const [key, tv] of t.values) {
    const pv = p.values.get(key);
    if (pv === undefined) {
      missing++;
      continue;
    }
    for (const [ts, a] of tv) {
      const b = pv.get(ts);
      if (b === undefined) continue;
      if (Number.isNaN(a) && Number.isNaN(b)) continue;
      if (a === b) continue;
      const rel = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
      maxRel = Math.max(maxRel, Number.isNaN(rel) ? Infinity : rel);
      if (!(rel <= 1e-9)) {
        diffPoints++;
        lo = Math.min(lo, ts);
        hi = Math.max(hi, ts);
      }
    }
  }
  for (const key of p.values.keys()) if (!t.values.has(key)) missing++;
  const sameShape = t.resultType === p.resultType && t.series === p.series && t.points === p.points;
  const span: [number, number] | null = diffPoints > 0 ? [lo, hi] : null;
  const where =
    span === null ? ''
      : originMs === undefined ? `, ${diffPoints} points differ by > 1e-9`
        : `, ${diffPoints} points differ by > 1e-9, at ${(span[0] - originMs / 1000).toFixed(0)}–${(span[1] - originMs / 1000).toFixed(0)} s after the first sample`;
  const text = sameShape
    ? `${t.series} series, ${t.points} points; max rel. diff ${maxRel === 0 ? '0' : maxRel.toExponential(1)}${where}${missing > 0 ? `, ${missing} label sets differ` : ''}`
    : `DIFFERENT: Tessera ${t.resultType} ${t.series} series / ${t.points} points, Prometheus ${p.resultType} ${p.series} series / ${p.points} points`;
  return { sameShape, missingSeries: missing, maxRelDiff: maxRel, diffPoints, diffSpanS: span, text };
}
