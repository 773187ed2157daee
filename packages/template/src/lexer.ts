/**
 * Lexer for Go's text/template syntax with the standard delimiters `{{` and `}}`.
 *
 * It produces the token stream of Go's lexer (text, delimiters, spaces inside actions, fields,
 * variables, literals, keywords) including trim markers (`{{- ` and ` -}}` remove the adjacent
 * white space of the surrounding text) and comments (`{{/* … *\/}}`, dropped). Lexing stops at the
 * first error, which becomes an `error` token carrying Go's message; since the parser consumes
 * tokens in order, it reports whichever comes first, as Go's concurrent lexer/parser pair does.
 */
import { quoteGo } from '@tessera/model';

/** Token types (Go's itemType). Keywords come after `keyword` in KEYWORDS. */
export type ItemType =
  | 'error' | 'bool' | 'char' | 'charConstant' | 'complex' | 'assign' | 'declare' | 'eof' | 'field'
  | 'identifier' | 'leftDelim' | 'leftParen' | 'number' | 'pipe' | 'rawString' | 'rightDelim'
  | 'rightParen' | 'space' | 'string' | 'text' | 'variable'
  | 'block' | 'break' | 'continue' | 'dot' | 'define' | 'else' | 'end' | 'if' | 'nil' | 'range'
  | 'template' | 'with';

/** One token: its type, its text, its offset (UTF-16 index) in the input and its line (1-based). */
export interface Item {
  typ: ItemType;
  val: string;
  pos: number;
  line: number;
}

const KEYWORDS: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
  ['.', 'dot'], ['block', 'block'], ['break', 'break'], ['continue', 'continue'], ['define', 'define'],
  ['else', 'else'], ['end', 'end'], ['if', 'if'], ['nil', 'nil'], ['range', 'range'],
  ['template', 'template'], ['with', 'with'],
]);
const KEYWORD_TYPES = new Set<ItemType>(KEYWORDS.values());

/** Go's item.String(), used in parse error messages. */
export function itemString(i: Item): string {
  if (i.typ === 'eof') return 'EOF';
  if (i.typ === 'error') return i.val;
  if (KEYWORD_TYPES.has(i.typ)) return `<${i.val}>`;
  const runes = [...i.val];
  if (runes.length > 10) return quoteGo(runes.slice(0, 10).join('')) + '...';
  return quoteGo(i.val);
}

const LEFT = '{{';
const RIGHT = '}}';

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

const ALNUM = /^[_\p{L}\p{Nd}]$/u;
function isAlphaNumeric(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 0x80) return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
  return ALNUM.test(c);
}

/** Go's %#U: `U+0041 'A'` for printable runes, `U+0001` otherwise. */
export function formatRune(c: string): string {
  const cp = c.codePointAt(0)!;
  const u = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c) ? `${u} '${c}'` : u;
}

class LexError extends Error {}

/**
 * Lexes `input` completely. The returned list ends with an `eof` or an `error` token.
 * `breakOK`/`continueOK` say whether `break`/`continue` are keywords (they are unless a function
 * of that name exists).
 */
