/**
 * The hostile requests of the query API fuzz test (api-fuzz.test.ts), generated from a fixed
 * seed: the same list on every run, so a failure names an input that reproduces.
 *
 * Families: random bytes and random Unicode (lone surrogates, controls, astral) in every text
 * parameter; PromQL token soup and mutations of valid queries; 10,000-level nesting; absurd
 * `start`/`end`/`step`/`time` values and the 11,000-point cap; huge and negative ranges, offsets
 * and `@` times; regexes that backtrack catastrophically in a backtracking engine; invalid UTF-8
 * percent-encodings (in values, names and the path); very long label names and values; repeated
 * and missing parameters; wrong methods, bodies and content types; missing or odd tenant headers.
 */
import { seededRandom } from './helpers.ts';

/** The Prometheus API prefix. */
export const API = '/prometheus/api/v1';

/** One request to send. Query strings and bodies are raw (already percent-encoded), so they may be invalid. */
export interface FuzzCase {
  family: string;
  method: string;
  /** Path with the raw query string, if any. */
  path: string;
  body?: string;
  contentType?: string;
  /** X-Scope-OrgID; null sends none. Default: the fuzz tenant. */
  tenant?: string | null;
  /** What this input must get, beyond the generic checks. */
  expectStatus?: number;
  expectError?: string;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes bytes (every byte outside the unreserved set). */
export function pctBytes(bytes: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const c = String.fromCharCode(b);
    out += b < 0x80 && UNRESERVED.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * UTF-8 bytes of a JS string, lone surrogates included as their 3-byte (invalid) encodings, so
 * strings with them turn into invalid UTF-8 rather than U+FFFD.
 */
function wtf8(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return out;
}

/** Percent-encodes a string (see {@link wtf8}). */
export function pct(s: string): string {
  return pctBytes(wtf8(s));
}

/** A raw query string from pairs; values already encoded are passed as `{ raw }`. */
function qs(pairs: ReadonlyArray<readonly [string, string | { raw: string }]>): string {
  return pairs.map(([k, v]) => `${pct(k)}=${typeof v === 'string' ? pct(v) : v.raw}`).join('&');
}

/** Valid queries over the fuzz data, the seeds of mutation. */
export const VALID_QUERIES = [
  'x',
  'rate(x[5m])',
  'sum by (job) (rate(x[5m]))',
  'histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))',
  'label_replace(x, "a", "$1", "job", "(.*)")',
  'topk(3, x)',
  'x offset 5m',
  'max_over_time(x[10m:1m])',
  'x and on (job) y',
  'x / ignoring (instance) group_left y',
  'count_values("v", x)',
  'absent(nope)',
  'sort_desc(x)',
  'quantile_over_time(0.5, x[5m])',
  'time()',
  'vector(1) + 1',
  '{__name__=~"x|y"}',
  'x{job!~"a.*"}',
  'predict_linear(x[5m], 60)',
  'clamp(x, 0, 1)',
  'round(x, 0.1)',
  '-x',
  'x > bool 1',
  'day_of_week()',
  'sum without (instance) (x)',
  'x @ end()',
  'x[5m:30s] offset -1m',
];

const TOKENS = [
  'x', 'y', 'h_bucket', '{', '}', '(', ')', '[', ']', ',', '=', '!=', '=~', '!~', '"a"', "'b'", '`c`', '"\\x"', '"\\u12"',
  '1', '0', '-1', '1e308', '0x1f', 'NaN', 'Inf', '-Inf', '.5', '1_000', '+', '-', '*', '/', '%', '^', '==', '>', '<', '>=',
  '<=', 'and', 'or', 'unless', 'atan2', 'bool', 'on', 'ignoring', 'group_left', 'group_right', 'by', 'without', 'offset',
  '@', 'start()', 'end()', '5m', '1y', '0s', '1ms', '1h30m', '-5m', ':', 'sum', 'rate', 'histogram_quantile', 'label_replace',
  'label_join', 'topk', 'bottomk', 'count_values', 'quantile', 'absent', 'absent_over_time', 'vector', 'scalar', 'time',
  'sort', 'abs', 'round', 'clamp', 'predict_linear', 'quantile_over_time', 'limitk', 'limit_ratio', 'info', 'holt_winters',
  'le', 'job', '__name__', ' ', '#', '\n', '\t', '…', '$', '\\', '"', "'", '`', '{__name__=~".+"}',
];

/** Code points drawn for random Unicode strings: controls, ASCII, Latin-1, CJK, specials, astral, lone surrogates. */
const CODE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0, 0x1f], [0x20, 0x7e], [0x7f, 0xff], [0x4e00, 0x4e80], [0x2028, 0x2029], [0xfffe, 0xffff], [0x1f600, 0x1f64f], [0xd800, 0xdfff],
];

