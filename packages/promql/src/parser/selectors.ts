/**
 * Vector selectors: `name`, `name{matchers}`, `{matchers}`, with Prometheus 3's quoted names
 * (`{"metric.name", "label.name"="v"}`).
 *
 * The matcher list keeps the written order, with the `__name__` matcher of a name written before
 * the braces first. The checks that need the whole selector (metric name given twice, at least
 * one non-empty matcher) run later, in the type-check pass, as in Prometheus.
 */
import { METRIC_NAME_LABEL, Matcher, ModelError } from '@tessera/model';
import type { MatchType } from '@tessera/model';
import type { VectorSelector } from './ast.ts';
import { unquoteString } from './literals.ts';
import type { Token, TokenType } from './token.ts';
import type { TokenStream } from './token-stream.ts';

const MATCH_OPS: Readonly<Partial<Record<TokenType, MatchType>>> = {
  EQL: '=', NEQ: '!=', EQL_REGEX: '=~', NEQ_REGEX: '!~',
};

function newMatcher(ts: TokenStream, type: MatchType, name: string, value: string, start: number, end: number): Matcher {
  try {
    return Matcher.create(type, name, value);
  } catch (e) {
    if (ModelError.is(e)) throw ts.error(start, end, e.message);
    throw e;
  }
}

/** Parses the matchers after `{` (already consumed) up to and including `}`. */
function parseMatchers(ts: TokenStream, out: Matcher[]): void {
  for (;;) {
    let t = ts.peek();
    if (t.type === 'RIGHT_BRACE') {
      ts.next();
      return;
    }
    if (t.type !== 'IDENTIFIER' && t.type !== 'STRING') {
      throw ts.unexpected(t, 'label matching', 'identifier or "}"');
    }
    const nameTok = ts.next();
    const name = nameTok.type === 'STRING' ? unquoteString(nameTok.text) : nameTok.text;
    t = ts.peek();
    const op = MATCH_OPS[t.type];
    if (op === undefined) {
      if (nameTok.type !== 'STRING' || (t.type !== 'COMMA' && t.type !== 'RIGHT_BRACE')) {
        throw ts.unexpected(t, 'label matching', 'label matching operator');
      }
      // A lone quoted string names the metric (Prometheus 3).
      out.push(newMatcher(ts, '=', METRIC_NAME_LABEL, name, nameTok.start, nameTok.end));
    } else {
      ts.next();
      const valueTok = ts.peek();
      if (valueTok.type !== 'STRING') throw ts.unexpected(valueTok, 'label matching', 'string');
      ts.next();
      out.push(newMatcher(ts, op, name, unquoteString(valueTok.text), nameTok.start, valueTok.end));
    }
    t = ts.peek();
    if (t.type === 'COMMA') ts.next();
    else if (t.type !== 'RIGHT_BRACE') throw ts.unexpected(t, 'label matching', '"," or "}"');
  }
}

/**
 * Parses a vector selector whose metric-name token `nameTok` (if any) has been consumed; the
 * current token is `{` when matchers follow.
 */
export function parseVectorSelector(ts: TokenStream, nameTok: Token | null): VectorSelector {
  const matchers: Matcher[] = [];
  let start = 0;
  let end = 0;
  if (nameTok !== null) {
    matchers.push(Matcher.create('=', METRIC_NAME_LABEL, nameTok.text));
    start = nameTok.start;
    end = nameTok.end;
  }
  const brace = ts.accept('LEFT_BRACE');
  if (brace !== null) {
    if (nameTok === null) start = brace.start;
    parseMatchers(ts, matchers);
    end = ts.lastClosing;
  }
  return {
    type: 'VectorSelector',
    name: nameTok === null ? null : nameTok.text,
    matchers,
    offsetMs: 0,
    at: null,
    pos: { start, end },
  };
}
