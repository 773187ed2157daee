/**
 * Object name rules and the listing order shared by every backend.
 *
 * A valid name is `seg(/seg)*` where no segment is empty, `.` or `..`, and no segment contains
 * NUL or the temporary-file marker ({@link TEMP_MARKER}), which the filesystem backend reserves
 * for uploads in progress. The same rules apply to S3 so that a name valid on one backend is
 * valid on the other.
 */
import { invalidObjectName } from './errors.ts';

/**
 * Marks an upload in progress in the filesystem backend: `<segment>.tessera-tmp-<hex>`.
 * Names containing it are refused, so a temporary file can never be mistaken for an object.
 */
export const TEMP_MARKER = '.tessera-tmp-';

/** Why `name` is not a valid object name, or undefined when it is. */
function nameProblem(name: string): string | undefined {
  if (name === '') return 'empty';
  if (name.startsWith('/')) return 'starts with "/"';
  if (name.endsWith('/')) return 'ends with "/"';
  if (name.includes('\0')) return 'contains NUL';
  if (name.includes(TEMP_MARKER)) return `contains the reserved marker ${JSON.stringify(TEMP_MARKER)}`;
  for (const seg of name.split('/')) {
    if (seg === '') return 'has an empty segment ("//")';
    if (seg === '.' || seg === '..') return 'has a "." or ".." segment';
  }
  return undefined;
}

/** Returns `name` when it is a valid object name; throws `invalid-object-name` otherwise. */
export function checkObjectName(name: string): string {
  const problem = nameProblem(name);
  if (problem !== undefined) throw invalidObjectName(name, problem);
  return name;
}

/**
 * The listing prefix of directory `dir`: `''` for the root, else the directory with exactly one
 * trailing `/`. Throws `invalid-object-name` for a malformed directory.
 */
export function dirPrefix(dir: string): string {
  if (dir === '' || dir === '/') return '';
  const trimmed = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  checkObjectName(trimmed);
  return `${trimmed}/`;
}

/**
 * Orders names by their UTF-8 bytes, as S3 lists keys. (JavaScript's `<` compares UTF-16 code
 * units, which differs for characters outside the Basic Multilingual Plane.)
 */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** True when `offset` and `length` are non-negative safe integers (a valid byte range request). */
export function isValidRange(offset: number, length: number): boolean {
  return Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0;
}
