/**
 * Parser for series selectors: the `match[]` parameter of the series, labels and label-values
 * APIs, and any other place that takes a bare vector selector.
 *
 * Grammar (PromQL's vector selector without offset, range or @):
 *
 *   selector  = metric [ braces ] | braces
 *   metric    = [a-zA-Z_:][a-zA-Z0-9_:]*
 *   braces    = "{" [ item { "," item } [ "," ] ] "}"
 *   item      = name op string | string          a lone string is the metric name (Prometheus 3)
 *   name      = [a-zA-Z_][a-zA-Z0-9_]* | string   quoted names allow any UTF-8 (Prometheus 3)
 *   op        = "=" | "!=" | "=~" | "!~"
 *   string    = "…" | '…' | `…`                   see string-literal.ts
 *
 * Whitespace and `#` comments may separate tokens. As in Prometheus, the metric name may be given
 * only once, and at least one matcher must not match the empty string.
 */
import { ModelError } from './errors.ts';
import { METRIC_NAME_LABEL } from './labels.ts';
import { Matcher } from './matcher.ts';
import type { MatchType } from './matcher.ts';
import { scanStringLiteral } from './string-literal.ts';

function isMetricStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
}

function isLabelStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isQuote(c: number): boolean {
  return c === 0x22 || c === 0x27 || c === 0x60;
}

