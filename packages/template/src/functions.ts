/**
 * The functions Prometheus adds to alert and recording-rule templates (see the Prometheus
 * template reference): queries and their results (query, first, label, value, strvalue,
 * sortByLabel), numbers (humanize…, toTime), strings (title, toUpper, toLower, match,
 * reReplaceAll, safeHtml, stripPort, stripDomain, parseDuration), links (graphLink, tableLink,
 * externalURL, pathPrefix) and args.
 */
import { isIP } from 'node:net';
import { compareUtf8, parseDuration } from '@tessera/model';
import { RE2JS } from 're2js';
import { queryEscape } from './builtins.ts';
import { type CallEnv, type FuncSpec, FuncError } from './exec.ts';
import { humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp, toTime } from './humanize.ts';
import { GoMap, GoSlice, GoStruct, type GoValue } from './values.ts';

const SAMPLE_FIELD_TYPES: ReadonlyMap<string, string> = new Map([['Labels', 'map[string]string'], ['Value', 'interface {}']]); // Prometheus 3's sample type

/** A `*template.sample` as Prometheus's query function returns it. */
export function newSample(labels: Record<string, string>, value: number): GoStruct {
  return new GoStruct('template.sample', true, new Map<string, GoValue>([['Labels', GoMap.ofStrings(labels)], ['Value', value]]), SAMPLE_FIELD_TYPES);
}

function sampleLabels(s: GoValue): GoMap {
  if (!(s instanceof GoStruct)) throw new FuncError('invalid memory address or nil pointer dereference');
  return s.fields.get('Labels') as GoMap;
}

function compile(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    throw new FuncError(e instanceof Error ? e.message : String(e));
  }
}

/** Go's Regexp.Expand template syntax: $1, ${1}, $name, ${name}, $$. */
function expand(template: string, groups: (string | null)[], named: Record<string, number>): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$') { out += c; continue; }
    const rest = template.slice(i + 1);
    if (rest.startsWith('$')) { out += '$'; i++; continue; }
    const m = /^\{([A-Za-z0-9_]+)\}/.exec(rest) ?? /^([A-Za-z0-9_]+)/.exec(rest);
    if (m === null) { out += '$'; continue; } // malformed reference: a literal '$'
    i += m[0].length;
    const name = m[1]!;
    let idx = -1;
    if (/^[0-9]+$/.test(name)) {
      if (!(name.length > 1 && name[0] === '0') && name.length < 9) idx = Number(name);
    } else {
      idx = named[name] ?? -1;
    }
    if (idx >= 0 && idx < groups.length) out += groups[idx] ?? '';
  }
  return out;
}

/** Go's Regexp.ReplaceAllString, including its treatment of empty matches. */
export function reReplaceAll(pattern: string, repl: string, src: string): string {
  const re = compile(pattern);
  const named = re.namedGroups();
  const m = re.matcher(src);
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    if (!m.find(searchPos)) break;
    const a0 = m.start();
    const a1 = m.end();
    out += src.slice(lastMatchEnd, a0);
    if (a1 > lastMatchEnd || a0 === 0) {
      const groups: (string | null)[] = [];
      for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g));
      out += expand(repl, groups, named);
    }
    lastMatchEnd = a1;
    const cp = src.codePointAt(searchPos);
    const width = cp === undefined ? 0 : cp > 0xffff ? 2 : 1;
    if (searchPos + width > a1) searchPos += width;
    else if (searchPos + 1 > a1) searchPos++;
    else searchPos = a1;
  }
  return out + src.slice(lastMatchEnd);
}

/** Go's strings.isSeparator: what ends a word for strings.Title. */
function isSeparator(c: string): boolean {
  const cp = c.codePointAt(0)!;
  if (cp <= 0x7f) return !/[0-9A-Za-z_]/.test(c);
  if (/[\p{L}\p{Nd}]/u.test(c)) return false;
  return /\s/u.test(c);
}

/**
 * Go's strings.Title, which Prometheus uses: the first letter after a separator (any ASCII
 * character but letters, digits and '_'; Unicode white space) is upper-cased — "don't" becomes
 * "Don'T", as in Prometheus.
 */
export function title(s: string): string {
  let out = '';
  let prev = ' ';
  for (const c of s) {
    if (isSeparator(prev)) {
      const u = titleRune(c);
      out += [...u].length === 1 ? u : c;
    } else out += c;
    prev = c;
  }
  return out;
}

/**
 * Where Go's simple (one rune to one rune) case mappings differ from JavaScript's full ones:
 * title case of the Latin digraphs, upper case of Greek letters with ypogegrammeni, lower case
 * of 'İ'. Everything else maps as JavaScript maps it, or stays when that takes several runes.
 */
const TITLE_SPECIAL: Record<string, string> = {
  'Ǆ': 'ǅ', 'ǅ': 'ǅ', 'ǆ': 'ǅ', 'Ǉ': 'ǈ', 'ǈ': 'ǈ', 'ǉ': 'ǈ', 'Ǌ': 'ǋ', 'ǋ': 'ǋ', 'ǌ': 'ǋ', 'Ǳ': 'ǲ', 'ǲ': 'ǲ', 'ǳ': 'ǲ',
};
function upperRune(c: string): string {
  const cp = c.codePointAt(0)!;
  if ((cp >= 0x1f80 && cp <= 0x1f87) || (cp >= 0x1f90 && cp <= 0x1f97) || (cp >= 0x1fa0 && cp <= 0x1fa7)) return String.fromCodePoint(cp + 8);
  if (cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) return String.fromCodePoint(cp + 9);
  return c.toUpperCase();
}
function lowerRune(c: string): string {
  return c === 'İ' ? 'i' : c.toLowerCase();
}
function titleRune(c: string): string {
  return TITLE_SPECIAL[c] ?? upperRune(c);
}