/** Time-like parameter values: valid, absurd and malformed. */
const TIMES = [
  '0', '-1e20', '1e20', 'NaN', 'Inf', '-Inf', '+Inf', '', 'abc', '2024-01-01T00:00:00Z', '2024-13-45T99:99:99Z', '1e9', '1.5e9',
  '0x10', ' 1', '-62135596801', '253402300800', '9223372036854775807', '1e-300', '1700000000.123456789', '2024-01-01T00:00:00+25:00',
  '1e400', '-0', '٣', '１７', 'null', 'undefined', '[]',
];

/** Step-like values. */
const STEPS = [
  '0', '-1', '1e-9', '0.001', '1ms', '1y', '1e20', 'NaN', 'Inf', '', 'abc', '15', '15s', '1m30s', '0.0000001', '-0', '1e-320',
  '5m', '9223372036854775807ms', '1d', '1w', '1.5m', '0x1', '30', '1e3',
];

/** Regexes that would backtrack catastrophically (or are not RE2 at all). */
const EVIL_REGEXES = [
  '(a+)+b', '(a|aa)+c', '(a*)*b', '(.*a){25}', '^(a?){30}a{30}$', '(x+x+)+y', '(\\w+\\s?)+$', '((a+)+)+b', 'a{1000}{1000}',
  '(?P<n>a)', '\\', '[', '(?i)A+', '.*.*.*.*.*.*.*.*.*=', '\\p{Greek}+', '\\C', '(?=a)', '(a)\\1', 'a**', '(|a)+',
];

/** Query and metadata endpoints with the parameter holding a query or selector. */
const TEXT_TARGETS: ReadonlyArray<{ path: string; param: string; extra?: Array<[string, string]> }> = [
  { path: 'query', param: 'query' },
  { path: 'query_range', param: 'query', extra: [['start', '1700000000'], ['end', '1700003600'], ['step', '60']] },
  { path: 'format_query', param: 'query' },
  { path: 'query_exemplars', param: 'query' },
  { path: 'series', param: 'match[]' },
  { path: 'labels', param: 'match[]' },
  { path: 'label/job/values', param: 'match[]' },
  { path: 'metadata', param: 'metric' },
];

const ENDPOINTS = ['query', 'query_range', 'format_query', 'query_exemplars', 'series', 'labels', 'label/job/values', 'metadata', 'status/buildinfo'];

