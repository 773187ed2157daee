/**
 * PromQL tokens: their types, the keyword table, and how a token is described in
 * "unexpected …" error messages (Prometheus's wording: `<op:*>`, `<by>`, `<aggr:sum>`,
 * `identifier "foo"`, `"("`, `end of input`).
 */
import { quoteGo, utf8Length } from '@tessera/model';

/** Binary and other operators (Prometheus's operator item range). */
export type OperatorTokenType =
  | 'ADD' | 'SUB' | 'MUL' | 'DIV' | 'MOD' | 'POW' | 'ATAN2'
  | 'EQLC' | 'NEQ' | 'LSS' | 'LTE' | 'GTR' | 'GTE'
  | 'EQL_REGEX' | 'NEQ_REGEX' | 'AT'
  | 'LAND' | 'LOR' | 'LUNLESS';

/** Modifier keywords (Prometheus's keyword item range). */
export type KeywordTokenType = 'BOOL' | 'BY' | 'GROUP_LEFT' | 'GROUP_RIGHT' | 'IGNORING' | 'OFFSET' | 'ON' | 'WITHOUT';

/** Every token type the lexer produces (comments are dropped). */
export type TokenType =
  | 'EOF' | 'ERROR'
  | 'NUMBER' | 'DURATION' | 'STRING' | 'IDENTIFIER' | 'METRIC_IDENTIFIER'
  | 'LEFT_PAREN' | 'RIGHT_PAREN' | 'LEFT_BRACE' | 'RIGHT_BRACE' | 'LEFT_BRACKET' | 'RIGHT_BRACKET'
  | 'COMMA' | 'EQL' | 'COLON'
  | 'AGGREGATOR' | 'START' | 'END'
  | OperatorTokenType
  | KeywordTokenType;

/**
 * One token. `text` is the source text [start, end) (for ERROR: the error message, with `start`
 * where Prometheus positions lexer errors). Offsets are UTF-16 code units.
 */
export interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Words the lexer turns into keyword tokens (matched case-insensitively). */
export const KEYWORDS: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  ['and', 'LAND'], ['or', 'LOR'], ['unless', 'LUNLESS'], ['atan2', 'ATAN2'],
  ['sum', 'AGGREGATOR'], ['avg', 'AGGREGATOR'], ['count', 'AGGREGATOR'], ['min', 'AGGREGATOR'],
  ['max', 'AGGREGATOR'], ['group', 'AGGREGATOR'], ['stddev', 'AGGREGATOR'], ['stdvar', 'AGGREGATOR'],
  ['topk', 'AGGREGATOR'], ['bottomk', 'AGGREGATOR'], ['count_values', 'AGGREGATOR'],
  ['quantile', 'AGGREGATOR'], ['limitk', 'AGGREGATOR'], ['limit_ratio', 'AGGREGATOR'],
  ['offset', 'OFFSET'], ['by', 'BY'], ['without', 'WITHOUT'], ['on', 'ON'], ['ignoring', 'IGNORING'],
  ['group_left', 'GROUP_LEFT'], ['group_right', 'GROUP_RIGHT'], ['bool', 'BOOL'],
  ['start', 'START'], ['end', 'END'],
  ['inf', 'NUMBER'], ['nan', 'NUMBER'],
]);

const OPERATORS: ReadonlySet<TokenType> = new Set<TokenType>([
  'ADD', 'SUB', 'MUL', 'DIV', 'MOD', 'POW', 'ATAN2', 'EQLC', 'NEQ', 'LSS', 'LTE', 'GTR', 'GTE',
  'EQL_REGEX', 'NEQ_REGEX', 'AT', 'LAND', 'LOR', 'LUNLESS',
]);

const KEYWORD_TYPES: ReadonlySet<TokenType> = new Set<TokenType>([
  'BOOL', 'BY', 'GROUP_LEFT', 'GROUP_RIGHT', 'IGNORING', 'OFFSET', 'ON', 'WITHOUT',
]);

/** Token types that are plain punctuation (described by their quoted text). */
const PUNCTUATION: ReadonlySet<TokenType> = new Set<TokenType>([
  'LEFT_PAREN', 'RIGHT_PAREN', 'LEFT_BRACE', 'RIGHT_BRACE', 'LEFT_BRACKET', 'RIGHT_BRACKET',
  'COMMA', 'EQL', 'COLON', 'START', 'END',
]);

/** Reports whether a token type is an operator. */
export function isOperatorToken(t: TokenType): t is OperatorTokenType {
  return OPERATORS.has(t);
}

/** Go's `%.10q…` of a token value longer than 10 bytes, else `%q`. */
function quoteValue(s: string): string {
  if (utf8Length(s) <= 10) return quoteGo(s);
  return quoteGo(Array.from(s).slice(0, 10).join('')) + '...';
}

/**
 * Describes a token as Prometheus does in "unexpected …" messages: `end of input`, `<op:+>`,
 * `<by>`, `<aggr:sum>`, `"("`, `identifier "foo"`, `number "1"`, `string "\"a\""`.
 */
export function describeToken(t: Token): string {
  if (t.type === 'EOF') return 'end of input';
  if (KEYWORD_TYPES.has(t.type)) return `<${t.text}>`;
  if (OPERATORS.has(t.type)) return `<op:${t.text}>`;
  if (t.type === 'AGGREGATOR') return `<aggr:${t.text}>`;
  if (PUNCTUATION.has(t.type)) return quoteValue(t.text);
  switch (t.type) {
    case 'IDENTIFIER':
      return `identifier ${quoteGo(t.text)}`;
    case 'METRIC_IDENTIFIER':
      return `metric identifier ${quoteGo(t.text)}`;
    case 'NUMBER':
      return `number ${quoteValue(t.text)}`;
    case 'DURATION':
      return `duration ${quoteValue(t.text)}`;
    case 'STRING':
      return `string ${quoteValue(t.text)}`;
    default:
      return quoteValue(t.text);
  }
}