function mapRunes(s: string, f: (c: string) => string): string {
  let out = '';
  for (const c of s) {
    const m = f(c);
    out += [...m].length === 1 ? m : c; // Go maps rune by rune (no "ß" → "SS")
  }
  return out;
}

function splitHostPort(hostport: string): { host: string; port: string } | null {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return null;
  let host: string;
  let j = 0, k = 0;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 !== i) return null;
    host = hostport.slice(1, end);
    j = 1; k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return null;
  }
  if (hostport.slice(j).includes('[') || hostport.slice(k).includes(']')) return null;
  return { host, port: hostport.slice(i + 1) };
}

function stripDomain(hostPort: string): string {
  const hp = splitHostPort(hostPort);
  const host = hp === null ? hostPort : hp.host;
  if (isIP(host) !== 0) return hostPort;
  const short = host.split('.')[0]!;
  if (hp !== null && hp.port !== '') return short.includes(':') ? `[${short}]:${hp.port}` : `${short}:${hp.port}`;
  return short;
}

function urlPath(u: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(u);
  if (m === null) return '';
  try { return decodeURIComponent(m[1]!); } catch { return m[1]!; }
}

async function query(expr: string, env: CallEnv): Promise<GoSlice> {
  if (env.query === undefined) throw new FuncError('no query function configured');
  const result = await env.query(expr, env.atMs);
  return new GoSlice('template.queryResult', '*template.sample', result.map((s) => newSample(s.labels, s.value)));
}

const str = (v: GoValue): string => v as string;

/** Prometheus's template functions, by name. */
export const PROMETHEUS_FUNCS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ['query', { params: ['string'], call: (a, env) => query(str(a[0]), env) }],
  ['first', {
    params: ['template.queryResult'], call: (a) => {
      const v = a[0] as GoSlice;
      if (v.items.length === 0) throw new FuncError('first() called on vector with no elements');
      return v.items[0];
    },
  }],
  ['label', { params: ['string', '*template.sample'], call: (a) => { const m = sampleLabels(a[1]); return m.entries.get(str(a[0])) ?? ''; } }],
  ['value', { params: ['*template.sample'], call: (a) => { sampleLabels(a[0]); return (a[0] as GoStruct).fields.get('Value'); } }],
  ['strvalue', { params: ['*template.sample'], call: (a) => sampleLabels(a[0]).entries.get('__value__') ?? '' }],
  ['sortByLabel', {
    params: ['string', 'template.queryResult'], call: (a) => {
      const v = a[1] as GoSlice;
      const label = str(a[0]);
      const key = (s: GoValue): string => (s instanceof GoStruct ? ((s.fields.get('Labels') as GoMap).entries.get(label) as string | undefined) ?? '' : '');
      v.items.sort((x, y) => compareUtf8(key(x), key(y))); // Array#sort is stable, as Go's sort.Stable
      return v;
    },
  }],
  ['humanize', { params: ['any'], call: (a) => humanize(a[0]) }],
  ['humanize1024', { params: ['any'], call: (a) => humanize1024(a[0]) }],
  ['humanizeDuration', { params: ['any'], call: (a) => humanizeDuration(a[0]) }],
  ['humanizePercentage', { params: ['any'], call: (a) => humanizePercentage(a[0]) }],
  ['humanizeTimestamp', { params: ['any'], call: (a) => humanizeTimestamp(a[0]) }],
  ['toTime', { params: ['any'], call: (a) => toTime(a[0]) }],
  ['title', { params: ['string'], call: (a) => title(str(a[0])) }],
  ['toUpper', { params: ['string'], call: (a) => mapRunes(str(a[0]), upperRune) }],
  ['toLower', { params: ['string'], call: (a) => mapRunes(str(a[0]), lowerRune) }],
  ['match', { params: ['string', 'string'], call: (a) => compile(str(a[0])).test(str(a[1])) }],
  ['reReplaceAll', { params: ['string', 'string', 'string'], call: (a) => reReplaceAll(str(a[0]), str(a[1]), str(a[2])) }],
  ['graphLink', { params: ['string'], call: (a) => `/graph?g0.expr=${queryEscape(str(a[0]))}&g0.tab=0` }],
  ['tableLink', { params: ['string'], call: (a) => `/graph?g0.expr=${queryEscape(str(a[0]))}&g0.tab=1` }],
  ['safeHtml', { params: ['string'], call: (a) => str(a[0]) }],
  ['stripPort', { params: ['string'], call: (a) => splitHostPort(str(a[0]))?.host ?? str(a[0]) }],
  ['stripDomain', { params: ['string'], call: (a) => stripDomain(str(a[0])) }],
  ['parseDuration', {
    params: ['string'], call: (a) => {
      try { return parseDuration(str(a[0])) / 1000; } catch (e) {
        throw new FuncError(e instanceof Error ? e.message : String(e));
      }
    },
  }],
  ['args', {
    params: [], variadic: 'any', call: (a) => new GoMap('interface {}', new Map(a.map((v, i) => [`arg${i}`, v === null ? undefined : v]))),
  }],
  ['externalURL', { params: [], call: (_a, env) => env.externalURL }],
  ['pathPrefix', { params: [], call: (_a, env) => urlPath(env.externalURL) }],
]);
