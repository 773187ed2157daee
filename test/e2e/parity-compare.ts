/**
 * Comparison of two Prometheus query API answers for the parity test (prometheus-parity.test.ts):
 * what "the same answer" means, and a readable diff when they are not.
 *
 * Same answer: both succeed with the same `resultType`, or both fail with the same `errorType`
 * (error texts may differ). Vectors and matrices hold the same label sets; for each, the same
 * timestamps and values equal within 1e-9 relative (NaN equals NaN, ±Inf equal only to
 * themselves); when the query sorts, the same order. Values that are numerically identical must
 * also be written identically (Prometheus's number format), which catches formatting drift.
 * `warnings` and `infos` are not compared: Prometheus 2.42 has no `infos` and fewer warnings
 * than 3.x, whose annotations Tessera follows.
 */

/** A Prometheus API answer: HTTP status and parsed body. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** Relative tolerance of value comparisons. */
export const REL_TOLERANCE = 1e-9;

type Point = [number, string];
interface SeriesJson {
  metric: Record<string, string>;
  value?: Point;
  values?: Point[];
}
interface Envelope {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/** The label set as a stable key (labels sorted by name). */
export function metricKey(m: Record<string, string>): string {
  return JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** Why two formatted values differ, or null when they agree (see the file comment). */
export function valueDiff(a: string, b: string): string | null {
  if (a === b) return null;
  const x = parseValue(a);
  const y = parseValue(b);
  if (Number.isNaN(x) && Number.isNaN(y)) return a === 'NaN' && b === 'NaN' ? null : `format ${a} vs ${b}`;
  if (Number.isNaN(x) || Number.isNaN(y) || !Number.isFinite(x) || !Number.isFinite(y)) return `${a} vs ${b}`;
  if (x === y) return `same number, written ${a} vs ${b}`;
  const rel = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
  return rel <= REL_TOLERANCE ? null : `${a} vs ${b} (rel ${rel.toExponential(2)})`;
}

function pointDiff(p: Point, q: Point): string | null {
  if (p[0] !== q[0]) return `t ${p[0]} vs ${q[0]}`;
  const d = valueDiff(p[1], q[1]);
  return d === null ? null : `@${p[0]}: ${d}`;
}

function fmtPoints(ps: Point[] | undefined, max = 6): string {
  if (ps === undefined) return '-';
  const shown = ps.slice(0, max).map(([t, v]) => `${t}:${v}`).join(' ');
  return ps.length > max ? `${shown} … (${ps.length} points)` : shown;
}

function seriesDiff(key: string, p: SeriesJson, t: SeriesJson): string[] {
  const pp = p.values ?? (p.value === undefined ? [] : [p.value]);
  const tp = t.values ?? (t.value === undefined ? [] : [t.value]);
  const out: string[] = [];
  if (pp.length !== tp.length) {
    const pts = new Set(pp.map(([ts]) => ts));
    const tts = new Set(tp.map(([ts]) => ts));
    const onlyP = [...pts].filter((x) => !tts.has(x));
    const onlyT = [...tts].filter((x) => !pts.has(x));
    out.push(`${key}: ${pp.length} points vs ${tp.length}; only in Prometheus at [${onlyP.slice(0, 5).join(', ')}], only in Tessera at [${onlyT.slice(0, 5).join(', ')}]`);
    return out;
  }
  const diffs: string[] = [];
  for (let i = 0; i < pp.length; i++) {
    const d = pointDiff(pp[i]!, tp[i]!);
    if (d !== null) diffs.push(d);
  }
  if (diffs.length > 0) out.push(`${key}: ${diffs.slice(0, 4).join('; ')}${diffs.length > 4 ? ` (+${diffs.length - 4} more)` : ''}`);
  return out;
}

/**
 * The differences between Prometheus's answer `prom` and Tessera's `tess` (empty when they agree).
 * `ordered`: the result order must match too (instant queries whose outermost call sorts).
 */
export function diffAnswers(prom: ApiAnswer, tess: ApiAnswer, ordered: boolean): string[] {
  const p = prom.body as Envelope | undefined;
  const t = tess.body as Envelope | undefined;
  if (p?.status !== 'success' || t?.status !== 'success') {
    if (p?.status === 'error' && t?.status === 'error' && p.errorType === t.errorType && prom.status === tess.status) return [];
    return [`status: Prometheus ${prom.status} ${JSON.stringify(p).slice(0, 300)} vs Tessera ${tess.status} ${JSON.stringify(t).slice(0, 300)}`];
  }
  const pd = p.data ?? {};
  const td = t.data ?? {};
  if (pd.resultType !== td.resultType) return [`resultType ${pd.resultType} vs ${td.resultType}`];
  if (pd.resultType === 'scalar' || pd.resultType === 'string') {
    const d = pointDiff(pd.result as Point, td.result as Point);
    return d === null ? [] : [`${pd.resultType}: ${d}`];
  }
  const pr = (pd.result ?? []) as SeriesJson[];
  const tr = (td.result ?? []) as SeriesJson[];
  const pm = new Map(pr.map((s) => [metricKey(s.metric), s]));
  const tm = new Map(tr.map((s) => [metricKey(s.metric), s]));
  const out: string[] = [];
  if (pm.size !== pr.length || tm.size !== tr.length) out.push(`duplicate label sets: ${pr.length}/${pm.size} vs ${tr.length}/${tm.size}`);
  for (const [k, s] of pm) {
    const other = tm.get(k);
    if (other === undefined) out.push(`only in Prometheus: ${k} ${fmtPoints(s.values ?? (s.value && [s.value]))}`);
    else out.push(...seriesDiff(k, s, other));
  }
  for (const [k, s] of tm) if (!pm.has(k)) out.push(`only in Tessera: ${k} ${fmtPoints(s.values ?? (s.value && [s.value]))}`);
  if (ordered && out.length === 0) {
    const po = pr.map((s) => metricKey(s.metric));
    const to = tr.map((s) => metricKey(s.metric));
    if (po.join('\n') !== to.join('\n')) out.push(`order differs:\n    Prometheus: ${po.join(' ')}\n    Tessera:    ${to.join(' ')}`);
  }
  return out;
}
