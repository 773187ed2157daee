/**
 * The errors the object store raises. Codes are permanent (runbooks and alerts name them):
 *
 * | code                       | kind        | meaning                                                  |
 * |----------------------------|-------------|----------------------------------------------------------|
 * | `object-not-found`         | not_found   | the object does not exist                                |
 * | `invalid-object-name`      | bad_data    | a name the store refuses (empty segment, `..`, …)        |
 * | `invalid-object-range`     | bad_data    | a negative or non-integer offset or length               |
 * | `object-store-unavailable` | unavailable | a transient failure (5xx, timeout, network) outlasted retries |
 * | `object-store-error`       | internal    | any other failure (permissions, missing bucket, disk I/O) |
 */
import { TesseraError } from '@tessera/server';

/** The error code of a missing object. */
export const OBJECT_NOT_FOUND = 'object-not-found';

/** A `not_found` error for object `name`. */
export function objectNotFound(name: string, cause?: unknown): TesseraError {
  return new TesseraError('not_found', OBJECT_NOT_FOUND, `object not found: ${name}`, { cause });
}

/** True when `e` says that an object does not exist (brand-checked, works across package copies). */
export function isObjectNotFound(e: unknown): boolean {
  return TesseraError.is(e) && e.code === OBJECT_NOT_FOUND;
}

/** A `bad_data` error for a name the store refuses. */
export function invalidObjectName(name: string, why: string): TesseraError {
  return new TesseraError('bad_data', 'invalid-object-name', `invalid object name ${JSON.stringify(name)}: ${why}`);
}

/** A `bad_data` error for a bad byte range. */
export function invalidObjectRange(name: string, offset: number, length: number): TesseraError {
  return new TesseraError(
    'bad_data',
    'invalid-object-range',
    `invalid range of object ${name}: offset ${offset} and length ${length} must be non-negative integers`,
  );
}

/** An `unavailable` error: a transient failure that lasted through every retry. */
export function objectStoreUnavailable(message: string, cause: unknown): TesseraError {
  return new TesseraError('unavailable', 'object-store-unavailable', message, { cause });
}

/** An `internal` error: a failure that retrying would not fix. */
export function objectStoreError(message: string, cause: unknown): TesseraError {
  return new TesseraError('internal', 'object-store-error', message, { cause });
}
