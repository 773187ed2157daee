/**
 * Label matchers (`name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`) with Prometheus semantics.
 *
 * Regular expressions are RE2 syntax, fully anchored (Prometheus wraps them in `^(?s:…)$`), with
 * `.` matching newlines (Prometheus 3). They run on re2js, a linear-time RE2 port — never on V8's
 * backtracking RegExp, where one pathological pattern from one tenant would stall the process.
 * Common shapes (literals, `a|b|c`, `prefix.*`, `.*suffix`, `.*x.*`, `.*`, `.+`, and `(?i)` on
 * ASCII literals) are matched without any regex engine; see regex-fast-path.ts.
 *
 * A matcher that matches the empty string also selects series that lack the label, because an
 * absent label has the value '' in Prometheus; see {@link Matcher.matchesEmpty}.
 */
import { RE2JS } from 're2js';
import { ModelError } from './errors.ts';
import { quoteGo } from './go-quote.ts';
import {
  analyseFastPattern,
  compileFastPattern,
  fastPatternPrefix,
  literalAlternatives,
  requiredLiteralPrefix,
} from './regex-fast-path.ts';
import { isValidLabelName } from './validation.ts';

/** The four matcher operators of PromQL. */
export type MatchType = '=' | '!=' | '=~' | '!~';

/** How many compiled re2js programs are kept for reuse (bounded, oldest evicted first). */
const RE2_CACHE_SIZE = 500;
const re2Cache = new Map<string, RE2JS>();

/**
 * Compiles `pattern` with re2js (dot matches newline), reusing a cached program when possible.
 *
 * @throws ModelError `invalid-regexp` with RE2's message when the pattern does not compile.
 */
function compileRe2(pattern: string): RE2JS {
  const cached = re2Cache.get(pattern);
  if (cached !== undefined) return cached;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, RE2JS.DOTALL);
  } catch (e) {
    // re2js reports the pattern as "(?s)…" when compiled with DOTALL; recompile without the flag
    // to get the message about the user's own text, as Prometheus prints it.
    let message = e instanceof Error ? e.message : String(e);
    try {
      RE2JS.compile(pattern);
    } catch (plain) {
      if (plain instanceof Error) message = plain.message;
    }
    throw new ModelError('invalid-regexp', message, { cause: e });
  }
  if (re2Cache.size >= RE2_CACHE_SIZE) re2Cache.delete(re2Cache.keys().next().value!);
  re2Cache.set(pattern, re);
  return re;
}

/**
 * Matcher is one immutable label matcher: a label name, an operator and a value (a literal for
 * `=`/`!=`, an RE2 pattern for `=~`/`!~`), with everything needed to match fast precomputed.
 */
export class Matcher {
  /** The operator. */
  readonly type: MatchType;
  /** The label name. */
  readonly name: string;
  /** The literal or pattern, as written. */
  readonly value: string;

  /** The positive test: equality for =/!=, the regex for =~/!~. */
  readonly #test: (v: string) => boolean;
  readonly #negate: boolean;
  readonly #set: readonly string[] | null;
  readonly #prefix: string;
  readonly #matchesEmpty: boolean;
  readonly #usesRegexEngine: boolean;

  private constructor(
    type: MatchType,
    name: string,
    value: string,
    test: (v: string) => boolean,
    set: readonly string[] | null,
    prefix: string,
    usesRegexEngine: boolean,
  ) {
    this.type = type;
    this.name = name;
    this.value = value;
    this.#test = test;
    this.#negate = type === '!=' || type === '!~';
    this.#set = set;
    this.#prefix = prefix;
    this.#usesRegexEngine = usesRegexEngine;
    this.#matchesEmpty = test('') !== this.#negate;
  }

  /**
   * Creates a matcher, compiling and analysing a regex once.
   *
   * @throws ModelError `invalid-regexp` when `type` is `=~`/`!~` and `value` is not valid RE2.
   */
  static create(type: MatchType, name: string, value: string): Matcher {
    switch (type) {
      case '=':
        return new Matcher(type, name, value, (v) => v === value, [value], value, false);
      case '!=':
        return new Matcher(type, name, value, (v) => v === value, null, '', false);
      case '=~':
      case '!~': {
        const positive = type === '=~';
        const fp = analyseFastPattern(value);
        if (fp !== null) {
          const literals = fp.caseInsensitive ? null : literalAlternatives(fp);
          const set = positive && literals !== null ? [...new Set(literals)] : null;
          const prefix = positive ? fastPatternPrefix(fp) : '';
          return new Matcher(type, name, value, compileFastPattern(fp), set, prefix, false);
        }
        const re = compileRe2(value);
        const prefix = positive ? requiredLiteralPrefix(value) : '';
        return new Matcher(type, name, value, (v) => re.matches(v), null, prefix, true);
      }
      default:
        throw new TypeError(`unknown match type ${JSON.stringify(type)}`);
    }
  }

  /** Reports whether a label value satisfies this matcher ('' stands for an absent label). */
  matches(v: string): boolean {
    return this.#test(v) !== this.#negate;
  }

  /**
   * Returns the exact values this matcher accepts when they form a finite set — for `=` and for
   * `=~` with a literal or an alternation of literals (`a|b|c`) — so an index can look them up
   * directly; null otherwise. A new array each call.
   */
  setMatches(): string[] | null {
    return this.#set === null ? null : this.#set.slice();
  }

  /** Returns a literal every value this matcher accepts starts with ('' when none is known). */
  prefix(): string {
    return this.#prefix;
  }

  /**
   * Reports whether the matcher accepts the empty string, i.e. also selects series that lack
   * the label. Selectors need at least one matcher for which this is false.
   */
  matchesEmpty(): boolean {
    return this.#matchesEmpty;
  }

  /** Reports whether matching runs the re2js engine (false: a fast path without any engine). */
  usesRegexEngine(): boolean {
    return this.#usesRegexEngine;
  }

  /** Formats the matcher as PromQL: `job=~"api|web"`, quoting a non-legacy label name. */
  toString(): string {
    const name = isValidLabelName(this.name) ? this.name : quoteGo(this.name);
    return `${name}${this.type}${quoteGo(this.value)}`;
  }
}
