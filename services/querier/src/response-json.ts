/**
 * The JSON text of a successful query response, byte for byte as Prometheus writes it:
 *
 * ```
 * {"status":"success","data":{"resultType":"vector","result":[…],"stats":{…}},"warnings":[…],"infos":[…]}
 * ```
 * - `stats` only when asked for; `warnings` and `infos` only when non-empty.
 * - vector: `{"metric":{…},"value":[<t>,"<v>"]}`; matrix: `{"metric":{…},"values":[[<t>,"<v>"],…]}`
 *   (series without points left out); scalar and string: `[<t>,"<v>"]`.
 * - `<t>`: Unix seconds with the milliseconds as a 3-digit fraction when not zero
 *   (`1435781451.781`, `1.500`, `2`), as Prometheus's jsonutil.MarshalTimestamp writes them.
 * - `<v>`: Go's `strconv.FormatFloat(v, 'f', -1, 64)`, switching to the 'e' format below 1e-6
 *   and from 1e21 in magnitude (`1e-07`, `1e+21`); `NaN`, `+Inf`, `-Inf`.
 * - strings escaped like Go's encoding/json: `<`, `>`, `&`, U+2028 and U+2029 as \u escapes.
 */
import type { Labels } from '@tessera/model';
import type { Annotations, Value } from '@tessera/promql';

/** Prometheus's `stats` object (the built-in statistics). Times in seconds. */
export interface QueryStatsJson {
  timings: {
    evalTotalTime: number;
    resultSortTime: number;
    queryPreparationTime: number;
    innerEvalTime: number;
    execQueueTime: number;
    execTotalTime: number;
  };
  samples: {
    totalQueryableSamples: number;
    peakSamples: number;
  };
}

/** Formats a sample value as Prometheus does (see the file comment). */
export function formatValue(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const s = String(v);
  // JavaScript switches to exponents at the same magnitudes as Prometheus (< 1e-6, ≥ 1e21) and
  // prints the same shortest digits; Go writes at least two exponent digits.
  const e = s.indexOf('e');
  if (e < 0 || s.length - e > 3) return s;
  return `${s.slice(0, e + 2)}0${s.slice(e + 2)}`;
}

/** Formats a timestamp (ms) as Unix seconds, as Prometheus does (see the file comment). */
export function formatTimestamp(ms: number): string {
  let t = Math.round(ms);
  let sign = '';
  if (t < 0) {
    sign = '-';
    t = -t;
  }
  const frac = t % 1000;
  const secs = (t - frac) / 1000;
  if (frac === 0) return sign + String(secs);
  return `${sign}${secs}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029]/;
const GO_EXTRA_ESCAPES = /[<>&\u2028\u2029]/g;

/** A JSON string literal, escaped as Go's encoding/json escapes it. */
export function jsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  return JSON.stringify(s).replace(GO_EXTRA_ESCAPES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A label set as a JSON object, labels in their (sorted) order. */
export function labelsJson(l: Labels): string {
  const flat = l.toFlat();
  let out = '{';
  for (let i = 0; i < flat.length; i += 2) {
    if (i > 0) out += ',';
    out += `${jsonString(flat[i]!)}:${jsonString(flat[i + 1]!)}`;
  }
  return `${out}}`;
}

function point(t: number, v: number): string {
  return `[${formatTimestamp(t)},"${formatValue(v)}"]`;
}

/** The `result` of a value, and its `resultType`. */
function resultJson(value: Value): { type: string; json: string } {
  switch (value.type) {
    case 'scalar':
      return { type: 'scalar', json: point(value.t, value.v) };
    case 'string':
      return { type: 'string', json: `[${formatTimestamp(value.t)},${jsonString(value.v)}]` };
    case 'vector': {
      const parts: string[] = [];
      for (const s of value.v) parts.push(`{"metric":${labelsJson(s.metric)},"value":${point(s.t, s.v)}}`);
      return { type: 'vector', json: `[${parts.join(',')}]` };
    }
    case 'matrix': {
      // The series of a range result share the step timestamps: each `[<t>,"` prefix is formatted once.
      const prefixes = new Map<number, string>();
      const parts: string[] = [];
      for (const s of value.v) {
        const ts = s.ts;
        const vs = s.vs;
        if (ts.length === 0) continue;
        let values = '';
        for (let i = 0; i < ts.length; i++) {
          const t = ts[i]!;
          let prefix = prefixes.get(t);
          if (prefix === undefined) {
            prefix = '[' + formatTimestamp(t) + ',"';
            prefixes.set(t, prefix);
          }
          values += (i > 0 ? ',' : '') + prefix + formatValue(vs[i]!) + '"]';
        }
        parts.push('{"metric":' + labelsJson(s.metric) + ',"values":[' + values + ']}');
      }
      return { type: 'matrix', json: '[' + parts.join(',') + ']' };
    }
  }
}

function statsJson(s: QueryStatsJson): string {
  const t = s.timings;
  return (
    `{"timings":{"evalTotalTime":${t.evalTotalTime},"resultSortTime":${t.resultSortTime},` +
    `"queryPreparationTime":${t.queryPreparationTime},"innerEvalTime":${t.innerEvalTime},` +
    `"execQueueTime":${t.execQueueTime},"execTotalTime":${t.execTotalTime}},` +
    `"samples":{"totalQueryableSamples":${s.samples.totalQueryableSamples},"peakSamples":${s.samples.peakSamples}}}`
  );
}

function stringList(set: ReadonlySet<string>): string {
  return `[${[...set].map(jsonString).join(',')}]`;
}

/** The complete response text of a successful query; see the file comment. */
export function queryResponseBody(value: Value, annotations: Annotations, stats: QueryStatsJson | null): string {
  const r = resultJson(value);
  let out = `{"status":"success","data":{"resultType":"${r.type}","result":${r.json}`;
  if (stats !== null) out += `,"stats":${statsJson(stats)}`;
  out += '}';
  if (annotations.warnings.size > 0) out += `,"warnings":${stringList(annotations.warnings)}`;
  if (annotations.infos.size > 0) out += `,"infos":${stringList(annotations.infos)}`;
  return `${out}}`;
}
