/**
 * The errors the query runner reports: every failure becomes a TesseraError whose kind decides
 * the HTTP status and Prometheus `errorType` (bad_data 400, execution 422, timeout 503,
 * canceled 499, internal 500) and whose code is permanent.
 */
import { TesseraError } from '@tessera/server';
import type { ExecFailure } from './query-exec.ts';

/** Converts a failure described by an evaluation (in a worker or not) into a TesseraError. */
export function failureToError(f: ExecFailure): TesseraError {
  return new TesseraError(f.kind, f.code, f.message);
}

/** A query canceled by its client while `where` (e.g. "query queue"). */
export function canceledError(where: string): TesseraError {
  return new TesseraError('canceled', 'query-canceled', `query was canceled in ${where}`);
}

/** A query that ran out of time while `where`. */
export function timeoutError(where: string): TesseraError {
  return new TesseraError('timeout', 'query-timeout', `query timed out in ${where}`);
}

/** A query whose worker thread died (a crash, or out of memory). */
export function workerCrashedError(detail: string): TesseraError {
  return new TesseraError('internal', 'query-worker-crashed', `internal error: the query worker failed: ${detail}`);
}

/** The querier is shutting down. */
export function closedError(): TesseraError {
  return new TesseraError('unavailable', 'querier-stopping', 'the querier is shutting down; retry');
}
