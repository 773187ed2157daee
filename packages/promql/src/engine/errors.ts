/**
 * The error type of the PromQL engine.
 *
 * Every failure of a query is a PromQLError with a `kind` that decides how the API reports it
 * (Prometheus's `errorType`: bad_data for a query that can never succeed as written, execution
 * for one that failed while running, timeout, canceled) and a permanent kebab-case `code`.
 * Messages are Prometheus's own texts where Prometheus has one, because users and tests match on
 * them (`multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)`).
 */

/** Brand that marks PromQLError instances; survives duplicate copies of this module. */
const PROMQL_ERROR_BRAND: unique symbol = Symbol.for('@tessera/promql.PromQLError');

/** How a query failed, from the client's point of view. */
export type PromQLErrorKind = 'bad_data' | 'execution' | 'timeout' | 'canceled';

/**
 * The permanent codes a PromQLError carries. `parse-error`: the query does not parse;
 * `invalid-query`: it parses but cannot be run as asked (e.g. a range vector for a range query);
 * `too-many-samples`: over the engine's max-samples limit; `duplicate-labelset`: an operation
 * produced two series with the same labels; `many-to-many-matching` / `multiple-matches`:
 * vector matching found ambiguous partners; `invalid-argument`: a function argument out of its
 * domain (bad regex, bad label name, overflowing k); `storage`: the storage failed.
 */
export type PromQLErrorCode =
  | 'parse-error'
  | 'invalid-query'
  | 'too-many-samples'
  | 'duplicate-labelset'
  | 'many-to-many-matching'
  | 'multiple-matches'
  | 'invalid-argument'
  | 'storage'
  | 'query-timeout'
  | 'query-canceled';

/** Options of a PromQLError beyond kind, code and message. */
export interface PromQLErrorOptions {
  cause?: unknown;
}

/** PromQLError is the typed error every query failure is reported as. Use {@link PromQLError.is}. */
export class PromQLError extends Error {
  readonly kind: PromQLErrorKind;
  readonly code: PromQLErrorCode;
  readonly [PROMQL_ERROR_BRAND] = true;

  constructor(kind: PromQLErrorKind, code: PromQLErrorCode, message: string, options: PromQLErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PromQLError';
    this.kind = kind;
    this.code = code;
  }

  /** Reports whether `e` is a PromQLError (by brand, so it works across module copies). */
  static is(e: unknown): e is PromQLError {
    return typeof e === 'object' && e !== null && (e as { [PROMQL_ERROR_BRAND]?: unknown })[PROMQL_ERROR_BRAND] === true;
  }
}

/** Shorthand for an execution error (the query failed while running). */
export function executionError(code: PromQLErrorCode, message: string, cause?: unknown): PromQLError {
  return new PromQLError('execution', code, message, { cause });
}

/** The error for a query over the max-samples limit, with Prometheus's message. */
export function tooManySamplesError(): PromQLError {
  return executionError(
    'too-many-samples',
    'query processing would load too many samples into memory in query execution',
  );
}

/** The error for two series with one label set in a result, with Prometheus's message. */
export function duplicateLabelsetError(): PromQLError {
  return executionError('duplicate-labelset', 'vector cannot contain metrics with the same labelset');
}
