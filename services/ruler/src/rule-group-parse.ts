/**
 * Strict decoding of Prometheus rule YAML: a rules file (`groups: [...]`, what `promtool check
 * rules` reads) or one rule group (the body of `POST /config/v1/rules/{namespace}`).
 *
 * "Strict" as Prometheus decodes rule files (Go yaml.v3 with known fields only): an unknown field,
 * a repeated mapping key, or a value of the wrong kind (a list where a string belongs, text where
 * an integer belongs) is an error naming its line; all such errors of a document are reported
 * together. String fields take any scalar as written (`expr: 1.0` is the text `1.0`, `name: 5`
 * the text `5`); null is the empty string. Durations use Prometheus's syntax (`1h30m`, `0`).
 *
 * Decoding only: whether the rules make sense (expressions parse, names are valid) is
 * rule-group-validate.ts's job. Positions are kept so that its messages can point at lines.
 */
import { Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node, type Scalar, type YAMLMap } from 'yaml';
import { parseDuration } from '@tessera/model';
import type { RuleDesc, RuleGroupDesc } from './rule-group.ts';

/** A 1-based line and column in the decoded text. */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

/** A decoded rule and where its parts were written (absent parts have no position). */
export interface ParsedRule {
  readonly rule: RuleDesc;
  readonly pos: Pos;
  readonly recordPos?: Pos;
  readonly alertPos?: Pos;
  readonly exprPos?: Pos;
}

/** A decoded rule group; `rules[i].rule === group.rules[i]`. */
export interface ParsedRuleGroup {
  readonly group: RuleGroupDesc;
  readonly pos: Pos;
  readonly rules: readonly ParsedRule[];
}

/** The outcome of decoding: the value, or every decoding error (never both). */
export type DecodeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly string[] };

const GROUP_FIELDS = ['name', 'interval', 'limit', 'rules'] as const;
const RULE_FIELDS = ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'] as const;
const FILE_FIELDS = ['groups'] as const;

/** Most aliases (`*name`) one document may use. */
const MAX_ALIASES = 1000;

