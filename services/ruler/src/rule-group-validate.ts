/**
 * Validation of decoded rule groups, as `promtool check rules` (Prometheus's rulefmt) does it:
 *
 * - a group has a non-empty name, unique within its file (namespace);
 * - a rule has exactly one of `record` and `alert`, and an `expr` that parses as PromQL;
 * - a recording rule's name is a valid metric name, and it has no `for`, `keep_firing_for` or
 *   `annotations`;
 * - label names are valid and not `__name__`, annotation names are valid;
 * - an alerting rule's label and annotation values parse as templates (with `$labels`,
 *   `$externalLabels`, `$externalURL` and `$value` defined).
 *
 * Messages follow promtool's: `group "g", rule 2, "HighLatency": could not parse expression: …`,
 * prefixed with `line:col:` where the offending field was written.
 */
import { isValidLabelName, isValidMetricName } from '@tessera/model';
import { parseExpr } from '@tessera/promql';
import { checkTemplate } from '@tessera/template';
import { decodeRuleGroup, decodeRulesFile, type ParsedRule, type ParsedRuleGroup, type Pos } from './rule-group-parse.ts';
import type { RuleGroupDesc } from './rule-group.ts';

/** Checks a template; returns null when it parses, else the error message. */
export type TemplateChecker = (name: string, text: string) => string | null;

/** Options of the validators. */
export interface ValidateOptions {
  /** The template checker (default: @tessera/template's, Prometheus's template language). */
  checkTemplate?: TemplateChecker;
}

/** A label value must be valid UTF-8: in a JS string, that excludes unpaired surrogates. */
const LONE_SURROGATE = /\p{Surrogate}/u;

function at(pos: Pos | undefined): string {
  return pos === undefined ? '' : `${pos.line}:${pos.col}: `;
}

/** Every problem of one rule, each message prefixed with the group, rule number and name. */
function validateRule(group: string, index: number, p: ParsedRule, opts: ValidateOptions): string[] {
  const r = p.rule;
  const name = r.alert !== '' ? r.alert : r.record;
  const prefix = `group ${JSON.stringify(group)}, rule ${index + 1}, ${JSON.stringify(name)}: `;
  const out: string[] = [];
  const problem = (pos: Pos | undefined, msg: string): void => {
    out.push(at(pos) + prefix + msg);
  };

  if (r.record !== '' && r.alert !== '') {
    problem(p.recordPos, "only one of 'record' and 'alert' must be set");
  } else if (r.record === '' && r.alert === '') {
    problem(p.pos, "one of 'record' or 'alert' must be set");
  }

  if (r.expr === '') {
    problem(p.exprPos ?? p.pos, "field 'expr' must be set in rule");
  } else {
    try {
      parseExpr(r.expr);
    } catch (e) {
      problem(p.exprPos, `could not parse expression: ${(e as Error).message}`);
    }
  }

  if (r.record !== '') {
    if (Object.keys(r.annotations).length > 0) problem(p.recordPos, "invalid field 'annotations' in recording rule");
    if (r.for !== 0) problem(p.recordPos, "invalid field 'for' in recording rule");
    if (r.keepFiringFor !== 0) problem(p.recordPos, "invalid field 'keep_firing_for' in recording rule");
    if (!isValidMetricName(r.record)) problem(p.recordPos, `invalid recording rule name: ${r.record}`);
  }

  for (const [k, v] of Object.entries(r.labels)) {
    if (!isValidLabelName(k) || k === '__name__') problem(undefined, `invalid label name: ${k}`);
    if (LONE_SURROGATE.test(v)) problem(undefined, `invalid label value: ${v}`);
  }
  for (const k of Object.keys(r.annotations)) {
    if (!isValidLabelName(k)) problem(undefined, `invalid annotation name: ${k}`);
  }

  // Templates are expanded for alerts only; a recording rule's labels are taken literally.
  if (r.alert !== '') {
    const check = opts.checkTemplate ?? checkTemplate;
    const tmplName = `__alert_${r.alert}`;
    for (const [k, v] of Object.entries(r.labels)) {
      const err = check(tmplName, v);
      if (err !== null) problem(undefined, `label ${JSON.stringify(k)}: ${err}`);
    }
    for (const [k, v] of Object.entries(r.annotations)) {
      const err = check(tmplName, v);
      if (err !== null) problem(undefined, `annotation ${JSON.stringify(k)}: ${err}`);
    }
  }
  return out;
}

/** Every problem of one decoded group (its rules included); empty when valid. */
export function validateRuleGroup(p: ParsedRuleGroup, opts: ValidateOptions = {}): string[] {
  const out: string[] = [];
  if (p.group.name === '') out.push(`${at(p.pos)}rule group name must not be empty`);
  p.rules.forEach((r, i) => out.push(...validateRule(p.group.name, i, r, opts)));
  return out;
}

/** The outcome of checking YAML: the groups when valid, else every problem found. */
export type CheckResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Checks a rules file as `promtool check rules` does: decoding (unknown fields, kinds, durations)
 * first and alone, then every group — names present and unique, rules valid.
 */
export function checkRulesFile(text: string, opts: ValidateOptions = {}): CheckResult<RuleGroupDesc[]> {
  const decoded = decodeRulesFile(text);
  if (!decoded.ok) return decoded;
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const g of decoded.value) {
    if (g.group.name !== '' && seen.has(g.group.name)) {
      errors.push(`${at(g.pos)}rule group ${JSON.stringify(g.group.name)} is repeated in the same file`);
    }
    seen.add(g.group.name);
    errors.push(...validateRuleGroup(g, opts));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: decoded.value.map((g) => g.group) };
}

/** Checks one rule group (the config API's POST body): decoding, then validation. */
export function checkRuleGroup(text: string, opts: ValidateOptions = {}): CheckResult<RuleGroupDesc> {
  const decoded = decodeRuleGroup(text);
  if (!decoded.ok) return decoded;
  const errors = validateRuleGroup(decoded.value, opts);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: decoded.value.group };
}
