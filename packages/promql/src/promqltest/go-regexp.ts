/**
 * Go `regexp` semantics for the test format's `expected_fail_regexp` and `expect … regex:`
 * lines: RE2 syntax, unanchored search (`MatchString`), `.` not matching a newline. Runs on
 * re2js, so patterns mean what they mean to Prometheus's runner (not V8's RegExp dialect).
 */
import { RE2JS } from 're2js';

/** A compiled Go regular expression. */
export interface GoRegexp {
  /** The pattern as written. */
  readonly source: string;
  /** Whether the pattern matches any part of `s`. */
  test(s: string): boolean;
}

/** Compiles `pattern`; throws on a syntax error. */
export function compileGoRegexp(pattern: string): GoRegexp {
  const re = RE2JS.compile(pattern);
  return { source: pattern, test: (s) => re.test(s) };
}
