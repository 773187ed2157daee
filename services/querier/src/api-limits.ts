/**
 * The per-tenant query limits the HTTP layer enforces before a query reaches the runner, with
 * Mimir-style messages that name the limit's ID and the flag that changes it:
 *
 * - max total query length (`end - start` of a range query) → 400;
 * - max partial query length (the whole span of data the query reads, lookback and selector
 *   ranges included, as Mimir's querier checks it) → 400;
 * - max query lookback: the start of a query is moved forward to the first step inside the
 *   window (keeping the `start + k·step` grid), a query wholly before it answers empty;
 * - max concurrent queries per tenant → 429.
 *
 * Fetched series, fetched chunks and samples are enforced by the runner, which sees the data.
 */
import { formatDuration } from '@tessera/model';
import { TesseraError } from '@tessera/server';
import type { SelectorRange } from './selector-ranges.ts';

/** Throws when a range query's `end - start` exceeds `-query-frontend.max-total-query-length`. */
export function checkTotalQueryLength(startMs: number, endMs: number, limitMs: number): void {
  const length = endMs - startMs;
  if (limitMs > 0 && length > limitMs) {
    throw new TesseraError(
      'tenant_limit',
      'max-total-query-length',
      `the total query time range exceeds the limit (query length: ${formatDuration(length)}, limit: ${formatDuration(limitMs)}) (max-total-query-length). ` +
        'To adjust the related per-tenant limit, configure -query-frontend.max-total-query-length, or contact your service administrator.',
    );
  }
}

/**
 * Throws when the span of data a query reads (from the earliest to the latest sample any of its
 * selectors reads, as the querier would fetch it) exceeds `-querier.max-partial-query-length`.
 */
export function checkPartialQueryLength(ranges: readonly SelectorRange[], limitMs: number): void {
  if (ranges.length === 0 || limitMs <= 0) return;
  let mint = Infinity;
  let maxt = -Infinity;
  for (const r of ranges) {
    if (r.mint < mint) mint = r.mint;
    if (r.maxt > maxt) maxt = r.maxt;
  }
  // Ranges are inclusive at both ends: [t − lookback + 1, t] spans exactly the lookback.
  const length = maxt - mint + 1;
  if (length > limitMs) {
    throw new TesseraError(
      'tenant_limit',
      'max-query-length',
      `the query time range exceeds the limit (query length: ${formatDuration(length)}, limit: ${formatDuration(limitMs)}) (max-query-length). ` +
        'To adjust the related per-tenant limit, configure -querier.max-partial-query-length, or contact your service administrator.',
    );
  }
}

/**
 * Applies `-querier.max-query-lookback` to a range query's grid: the first evaluation step at or
 * after `nowMs - lookbackMs`, or null when every step lies before it. With no limit, `startMs`.
 */
export function clampRangeStart(startMs: number, endMs: number, stepMs: number, nowMs: number, lookbackMs: number): number | null {
  if (lookbackMs <= 0) return startMs;
  const floor = nowMs - lookbackMs;
  if (startMs >= floor) return startMs;
  const clamped = startMs + Math.ceil((floor - startMs) / stepMs) * stepMs;
  return clamped > endMs ? null : clamped;
}

/** The earliest timestamp `-querier.max-query-lookback` lets a tenant read; -Infinity without a limit. */
export function lookbackFloor(nowMs: number, lookbackMs: number): number {
  return lookbackMs > 0 ? nowMs - lookbackMs : -Infinity;
}

/**
 * Counts each tenant's queries in flight and refuses one over
 * `-querier.max-concurrent-queries-per-tenant`. Event-loop only: no locking needed.
 */
export class TenantConcurrency {
  readonly #running = new Map<string, number>();
  #total = 0;

  /** Queries running now, over all tenants. */
  get total(): number {
    return this.#total;
  }

  /**
   * Takes a slot for `tenant`, or throws a 429 TesseraError when it already runs `limit` queries
   * (0 = no limit). Every successful call must be paired with {@link release}.
   */
  acquire(tenant: string, limit: number): void {
    const n = this.#running.get(tenant) ?? 0;
    if (limit > 0 && n >= limit) {
      throw new TesseraError(
        'rate_limited',
        'max-concurrent-queries-per-tenant',
        `the query was rejected because the tenant already runs ${n} queries, the most it may run at once (max-concurrent-queries-per-tenant). ` +
          'Retry later; to adjust the related per-tenant limit, configure -querier.max-concurrent-queries-per-tenant, or contact your service administrator.',
      );
    }
    this.#running.set(tenant, n + 1);
    this.#total++;
  }

  /** Gives back a slot taken by {@link acquire}. */
  release(tenant: string): void {
    const n = this.#running.get(tenant) ?? 0;
    if (n <= 1) this.#running.delete(tenant);
    else this.#running.set(tenant, n - 1);
    this.#total--;
  }
}
