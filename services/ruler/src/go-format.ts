/**
 * Prometheus's API answers are produced by Go's formatters; these reproduce the few the ruler's
 * answers and notifications need, so clients (Grafana, amtool) see identical strings.
 */

/** Go's `time.Time` zero value as JSON: what Prometheus shows for a rule never evaluated. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * A Unix time in ms as Go's `time.RFC3339Nano` in UTC: fraction without trailing zeros
 * (`2026-01-02T03:04:05.6Z`, `…:05Z` for a whole second).
 */
export function formatRfc3339(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-02T03:04:05.600Z
  const [head, frac] = iso.slice(0, -1).split('.');
  const trimmed = (frac ?? '').replace(/0+$/, '');
  return trimmed === '' ? `${head}Z` : `${head}.${trimmed}Z`;
}

/** Go's `strconv.FormatFloat(v, 'e', -1, 64)`: `1e+00`, `1.5e-07`, `NaN`, `+Inf`. */
export function formatGoFloatE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = v.toExponential(); // shortest round-trip digits, like Go's -1 precision
  const i = s.indexOf('e');
  const mant = s.slice(0, i);
  const sign = s[i + 1]!;
  const exp = s.slice(i + 2);
  return `${mant}e${sign}${exp.length < 2 ? `0${exp}` : exp}`;
}

/** Parses a sample value as Prometheus's JSON writes it (`"1.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`). */
export function parsePromValue(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  return Number(s);
}

/** Go's `url.QueryEscape`: unreserved bytes kept, space as `+`, everything else `%XX`. */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The link Prometheus puts in an alert's `generatorURL`: the external URL plus the expression
 * in the graph page's table tab (`/graph?g0.expr=…&g0.tab=1`).
 */
export function generatorUrl(externalUrl: string, expr: string): string {
  return `${externalUrl.replace(/\/+$/, '')}/graph?g0.expr=${goQueryEscape(expr)}&g0.tab=1`;
}