/** A YAML object whose keys come from users: no prototype, so `__proto__` is a plain key. */
function dict(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/** Walks one YAML document, collecting errors instead of stopping at the first. */
class Decoder {
  readonly errors: string[] = [];
  readonly #doc: Document.Parsed;
  readonly #lines: LineCounter;
  #aliases = 0;

  constructor(doc: Document.Parsed, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  pos(node: Node | null | undefined): Pos {
    const offset = node?.range?.[0] ?? 0;
    return this.#lines.linePos(offset);
  }

  #fail(node: Node | null | undefined, message: string): void {
    this.errors.push(`line ${this.pos(node).line}: ${message}`);
  }

  /** The node an alias points at; other nodes as they are. */
  deref(node: unknown): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      // Each alias re-reads the node it names: many aliases of a big node multiply the work.
      if (++this.#aliases > MAX_ALIASES) {
        if (this.#aliases === MAX_ALIASES + 1) this.#fail(node, `more than ${MAX_ALIASES} aliases in one document`);
        return null;
      }
      return (node.resolve(this.#doc) as Node | undefined) ?? null;
    }
    return node as Node;
  }

  /** The fields of a mapping by name, after reporting unknown and repeated keys. Null: not a mapping. */
  fields(node: Node | null, known: readonly string[], what: string): Map<string, { key: Node; value: Node | null }> | null {
    const out = new Map<string, { key: Node; value: Node | null }>();
    if (node === null || isNullScalar(node)) return out;
    if (!isMap(node)) {
      this.#fail(node, `cannot decode ${kindOf(node)} into ${what} (a mapping is expected)`);
      return null;
    }
    for (const pair of (node as YAMLMap<unknown, unknown>).items) {
      const keyNode = this.deref(pair.key);
      const name = this.#scalarText(keyNode);
      if (name === null) {
        this.#fail(keyNode, `cannot decode ${kindOf(keyNode)} into a field name of ${what}`);
        continue;
      }
      const previous = out.get(name);
      if (previous !== undefined) {
        this.#fail(keyNode, `mapping key ${JSON.stringify(name)} already defined at line ${this.pos(previous.key).line}`);
        continue;
      }
      if (!known.includes(name)) {
        this.#fail(keyNode, `field ${name} not found in ${what} (known fields: ${known.join(', ')})`);
        continue;
      }
      out.set(name, { key: keyNode!, value: this.deref(pair.value) });
    }
    return out;
  }

  /** The text of a scalar as written; null for collections. Null scalars are ''. */
  #scalarText(node: Node | null): string | null {
    if (node === null) return '';
    if (!isScalar(node)) return null;
    if (isNullScalar(node)) return '';
    const s = node as Scalar;
    if (s.type === 'PLAIN' && typeof s.source === 'string') return s.source;
    return String(s.value);
  }

  string(node: Node | null, field: string): string {
    const text = this.#scalarText(node);
    if (text === null) {
      this.#fail(node, `cannot decode ${kindOf(node)} into a string (field ${field})`);
      return '';
    }
    return text;
  }

  int(node: Node | null, field: string): number {
    if (node === null || isNullScalar(node)) return 0;
    const v = isScalar(node) ? (node as Scalar).value : undefined;
    // yaml.v3 accepts a float with an integral value (`1.0`) for an integer field; so do we.
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    this.#fail(node, `cannot decode ${kindOf(node)} into an integer (field ${field})`);
    return 0;
  }

  /** A Prometheus duration in ms; null is 0 (as in Prometheus), '' and anything malformed an error. */
  duration(node: Node | null, field: string): number {
    if (node === null || isNullScalar(node)) return 0;
    const text = this.#scalarText(node);
    if (text === null) {
      this.#fail(node, `cannot decode ${kindOf(node)} into a duration (field ${field})`);
      return 0;
    }
    try {
      if (text === '') throw new Error('empty');
      return parseDuration(text);
    } catch {
      this.#fail(node, `not a valid duration string: ${JSON.stringify(text)} (field ${field})`);
      return 0;
    }
  }

  stringMap(node: Node | null, field: string): Record<string, string> {
    const out = dict();
    if (node === null || isNullScalar(node)) return out;
    if (!isMap(node)) {
      this.#fail(node, `cannot decode ${kindOf(node)} into a map of strings (field ${field})`);
      return out;
    }
    const seen = new Map<string, Node | null>();
    for (const pair of (node as YAMLMap<unknown, unknown>).items) {
      const keyNode = this.deref(pair.key);
      const key = this.string(keyNode, `${field} key`);
      if (seen.has(key)) {
        this.#fail(keyNode, `mapping key ${JSON.stringify(key)} already defined at line ${this.pos(seen.get(key)).line}`);
        continue;
      }
      seen.set(key, keyNode);
      out[key] = this.string(this.deref(pair.value), `${field}.${key}`);
    }
    return out;
  }

  /** The items of a sequence; null or absent is empty. Null: not a sequence (reported). */
  items(node: Node | null, field: string): Node[] {
    if (node === null || isNullScalar(node)) return [];
    if (!isSeq(node)) {
      this.#fail(node, `cannot decode ${kindOf(node)} into a list (field ${field})`);
      return [];
    }
    return node.items.map((item) => this.deref(item)).filter((n): n is Node => n !== null);
  }

  group(node: Node | null): ParsedRuleGroup {
    const f = this.fields(node, GROUP_FIELDS, 'a rule group') ?? new Map();
    const rules = this.items(f.get('rules')?.value ?? null, 'rules').map((r) => this.rule(r));
    const group: RuleGroupDesc = {
      name: this.string(f.get('name')?.value ?? null, 'name'),
      interval: this.duration(f.get('interval')?.value ?? null, 'interval'),
      limit: this.int(f.get('limit')?.value ?? null, 'limit'),
      rules: rules.map((r) => r.rule),
    };
    return { group, pos: this.pos(node), rules };
  }

  rule(node: Node): ParsedRule {
    const f = this.fields(node, RULE_FIELDS, 'a rule') ?? new Map();
    const at = (name: string): Pos | undefined => (f.has(name) ? this.pos(f.get(name)!.value ?? f.get(name)!.key) : undefined);
    const rule: RuleDesc = {
      record: this.string(f.get('record')?.value ?? null, 'record'),
      alert: this.string(f.get('alert')?.value ?? null, 'alert'),
      expr: this.string(f.get('expr')?.value ?? null, 'expr'),
      for: this.duration(f.get('for')?.value ?? null, 'for'),
      keepFiringFor: this.duration(f.get('keep_firing_for')?.value ?? null, 'keep_firing_for'),
      labels: this.stringMap(f.get('labels')?.value ?? null, 'labels'),
      annotations: this.stringMap(f.get('annotations')?.value ?? null, 'annotations'),
    };
    const recordPos = at('record');
    const alertPos = at('alert');
    const exprPos = at('expr');
    return {
      rule,
      pos: this.pos(node),
      ...(recordPos === undefined ? {} : { recordPos }),
      ...(alertPos === undefined ? {} : { alertPos }),
      ...(exprPos === undefined ? {} : { exprPos }),
    };
  }
}

function isNullScalar(node: Node | null): boolean {
  return node !== null && isScalar(node) && (node as Scalar).value === null;
}

function kindOf(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return `the ${typeof (node as Scalar).value} ${JSON.stringify((node as Scalar).source ?? String((node as Scalar).value))}`;
  return 'a value';
}

/** Parses the YAML stream; syntax errors come back as messages. */
function documents(text: string): { docs: Document.Parsed[]; lines: LineCounter; errors: string[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, strict: true });
  const list = Array.isArray(docs) ? docs : [];
  const errors: string[] = [];
  for (const d of list) {
    for (const e of d.errors) {
      const where = lines.linePos(e.pos[0]);
      errors.push(`yaml: line ${where.line}: ${e.message.split('\n')[0]}`);
    }
  }
  return { docs: list, lines, errors };
}

