/**
 * `api/v1/user_stats` (Mimir's path, under the Prometheus prefix): the calling tenant's
 * in-memory series and ingestion rate (samples per second, smoothed over about a minute).
 *
 * From every ingester that may hold the tenant: series and rates are summed and divided by the
 * replication factor (each sample is appended by that many ingesters). Tessera's ingesters do
 * not tell remote-write from rule results apart, so only the total rate is reported.
 */
import type { FastifyInstance } from 'fastify';
import { resolveTenant, type TenantResolverConfig } from '@tessera/server';
import type { UserStats } from '@tessera/ingester';
import { routeGetOnly } from './api-http.ts';

/** Where one ingester's figures come from: the in-process ingester, or an RPC client. */
export interface UserStatsReader {
  userStats(tenant: string): UserStats | Promise<UserStats>;
}

/** Sums the figures of several ingesters and divides by the copies of each series. */
export function mergeUserStats(parts: readonly UserStats[], replicationFactor: number): UserStats {
  const rf = Math.max(1, Math.min(replicationFactor, parts.length));
  let numSeries = 0;
  let ingestionRate = 0;
  for (const p of parts) {
    numSeries += p.numSeries;
    ingestionRate += p.ingestionRate;
  }
  return { numSeries: Math.round(numSeries / rf), ingestionRate: ingestionRate / rf };
}

/** Registers `GET <prefix>/api/v1/user_stats`. */
export function registerUserStatsApi(
  app: FastifyInstance,
  readers: () => readonly UserStatsReader[],
  cfg: TenantResolverConfig & { prefix: string; replicationFactor: number },
): void {
  const p = cfg.prefix.replace(/\/+$/, '');
  routeGetOnly(app, `${p}/api/v1/user_stats`, async (req) => {
    const tenant = resolveTenant(req.headers, cfg);
    const parts = await Promise.all(readers().map((r) => r.userStats(tenant)));
    const s = mergeUserStats(parts, cfg.replicationFactor);
    return { status: 'success', data: { numSeries: s.numSeries, ingestionRate: s.ingestionRate } };
  });
}
