/**
 * The parser's view of the token list: one-token lookahead, consumption, and Prometheus-style
 * errors ("unexpected <token> in <context>, expected <what>").
 *
 * Invariant: the token list ends with EOF or ERROR, and reading an ERROR token (by peek or next)
 * throws the lexer's error, as Prometheus reports a lexer error when its parser reads it.
 */
import { PromQLParseError } from './errors.ts';
import { describeToken } from './token.ts';
import type { Token, TokenType } from './token.ts';

/** Removes `readonly` from an AST node type, for building nodes before they are returned. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Options that change what the parser accepts. */
export interface ParseOptions {
  /** Accept experimental functions and aggregations (limitk, limit_ratio). Default false. */
  enableExperimentalFunctions?: boolean;
}

/** Token types after which Prometheus records the end of the last closed construct. */
const CLOSING: ReadonlySet<TokenType> = new Set<TokenType>([
  'RIGHT_BRACE', 'RIGHT_PAREN', 'RIGHT_BRACKET', 'DURATION', 'NUMBER',
]);

/** TokenStream holds the tokens, the read position and the state errors need. */
export class TokenStream {
  readonly input: string;
  readonly opts: ParseOptions;
  readonly #tokens: readonly Token[];
  #i = 0;
  /**
   * How many aggregations enclose the current position. Prometheus's grammar recovers from a
   * generic syntax error inside an aggregation with the message suffix " in aggregation".
   */
  aggregationDepth = 0;
  /** End offset of the last `)`, `]`, `}`, number or duration consumed (Prometheus's lastClosing). */
  lastClosing = 0;

  constructor(input: string, tokens: readonly Token[], opts: ParseOptions) {
    this.input = input;
    this.#tokens = tokens;
    this.opts = opts;
  }

  /** Returns the token `k` ahead of the current one without consuming it. */
  peek(k = 0): Token {
    const t = this.#tokens[Math.min(this.#i + k, this.#tokens.length - 1)]!;
    if (t.type === 'ERROR') throw this.lexError(t);
    return t;
  }

  /** Returns the token `k` ahead without raising a lexer error (for look-ahead decisions). */
  peekType(k = 0): TokenType {
    return this.#tokens[Math.min(this.#i + k, this.#tokens.length - 1)]!.type;
  }

  /** Consumes and returns the current token. */
  next(): Token {
    const t = this.peek();
    if (t.type !== 'EOF') this.#i++;
    if (CLOSING.has(t.type)) this.lastClosing = t.end;
    return t;
  }

  /** Consumes the current token if it has type `type`. */
  accept(type: TokenType): Token | null {
    return this.peek().type === type ? this.next() : null;
  }

  lexError(t: Token): PromQLParseError {
    return new PromQLParseError(this.input, { start: t.start, end: t.end }, t.text);
  }

  /** Returns a parse error for the range [start, end). */
  error(start: number, end: number, detail: string): PromQLParseError {
    return new PromQLParseError(this.input, { start, end }, detail);
  }

  /**
   * Returns the "unexpected <token>[ in <context>][, expected <what>]" error for `t`. Without a
   * context, a generic error inside an aggregation gets the context "aggregation".
   */
  unexpected(t: Token, context?: string, expected?: string): PromQLParseError {
    if (t.type === 'ERROR') return this.lexError(t);
    let msg = `unexpected ${describeToken(t)}`;
    const ctx = context ?? (this.aggregationDepth > 0 ? 'aggregation' : '');
    if (ctx !== '') msg += ` in ${ctx}`;
    if (expected !== undefined) msg += `, expected ${expected}`;
    return this.error(t.start, t.end, msg);
  }
}
