import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createHttpServer, createLogger } from '@tessera/server';
import type { UserStats } from '@tessera/ingester';
import { mergeUserStats, registerUserStatsApi, type UserStatsReader } from './api-user-stats.ts';

const stats = new Map<string, UserStats>([['team-a', { numSeries: 120, ingestionRate: 2000 }]]);
const reader: UserStatsReader = { userStats: (t) => stats.get(t) ?? { numSeries: 0, ingestionRate: 0 } };

function appWith(readers: readonly UserStatsReader[], replicationFactor: number) {
  const app = createHttpServer({ logger: createLogger({ level: 'silent' }), registry: new Registry(), bodyLimitBytes: 1 << 20 });
  registerUserStatsApi(app, () => readers, { authEnabled: true, prefix: '/prometheus', replicationFactor });
  return app;
}
const single = appWith([reader], 1);
const cluster = appWith([reader, reader, reader], 3);
afterAll(async () => {
  await single.close();
  await cluster.close();
});

describe('GET /prometheus/api/v1/user_stats', () => {
  it("answers the tenant's series and ingestion rate, counting replicas once", async () => {
    for (const app of [single, cluster]) {
      const res = await app.inject({ method: 'GET', url: '/prometheus/api/v1/user_stats', headers: { 'x-scope-orgid': 'team-a' } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'success', data: { numSeries: 120, ingestionRate: 2000 } });
    }
    const other = await single.inject({ method: 'GET', url: '/prometheus/api/v1/user_stats', headers: { 'x-scope-orgid': 'team-b' } });
    expect(other.json().data).toEqual({ numSeries: 0, ingestionRate: 0 });
    expect((await single.inject({ method: 'GET', url: '/prometheus/api/v1/user_stats' })).statusCode).toBe(401);
  });

  it('divides by no more copies than there are ingesters', () => {
    expect(mergeUserStats([{ numSeries: 10, ingestionRate: 5 }, { numSeries: 10, ingestionRate: 5 }], 3)).toEqual({ numSeries: 10, ingestionRate: 5 });
  });
});
