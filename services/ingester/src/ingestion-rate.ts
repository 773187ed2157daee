/**
 * Per-tenant ingestion rate: samples appended per second, smoothed as an exponentially weighted
 * moving average over about a minute (the figure Mimir's `user_stats` reports). Appends only add
 * to a counter; {@link IngestionRates.tick}, run every `tickMs`, turns the counts into rates.
 */

/** Smoothing window: a rate change shows about 63% after this long. */
const WINDOW_MS = 60_000;

interface TenantRate {
  pending: number;
  rate: number;
  seeded: boolean;
}

/** Ingestion rates of every tenant that appended since start. */
export class IngestionRates {
  readonly #tickMs: number;
  readonly #alpha: number;
  readonly #tenants = new Map<string, TenantRate>();

  constructor(tickMs = 5_000) {
    this.#tickMs = tickMs;
    this.#alpha = 1 - Math.exp(-tickMs / WINDOW_MS);
  }

  /** Counts `n` samples appended for `tenant`. */
  add(tenant: string, n: number): void {
    let r = this.#tenants.get(tenant);
    if (r === undefined) {
      r = { pending: 0, rate: 0, seeded: false };
      this.#tenants.set(tenant, r);
    }
    r.pending += n;
  }

  /** Folds the counts since the last tick into the rates. */
  tick(): void {
    for (const r of this.#tenants.values()) {
      const instant = (r.pending * 1000) / this.#tickMs;
      r.pending = 0;
      if (!r.seeded) {
        r.rate = instant;
        r.seeded = true;
      } else r.rate += this.#alpha * (instant - r.rate);
    }
  }

  /** Samples per second appended for `tenant` (0 when it never appended). */
  rate(tenant: string): number {
    return this.#tenants.get(tenant)?.rate ?? 0;
  }

  /** The tick period in ms. */
  get tickMs(): number {
    return this.#tickMs;
  }
}
