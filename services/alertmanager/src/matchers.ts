/**
 * Alertmanager's label matchers: the `matchers:` syntax of routes and inhibit rules
 * (`severity="critical"`, `job=~"api|web"`, several per item in `{…}` or comma-separated), the
 * older `match`/`match_re` maps, and the printed form that goes into group keys.
 */
import { Matcher, isValidLabelName, type MatchType } from '@tessera/model';
import { compareGo, type LabelSet } from './labels.ts';

/** One matcher: name, operator, value (an anchored RE2 pattern for `=~`/`!~`). */
export class AlertMatcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  readonly #m: Matcher;

  private constructor(type: MatchType, name: string, value: string) {
    this.type = type;
    this.name = name;
    this.value = value;
    this.#m = Matcher.create(type, name, value);
  }

  /** Creates a matcher. @throws Error with RE2's message for a bad regular expression. */
  static create(type: MatchType, name: string, value: string): AlertMatcher {
    try {
      return new AlertMatcher(type, name, value);
    } catch (e) {
      throw new Error(`invalid regular expression ${JSON.stringify(value)} for label ${name}: ${(e as Error).message}`);
    }
  }

  /** True when the label set satisfies the matcher (an absent label has the value ''). */
  matches(ls: LabelSet): boolean {
    return this.#m.matches(ls[this.name] ?? '');
  }

  /** The matcher as Alertmanager prints it: `name=~"value"`, the value escaped. */
  toString(): string {
    return `${this.name}${this.type}"${escapeValue(this.value)}"`;
  }
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** True when every matcher matches. */
export function matchAll(ms: readonly AlertMatcher[], ls: LabelSet): boolean {
  return ms.every((m) => m.matches(ls));
}

/** Sorts matchers as Alertmanager does for route keys: by name, then value, then operator. */
export function sortMatchers(ms: AlertMatcher[]): AlertMatcher[] {
  const typeOrder: Record<MatchType, number> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };
  return ms.sort((a, b) => compareGo(a.name, b.name) || compareGo(a.value, b.value) || typeOrder[a.type] - typeOrder[b.type]);
}

/** `{a="1",b=~"x"}`: a list of matchers as in a route key. */
export function formatMatchers(ms: readonly AlertMatcher[]): string {
  return '{' + ms.map((m) => m.toString()).join(',') + '}';
}

const MATCHER_RE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

/**
 * Parses one item of a `matchers:` list: one or more matchers, comma-separated, optionally in
 * braces. Values may be quoted (`"a,b"`, with `\"`, `\\` and `\n` escapes) or bare.
 *
 * @throws Error with Alertmanager's message (`bad matcher format: …`).
 */
export function parseMatchers(input: string): AlertMatcher[] {
  let s = input.trim();
  if (s.startsWith('{')) s = s.slice(1);
  if (s.endsWith('}')) s = s.slice(0, -1);
  const tokens: string[] = [];
  let token = '';
  let quoted = false;
  let escaped = false;
  for (const ch of s) {
    if (ch === ',' && !quoted) {
      tokens.push(token);
      token = '';
      continue;
    }
    if (ch === '"') {
      if (escaped) escaped = false;
      else quoted = !quoted;
    } else if (ch === '\\') {
      escaped = !escaped;
    } else {
      escaped = false;
    }
    token += ch;
  }
  if (token.trim() !== '') tokens.push(token.trim());
  return tokens.map(parseMatcher);
}

function parseMatcher(s: string): AlertMatcher {
  const m = MATCHER_RE.exec(s);
  if (m === null) throw new Error(`bad matcher format: ${s}`);
  const raw = m[3]!;
  let rest = raw;
  let wantQuote = false;
  if (rest.startsWith('"')) {
    rest = rest.slice(1);
    wantQuote = true;
  }
  let value = '';
  const chars = [...rest];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\\' && i < chars.length - 1) {
      const next = chars[++i]!;
      if (next === 'n') value += '\n';
      else if (next === '"' || next === '\\') value += next;
      else value += '\\' + next; // a spurious escape stays literal
      continue;
    }
    if (ch === '"') {
      if (!wantQuote || i < chars.length - 1) throw new Error(`matcher value contains unescaped double quote: ${raw}`);
      wantQuote = false;
      continue;
    }
    value += ch;
  }
  if (wantQuote) throw new Error(`matcher value contains unescaped double quote: ${raw}`);
  return AlertMatcher.create(m[2] as MatchType, m[1]!, value);
}

/**
 * The matchers of a `match` (equality) and a `match_re` (regex) map, as routes and inhibit rules
 * had them before `matchers`.
 *
 * @throws Error naming an invalid label name or regular expression.
 */
export function matchersFromMaps(match: Record<string, string> | undefined, matchRe: Record<string, string> | undefined): AlertMatcher[] {
  const out: AlertMatcher[] = [];
  for (const [k, v] of Object.entries(match ?? {})) {
    if (!isValidLabelName(k)) throw new Error(`invalid label name ${JSON.stringify(k)}`);
    out.push(AlertMatcher.create('=', k, v));
  }
  for (const [k, v] of Object.entries(matchRe ?? {})) {
    if (!isValidLabelName(k)) throw new Error(`invalid label name ${JSON.stringify(k)}`);
    out.push(AlertMatcher.create('=~', k, v));
  }
  return out;
}
