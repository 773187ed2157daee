/**
 * @tessera/template: Prometheus's template language for alerting and recording rules — Go's
 * text/template (lexer, parser, asynchronous evaluator) with Prometheus's functions, its data
 * (`.Labels`, `.ExternalLabels`, `.ExternalURL`, `.Value`), its preamble (`$labels`,
 * `$externalLabels`, `$externalURL`, `$value`) and its option `missingkey=zero`.
 *
 * Error messages are Go's: `template: NAME:LINE: function "foo" not defined` at parse time,
 * `template: NAME:LINE:COL: executing "NAME" at <humanize "x">: error calling humanize: …` at
 * execution. Prometheus names alert templates `__alert_<alertname>`; callers pass that name to
 * produce Prometheus's messages.
 */
import { BUILTINS } from './builtins.ts';
import { type CallEnv, ExecError, type ExecLimits, execute, type FuncSpec } from './exec.ts';
import { PROMETHEUS_FUNCS } from './functions.ts';
import { ParseError, parseTrees, type TreeSet } from './parser.ts';
import { GoMap, GoStruct, type GoValue } from './values.ts';

/** A template that failed to parse or execute; `message` is Go's error text. */
export class TemplateError extends Error {
  /** Whether parsing or execution failed. */
  readonly phase: 'parse' | 'execute';
  /** The template name given to parse/expand. */
  readonly templateName: string;
  constructor(message: string, phase: 'parse' | 'execute', templateName: string) {
    super(message);
    this.name = 'TemplateError';
    this.phase = phase;
    this.templateName = templateName;
  }
  /**
   * The text Prometheus puts in place of a label or annotation whose template failed:
   * `<error expanding template: error executing template NAME: …>`.
   */
  get expansionText(): string {
    const verb = this.phase === 'parse' ? 'parsing' : 'executing';
    return `<error expanding template: error ${verb} template ${this.templateName}: ${this.message}>`;
  }
}

/** What Prometheus gives alert templates. */
export interface TemplateData {
  labels: Record<string, string>;
  externalLabels: Record<string, string>;
  externalURL: string;
  value: number | string;
}

/** The `query` template function's backend: an instant query at `atMs`. */
export interface TemplateQueryFn {
  (expr: string, atMs: number): Promise<{ labels: Record<string, string>; value: number }[]>;
}

/** Options of one execution. */
export interface ExecuteOptions {
  /** Backend of the `query` function; without it, `query` fails. */
  query?: TemplateQueryFn;
  /** Evaluation time for `query`, ms since the epoch (default: now). */
  atMs?: number;
  /** Overrides of the safety limits (output characters 1 MiB, 1e6 steps, call depth 1000). */
  limits?: Partial<ExecLimits>;
}

/** A parsed template, reusable across executions. */
export interface ParsedTemplate {
  execute(data: TemplateData, opts?: ExecuteOptions): Promise<string>;
}

/**
 * Prometheus's preamble for alert templates: variables for the data fields, on the same line as
 * the user's text so that line numbers in errors are the user's.
 */
export const ALERT_TEMPLATE_PREAMBLE =
  '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

const FUNCS: ReadonlyMap<string, FuncSpec> = new Map([...BUILTINS, ...PROMETHEUS_FUNCS]);
const hasFunc = (name: string): boolean => FUNCS.has(name);

const DEFAULT_LIMITS: ExecLimits = { maxOutputChars: 1 << 20, maxSteps: 1_000_000, maxDepth: 1000 };

const DATA_FIELD_TYPES: ReadonlyMap<string, string> = new Map([
  ['Labels', 'map[string]string'], ['ExternalLabels', 'map[string]string'], ['ExternalURL', 'string'], ['Value', 'interface {}'],
]);
const DATA_TYPE_NAME = 'struct { ' + [...DATA_FIELD_TYPES].map(([k, t]) => `${k} ${t}`).join('; ') + ' }';

