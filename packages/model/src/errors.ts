/**
 * The error type of the model package.
 *
 * Every failure this package reports (a bad duration, a duplicate label name, a regexp that does
 * not compile, a selector that does not parse) is a ModelError with a permanent kebab-case `code`.
 * Callers map codes to their own error model; all of them describe bad input (HTTP 400).
 */

/** Brand that marks ModelError instances; survives duplicate copies of this module. */
const MODEL_ERROR_BRAND: unique symbol = Symbol.for('@tessera/model.ModelError');

/** The permanent codes a ModelError carries. */
export type ModelErrorCode =
  | 'invalid-duration'
  | 'duplicate-label-name'
  | 'invalid-label-encoding'
  | 'invalid-regexp'
  | 'parse-error';

/** Options of a ModelError beyond its code and message. */
export interface ModelErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Offset (in UTF-16 code units) into the parsed input where the problem was found. */
  position?: number;
}

/**
 * ModelError is the typed error thrown by this package: a stable `code` plus a human message.
 * Use {@link ModelError.is} rather than `instanceof` to recognise it.
 */
export class ModelError extends Error {
  /** Permanent, machine-readable identifier of the failure. */
  readonly code: ModelErrorCode;
  /** Offset into the parsed input, for parse errors; undefined otherwise. */
  readonly position: number | undefined;
  readonly [MODEL_ERROR_BRAND] = true;

  constructor(code: ModelErrorCode, message: string, options: ModelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModelError';
    this.code = code;
    this.position = options.position;
  }

  /** Reports whether `e` is a ModelError (by brand, so it works across module copies). */
  static is(e: unknown): e is ModelError {
    return typeof e === 'object' && e !== null && (e as { [MODEL_ERROR_BRAND]?: unknown })[MODEL_ERROR_BRAND] === true;
  }
}