export function lex(input: string, opts: { breakOK: boolean; continueOK: boolean }): Item[] {
  const items: Item[] = [];
  const nl: number[] = []; // offsets of newlines, for line numbers
  for (let i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n', i + 1)) nl.push(i);
  const lineAt = (pos: number): number => {
    let lo = 0, hi = nl.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (nl[mid]! < pos) lo = mid + 1; else hi = mid;
    }
    return lo + 1;
  };
  let pos = 0;
  let start = 0;
  let parenDepth = 0;
  const emit = (typ: ItemType, val = input.slice(start, pos)): void => {
    items.push({ typ, val, pos: start, line: lineAt(start) });
    start = pos;
  };
  const fail = (msg: string): never => {
    items.push({ typ: 'error', val: msg, pos: start, line: lineAt(start) });
    throw new LexError(msg);
  };
  const ch = (p = pos): string | undefined => {
    if (p >= input.length) return undefined;
    const c = input.charCodeAt(p);
    if (c < 0xd800 || c > 0xdbff) return input[p];
    return String.fromCodePoint(input.codePointAt(p)!);
  };
  const next = (): string | undefined => {
    const c = ch();
    if (c !== undefined) pos += c.length;
    return c;
  };
  const hasLeftTrim = (p: number): boolean => input[p] === '-' && isSpace(input[p + 1]);
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (isSpace(input[pos]) && input[pos + 1] === '-' && input.startsWith(RIGHT, pos + 2)) return { delim: true, trim: true };
    return { delim: input.startsWith(RIGHT, pos), trim: false };
  };
  const skipLeadingSpace = (): void => {
    while (isSpace(input[pos])) pos++;
  };
  const atTerminator = (): boolean => {
    const c = input[pos];
    if (c === undefined || isSpace(c)) return true;
    if ('.,|:)('.includes(c)) return true;
    return input.startsWith(RIGHT, pos);
  };

  const accept = (valid: string): boolean => {
    const c = input[pos];
    if (c !== undefined && valid.includes(c)) { pos++; return true; }
    return false;
  };
  const acceptRun = (valid: string): void => {
    while (accept(valid)) { /* absorb */ }
  };
  const scanNumber = (): boolean => {
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) { accept('+-'); acceptRun('0123456789_'); }
    if (digits.length === 23 && accept('pP')) { accept('+-'); acceptRun('0123456789_'); }
    accept('i');
    if (isAlphaNumeric(ch())) { next(); return false; }
    return true;
  };

  const lexFieldOrVariable = (typ: 'field' | 'variable'): void => {
    if (atTerminator()) {
      emit(typ === 'variable' ? 'variable' : 'dot');
      return;
    }
    let c: string | undefined;
    for (;;) {
      c = ch();
      if (!isAlphaNumeric(c)) break;
      next();
    }
    if (!atTerminator()) fail(`bad character ${formatRune(c ?? '')}`);
    emit(typ);
  };

  const lexInsideAction = (): void => {
    for (;;) {
      const rd = atRightDelim();
      if (rd.delim) {
        if (parenDepth !== 0) fail('unclosed left paren');
        if (rd.trim) { pos += 2; start = pos; }
        pos += RIGHT.length;
        emit('rightDelim');
        if (rd.trim) { skipLeadingSpace(); start = pos; }
        return;
      }
      const c = next();
      if (c === undefined) fail('unclosed action');
      else if (isSpace(c)) {
        let numSpaces = 1;
        while (isSpace(input[pos])) { pos++; numSpaces++; }
        // A space before "-}}" belongs to the trim marker.
        if (input[pos] === '-' && input.startsWith(RIGHT, pos + 1)) {
          pos--;
          if (numSpaces === 1) continue;
        }
        emit('space');
      } else if (c === '=') emit('assign');
      else if (c === ':') {
        if (next() !== '=') fail('expected :=');
        emit('declare');
      } else if (c === '|') emit('pipe');
      else if (c === '"') {
        for (;;) {
          const d = next();
          if (d === '\\') {
            const e = next();
            if (e !== undefined && e !== '\n') continue;
            fail('unterminated quoted string');
          }
          if (d === undefined || d === '\n') fail('unterminated quoted string');
          if (d === '"') break;
        }
        emit('string');
      } else if (c === '`') {
        for (;;) {
          const d = next();
          if (d === undefined) fail('unterminated raw quoted string');
          if (d === '`') break;
        }
        emit('rawString');
      } else if (c === '$') lexFieldOrVariable('variable');
      else if (c === "'") {
        for (;;) {
          const d = next();
          if (d === '\\') {
            const e = next();
            if (e !== undefined && e !== '\n') continue;
            fail('unterminated character constant');
          }
          if (d === undefined || d === '\n') fail('unterminated character constant');
          if (d === "'") break;
        }
        emit('charConstant');
      } else if (c === '.' && pos < input.length && !(input[pos]! >= '0' && input[pos]! <= '9')) {
        lexFieldOrVariable('field');
      } else if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        pos = start;
        if (!scanNumber()) fail(`bad number syntax: ${quoteGo(input.slice(start, pos))}`);
        const sign = input[pos];
        if (sign === '+' || sign === '-') {
          if (!scanNumber() || input[pos - 1] !== 'i') fail(`bad number syntax: ${quoteGo(input.slice(start, pos))}`);
          emit('complex');
        } else emit('number');
      } else if (isAlphaNumeric(c)) {
        while (isAlphaNumeric(ch())) next();
        const word = input.slice(start, pos);
        if (!atTerminator()) fail(`bad character ${formatRune(ch() ?? '')}`);
        const kw = KEYWORDS.get(word);
        if (kw !== undefined && kw !== 'dot') {
          if ((kw === 'break' && !opts.breakOK) || (kw === 'continue' && !opts.continueOK)) emit('identifier');
          else emit(kw);
        } else if (word === 'true' || word === 'false') emit('bool');
        else emit('identifier');
      } else if (c === '(') {
        emit('leftParen');
        parenDepth++;
      } else if (c === ')') {
        // Go emits the parenthesis before reporting it, so the parser usually complains first.
        emit('rightParen');
        parenDepth--;
        if (parenDepth < 0) fail(`unexpected right paren ${formatRune(c)}`);
      } else if (c.codePointAt(0)! < 0x7f && c.codePointAt(0)! >= 0x20) emit('char');
      else fail(`unrecognized character in action: ${formatRune(c)}`);
    }
  };

  try {
    for (;;) {
      const x = input.indexOf(LEFT, pos);
      if (x < 0) {
        pos = input.length;
        if (pos > start) emit('text');
        emit('eof');
        return items;
      }
      pos = x;
      let end = pos;
      if (hasLeftTrim(x + LEFT.length)) {
        while (end > start && isSpace(input[end - 1])) end--;
      }
      if (end > start) items.push({ typ: 'text', val: input.slice(start, end), pos: start, line: lineAt(start) });
      start = pos;
      // Left delimiter.
      pos += LEFT.length;
      const trim = hasLeftTrim(pos);
      const after = trim ? 2 : 0;
      if (input.startsWith('/*', pos + after)) {
        pos += after;
        start = pos;
        const close = input.indexOf('*/', pos + 2);
        if (close < 0) fail('unclosed comment');
        pos = close + 2;
        const rd = atRightDelim();
        if (!rd.delim) fail('comment ends before closing delimiter');
        if (rd.trim) pos += 2;
        pos += RIGHT.length;
        if (rd.trim) skipLeadingSpace();
        start = pos;
        continue;
      }
      emit('leftDelim');
      pos += after;
      start = pos;
      parenDepth = 0;
      lexInsideAction();
    }
  } catch (e) {
    if (e instanceof LexError) return items;
    throw e;
  }
}
