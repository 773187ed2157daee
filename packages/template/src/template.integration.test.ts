/**
 * Cross-check against Debian's Prometheus (2.42): every case of template-cases.ts marked
 * comparable, and the generated cases below (no expected output: Prometheus is the oracle),
 * becomes an alerting rule whose annotation `out` is the case's template and whose
 * expression yields the case's labels and value; Prometheus evaluates the rules and
 * `GET /api/v1/alerts` must show, per alert, exactly what expandTemplate renders (for failures:
 * Prometheus's `<error expanding template: …>` text, messages and columns included). The parse
 * errors are checked with `promtool check rules`, which must print the message checkTemplate
 * returns.
 *
 * Needs `prometheus` and `promtool` (PATH, or $PROMETHEUS_BIN / $PROMTOOL_BIN); skips with a notice
 * when they are missing, and fails instead when TESSERA_REQUIRE_EXTERNAL=1.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTemplate, expandTemplate, TemplateError } from './index.ts';
import { CASES, DEFAULT_LABELS, DEFAULT_VALUE, EXTERNAL_LABELS, EXTERNAL_URL, PARSE_ERRORS, QUERY_RESULTS } from './template-cases.ts';

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? 'prometheus';
const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool';
const available = spawnSync(PROMETHEUS, ['--version']).status === 0 && spawnSync(PROMTOOL, ['--version']).status === 0;
const required = process.env.TESSERA_REQUIRE_EXTERNAL === '1';
if (!available && !required) {
  console.warn(`[skip] template.integration.test.ts: no "${PROMETHEUS}"/"${PROMTOOL}" binaries; set PROMETHEUS_BIN/PROMTOOL_BIN to run it`);
}

/**
 * Generated cases without expected outputs (Prometheus is the oracle): every printf verb/flag
 * combination below over every value, and the humanize functions over many magnitudes.
 */
const PRINTF_FORMATS = [
  '%v', '%d', '%5d', '%-5d', '%05d', '%+d', '% d', '%x', '%X', '%#x', '%o', '%#o', '%O', '%b', '%c', '%q', '%U', '%#U',
  '%e', '%E', '%.0e', '%+.2e', '%12.4E', '%f', '%F', '%.0f', '%.1f', '%.3f', '%10.2f', '%-10.2f', '%08.3f', '%+.1f', '% .2f',
  '%g', '%G', '%.1g', '%.3g', '%.10g', '%12g', '%s', '%10s', '%-10s', '%.2s', '%x', '% x', '%X', '%#q', '%+q', '%t', '%5t', '%T', '%6.2v', '%-8v|',
];
const PRINTF_VALUES = [
  '0', '1', '-1', '42', '255', '-255', '9007199254740993', '0x41', "'é'", '1.0', '1.5', '-0.5', '0.125', '2.5', '0.375', '1e21', '1e-7',
  '123456.789', '1234567.0', '0.000123456', '-0.0', '"abc"', '"héllo wörld"', '"a\\"b"', '"tab\\t"', '""', 'true', 'false',
];
const HUMANIZE_VALUES = [
  '0.0', '1.0', '-1.0', '0.5', '999.0', '999.5', '999.95', '1000.0', '1023.0', '1024.0', '1536.0', '1e6', '1.5e9', '-2.5e12', '1e15',
  '1e18', '1e21', '1e24', '1e27', '1e-3', '1.234e-3', '5e-7', '1e-9', '1e-12', '1e-15', '1e-18', '1e-21', '1e-24', '1e-27', '59.99',
  '60.0', '61.5', '3599.0', '3600.0', '86399.0', '86400.0', '604800.5', '-90061.0', '0.000999', '"12.5"', '"1e3"', '"-0.25"', '42',
];
/** Random templates from a small grammar (fixed seed): text, trim markers, comments, control. */
function randomTemplates(n: number): string[] {
  let seed = 12345;
  const rnd = (k: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % k;
  };
  const pick = <T,>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
  const texts = ['', ' ', '  ', '\n', ' \n ', 'a', 'x y', '\t-\n', 'é', '{', '}', ' } '];
  const exprs = ['$labels.job', '$value', '.Labels.instance', 'humanize $value', '"s"', '1', '2.5', 'len $labels', '$labels', 'printf "%05.1f" $value',
    'index $labels "job"', '$labels.instance | toUpper', 'title "a b"', 'eq $labels.job "node"', 'not true', '$', '(print 1 2)', '$externalURL'];
  const open = (): string => (rnd(3) === 0 ? '{{- ' : '{{ ');
  const close = (): string => (rnd(3) === 0 ? ' -}}' : ' }}');
  const body = (depth: number): string => {
    let out = '';
    const parts = 1 + rnd(4);
    for (let i = 0; i < parts; i++) {
      out += pick(texts);
      const k = rnd(depth > 1 ? 4 : 8);
      if (k < 3) out += open() + pick(exprs) + close();
      else if (k === 3) out += open() + '/* c */' + close();
      else if (k === 4) out += `${open()}if ${pick(exprs)}${close()}${body(depth + 1)}${rnd(2) ? `${open()}else${close()}${body(depth + 1)}` : ''}${open()}end${close()}`;
      else if (k === 5) out += `${open()}range $k, $v := $labels${close()}${pick(texts)}{{ $k }}=${body(depth + 1)}${open()}end${close()}`;
      else if (k === 6) out += `${open()}with ${pick(exprs)}${close()}[{{ . }}]${body(depth + 1)}${open()}end${close()}`;
      else out += `${open()}$x := ${pick(exprs)}${close()}${body(depth + 1)}{{ $x }}`;
    }
    return out + pick(texts);
  };
  return Array.from({ length: n }, () => body(0));
}

