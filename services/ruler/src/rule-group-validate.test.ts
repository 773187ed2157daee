import { describe, expect, it } from 'vitest';
import { checkRuleGroup, checkRulesFile } from './rule-group-validate.ts';
import { decodeRuleGroup, decodeRulesFile } from './rule-group-parse.ts';
import { ruleGroupToYaml } from './rule-group.ts';

/** The errors of a group body, or [] when it is valid. */
function groupErrors(text: string): readonly string[] {
  const r = checkRuleGroup(text);
  return r.ok ? [] : r.errors;
}

describe('decoding rule groups', () => {
  it('decodes every field, durations in ms, zero values for absent fields', () => {
    const r = decodeRuleGroup(
      [
        'name: g',
        'interval: 1m30s',
        'limit: 7',
        'rules:',
        '  - record: job:up:sum',
        '    expr: sum by (job) (up)',
        '    labels: {team: a}',
        '  - alert: Down',
        '    expr: up == 0',
        '    for: 5m',
        '    keep_firing_for: 1h',
        '    annotations: {summary: "{{ $labels.job }} down"}',
      ].join('\n'),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const g = r.value.group;
    expect(g).toMatchObject({ name: 'g', interval: 90_000, limit: 7 });
    expect(g.rules[0]).toMatchObject({ record: 'job:up:sum', alert: '', expr: 'sum by (job) (up)', for: 0, keepFiringFor: 0 });
    expect({ ...g.rules[0]!.labels }).toEqual({ team: 'a' });
    expect(g.rules[1]).toMatchObject({ record: '', alert: 'Down', for: 300_000, keepFiringFor: 3_600_000 });
    expect({ ...g.rules[1]!.annotations }).toEqual({ summary: '{{ $labels.job }} down' });
    expect(r.value.rules[1]!.alertPos).toEqual({ line: 8, col: 12 });
    expect(r.value.rules[1]!.exprPos).toEqual({ line: 9, col: 11 });
  });

  it('takes scalars as written where text belongs, and null as empty', () => {
    const r = decodeRuleGroup('name: 5\nrules:\n  - record: a\n    expr: 1.50\n    labels: {x: 0x10, y: true, z: null, __proto__: p}\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rule = r.value.group.rules[0]!;
    expect(r.value.group.name).toBe('5');
    expect(rule.expr).toBe('1.50');
    expect(Object.entries(rule.labels)).toEqual([['x', '0x10'], ['y', 'true'], ['z', ''], ['__proto__', 'p']]);
  });

  it.each([
    ['unknown group field', 'name: g\nsource_tenants: [a]\nrules: []\n', 'line 2: field source_tenants not found in a rule group'],
    ['unknown rule field', 'name: g\nrules:\n  - alert: A\n    expr: up\n    summary: x\n', 'line 5: field summary not found in a rule'],
    ['repeated key', 'name: g\nname: h\nrules: []\n', 'line 2: mapping key "name" already defined at line 1'],
    ['repeated label', 'name: g\nrules:\n  - alert: A\n    expr: up\n    labels: {a: 1, a: 2}\n', 'line 5: mapping key "a" already defined at line 5'],
    ['list as text', 'name: [g]\nrules: []\n', 'line 1: cannot decode a list into a string (field name)'],
    ['text as integer', 'name: g\nlimit: "10"\nrules: []\n', 'line 2: cannot decode the string "10" into an integer (field limit)'],
    ['fraction as integer', 'name: g\nlimit: 1.5\nrules: []\n', 'line 2: cannot decode the number "1.5" into an integer (field limit)'],
    ['number as duration', 'name: g\nrules:\n  - alert: A\n    expr: up\n    for: 5\n', 'line 5: not a valid duration string: "5" (field for)'],
    ['negative duration', 'name: g\ninterval: -1m\nrules: []\n', 'line 2: not a valid duration string: "-1m" (field interval)'],
    ['rules as mapping', 'name: g\nrules:\n  record: a\n', 'line 3: cannot decode a mapping into a list (field rules)'],
    ['labels as list', 'name: g\nrules:\n  - alert: A\n    expr: up\n    labels: [a]\n', 'line 5: cannot decode a list into a map of strings (field labels)'],
    ['group as list', '- name: g\n', 'line 1: cannot decode a list into a rule group (a mapping is expected)'],
  ])('refuses a %s, naming the line', (_what, text, message) => {
    const r = decodeRuleGroup(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toContain(message);
  });

  it('reports every decoding error of a document at once', () => {
    const r = decodeRuleGroup('name: g\nfoo: 1\nrules:\n  - record: a\n    expr: up\n    bar: 2\n');
    expect(r.ok ? [] : r.errors).toHaveLength(2);
  });

  it('reports YAML syntax errors with their position', () => {
    const r = decodeRuleGroup('name: g\nrules:\n  - record: x\n    expr: "sum(up)\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/^yaml: .*line \d+/);
  });

  it('refuses several documents in one group body', () => {
    const r = decodeRuleGroup('name: a\nrules: []\n---\nname: b\nrules: []\n');
    expect(r.ok ? [] : r.errors).toEqual(['expected one rule group, found 2 YAML documents']);
  });

  it('says so when the body is a whole rules file', () => {
    const r = decodeRuleGroup('groups:\n  - name: g\n    rules: []\n');
    expect(r.ok ? [] : r.errors).toEqual([expect.stringContaining('found a rules file ("groups:"): send each group on its own')]);
  });

  it('refuses a document with more than 1000 aliases', () => {
    const text = 'name: g\nrules:\n  - &r {record: a, expr: up}\n' + '  - *r\n'.repeat(1001);
    const r = decodeRuleGroup(text);
    expect(r.ok ? [] : r.errors).toEqual([expect.stringContaining('more than 1000 aliases in one document')]);
  });

  it('resolves aliases', () => {
    const r = decodeRuleGroup('name: g\nrules:\n  - record: a\n    expr: &e sum(up)\n  - record: b\n    expr: *e\n');
    expect(r.ok && r.value.group.rules[1]!.expr).toBe('sum(up)');
  });

  it('round-trips through its YAML form', () => {
    const text = 'name: g\ninterval: 1d\nlimit: 3\nrules:\n  - alert: "A b"\n    expr: |\n      sum(\n        up\n      )\n    for: 90s\n    labels: {z: "1", a: "{{ $value }}"}\n';
    const first = decodeRuleGroup(text);
    if (!first.ok) throw new Error(first.errors.join());
    const yaml = ruleGroupToYaml(first.value.group);
    const second = decodeRuleGroup(yaml);
    if (!second.ok) throw new Error(second.errors.join());
    expect(second.value.group).toEqual(first.value.group);
    expect(yaml).toContain('for: 1m30s');
    expect(yaml.indexOf('a: ')).toBeLessThan(yaml.indexOf('z: ')); // label keys sorted
  });
});

describe('validating rule groups (promtool check rules)', () => {
  it('accepts a valid group', () => {
    expect(groupErrors('name: g\nrules:\n  - record: a:b\n    expr: sum(x)\n  - alert: "Any name, even with spaces"\n    expr: a:b > 1\n')).toEqual([]);
  });

  it('accepts a group without rules, as promtool does', () => {
    expect(groupErrors('name: g\nrules: []\n')).toEqual([]);
  });

  it.each([
    ['an empty name', 'name: ""\nrules: []\n', '1:1: rule group name must not be empty'],
    ['an empty body', '', 'rule group name must not be empty'],
    ['both record and alert', 'name: g\nrules:\n  - record: a\n    alert: B\n    expr: up\n', `3:13: group "g", rule 1, "B": only one of 'record' and 'alert' must be set`],
    ['neither record nor alert', 'name: g\nrules:\n  - expr: up\n', `3:5: group "g", rule 1, "": one of 'record' or 'alert' must be set`],
    ['no expr', 'name: g\nrules:\n  - alert: A\n', `group "g", rule 1, "A": field 'expr' must be set in rule`],
    ['a bad expr', 'name: g\nrules:\n  - record: a\n    expr: sum(up\n', `4:11: group "g", rule 1, "a": could not parse expression: 1:7: parse error: unclosed left parenthesis`],
    ['for on a recording rule', 'name: g\nrules:\n  - record: a\n    expr: up\n    for: 1m\n', `group "g", rule 1, "a": invalid field 'for' in recording rule`],
    ['keep_firing_for on a recording rule', 'name: g\nrules:\n  - record: a\n    expr: up\n    keep_firing_for: 1m\n', `invalid field 'keep_firing_for' in recording rule`],
    ['annotations on a recording rule', 'name: g\nrules:\n  - record: a\n    expr: up\n    annotations: {a: b}\n', `invalid field 'annotations' in recording rule`],
    ['a bad recording rule name', 'name: g\nrules:\n  - record: a-b\n    expr: up\n', `3:13: group "g", rule 1, "a-b": invalid recording rule name: a-b`],
    ['a bad label name', 'name: g\nrules:\n  - record: a\n    expr: up\n    labels: {1x: y}\n', `group "g", rule 1, "a": invalid label name: 1x`],
    ['a __name__ label', 'name: g\nrules:\n  - record: a\n    expr: up\n    labels: {__name__: y}\n', 'invalid label name: __name__'],
    ['a bad annotation name', 'name: g\nrules:\n  - alert: A\n    expr: up\n    annotations: {a-b: y}\n', 'invalid annotation name: a-b'],
    ['an undefined template function', 'name: g\nrules:\n  - alert: A\n    expr: up\n    annotations: {s: "{{ nope }}"}\n', `group "g", rule 1, "A": annotation "s": `],
    ['a broken label template', 'name: g\nrules:\n  - alert: A\n    expr: up\n    labels: {s: "{{ $labels.x }"}\n', `group "g", rule 1, "A": label "s": `],
  ])('refuses %s', (_what, text, message) => {
    const errors = groupErrors(text);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toContain(message);
  });

  it('takes a recording rule\'s labels literally (no template check)', () => {
    expect(groupErrors('name: g\nrules:\n  - record: a\n    expr: up\n    labels: {s: "{{ nope"}\n')).toEqual([]);
  });

  it('lists every problem of every rule', () => {
    const errors = groupErrors('name: g\nrules:\n  - record: a-b\n    expr: up\n    for: 1m\n  - alert: X\n    expr: up(\n');
    expect(errors).toHaveLength(3);
    expect(errors[2]).toContain('rule 2, "X"');
  });

  it('uses the injected template checker', () => {
    const r = checkRuleGroup('name: g\nrules:\n  - alert: A\n    expr: up\n    labels: {s: ok}\n', { checkTemplate: (name, text) => `${name} said no to ${text}` });
    expect(r.ok ? [] : r.errors).toEqual(['group "g", rule 1, "A": label "s": __alert_A said no to ok']);
  });
});

describe('checking rules files', () => {
  it('accepts an empty file and a file of valid groups', () => {
    expect(checkRulesFile('').ok).toBe(true);
    const r = checkRulesFile('groups:\n  - name: a\n    rules: []\n  - name: b\n    rules:\n      - record: x\n        expr: y\n');
    expect(r.ok && r.value.map((g) => g.name)).toEqual(['a', 'b']);
  });

  it('refuses a group name repeated in the file', () => {
    const r = checkRulesFile('groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n');
    expect(r.ok ? [] : r.errors).toEqual(['4:5: rule group "a" is repeated in the same file']);
  });

  it('refuses fields other than groups at the top', () => {
    const r = decodeRulesFile('groups: []\nrule_files: []\n');
    expect(r.ok ? [] : r.errors).toEqual([expect.stringContaining('line 2: field rule_files not found in a rules file')]);
  });

  it('reads only the first YAML document, as Prometheus does', () => {
    expect(checkRulesFile('groups: []\n---\ngroups: [{name: ""}]\n').ok).toBe(true);
  });
});
