/**
 * Retries with exponential backoff and jitter, for requests to a remote object store.
 *
 * Attempt `n` (0-based) that fails with a retryable error waits a delay drawn uniformly from
 * `[d/2, d]` where `d = min(maxBackoffMs, minBackoffMs * 2^n)` ("equal jitter": the wait still
 * grows geometrically, and clients that failed together spread out), then tries again, at most
 * `maxRetries` times.
 */

/** How many times to retry and how long to wait between attempts. */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  readonly maxRetries: number;
  /** Upper bound of the first wait, in ms. */
  readonly minBackoffMs: number;
  /** Upper bound of any wait, in ms. */
  readonly maxBackoffMs: number;
}

/** What {@link withRetries} needs besides the operation. */
export interface RetryHooks {
  /** True when another attempt may succeed where `e` failed. */
  readonly retryable: (e: unknown) => boolean;
  /** Called before each retry with the failed attempt's number (0-based) and error. */
  readonly onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
  /** Source of randomness in [0, 1); tests pin it. */
  readonly random?: () => number;
}

/** The wait before retry number `attempt + 1`, per the module comment. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.minBackoffMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** The outcome of {@link withRetries} when every attempt failed. */
export class RetriesExhausted extends Error {
  /** Attempts made (1 + retries). */
  readonly attempts: number;
  /** Whether the last error was retryable (false: it stopped the retries early). */
  readonly transient: boolean;

  constructor(attempts: number, transient: boolean, cause: unknown) {
    super(`failed after ${attempts} attempt(s): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RetriesExhausted';
    this.attempts = attempts;
    this.transient = transient;
  }
}

/**
 * Runs `op` until it succeeds, a non-retryable error occurs, or the retries run out; then
 * rejects with {@link RetriesExhausted} whose `cause` is the last error. `op` receives the
 * attempt number and must be safe to repeat (each attempt re-sends the whole request).
 */
export async function withRetries<T>(policy: RetryPolicy, hooks: RetryHooks, op: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op(attempt);
    } catch (e) {
      const transient = hooks.retryable(e);
      if (!transient || attempt >= policy.maxRetries) throw new RetriesExhausted(attempt + 1, transient, e);
      const delay = backoffDelay(policy, attempt, hooks.random);
      hooks.onRetry?.(attempt, e, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
