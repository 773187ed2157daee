import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { TesseraError } from '../errors.ts';
import { createHttpServer } from '../http.ts';
import { ANONYMOUS_TENANT, resolveTenant } from '../tenant.ts';
import { authenticateHeader, type TenantAuthenticator } from './authenticator.ts';
import { CredentialKeys } from './credential-keys.ts';
import { parseTenantsFile } from './credential-table.ts';

const FILE = `
tenants:
  team-a:
    bearer_tokens: [tok-a]
    basic_auth: [{username: alice, password: "pw:a"}]
  team-b:
    bearer_tokens: [tok-b]
    basic_auth: [{username: bob, password: pw-b}]
`;
const table = parseTenantsFile(FILE, 'tenants file test', new CredentialKeys());
const authenticator: TenantAuthenticator = { authenticate: (h) => authenticateHeader(table, h) };
const basic = (user: string, pw: string): string => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

function refusal(fn: () => unknown): TesseraError {
  try {
    fn();
  } catch (e) {
    if (TesseraError.is(e)) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('authenticateHeader', () => {
  it.each([
    ['Bearer tok-a', 'team-a'],
    ['bearer   tok-a  ', 'team-a'],
    ['BEARER tok-b', 'team-b'],
    [basic('alice', 'pw:a'), 'team-a'], // the password keeps its colon
    [basic('bob', 'pw-b').replace('Basic', 'basic'), 'team-b'],
    [basic('bob', 'pw-b').replace(/=+$/, ''), 'team-b'], // padding optional
  ])('%j → %s', (header, tenant) => {
    expect(authenticateHeader(table, header)).toEqual({ ok: true, tenant });
  });

  it.each([
    [undefined, 'missing'],
    ['', 'missing'],
    ['   ', 'missing'],
    ['Bearer', 'invalid'],
    ['Bearer ', 'invalid'],
    ['tok-a', 'invalid'],
    ['Bearer tok-a extra', 'invalid'],
    ['Bearer tok-c', 'invalid'],
    ['Token tok-a', 'invalid'],
    ['Digest username="alice"', 'invalid'],
    [basic('alice', 'wrong'), 'invalid'],
    [basic('mallory', 'pw:a'), 'invalid'],
    [basic('alice', ''), 'invalid'],
    [`Basic ${Buffer.from('alice').toString('base64')}`, 'invalid'], // no colon
    [`Basic ${Buffer.from(':pw:a').toString('base64')}`, 'invalid'], // empty user
    ['Basic !!!!', 'invalid'],
    [`Basic ${Buffer.from('alice:pw:a').toString('base64')}x=y`, 'invalid'],
    [['Bearer tok-a', 'Bearer tok-a'], 'invalid'], // never picks one of several headers
  ])('%j → %s', (header, reason) => {
    expect(authenticateHeader(table, header)).toEqual({ ok: false, reason });
  });
});

describe('resolveTenant with a tenants file', () => {
  const cfg = { authEnabled: true, authenticator };

  it('takes the tenant from the credentials', () => {
    expect(resolveTenant({ authorization: 'Bearer tok-a' }, cfg)).toBe('team-a');
    expect(resolveTenant({ authorization: basic('bob', 'pw-b') }, cfg)).toBe('team-b');
  });

  it('accepts an X-Scope-OrgID that names the same tenant', () => {
    expect(resolveTenant({ authorization: 'Bearer tok-a', 'x-scope-orgid': 'team-a' }, cfg)).toBe('team-a');
    expect(resolveTenant({ authorization: 'Bearer tok-a', 'x-scope-orgid': '' }, cfg)).toBe('team-a');
  });

  it('ignores -auth.enabled=false: the file still decides', () => {
    expect(resolveTenant({ authorization: 'Bearer tok-b' }, { authEnabled: false, authenticator })).toBe('team-b');
    expect(refusal(() => resolveTenant({}, { authEnabled: false, authenticator })).status).toBe(401);
  });

  it.each([
    ['no credentials', {}, 'missing-credentials'],
    ['no credentials, only X-Scope-OrgID', { 'x-scope-orgid': 'team-a' }, 'missing-credentials'],
    ['unknown token', { authorization: 'Bearer tok-c' }, 'invalid-credentials'],
    ['wrong password', { authorization: basic('alice', 'pw-b') }, 'invalid-credentials'],
    ['unknown user', { authorization: basic('carol', 'pw:a') }, 'invalid-credentials'],
    ['another tenant in X-Scope-OrgID', { authorization: 'Bearer tok-a', 'x-scope-orgid': 'team-b' }, 'tenant-id-mismatch'],
    ['a tenant that does not exist in X-Scope-OrgID', { authorization: 'Bearer tok-a', 'x-scope-orgid': 'nobody' }, 'tenant-id-mismatch'],
    ['several tenants in X-Scope-OrgID', { authorization: 'Bearer tok-a', 'x-scope-orgid': 'team-a|team-b' }, 'tenant-id-mismatch'],
    ['X-Scope-OrgID twice', { authorization: 'Bearer tok-a', 'x-scope-orgid': ['team-a', 'team-a'] }, 'tenant-id-mismatch'],
  ])('refuses %s with 401 and a message naming no tenant', (_what, headers, code) => {
    const err = refusal(() => resolveTenant(headers, cfg));
    expect(err.status).toBe(401);
    expect(err.code).toBe(code);
    expect(err.message).not.toMatch(/team-|nobody|alice|carol|tok-|pw/);
  });

  it('gives an unknown user and a wrong password the very same answer', () => {
    const a = refusal(() => resolveTenant({ authorization: basic('alice', 'nope') }, cfg));
    const b = refusal(() => resolveTenant({ authorization: basic('nobody', 'nope') }, cfg));
    const c = refusal(() => resolveTenant({ authorization: 'Bearer nope' }, cfg));
    expect([b.code, b.message]).toEqual([a.code, a.message]);
    expect([c.code, c.message]).toEqual([a.code, a.message]);
  });
});

describe('resolveTenant without a tenants file (unchanged)', () => {
  it('trusts X-Scope-OrgID with -auth.enabled=true and ignores Authorization', () => {
    expect(resolveTenant({ 'x-scope-orgid': 'team-z', authorization: 'Bearer tok-a' }, { authEnabled: true })).toBe('team-z');
    expect(refusal(() => resolveTenant({ authorization: 'Bearer tok-a' }, { authEnabled: true })).code).toBe('missing-tenant-id');
  });

  it('uses "anonymous" with -auth.enabled=false', () => {
    expect(resolveTenant({ 'x-scope-orgid': 'team-z' }, { authEnabled: false, authenticator: undefined })).toBe(ANONYMOUS_TENANT);
  });
});

describe('credential refusals over HTTP', () => {
  async function server() {
    const app = createHttpServer({ logger: pino({ level: 'silent' }), registry: new Registry(), bodyLimitBytes: 1024 });
    const cfg = { authEnabled: true, authenticator };
    app.get('/json', async (req) => ({ tenant: resolveTenant(req.headers, cfg) }));
    app.post('/text', { config: { textErrors: true } }, async (req) => resolveTenant(req.headers, cfg));
    app.get('/gateway', async (req) => ({ tenant: resolveTenant(req.headers, { authEnabled: true }) }));
    await app.ready();
    return app;
  }

  it('answers 401 with WWW-Authenticate challenges for both schemes, in both error formats', async () => {
    const app = await server();
    const json = await app.inject({ method: 'GET', url: '/json', headers: { authorization: 'Bearer wrong' } });
    expect(json.statusCode).toBe(401);
    expect(json.headers['www-authenticate']).toEqual(['Bearer realm="tessera"', 'Basic realm="tessera", charset="UTF-8"']);
    expect(json.json()).toEqual({ status: 'error', errorType: 'unauthorized', error: 'authentication failed: invalid credentials' });
    const text = await app.inject({ method: 'POST', url: '/text', headers: { 'x-scope-orgid': 'team-a' } });
    expect(text.statusCode).toBe(401);
    expect(text.headers['www-authenticate']).toHaveLength(2);
    expect(text.body).toMatch(/^authentication required/);
    expect(text.body).not.toContain('team-a');
    const ok = await app.inject({ method: 'GET', url: '/json', headers: { authorization: basic('alice', 'pw:a') } });
    expect(ok.json()).toEqual({ tenant: 'team-a' });
    await app.close();
  });

  it('sends no challenge for a missing X-Scope-OrgID behind a gateway', async () => {
    const app = await server();
    const res = await app.inject({ method: 'GET', url: '/gateway' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBeUndefined();
    await app.close();
  });
});