const CMP_VALUES = ['1', '2', '1.5', '"a"', '"b"', '""', 'true', '$labels', '$value', '$labels.missing'];
const GENERATED = [
  ...PRINTF_FORMATS.map((f) => `{{ printf ${JSON.stringify(PRINTF_VALUES.map(() => f).join('|'))} ${PRINTF_VALUES.join(' ')} }}`),
  ...['humanize', 'humanize1024', 'humanizeDuration', 'humanizePercentage', 'humanizeTimestamp'].map(
    (fn) => HUMANIZE_VALUES.map((v) => `{{ ${fn} ${v} }}`).join('|'),
  ),
  `{{ title "hello wörld-foo_bar x.y 3am ǆx ßa" }}|{{ toUpper "ǆ ß ﬁ ı" }}|{{ toLower "İ ǅ Σ" }}`,
  `{{ print 1 2.5 "x" true nil 3 "y" "z" 4 }}|{{ println 1.5 "a" nil }}|{{ print (args 1 "a") }}`,
  // Comparisons over a matrix of Go types (errors included: int vs float, bool ordering, maps).
  ...['eq', 'ne', 'lt', 'le', 'gt', 'ge'].flatMap((op) => CMP_VALUES.flatMap((a) => CMP_VALUES.map((b) => `{{ ${op} ${a} ${b} }}`))),
  ...CMP_VALUES.flatMap((a) => [`{{ len ${a} }}`, `{{ not ${a} }}|{{ and ${a} 1 }}|{{ or ${a} 1 }}`, `{{ if ${a} }}T{{ else }}F{{ end }}`]),
  ...['0', '1', '3', '7', '-1', '1.0', '"0"', 'nil'].flatMap((i) => [`{{ index "abc" ${i} }}`, `{{ slice "abcdef" ${i} }}`, `{{ index $labels ${i} }}`, `{{ slice "abcdef" 1 ${i} }}`]),
  ...randomTemplates(200),
].map((tpl, i) => ({ tpl, alert: `gen_${i}`, labels: undefined, value: undefined }));

const COMPARABLE = [...CASES.map((c, i) => ({ ...c, alert: `case_${i}` })).filter((c) => c.prom !== false), ...GENERATED];

function promNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** A PromQL expression with exactly these labels and this value. */
function exprFor(labels: Record<string, string>, value: number): string {
  let e = `vector(${promNumber(value)})`;
  for (const [k, v] of Object.entries(labels)) e = `label_replace(${e}, ${JSON.stringify(k)}, ${JSON.stringify(v)}, "", "")`;
  return e;
}

function rulesYaml(rules: { alert: string; expr: string; out: string }[]): string {
  // JSON strings are valid YAML double-quoted scalars.
  const lines = ['groups:', '- name: cases', '  interval: 1s', '  rules:'];
  for (const r of rules) {
    lines.push(`  - alert: ${r.alert}`, `    expr: ${JSON.stringify(r.expr)}`, '    annotations:', `      out: ${JSON.stringify(r.out)}`);
  }
  return lines.join('\n') + '\n';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr !== null ? addr.port : 0));
    });
  });
}