/**
 * Decodes a rules file (`groups:` and nothing else at the top). An empty file has no groups. Only
 * the first YAML document counts, as in Prometheus.
 */
export function decodeRulesFile(text: string): DecodeResult<ParsedRuleGroup[]> {
  const { docs, lines, errors } = documents(text);
  if (errors.length > 0) return { ok: false, errors };
  const doc = docs[0];
  if (doc === undefined || doc.contents === null) return { ok: true, value: [] };
  const d = new Decoder(doc, lines);
  const root = d.deref(doc.contents);
  const f = d.fields(root, FILE_FIELDS, 'a rules file');
  const groups = f === null ? [] : d.items(f.get('groups')?.value ?? null, 'groups').map((g) => d.group(g));
  return d.errors.length > 0 ? { ok: false, errors: d.errors } : { ok: true, value: groups };
}

/**
 * Decodes one rule group (the body of the config API's POST). An empty body decodes as a group
 * without a name (which validation refuses); more than one YAML document is an error.
 */
export function decodeRuleGroup(text: string): DecodeResult<ParsedRuleGroup> {
  const { docs, lines, errors } = documents(text);
  if (errors.length > 0) return { ok: false, errors };
  const nonEmpty = docs.filter((doc) => doc.contents !== null);
  if (nonEmpty.length > 1) {
    return { ok: false, errors: [`expected one rule group, found ${nonEmpty.length} YAML documents`] };
  }
  const doc = nonEmpty[0] ?? docs[0] ?? new Document(null);
  const d = new Decoder(doc as Document.Parsed, lines);
  const root = d.deref(doc.contents);
  if (isMap(root) && (root as YAMLMap).has('groups') && !(root as YAMLMap).has('name')) {
    return { ok: false, errors: ['expected one rule group (name, interval, limit, rules), found a rules file ("groups:"): send each group on its own'] };
  }
  const group = d.group(root);
  return d.errors.length > 0 ? { ok: false, errors: d.errors } : { ok: true, value: group };
}
