/**
 * The errors a numeric kernel raises when its arguments make the whole query fail, as
 * Prometheus's engine does (it panics with these messages and reports an execution error). The
 * evaluator converts a {@link FunctionError} into its own error type with kind `execution`,
 * keeping `message`, which is Prometheus's text.
 */

/** The stable identifiers of {@link FunctionError}s. */
export type FunctionErrorCode =
  | 'invalid-smoothing-factor'
  | 'invalid-trend-factor'
  | 'scalar-overflows-int64'
  | 'ratio-is-nan';

const BRAND = Symbol.for('tessera.promql.FunctionError');

/** A query-failing argument error raised by a PromQL function kernel. */
export class FunctionError extends Error {
  /** Permanent kebab-case identifier. */
  readonly code: FunctionErrorCode;
  /** Always `execution`: Prometheus reports these as execution errors (HTTP 422). */
  readonly kind = 'execution' as const;
  readonly [BRAND] = true;

  constructor(code: FunctionErrorCode, message: string) {
    super(message);
    this.name = 'FunctionError';
    this.code = code;
  }

  /** Brand check that works across module copies (no reliance on `instanceof`). */
  static is(e: unknown): e is FunctionError {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
  }
}
