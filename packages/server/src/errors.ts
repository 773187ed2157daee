/**
 * The error model shared by every service.
 *
 * Every error that reaches a client is a {@link TesseraError}: it carries a permanent kebab-case
 * `code` (documented, never renamed: users grep logs and runbooks for it), a `kind` that decides
 * the HTTP status in exactly one place ({@link httpStatusForKind}), and an optional `cause`.
 * Errors are recognised by a brand symbol rather than `instanceof`, so that two copies of this
 * package (or errors crossing worker threads as plain objects) still work.
 */

/** What went wrong, from the client's point of view. The kind alone determines the HTTP status. */
export type ErrorKind =
  | 'bad_data' // the request will never succeed as sent: 400, senders drop it
  | 'unauthorized' // no or bad credentials / tenant: 401
  | 'forbidden' // authenticated but not allowed: 403
  | 'tenant_limit' // a per-tenant limit refuses the data or query: 400 (422 for queries)
  | 'rate_limited' // over the ingestion rate: 429, senders retry later
  | 'too_large' // body over the size limit: 413
  | 'unsupported_media' // wrong content type: 415
  | 'execution' // a query failed while running: 422
  | 'timeout' // a query ran out of time: 503
  | 'canceled' // the client went away: 499
  | 'unavailable' // retrying can help (not ready, shutting down, quorum lost): 503
  | 'not_found' // 404
  | 'method_not_allowed' // 405
  | 'internal'; // a bug or an I/O failure: 500, never a 4xx, so senders retry

const BRAND = Symbol.for('tessera.error');

/** Maps an error kind to its HTTP status code. The only place where this mapping lives. */
export function httpStatusForKind(kind: ErrorKind): number {
  switch (kind) {
    case 'bad_data':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'tenant_limit':
      return 400;
    case 'rate_limited':
      return 429;
    case 'too_large':
      return 413;
    case 'unsupported_media':
      return 415;
    case 'execution':
      return 422;
    case 'timeout':
      return 503;
    case 'canceled':
      return 499;
    case 'unavailable':
      return 503;
    case 'not_found':
      return 404;
    case 'method_not_allowed':
      return 405;
    case 'internal':
      return 500;
  }
}

/** Options of a {@link TesseraError}. */
export interface TesseraErrorOptions {
  cause?: unknown;
  /** Overrides the status that the kind implies (rarely needed; e.g. 202 for HA replica drops). */
  status?: number;
}

/** A client-facing error with a permanent code, a kind and an optional cause. */
export class TesseraError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly status: number;
  readonly [BRAND] = true;

  constructor(kind: ErrorKind, code: string, message: string, options: TesseraErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TesseraError';
    this.kind = kind;
    this.code = code;
    this.status = options.status ?? httpStatusForKind(kind);
  }

  /** Brand check: true for any TesseraError, whichever copy of the module created it. */
  static is(e: unknown): e is TesseraError {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
  }
}

/**
 * Converts anything thrown into a TesseraError: TesseraErrors pass through, everything else is an
 * internal error (500), so an unexpected failure is never reported as the client's fault.
 */
export function toTesseraError(e: unknown): TesseraError {
  if (TesseraError.is(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new TesseraError('internal', 'internal-error', `internal error: ${msg}`, { cause: e });
}
