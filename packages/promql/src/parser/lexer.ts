/**
 * The PromQL lexer: turns a query into tokens, with Prometheus's lexing rules and error texts.
 *
 * States: statements (the default), inside braces `{…}` (keywords are plain identifiers, only
 * matcher punctuation), and inside brackets `[…]` (durations, numbers and `:`). Comments (`#` to
 * end of line) are skipped everywhere. The lexer stops at the first error and ends the token list
 * with one ERROR token whose `text` is the message and whose `start` is where Prometheus reports
 * it; the parser raises it when it reaches that token, so earlier syntax errors win, as in
 * Prometheus, where the lexer runs in step with the parser.
 */
import { quoteGo } from '@tessera/model';
import { charAt, LexError, quoteRune, scanQuoted, scanRaw } from './lex-string.ts';
import { KEYWORDS } from './token.ts';
import type { Token, TokenType } from './token.ts';

const CH_0 = 0x30;
const CH_9 = 0x39;

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/** `[a-zA-Z_]`, Prometheus's isAlpha. */
function isAlpha(c: number): boolean {
  return c === 0x5f || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isAlphaNumeric(c: number): boolean {
  return isAlpha(c) || isDigit(c);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Single-character tokens of duration expressions inside brackets. */
const BRACKET_OPERATORS: Readonly<Record<string, TokenType>> = {
  '+': 'ADD', '-': 'SUB', '*': 'MUL', '/': 'DIV', '%': 'MOD', '^': 'POW', ',': 'COMMA',
};

class Lexer {
  readonly input: string;
  readonly tokens: Token[] = [];
  pos = 0;
  parenDepth = 0;

  constructor(input: string) {
    this.input = input;
  }

  code(i = this.pos): number {
    return i < this.input.length ? this.input.charCodeAt(i) : -1;
  }

  emit(type: TokenType, start: number): void {
    this.tokens.push({ type, text: this.input.slice(start, this.pos), start, end: this.pos });
  }

  /** Skips spaces and comments. */
  skip(): void {
    const s = this.input;
    for (;;) {
      const c = this.code();
      if (isSpace(c)) {
        this.pos++;
      } else if (c === 0x23) {
        while (this.pos < s.length && s[this.pos] !== '\n' && s[this.pos] !== '\r') this.pos++;
      } else {
        return;
      }
    }
  }

  run(): void {
    for (;;) {
      this.skip();
      if (this.pos >= this.input.length) {
        if (this.parenDepth !== 0) throw new LexError('unclosed left parenthesis', this.pos);
        this.tokens.push({ type: 'EOF', text: '', start: this.pos, end: this.pos });
        return;
      }
      this.statement();
    }
  }

  /** Lexes one token in the default state. */
  statement(): void {
    const s = this.input;
    const start = this.pos;
    const c = this.code();
    const ch = charAt(s, start);
    this.pos += ch.length;
    const next = this.code();
    switch (ch) {
      case ',': return this.emit('COMMA', start);
      case '*': return this.emit('MUL', start);
      case '/': return this.emit('DIV', start);
      case '%': return this.emit('MOD', start);
      case '+': return this.emit('ADD', start);
      case '-': return this.emit('SUB', start);
      case '^': return this.emit('POW', start);
      case '@': return this.emit('AT', start);
      case '=':
        if (next === 0x3d) {
          this.pos++;
          return this.emit('EQLC', start);
        }
        if (next === 0x7e) throw new LexError("unexpected character after '=': '~'", start);
        return this.emit('EQL', start);
      case '!': {
        if (next !== 0x3d) throw new LexError(`unexpected character after '!': ${quoteRune(charAt(s, this.pos) || '\ufffd')}`, start);
        this.pos++;
        return this.emit('NEQ', start);
      }
      case '<':
      case '>':
        if (next === 0x3d) {
          this.pos++;
          return this.emit(ch === '<' ? 'LTE' : 'GTE', start);
        }
        return this.emit(ch === '<' ? 'LSS' : 'GTR', start);
      case '"':
      case "'":
        this.pos = scanQuoted(s, start, ch);
        return this.emit('STRING', start);
      case '`':
        this.pos = scanRaw(s, start);
        return this.emit('STRING', start);
      case '(':
        this.parenDepth++;
        return this.emit('LEFT_PAREN', start);
      case ')':
        // The error replaces the `)` token, as in Prometheus (it is positioned after it).
        if (--this.parenDepth < 0) throw new LexError("unexpected right parenthesis ')'", this.pos);
        return this.emit('RIGHT_PAREN', start);
      case '{':
        this.emit('LEFT_BRACE', start);
        return this.braces();
      case '[':
        this.emit('LEFT_BRACKET', start);
        return this.brackets();
      case ']':
        throw new LexError("unexpected right bracket ']'", start);
    }
    if (isDigit(c) || (c === 0x2e && isDigit(next))) {
      this.pos = start;
      return this.numberOrDuration();
    }
    if (isAlpha(c) || c === 0x3a) return this.keywordOrIdentifier(start);
    throw new LexError(`unexpected character: ${quoteRune(ch)}`, start);
  }

  keywordOrIdentifier(start: number): void {
    while (isAlphaNumeric(this.code()) || this.code() === 0x3a) this.pos++;
    const word = this.input.slice(start, this.pos);
    const kw = KEYWORDS.get(word.toLowerCase());
    if (kw !== undefined) this.emit(kw, start);
    else this.emit(word.includes(':') ? 'METRIC_IDENTIFIER' : 'IDENTIFIER', start);
  }

  /** Lexes the inside of `{…}` up to and including `}`. */
  braces(): void {
    const s = this.input;
    for (;;) {
      this.skip();
      const start = this.pos;
      if (start >= s.length) throw new LexError('unexpected end of input inside braces', start);
      const ch = charAt(s, start);
      this.pos += ch.length;
      const c = ch.charCodeAt(0);
      if (isAlpha(c)) {
        while (isAlphaNumeric(this.code())) this.pos++;
        this.emit('IDENTIFIER', start);
        continue;
      }
      switch (ch) {
        case ',':
          this.emit('COMMA', start);
          continue;
        case '"':
        case "'":
          this.pos = scanQuoted(s, start, ch);
          this.emit('STRING', start);
          continue;
        case '`':
          this.pos = scanRaw(s, start);
          this.emit('STRING', start);
          continue;
        case '=':
          if (this.code() === 0x7e) this.pos++;
          this.emit(this.pos - start === 2 ? 'EQL_REGEX' : 'EQL', start);
          continue;
        case '!': {
          const n = charAt(s, this.pos);
          if (n === '~' || n === '=') {
            this.pos++;
            this.emit(n === '~' ? 'NEQ_REGEX' : 'NEQ', start);
            continue;
          }
          throw new LexError(`unexpected character after '!' inside braces: ${quoteRune(n || '\ufffd')}`, start);
        }
        case '{':
          throw new LexError("unexpected left brace '{'", start);
        case '}':
          this.emit('RIGHT_BRACE', start);
          return;
      }
      throw new LexError(`unexpected character inside braces: ${quoteRune(ch)}`, start);
    }
  }

  /**
   * Lexes the inside of `[…]` up to and including `]`: numbers, durations, `:` and the
   * arithmetic of (not enabled) duration expressions, which the parser then rejects.
   */
  brackets(): void {
    const s = this.input;
    let gotColon = false;
    for (;;) {
      this.skip();
      const start = this.pos;
      if (start >= s.length) throw new LexError('unexpected end of input in duration expression', start);
      const ch = charAt(s, start);
      const c = ch.charCodeAt(0);
      if (isDigit(c) || (c === 0x2e && isDigit(this.code(start + 1)))) {
        this.numberOrDuration();
        continue;
      }
      this.pos += ch.length;
      const t = BRACKET_OPERATORS[ch];
      if (t !== undefined) {
        this.emit(t, start);
        continue;
      }
      switch (ch) {
        case ']':
          this.emit('RIGHT_BRACKET', start);
          return;
        case ':':
          if (gotColon) throw new LexError('unexpected repeated colon in duration expression', start);
          gotColon = true;
          this.emit('COLON', start);
          continue;
        case '(':
          this.parenDepth++;
          this.emit('LEFT_PAREN', start);
          continue;
        case ')':
          if (--this.parenDepth < 0) throw new LexError("unexpected right parenthesis ')'", this.pos);
          this.emit('RIGHT_PAREN', start);
          continue;
      }
      throw new LexError(`unexpected character in duration expression: ${quoteRune(ch)}`, start);
    }
  }

  /** Lexes a NUMBER, or else a DURATION (`5m`, `1h30m`), or fails as Prometheus does. */
  numberOrDuration(): void {
    const start = this.pos;
    if (this.scanNumber()) return this.emit('NUMBER', start);
    if (this.acceptRemainingDuration()) return this.emit('DURATION', start);
    throw new LexError(`bad number or duration syntax: ${quoteGo(this.input.slice(start, this.pos))}`, start);
  }

  accept(valid: string): boolean {
    const c = this.code();
    if (c >= 0 && valid.includes(String.fromCharCode(c))) {
      this.pos++;
      return true;
    }
    return false;
  }

  is(valid: string): boolean {
    const c = this.code();
    return c >= 0 && valid.includes(String.fromCharCode(c));
  }

  /**
   * Scans a number: decimal, `0x` hex, with `.`, exponent and `_` digit separators, each where
   * Prometheus allows it. Returns false (having consumed some input) when what follows is not a
   * complete number.
   */
  scanNumber(): boolean {
    const initial = this.pos;
    let digits = '0123456789';
    // As in Prometheus, a leading 0 stays consumed even when no x follows.
    if (this.accept('0') && this.accept('xX')) {
      this.accept('_');
      digits = '0123456789abcdefABCDEF';
    }
    this.accept('.');
    this.accept(digits);
    let dot = false;
    let exponent = false;
    while (this.is(digits + '._eE')) {
      if (this.is('.') && dot) {
        this.pos++;
        return false;
      }
      if (this.is('eE') && exponent) {
        this.pos++;
        return false;
      }
      if (this.accept('.')) {
        dot = true;
        if (this.accept('_.')) return false;
        if (digits.length > 10) return false; // no fractional hex literals
        continue;
      }
      if (this.accept('eE')) {
        exponent = true;
        this.accept('+-');
        if (this.accept('._eE') || this.pos >= this.input.length) return false;
        continue;
      }
      if (this.accept('_')) {
        if (this.accept('._eE') || this.pos >= this.input.length) return false;
        continue;
      }
      while (this.accept(digits)) {
        // consume the run
      }
    }
    if (this.pos === initial) return false;
    return !isAlphaNumeric(this.code());
  }

  /** After digits: a duration unit, then optionally more `<digits><unit>` terms. */
  acceptRemainingDuration(): boolean {
    if (!this.accept('smhdwy')) return false;
    this.accept('s');
    while (this.accept('0123456789')) {
      while (this.accept('0123456789')) {
        // consume the run
      }
      if (!this.accept('smhdw')) return false;
      this.accept('s');
    }
    const c = this.code();
    if (isAlphaNumeric(c)) {
      this.pos++; // Prometheus's error text includes the offending character
      return false;
    }
    return true;
  }

}

/**
 * Lexes a whole query. The result always ends with an EOF token, or with an ERROR token (text:
 * the message, start: its position) when the input does not lex.
 */
export function lex(input: string): Token[] {
  const l = new Lexer(input);
  try {
    l.run();
  } catch (e) {
    if (!(e instanceof LexError)) throw e;
    l.tokens.push({ type: 'ERROR', text: e.message, start: e.start, end: input.length });
  }
  return l.tokens;
}