/** Formats `line:col` (1-based) for an offset, as Prometheus prefixes its parse errors. */
function lineCol(input: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < input.length; i++) {
    if (input.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return `${line}:${offset - lineStart + 1}`;
}

class SelectorParser {
  readonly #input: string;
  #pos = 0;

  constructor(input: string) {
    this.#input = input;
  }

  error(message: string, position = this.#pos, cause?: unknown): ModelError {
    return new ModelError('parse-error', `${lineCol(this.#input, position)}: parse error: ${message}`, {
      position,
      cause,
    });
  }

  /** Describes the token at the current position, for "unexpected …" messages. */
  describe(): string {
    const s = this.#input;
    const p = this.#pos;
    if (p >= s.length) return 'end of input';
    const c = s.charCodeAt(p);
    if (isMetricStart(c)) {
      let e = p + 1;
      while (e < s.length && (isMetricStart(s.charCodeAt(e)) || isDigit(s.charCodeAt(e)))) e++;
      return `identifier ${JSON.stringify(s.slice(p, e))}`;
    }
    if (isQuote(c)) return 'string';
    return `character ${JSON.stringify(String.fromCodePoint(s.codePointAt(p)!))}`;
  }

  skipSpace(): void {
    const s = this.#input;
    while (this.#pos < s.length) {
      const c = s.charCodeAt(this.#pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
        this.#pos++;
      } else if (c === 0x23) {
        const nl = s.indexOf('\n', this.#pos);
        this.#pos = nl < 0 ? s.length : nl + 1;
      } else {
        return;
      }
    }
  }

  peek(): number {
    return this.#pos < this.#input.length ? this.#input.charCodeAt(this.#pos) : -1;
  }

  ident(isStart: (c: number) => boolean, isPart: (c: number) => boolean): string {
    const s = this.#input;
    const start = this.#pos;
    if (!isStart(this.peek())) return '';
    this.#pos++;
    while (this.#pos < s.length && isPart(s.charCodeAt(this.#pos))) this.#pos++;
    return s.slice(start, this.#pos);
  }

  string(): string {
    try {
      const lit = scanStringLiteral(this.#input, this.#pos);
      this.#pos = lit.end;
      return lit.value;
    } catch (e) {
      if (ModelError.is(e) && e.position !== undefined) throw this.error(e.message, e.position, e);
      throw e;
    }
  }

  matcher(type: MatchType, name: string, value: string, at: number): Matcher {
    try {
      return Matcher.create(type, name, value);
    } catch (e) {
      if (ModelError.is(e)) throw this.error(e.message, at, e);
      throw e;
    }
  }

  parse(): Matcher[] {
    const s = this.#input;
    this.skipSpace();
    const selectorStart = this.#pos;
    const matchers: Matcher[] = [];
    const metricAt = this.#pos;
    const metric = this.ident(isMetricStart, (c) => isMetricStart(c) || isDigit(c));
    if (metric !== '') matchers.push(Matcher.create('=', METRIC_NAME_LABEL, metric));
    this.skipSpace();
    if (this.peek() === 0x7b) {
      this.#pos++;
      this.braces(matchers);
    } else if (metric === '') {
      throw this.error(`unexpected ${this.describe()}, expected a metric name or "{"`);
    }
    this.skipSpace();
    if (this.#pos < s.length) throw this.error(`unexpected ${this.describe()} after the series selector`);
    if (metric !== '') {
      for (let i = 1; i < matchers.length; i++) {
        if (matchers[i]!.name === METRIC_NAME_LABEL) {
          const other = JSON.stringify(matchers[i]!.value);
          throw this.error(`metric name must not be set twice: ${JSON.stringify(metric)} or ${other}`, metricAt);
        }
      }
    }
    if (matchers.every((m) => m.matchesEmpty())) {
      throw this.error('vector selector must contain at least one non-empty matcher', selectorStart);
    }
    return matchers;
  }

  /** Parses matchers after "{" up to and including "}". */
  braces(out: Matcher[]): void {
    for (;;) {
      this.skipSpace();
      const c = this.peek();
      if (c === 0x7d) {
        this.#pos++;
        return;
      }
      if (c < 0) throw this.error('unexpected end of input inside braces');
      let name: string;
      let quotedName = false;
      if (isQuote(c)) {
        name = this.string();
        quotedName = true;
      } else {
        name = this.ident(isLabelStart, (x) => isLabelStart(x) || isDigit(x));
        if (name === '') throw this.error(`unexpected ${this.describe()} inside braces, expected a label name`);
      }
      this.skipSpace();
      const next = this.peek();
      if (quotedName && (next === 0x2c || next === 0x7d)) {
        out.push(Matcher.create('=', METRIC_NAME_LABEL, name)); // {"metric.name", …}
      } else {
        const type = this.operator();
        this.skipSpace();
        const valueAt = this.#pos;
        if (!isQuote(this.peek())) {
          throw this.error(`unexpected ${this.describe()} in label matching, expected string`);
        }
        const value = this.string();
        out.push(this.matcher(type, name, value, valueAt));
      }
      this.skipSpace();
      const sep = this.peek();
      if (sep === 0x2c) {
        this.#pos++;
      } else if (sep !== 0x7d) {
        if (sep < 0) throw this.error('unexpected end of input inside braces');
        throw this.error(`unexpected ${this.describe()} in label matching, expected "," or "}"`);
      }
    }
  }

  operator(): MatchType {
    const s = this.#input;
    const c = this.peek();
    const d = this.#pos + 1 < s.length ? s.charCodeAt(this.#pos + 1) : -1;
    if (c === 0x3d) {
      this.#pos += d === 0x7e ? 2 : 1;
      return d === 0x7e ? '=~' : '=';
    }
    if (c === 0x21 && (d === 0x3d || d === 0x7e)) {
      this.#pos += 2;
      return d === 0x3d ? '!=' : '!~';
    }
    throw this.error(`unexpected ${this.describe()} in label matching, expected label matching operator`);
  }
}

/**
 * Parses a series selector such as `up`, `http_requests_total{job="api",code!~"5.."}`,
 * `{__name__=~"node_.*"}` or `{"my.metric", "my.label"="x"}` into its matchers. The metric name,
 * when given, comes first as a `__name__=` matcher; the others follow in the order written.
 *
 * @throws ModelError `parse-error` with a message `line:col: parse error: …` and `position` set.
 */
export function parseSeriesSelector(s: string): Matcher[] {
  return new SelectorParser(s).parse();
}