/** Builds the full, deterministic list of fuzz cases. `nowS` is the current Unix time in seconds. */
export function buildFuzzCases(seed: number, nowS: number): FuzzCase[] {
  const rand = seededRandom(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const out: FuzzCase[] = [];
  const GET_ONLY = new Set(['label/job/values', 'metadata', 'status/buildinfo']);

  /** Sends `raw` (an encoded query string) to a text target by GET, or as a form by POST where allowed. */
  const send = (family: string, target: (typeof TEXT_TARGETS)[number], raw: string, method?: 'GET' | 'POST'): void => {
    const pairs = `${pct(target.param)}=${raw}${target.extra === undefined ? '' : `&${qs(target.extra)}`}`;
    const m = method ?? (GET_ONLY.has(target.path) || rand() < 0.5 ? 'GET' : 'POST');
    if (m === 'GET') out.push({ family, method: 'GET', path: `${API}/${target.path}?${pairs}` });
    else out.push({ family, method: 'POST', path: `${API}/${target.path}`, body: pairs, contentType: 'application/x-www-form-urlencoded' });
  };
  const randomUnicode = (len: number): string => {
    let s = '';
    for (let i = 0; i < len; i++) {
      const [lo, hi] = pick(CODE_RANGES);
      const cp = lo + int(hi - lo + 1);
      s += cp > 0xffff ? String.fromCodePoint(cp) : String.fromCharCode(cp);
    }
    return s;
  };

  // Random bytes (invalid UTF-8 included) in every text parameter.
  for (let i = 0; i < 150; i++) {
    const bytes = Array.from({ length: int(120) }, () => int(256));
    send('random-bytes', pick(TEXT_TARGETS), pctBytes(bytes));
  }
  // Random Unicode: whole values, inside a selector's label value, and as a label name in the path.
  for (let i = 0; i < 100; i++) {
    const s = randomUnicode(1 + int(40));
    const r = rand();
    if (r < 0.5) send('random-unicode', pick(TEXT_TARGETS), pct(s));
    else if (r < 0.8) send('random-unicode', pick(TEXT_TARGETS), pct(`x{job="${s.replace(/["\\]/g, '')}"}`));
    else out.push({ family: 'random-unicode', method: 'GET', path: `${API}/label/${pct(s)}/values` });
  }
  // PromQL token soup.
  for (let i = 0; i < 300; i++) {
    const n = 1 + int(25);
    let q = '';
    for (let k = 0; k < n; k++) q += pick(TOKENS) + (rand() < 0.5 ? ' ' : '');
    const target = rand() < 0.7 ? TEXT_TARGETS[int(2)]! : pick(TEXT_TARGETS);
    send('token-soup', target, pct(q));
  }
  // Mutations of valid queries.
  for (let i = 0; i < 200; i++) {
    let q = pick(VALID_QUERIES);
    for (let m = 1 + int(3); m > 0; m--) {
      const at = int(q.length + 1);
      switch (int(6)) {
        case 0:
          q = q.slice(0, at) + q.slice(at + 1 + int(4));
          break;
        case 1:
          q = q.slice(0, at) + pick(TOKENS) + q.slice(at);
          break;
        case 2:
          q = q.slice(0, at) + q.slice(int(q.length), int(q.length) + 8) + q.slice(at);
          break;
        case 3:
          q = q.replace(/\d+(\.\d+)?/, pick(['1e308', '-0', 'NaN', '9999999999', '0.0000001', '-1', 'Inf']));
          break;
        case 4:
          q = q.replace(/\d+[smhdwy]/, pick(['1y', '100y', '0s', '1ms', '9999999999y', '1y1ms']));
          break;
        default:
          q = q.slice(0, at);
      }
    }
    send('mutation', TEXT_TARGETS[int(2)]!, pct(q));
  }
  // Deep nesting (10,000 levels), as POST forms: parse errors, never a stack overflow.
  const deep: string[] = [
    '('.repeat(10_000) + '1' + ')'.repeat(10_000),
    '-'.repeat(10_000) + 'x',
    '1' + '+1'.repeat(10_000),
    'x' + ' and x'.repeat(10_000),
    'x' + '^x'.repeat(10_000),
    'abs('.repeat(10_000) + 'x' + ')'.repeat(10_000),
    'sum('.repeat(5_000) + 'x' + ')'.repeat(5_000),
    '('.repeat(10_000),
    ')'.repeat(10_000),
    '{'.repeat(10_000),
    '['.repeat(10_000),
    `"${'\\'.repeat(10_000)}"`,
    'x' + ' offset 1m'.repeat(1_000),
    `x{${'a="b",'.repeat(10_000)}}`,
    `label_join(x, "d", ",", ${'"job",'.repeat(10_000)} "job")`,
  ];
  let nested = 'x';
  for (let i = 0; i < 30; i++) nested = `max_over_time((${nested})[1m:1s])`;
  deep.push(nested);
  for (const q of deep) {
    for (const t of [TEXT_TARGETS[0]!, TEXT_TARGETS[1]!, TEXT_TARGETS[2]!]) send('deep-nesting', t, pct(q), 'POST');
    // The same by GET while the URL stays under the server's 1 MiB request head.
    send('deep-nesting', TEXT_TARGETS[0]!, pct(q.slice(0, 3000)), 'GET');
  }
  // Absurd range parameters (random combinations) and the 11,000-point cap.
  for (let i = 0; i < 120; i++) {
    const params: Array<[string, string]> = [['query', pick(['x', 'vector(1)', 'rate(x[5m])', 'time()'])], ['start', pick(TIMES)], ['end', pick(TIMES)], ['step', pick(STEPS)]];
    const asForm = rand() < 0.5;
    out.push({ family: 'range-params', method: asForm ? 'POST' : 'GET', ...formOrQuery('query_range', qs(params), asForm) });
  }
  const cap = 'exceeded maximum resolution of 11,000 points per timeseries';
  for (const [start, end, step] of [
    ['0', '1e9', '1'], [String(nowS - 365 * 86400), String(nowS), '1ms'], ['0', String(nowS), '60'], ['-1e9', '1e9', '1h'],
    [String(nowS - 3600), String(nowS), '0.001'], ['2000-01-01T00:00:00Z', '2030-01-01T00:00:00Z', '1m'], [String(nowS - 86400), String(nowS), '7s'],
  ] as const) {
    for (const m of ['GET', 'POST'] as const) {
      out.push({ family: 'points-cap', method: m, ...formOrQuery('query_range', qs([['query', 'x'], ['start', start], ['end', end], ['step', step]]), m === 'POST'), expectStatus: 400, expectError: cap });
    }
  }
  // Absurd instant times.
  for (const time of TIMES) {
    for (const query of ['vector(1)', 'x', 'rate(x[5m])']) out.push({ family: 'instant-time', method: 'GET', path: `${API}/query?${qs([['query', query], ['time', time]])}` });
  }
  // Huge, negative and odd ranges, offsets and @ times; values at the edges of float64.
  const extremes = [
    'x[1y]', 'rate(x[100y])', 'x[1000000000y]', 'x[9223372036854775807ms]', 'x[0s]', 'x[-1m]', 'x[1m:0s]', 'x offset 1000000y',
    'x @ 1e20', 'x @ -1e20', 'x @ NaN', 'x @ Inf', 'x @ 9223372036854775807', 'count_over_time(vector(1)[1y:1ms])',
    'sum_over_time(x[1y:1ms])', 'x[5m] offset -1y', 'x[1y] @ end()', 'predict_linear(x[1y], 1e308)', 'quantile_over_time(NaN, x[1y])',
    'histogram_quantile(Inf, h_bucket)', 'topk(1e308, x)', 'topk(-1, x)', 'topk(NaN, x)', 'count_values("__name__", x)',
    'count_values("", x)', 'label_replace(x, "", "", "", "")', 'label_replace(x, "a", "$99999999999", "job", "(.*)")',
    'vector(1e308) * 1e308', '1/0', '0/0', '-1 ^ 0.5', 'x % 0', 'timestamp(x @ 1e15)', 'x[1y:1y]', 'max_over_time(x[1y:1s])',
    'absent_over_time(x[100y])', 'changes(x[1y] offset 1y)', 'x offset 9223372036854775807ms', 'quantile(1e308, x)', 'round(x, 1e-320)',
  ];
  for (const q of extremes) {
    out.push({ family: 'extreme-values', method: 'GET', path: `${API}/query?${qs([['query', q]])}` });
    if (!/\](\s*(offset|@).*)?$/.test(q) || q.includes('(')) {
      out.push({ family: 'extreme-values', method: 'POST', ...formOrQuery('query_range', qs([['query', q], ['start', String(nowS - 3600)], ['end', String(nowS)], ['step', '60']]), true) });
    }
  }
  // Regexes hostile to backtracking engines, against label values made to trigger them.
  for (const re of EVIL_REGEXES) {
    for (const sel of [`{job=~"${re}"}`, `x{job!~"${re}"}`, `{__name__=~"${re}"}`]) {
      const esc = sel.replace(/\\/g, '\\\\');
      send('evil-regex', TEXT_TARGETS[0]!, pct(esc));
      send('evil-regex', pick(TEXT_TARGETS.slice(4, 7)), pct(esc));
    }
    send('evil-regex', TEXT_TARGETS[0]!, pct(`label_replace(x, "z", "$1", "job", "${re.replace(/\\/g, '\\\\')}")`));
  }
  // Invalid UTF-8 and malformed percent-encodings: in values, in parameter names, in the path.
  const badPct = ['%FF', '%C0%80', '%ED%A0%80', '%F4%90%80%80', '%E2%82', '%', '%%', '%G1', '%0', '%00', '%C3%28', '%F8%88%80%80%80', '%EF%BF%BE'];
  // Malformed escapes are refused as Go's url.ParseQuery refuses them (Prometheus: 400).
  const malformed = new Set(['%', '%%', '%G1', '%0']);
  for (const b of badPct) {
    const expect: Pick<FuzzCase, 'expectStatus' | 'expectError'> = malformed.has(b) ? { expectStatus: 400, expectError: 'invalid URL escape' } : {};
    for (const ep of ['query', 'series', 'labels', 'label/job/values', 'format_query', 'query_exemplars']) {
      const param = ep === 'query' || ep === 'format_query' || ep === 'query_exemplars' ? 'query' : 'match[]';
      out.push({ family: 'bad-encoding', method: 'GET', path: `${API}/${ep}?${pct(param)}=x${b}`, ...expect });
    }
    out.push({ family: 'bad-encoding', method: 'GET', path: `${API}/query?qu${b}ery=x&time=1${b}`, ...expect });
    out.push({ family: 'bad-encoding', method: 'GET', path: `${API}/label/job${b}/values`, ...(malformed.has(b) ? { expectStatus: 400 } : {}) });
    out.push({ family: 'bad-encoding', method: 'POST', path: `${API}/query`, body: `query=x${b}&time${b}=1`, contentType: 'application/x-www-form-urlencoded', ...expect });
  }
  // Very long label names and values.
  for (const len of [1_000, 10_000, 100_000, 1_000_000]) {
    for (const sel of [`{${'a'.repeat(len)}="x"}`, `x{job="${'v'.repeat(len)}"}`, `{__name__="${'n'.repeat(len)}"}`]) {
      for (const ep of ['series', 'labels', 'query']) {
        out.push({ family: 'long-labels', method: 'POST', ...formOrQuery(ep, qs([[ep === 'query' ? 'query' : 'match[]', sel]]), true) });
      }
    }
    out.push({ family: 'long-labels', method: 'GET', path: `${API}/label/${'l'.repeat(Math.min(len, 100_000))}/values` });
  }
  // Repeated parameters.
  const repeats: string[] = [
    qs([['query', 'x'], ['query', 'nope(']]), qs([['query', 'nope('], ['query', 'x']]), qs([['query', 'x'], ['time', '1'], ['time', 'abc']]),
    qs([['query', ''], ['query', 'x']]), qs(Array.from({ length: 2_000 }, () => ['query', 'x'] as const)), qs([['query', 'x'], ['timeout', '1s'], ['timeout', 'x']]),
  ];
  for (const r of repeats) {
    out.push({ family: 'repeated-params', method: 'GET', path: `${API}/query?${r}` });
    out.push({ family: 'repeated-params', method: 'POST', path: `${API}/query?${r}`, body: r, contentType: 'application/x-www-form-urlencoded' });
  }
  for (const n of [2, 100, 2_000]) {
    for (const ep of ['series', 'labels', 'label/job/values']) {
      const form = !GET_ONLY.has(ep);
      out.push({ family: 'repeated-params', method: form ? 'POST' : 'GET', ...formOrQuery(ep, qs(Array.from({ length: n }, (_, k) => ['match[]', `x{instance="${k}"}`] as const)), form) });
    }
  }
  // Wrong methods (405), missing parameters, odd bodies and content types.
  for (const ep of ENDPOINTS) {
    for (const m of ['PUT', 'DELETE', 'PATCH']) out.push({ family: 'wrong-method', method: m, path: `${API}/${ep}?query=x`, expectStatus: 405 });
    if (GET_ONLY.has(ep)) out.push({ family: 'wrong-method', method: 'POST', path: `${API}/${ep}`, body: 'match[]=x', contentType: 'application/x-www-form-urlencoded', expectStatus: 405 });
    out.push({ family: 'missing-params', method: 'GET', path: `${API}/${ep}` });
    if (!GET_ONLY.has(ep)) {
      out.push({ family: 'missing-params', method: 'POST', path: `${API}/${ep}`, body: '', contentType: 'application/x-www-form-urlencoded' });
      for (const [body, type] of [['{"query":"x"}', 'application/json'], ['{bad json', 'application/json'], ['query=x', 'text/plain'], ['query=x', 'application/octet-stream'], ['\u0000\u0001\u0002', 'application/x-www-form-urlencoded'], ['query=x', 'multipart/form-data; boundary=zz']] as const) {
        out.push({ family: 'odd-body', method: 'POST', path: `${API}/${ep}`, body, contentType: type });
      }
    }
  }
  out.push({ family: 'missing-params', method: 'GET', path: `${API}/query`, expectStatus: 400 });
  out.push({ family: 'missing-params', method: 'GET', path: `${API}/series`, expectStatus: 400, expectError: 'no match[] parameter provided' });
  for (const drop of ['start', 'end', 'step', 'query']) {
    const params = (['query', 'start', 'end', 'step'] as const).filter((p) => p !== drop).map((p) => [p, p === 'query' ? 'x' : p === 'step' ? '60' : p === 'start' ? String(nowS - 600) : String(nowS)] as const);
    out.push({ family: 'missing-params', method: 'GET', path: `${API}/query_range?${qs(params)}`, expectStatus: 400 });
  }
  out.push({ family: 'missing-params', method: 'GET', path: `${API}/label//values` });
  out.push({ family: 'missing-params', method: 'GET', path: `${API}/label/%20/values` });
  // Other parameters with bad values.
  const others: Array<[string, string[]]> = [
    ['timeout', ['abc', '-1', '0', '1e100', 'NaN', '1ms', '1y', '9223372036854775807s', '-1s']],
    ['limit', ['-1', 'abc', '1e30', '0', '1.5', '99999999999999999999', '']],
    ['stats', ['all', 'x', '', 'true']],
    ['lookback_delta', ['-1', 'abc', '1e30', '0', '1ms', '1y', 'NaN']],
  ];
  for (const [name, values] of others) {
    for (const v of values) {
      out.push({ family: 'other-params', method: 'GET', path: `${API}/query?${qs([['query', 'x'], [name, v]])}` });
      out.push({ family: 'other-params', method: 'POST', ...formOrQuery('query_range', qs([['query', 'rate(x[5m])'], ['start', String(nowS - 600)], ['end', String(nowS)], ['step', '60'], [name, v]]), true) });
      if (name === 'limit') for (const ep of ['series?match[]=x', 'labels?', 'label/job/values?', 'metadata?']) out.push({ family: 'other-params', method: 'GET', path: `${API}/${ep}&limit=${pct(v)}` });
    }
  }
  // Tenant headers: none (401), and odd values.
  for (const ep of ENDPOINTS.filter((e) => e !== 'status/buildinfo')) out.push({ family: 'tenant', method: 'GET', path: `${API}/${ep}?query=x&match[]=x`, tenant: null, expectStatus: 401 });
  for (const t of ['a|b', 't'.repeat(10_000), '..', '/', ' ', 'x\ty', '%FF', 'ä', '__proto__', 'constructor']) {
    out.push({ family: 'tenant', method: 'GET', path: `${API}/query?query=x`, tenant: t });
  }
  return out;
}

/** `{path, body?, contentType?}` for an endpoint with the encoded parameters in the URL or a form body. */
function formOrQuery(endpoint: string, encoded: string, asForm: boolean): Pick<FuzzCase, 'path' | 'body' | 'contentType'> {
  return asForm
    ? { path: `${API}/${endpoint}`, body: encoded, contentType: 'application/x-www-form-urlencoded' }
    : { path: `${API}/${endpoint}?${encoded}` };
}