async function ours(name: string, tpl: string, labels: Record<string, string>, value: number): Promise<string> {
  try {
    return await expandTemplate(name, tpl, { labels, externalLabels: { ...EXTERNAL_LABELS }, externalURL: EXTERNAL_URL, value }, {
      query: async (expr) => QUERY_RESULTS[expr] ?? [],
    });
  } catch (e) {
    if (e instanceof TemplateError) return e.expansionText;
    throw e;
  }
}

describe.skipIf(!available && !required)('templates rendered by Prometheus', () => {
  let dir = '';
  let server: ChildProcess | null = null;
  const rendered = new Map<string, string>();
  let promtoolOutput = '';
  let rulesProblem = '';
  let serverLog = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tessera-template-'));
    writeFileSync(path.join(dir, 'rules.yml'), rulesYaml(COMPARABLE.map((c) => ({
      alert: c.alert, expr: exprFor(c.labels ?? DEFAULT_LABELS, c.value ?? DEFAULT_VALUE), out: c.tpl,
    }))));
    const ext = Object.entries(EXTERNAL_LABELS).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join('\n');
    writeFileSync(path.join(dir, 'prometheus.yml'), `global:\n  evaluation_interval: 1s\n  external_labels:\n${ext}\nrule_files: [rules.yml]\n`);
    writeFileSync(path.join(dir, 'parse-errors.yml'), rulesYaml(PARSE_ERRORS.map((p, i) => ({ alert: `perr_${i}`, expr: 'vector(1)', out: p.tpl }))));
    promtoolOutput = spawnSync(PROMTOOL, ['check', 'rules', path.join(dir, 'parse-errors.yml')], { encoding: 'utf8' }).stderr;
    const check = spawnSync(PROMTOOL, ['check', 'rules', path.join(dir, 'rules.yml')], { encoding: 'utf8' });
    if (check.status !== 0) rulesProblem = check.stdout + check.stderr;

    const port = await freePort();
    server = spawn(PROMETHEUS, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, `--web.external-url=${EXTERNAL_URL}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    server.stderr?.on('data', (d: Buffer) => { serverLog = (serverLog + d.toString()).slice(-4000); });
    const url = `http://127.0.0.1:${port}/prom/api/v1/alerts`;
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      try {
        const res = await fetch(url);
        if (res.ok) {
          const body = (await res.json()) as { data: { alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] } };
          if (body.data.alerts.length === COMPARABLE.length) {
            for (const a of body.data.alerts) rendered.set(a.labels.alertname!, a.annotations.out ?? '');
            break;
          }
        }
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 60_000);

  afterAll(() => {
    server?.kill('SIGKILL');
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('evaluates every comparable case', () => {
    expect(rulesProblem).toBe('');
    expect(rendered.size, serverLog).toBe(COMPARABLE.length);
  });

  it.each(COMPARABLE.map((c) => [c.alert, c] as const))('%s renders as in Prometheus', async (_n, c) => {
    const got = await ours(`__alert_${c.alert}`, c.tpl, c.labels ?? { ...DEFAULT_LABELS }, c.value ?? DEFAULT_VALUE);
    // Prometheus 3 (which Tessera follows) declares the data's Value as interface {} (it may hold
    // a histogram); 2.42 declared float64, which shows in one error message.
    const want = rendered.get(c.alert)?.replace('Value float64 }', 'Value interface {} }');
    expect(got, c.tpl).toBe(want);
  });

  it.each(PARSE_ERRORS.map((p, i) => [i, p] as const))('parse error %i reported as promtool does', (i, p) => {
    const line = promtoolOutput.split('\n').find((l) => l.includes(`"perr_${i}": annotation "out": `));
    if (p.err === null) {
      expect(line, `promtool rejected ${JSON.stringify(p.tpl)}`).toBeUndefined();
      expect(checkTemplate(`__alert_perr_${i}`, p.tpl)).toBeNull();
      return;
    }
    expect(line, `promtool said nothing about ${JSON.stringify(p.tpl)}`).toBeDefined();
    const promMsg = line!.slice(line!.indexOf('annotation "out": ') + 'annotation "out": '.length);
    expect(checkTemplate(`__alert_perr_${i}`, p.tpl)).toBe(promMsg);
  });
});