function toGoData(d: TemplateData): GoValue {
  return new GoStruct(DATA_TYPE_NAME, false, new Map<string, GoValue>([
    ['Labels', GoMap.ofStrings(d.labels)],
    ['ExternalLabels', GoMap.ofStrings(d.externalLabels)],
    ['ExternalURL', d.externalURL],
    ['Value', d.value],
  ]), DATA_FIELD_TYPES);
}

class Parsed implements ParsedTemplate {
  private readonly name: string;
  private readonly text: string;
  private readonly trees: TreeSet;
  constructor(name: string, text: string, trees: TreeSet) {
    this.name = name;
    this.text = text;
    this.trees = trees;
  }
  async execute(data: TemplateData, opts: ExecuteOptions = {}): Promise<string> {
    const env: CallEnv = { atMs: opts.atMs ?? Date.now(), externalURL: data.externalURL };
    if (opts.query !== undefined) env.query = opts.query;
    try {
      return await execute({
        mainName: this.name, text: this.text, trees: this.trees, funcs: FUNCS, env,
        limits: { ...DEFAULT_LIMITS, ...opts.limits },
      }, toGoData(data));
    } catch (e) {
      if (e instanceof ExecError) throw new TemplateError(e.message, 'execute', this.name);
      if (e instanceof RangeError) throw new TemplateError(`template: ${this.name}: template nesting too deep`, 'execute', this.name);
      throw e;
    }
  }
}

/** A template without actions: its text is its output. */
class Literal implements ParsedTemplate {
  private readonly text: string;
  constructor(text: string) { this.text = text; }
  async execute(): Promise<string> { return this.text; }
}

/**
 * Parses `text` as Go template `name` (no preamble: the data is reachable as `.Labels`, `.Value`…).
 * @throws TemplateError (phase `parse`) with Go's message.
 */
export function parseTemplate(name: string, text: string): ParsedTemplate {
  try {
    return new Parsed(name, text, parseTrees(name, text, hasFunc));
  } catch (e) {
    if (e instanceof ParseError) throw new TemplateError(e.message, 'parse', name);
    // Go's parser has no depth limit; ours recurses, so absurd nesting ends as a parse error.
    if (e instanceof RangeError) throw new TemplateError(`template: ${name}: template nesting too deep`, 'parse', name);
    throw e;
  }
}

/**
 * Parses an alert label or annotation template as Prometheus does: with the preamble that
 * defines `$labels`, `$externalLabels`, `$externalURL` and `$value`.
 * @throws TemplateError (phase `parse`).
 */
export function parseAlertTemplate(name: string, text: string): ParsedTemplate {
  if (!text.includes('{{')) return new Literal(text);
  const key = name + '\u0000' + text;
  const cached = parsedCache.get(key);
  if (cached !== undefined) {
    parsedCache.delete(key); // re-insert: the Map's order is the eviction order
    parsedCache.set(key, cached);
    return cached;
  }
  const parsed = parseTemplate(name, ALERT_TEMPLATE_PREAMBLE + text);
  parsedCache.set(key, parsed);
  if (parsedCache.size > PARSED_CACHE_SIZE) parsedCache.delete(parsedCache.keys().next().value!);
  return parsed;
}

/**
 * Parsed alert templates by name and text, least recently used first: rules render the same
 * labels and annotations at every evaluation, and parsing costs several times executing. Parsed
 * templates are immutable, so sharing them is safe. Failures are not cached (they are rare).
 */
const parsedCache = new Map<string, ParsedTemplate>();
const PARSED_CACHE_SIZE = 10_000;

/**
 * Expands an alert label or annotation template (preamble included) with `data`.
 * @throws TemplateError; Prometheus renders a failure as `err.expansionText`.
 */
export async function expandTemplate(name: string, text: string, data: TemplateData, opts?: ExecuteOptions): Promise<string> {
  return parseAlertTemplate(name, text).execute(data, opts);
}

/**
 * Validates a rule's label or annotation template as `promtool check rules` does (parse only,
 * preamble included). Returns null when it parses, otherwise Go's error message.
 */
export function checkTemplate(name: string, text: string): string | null {
  try {
    parseAlertTemplate(name, text);
    return null;
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
}
