/**
 * Table-driven tests of the template language: every case of template-cases.ts (also checked
 * against Prometheus in template.integration.test.ts) and the API around it.
 */
import { describe, expect, it } from 'vitest';
import { checkTemplate, expandTemplate, parseAlertTemplate, parseTemplate, TemplateError, type TemplateData } from './index.ts';
import { CASES, DEFAULT_LABELS, DEFAULT_VALUE, EXTERNAL_LABELS, EXTERNAL_URL, PARSE_ERRORS, QUERY_RESULTS } from './template-cases.ts';

function data(labels: Record<string, string> = { ...DEFAULT_LABELS }, value: number | string = DEFAULT_VALUE): TemplateData {
  return { labels, externalLabels: { ...EXTERNAL_LABELS }, externalURL: EXTERNAL_URL, value };
}

const query = async (expr: string): Promise<{ labels: Record<string, string>; value: number }[]> => QUERY_RESULTS[expr] ?? [];

describe('expandTemplate', () => {
  it.each(CASES.map((c, i) => [i, c.tpl, c] as const))('case %i: %s', async (_i, tpl, c) => {
    const run = expandTemplate('__alert_t', tpl, data(c.labels, c.value), { query });
    if (c.err !== undefined) {
      const err = await run.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as TemplateError).phase).toBe('execute');
      expect((err as TemplateError).message).toContain(c.err);
    } else {
      expect(await run).toBe(c.want);
    }
  });
});

describe('checkTemplate', () => {
  it.each(PARSE_ERRORS.map((p) => [p.tpl, p.err] as const))('%j fails with Go\'s message', (tpl, err) => {
    expect(checkTemplate('__alert_t', tpl)).toBe(err);
  });

  it('accepts every execution case (they all parse)', () => {
    for (const c of CASES) expect(checkTemplate('__alert_t', c.tpl), c.tpl).toBeNull();
  });

  it('uses the user text\'s line numbers despite the preamble', () => {
    expect(checkTemplate('n', 'a\nb\n{{ nosuch }}')).toBe('template: n:3: function "nosuch" not defined');
  });
});

describe('TemplateError', () => {
  it('renders as Prometheus renders a failed label or annotation', async () => {
    const parse = await expandTemplate('__alert_A', '{{ foo }}', data()).catch((e: TemplateError) => e);
    expect((parse as TemplateError).expansionText).toBe('<error expanding template: error parsing template __alert_A: template: __alert_A:1: function "foo" not defined>');
    const exec = await expandTemplate('__alert_A', '{{ humanize "x" }}', data()).catch((e: TemplateError) => e);
    expect((exec as TemplateError).expansionText).toBe(
      '<error expanding template: error executing template __alert_A: template: __alert_A:1:115: executing "__alert_A" at <humanize "x">: error calling humanize: strconv.ParseFloat: parsing "x": invalid syntax>',
    );
  });

  it('is thrown by parseTemplate with phase parse', () => {
    expect(() => parseTemplate('p', '{{ if }}')).toThrow(TemplateError);
    try { parseTemplate('p', '{{ if }}'); } catch (e) { expect((e as TemplateError).phase).toBe('parse'); }
  });
});

describe('parseTemplate', () => {
  it('has no preamble: data through the dot, $labels undefined', async () => {
    expect(await parseTemplate('p', '{{ .Labels.job }} {{ .Value }}').execute(data())).toBe('node 1.234567e+06');
    expect(() => parseTemplate('p', '{{ $labels }}')).toThrow('undefined variable "$labels"');
  });

  it('is reusable across executions with different data', async () => {
    const t = parseAlertTemplate('__alert_t', '{{ $labels.instance }} is at {{ humanizePercentage $value }}');
    expect(await t.execute(data({ instance: 'a' }, 0.5))).toBe('a is at 50%');
    expect(await t.execute(data({ instance: 'b' }, 0.25))).toBe('b is at 25%');
  });

  it('caches parsed alert templates by name and text', () => {
    expect(parseAlertTemplate('a', '{{ 1 }}')).toBe(parseAlertTemplate('a', '{{ 1 }}'));
    expect(parseAlertTemplate('a', '{{ 1 }}')).not.toBe(parseAlertTemplate('b', '{{ 1 }}'));
  });

  it('passes a string value through (histogram or string results)', async () => {
    expect(await expandTemplate('t', '{{ $value }}|{{ humanize $value }}', data({}, '2048'))).toBe('2048|2.048k');
  });

  it('gives query the evaluation time', async () => {
    const seen: number[] = [];
    const q = async (_e: string, at: number) => { seen.push(at); return [{ labels: { a: 'x' }, value: 7 }]; };
    expect(await expandTemplate('t', '{{ query "up" | first | value }}', data(), { query: q, atMs: 1234 })).toBe('7');
    expect(seen).toEqual([1234]);
  });

  it('reports a failing query as Go reports a function error', async () => {
    const q = async (): Promise<never> => { throw new Error('query timed out'); };
    await expect(expandTemplate('t', '{{ query "up" }}', data(), { query: q })).rejects.toThrow(
      'template: t:1:115: executing "t" at <query "up">: error calling query: query timed out',
    );
    await expect(expandTemplate('t', '{{ query "up" }}', data())).rejects.toThrow('error calling query: no query function configured');
  });
});

describe('limits', () => {
  it('stops runaway output, loops and recursion', async () => {
    await expect(expandTemplate('t', '{{ range 100000 }}xxxxxxxxxx{{ end }}', data(), { limits: { maxOutputChars: 1000 } }))
      .rejects.toThrow('template output exceeds 1000 characters');
    await expect(expandTemplate('t', '{{ range 10000000 }}{{ end }}', data(), { limits: { maxSteps: 10_000 } }))
      .rejects.toThrow('template execution exceeds 10000 steps');
    await expect(expandTemplate('t', '{{ define "r" }}{{ template "r" }}{{ end }}{{ template "r" }}', data()))
      .rejects.toThrow('exceeded maximum template depth (1000)');
  });
});
