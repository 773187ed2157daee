/**
 * One S3 request with a deadline per attempt, retries, and errors mapped onto the object store's.
 *
 * The SDK's own retries are switched off (`maxAttempts: 1` in the client): retrying here covers
 * what the SDK cannot, such as reading a GET's body (a reset mid-body fails after `send` returned),
 * and lets every attempt be counted in the metrics.
 */
import { isObjectNotFound, objectNotFound, objectStoreError, objectStoreUnavailable } from './errors.ts';
import { RetriesExhausted, withRetries, type RetryPolicy } from './retry.ts';
import { isRetryableS3Error, isS3NotFound } from './s3-errors.ts';

/** Called before each retry of an operation (for metrics and logs). */
export type RetryListener = (operation: string, attempt: number, error: unknown) => void;

/** Thrown when an attempt outlives its deadline; retryable (its name is S3's timeout code). */
class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`request timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Runs S3 requests under one retry policy and per-attempt timeout. */
export class S3Requester {
  readonly #policy: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #onRetry: RetryListener | undefined;
  readonly #random: (() => number) | undefined;

  constructor(policy: RetryPolicy, timeoutMs: number, onRetry?: RetryListener, random?: () => number) {
    this.#policy = policy;
    this.#timeoutMs = timeoutMs;
    this.#onRetry = onRetry;
    this.#random = random;
  }

  /**
   * Runs `attempt` until it succeeds or fails for good. Each attempt gets a fresh signal that
   * aborts after the request timeout; `attempt` passes it to `client.send` and to any body read.
   * Errors: a missing object becomes `object-not-found` (never retried); transient failures that
   * outlast the retries become `object-store-unavailable`; the rest `object-store-error`.
   */
  async run<T>(operation: string, name: string, attempt: (signal: AbortSignal, n: number) => Promise<T>): Promise<T> {
    try {
      return await withRetries(
        this.#policy,
        {
          retryable: isRetryableS3Error,
          onRetry: (n, e) => this.#onRetry?.(operation, n, e),
          ...(this.#random === undefined ? {} : { random: this.#random }),
        },
        (n) => this.#once(attempt, n),
      );
    } catch (e) {
      const last = e instanceof RetriesExhausted ? e.cause : e;
      if (isObjectNotFound(last)) throw last;
      if (isS3NotFound(last)) throw objectNotFound(name, last);
      const what = `object store: ${operation} ${name === '' ? '' : `${name} `}failed`;
      if (e instanceof RetriesExhausted && e.transient) {
        throw objectStoreUnavailable(`${what} after ${e.attempts} attempts: ${messageOf(last)}`, last);
      }
      throw objectStoreError(`${what}: ${messageOf(last)}`, last);
    }
  }

  async #once<T>(attempt: (signal: AbortSignal, n: number) => Promise<T>, n: number): Promise<T> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new AttemptTimeout(this.#timeoutMs)), this.#timeoutMs);
    try {
      return await attempt(ctl.signal, n);
    } catch (e) {
      // The SDK reports our abort as its own AbortError; report the timeout instead.
      if (ctl.signal.aborted) throw ctl.signal.reason;
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}
