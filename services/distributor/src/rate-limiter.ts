/**
 * Per-tenant token-bucket rate limiter for ingestion, in samples per second with a burst, as
 * Mimir's local ingestion rate strategy (each distributor enforces the whole tenant limit; in the
 * cluster mode the limit is divided by the number of distributors by the caller).
 */

interface Bucket {
  tokens: number;
  last: number;
}

/** Token buckets keyed by tenant. */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  /**
   * Takes `n` tokens for `tenant` at time `nowMs` if available. `rate` ≤ 0 means unlimited.
   * A request larger than the burst can never pass; it is refused like any other over-limit one.
   */
  allow(tenant: string, nowMs: number, n: number, rate: number, burst: number): boolean {
    if (rate <= 0) return true;
    const cap = burst > 0 ? burst : rate;
    let b = this.#buckets.get(tenant);
    if (b === undefined) {
      b = { tokens: cap, last: nowMs };
      this.#buckets.set(tenant, b);
    }
    b.tokens = Math.min(cap, b.tokens + ((nowMs - b.last) / 1000) * rate);
    b.last = nowMs;
    if (n <= b.tokens) {
      b.tokens -= n;
      return true;
    }
    return false;
  }
}
