import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { DEFAULT_LIMITS, parseRuntimeConfig, resolveLimits } from '@tessera/limits';
import { createHttpServer, createLogger } from '@tessera/server';
import { registerUserLimitsApi } from './api-user-limits.ts';

const overrides = parseRuntimeConfig(
  'overrides:\n  team-a:\n    ingestion_rate: 5000\n    creation_grace_period: 90s\n  team-c:\n    ruler_alertmanager_url: http://user:pw@am.example:9093\n',
  'test',
  DEFAULT_LIMITS,
);
const app = createHttpServer({ logger: createLogger({ level: 'silent' }), registry: new Registry(), bodyLimitBytes: 1 << 20 });
registerUserLimitsApi(app, (t) => overrides.get(t) ?? resolveLimits(DEFAULT_LIMITS), { authEnabled: true, prefix: '/prometheus' });
afterAll(() => app.close());

describe('GET /prometheus/api/v1/user_limits', () => {
  it("answers the calling tenant's limits, overrides applied, in the runtime config's names", async () => {
    const a = await app.inject({ method: 'GET', url: '/prometheus/api/v1/user_limits', headers: { 'x-scope-orgid': 'team-a' } });
    expect(a.statusCode).toBe(200);
    const data = a.json().data as Record<string, unknown>;
    expect(data.ingestion_rate).toBe(5000);
    expect(data.creation_grace_period).toBe('1m30s');
    expect(data.max_label_names_per_series).toBe(30);
    const b = (await app.inject({ method: 'GET', url: '/prometheus/api/v1/user_limits', headers: { 'x-scope-orgid': 'team-b' } })).json().data;
    expect(b.ingestion_rate).toBe(0);
    expect(b.creation_grace_period).toBe('10m');
  });

  it('is valid runtime config: the answer read back as overrides gives the same limits', async () => {
    const data = (await app.inject({ method: 'GET', url: '/prometheus/api/v1/user_limits', headers: { 'x-scope-orgid': 'team-a' } })).json().data;
    const back = parseRuntimeConfig(`overrides:\n  x:\n${Object.entries(data).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join('\n')}\n`, 'roundtrip', DEFAULT_LIMITS);
    expect(back.get('x')).toEqual(overrides.get('team-a'));
  });

  it('masks limits marked secret (an Alertmanager URL may hold credentials)', async () => {
    const c = (await app.inject({ method: 'GET', url: '/prometheus/api/v1/user_limits', headers: { 'x-scope-orgid': 'team-c' } })).json().data;
    expect(c.ruler_alertmanager_url).toBe('********');
    const a = (await app.inject({ method: 'GET', url: '/prometheus/api/v1/user_limits', headers: { 'x-scope-orgid': 'team-a' } })).json().data;
    expect(a.ruler_alertmanager_url).toBe('');
  });

  it('needs a tenant', async () => {
    expect((await app.inject({ method: 'GET', url: '/prometheus/api/v1/user_limits' })).statusCode).toBe(401);
  });
});
