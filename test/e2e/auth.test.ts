/**
 * End-to-end: built-in authentication. An in-process Tessera with a tenants file: data pushed with
 * tenant A's bearer token is read back with A's basic-auth credentials and never seen with B's;
 * wrong, unknown, missing or conflicting credentials are 401 on push and read alike, with a
 * challenge and a body that names no tenant or user; non-tenant endpoints stay open; rewriting
 * the file adds and removes credentials while running, and a bad rewrite changes nothing.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfigError } from '@tessera/server';
import { getJson, makeTempDir, postFormJson, push, removeDir, startInProcess, type InProcessTessera, type PushSeries } from './helpers.ts';

const API = '/prometheus/api/v1';
const RELOAD_MS = 100;
const NOW = Date.now();

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const A_TOKEN = 'Bearer tok-a-8f3k2m';
const A_BASIC = basic('alice', 'pw-a:9q');
const B_TOKEN = 'Bearer tok-b-2x7c1v';
const B_BASIC = basic('bob', 'pw-b-5w');

function tenantsYaml(aTokens: readonly string[]): string {
  return [
    'tenants:',
    '  team-a:',
    `    bearer_tokens: [${aTokens.map((t) => JSON.stringify(t)).join(', ')}]`,
    '    basic_auth: [{username: alice, password: "pw-a:9q"}]',
    '  team-b:',
    '    bearer_tokens: ["tok-b-2x7c1v"]',
    '    basic_auth: [{username: bob, password: pw-b-5w}]',
    '',
  ].join('\n');
}

const A_SERIES: PushSeries[] = [
  { labels: { __name__: 'a_requests_total', job: 'api', secret_of: 'a', team: 'a' }, samples: [[NOW - 10_000, 1], [NOW - 5_000, 2]] },
  { labels: { __name__: 'shared_metric', job: 'api', team: 'a' }, samples: [[NOW - 5_000, 3]] },
];
const B_SERIES: PushSeries[] = [{ labels: { __name__: 'shared_metric', job: 'web', team: 'b' }, samples: [[NOW - 5_000, 4]] }];

/** Names that a refusal must never reveal. */
const NEVER_IN_REFUSALS = /team-a|team-b|alice|bob|tok-|pw-/;

interface Answer {
  status: number;
  challenge: string | null;
  text: string;
}

async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  return { status: res.status, challenge: res.headers.get('www-authenticate'), text: await res.text() };
}

/** Series names (with their `team`) a set of credentials sees through the series API. */
async function seriesSeen(base: string, headers: Record<string, string>): Promise<string[]> {
  const res = await getJson<{ status: string; data: Record<string, string>[] }>(base, `${API}/series`, [['match[]', '{__name__=~".+"}']], { headers });
  expect(res.status).toBe(200);
  return res.body.data.map((s) => `${s['__name__']}/${s['team'] ?? ''}`).sort();
}

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let dir: string;
let file: string;
let t: InProcessTessera;

/** Replaces the tenants file atomically (write, then rename), as the README advises. */
async function rewrite(text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

beforeAll(async () => {
  dir = await makeTempDir('tessera-e2e-auth-');
  file = join(dir, 'tenants.yaml');
  await writeFile(file, tenantsYaml(['tok-a-8f3k2m']));
  t = await startInProcess([`-auth.tenants-file=${file}`, `-auth.tenants-file-reload-period=${RELOAD_MS}ms`], { dataDir: join(dir, 'data') });
  expect((await push(t.url, A_SERIES, { headers: { Authorization: A_TOKEN } })).status).toBe(200);
  expect((await push(t.url, B_SERIES, { headers: { Authorization: B_BASIC } })).status).toBe(200);
});

afterAll(async () => {
  await t?.stop();
  await removeDir(dir);
});

describe('built-in authentication', () => {
  it("reads A's data with A's basic auth, and none of it with B's credentials", async () => {
    expect(await seriesSeen(t.url, { Authorization: A_BASIC })).toEqual(['a_requests_total/a', 'shared_metric/a']);
    expect(await seriesSeen(t.url, { Authorization: A_TOKEN, 'X-Scope-OrgID': 'team-a' })).toEqual(['a_requests_total/a', 'shared_metric/a']);
    for (const b of [B_TOKEN, B_BASIC]) {
      expect(await seriesSeen(t.url, { Authorization: b })).toEqual(['shared_metric/b']);
      const labels = await getJson<{ data: string[] }>(t.url, `${API}/labels`, [], { headers: { Authorization: b } });
      expect(labels.body.data).not.toContain('secret_of');
      const teams = await getJson<{ data: string[] }>(t.url, `${API}/label/team/values`, [], { headers: { Authorization: b } });
      expect(teams.body.data).toEqual(['b']);
    }
  });

  it('answers PromQL per the tenant of the credentials', async () => {
    const instant = async (query: string, headers: Record<string, string>): Promise<unknown> => {
      const res = await postFormJson<{ status: string; data: { result: unknown } }>(t.url, `${API}/query`, [['query', query], ['time', String(NOW / 1000)]], { headers });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data.result;
    };
    expect(await instant('sum(shared_metric)', { Authorization: A_BASIC })).toEqual([{ metric: {}, value: [NOW / 1000, '3'] }]);
    expect(await instant('sum(shared_metric)', { Authorization: B_TOKEN })).toEqual([{ metric: {}, value: [NOW / 1000, '4'] }]);
    expect(await instant('a_requests_total', { Authorization: B_BASIC })).toEqual([]);
    expect(await instant('count({__name__=~".+"})', { Authorization: B_TOKEN })).toEqual([{ metric: {}, value: [NOW / 1000, '1'] }]);
  });

  const REFUSED: [string, Record<string, string>][] = [
    ['a wrong password', { Authorization: basic('alice', 'pw-b-5w') }],
    ['an unknown user', { Authorization: basic('mallory', 'pw-a:9q') }],
    ['an unknown token', { Authorization: 'Bearer tok-c-000000' }],
    ['a password sent as a token', { Authorization: 'Bearer pw-a:9q' }],
    ['an unsupported scheme', { Authorization: 'Digest username="alice"' }],
    ['no credentials', {}],
    ['only X-Scope-OrgID', { 'X-Scope-OrgID': 'team-a' }],
    ["A's token with X-Scope-OrgID: team-b", { Authorization: A_TOKEN, 'X-Scope-OrgID': 'team-b' }],
    ["B's basic auth with X-Scope-OrgID: team-a", { Authorization: B_BASIC, 'X-Scope-OrgID': 'team-a' }],
  ];

  it.each(REFUSED)('refuses %s with 401, a challenge and nothing leaked, on read and push', async (_what, headers) => {
    const read = await request(`${t.url}${API}/series?match[]=${encodeURIComponent('{__name__=~".+"}')}`, { headers });
    const labels = await request(`${t.url}${API}/labels`, { method: 'POST', headers });
    const query = await request(`${t.url}${API}/query_range?query=a_requests_total&start=${NOW / 1000 - 60}&end=${NOW / 1000}&step=15`, { headers });
    const pushed = await push(t.url, [{ labels: { __name__: 'intruder', team: 'x' }, samples: [[NOW, 1]] }], { headers });
    for (const res of [read, labels, query]) {
      expect(res.status).toBe(401);
      expect(res.challenge).toMatch(/^Bearer realm="tessera", Basic realm="tessera"/);
      expect(JSON.parse(res.text)).toMatchObject({ status: 'error', errorType: 'unauthorized' });
      expect(res.text).not.toMatch(NEVER_IN_REFUSALS);
    }
    expect(pushed.status).toBe(401);
    expect(pushed.text).toMatch(/^authentic/);
    expect(pushed.text).not.toMatch(NEVER_IN_REFUSALS);
    // Nothing was stored for anyone.
    for (const who of [A_TOKEN, B_TOKEN]) expect(await seriesSeen(t.url, { Authorization: who })).not.toContain('intruder/x');
  });

  it('answers a wrong password and an unknown user identically', async () => {
    const url = `${t.url}${API}/labels`;
    const wrongPassword = await request(url, { headers: { Authorization: basic('alice', 'nope') } });
    const unknownUser = await request(url, { headers: { Authorization: basic('nobody', 'nope') } });
    const unknownToken = await request(url, { headers: { Authorization: 'Bearer nope' } });
    expect(unknownUser).toEqual(wrongPassword);
    expect(unknownToken).toEqual(wrongPassword);
  });

  it('keeps the non-tenant endpoints open', async () => {
    for (const path of ['/ready', '/metrics', '/services', '/api/v1/status/buildinfo', `${API}/status/buildinfo`]) {
      const res = await request(t.url + path);
      expect(res.status, path).toBe(200);
      expect(res.text).not.toMatch(/tok-|pw-/);
    }
    // /config is not a tenant API either; whatever it answers, it asks for no credentials.
    const config = await request(`${t.url}/config`);
    expect(config.status).not.toBe(401);
    expect(config.text).not.toMatch(/tok-|pw-/);
  });

  it('applies a rewritten file: a new token works, a removed one stops, and a bad file changes nothing', async () => {
    const newToken = 'Bearer tok-a-new-77';
    expect((await request(`${t.url}${API}/labels`, { headers: { Authorization: newToken } })).status).toBe(401);
    await rewrite(tenantsYaml(['tok-a-new-77']));
    await waitFor('the new token is accepted', async () => (await request(`${t.url}${API}/labels`, { headers: { Authorization: newToken } })).status === 200);
    expect(await seriesSeen(t.url, { Authorization: newToken })).toEqual(['a_requests_total/a', 'shared_metric/a']);
    expect((await request(`${t.url}${API}/labels`, { headers: { Authorization: A_TOKEN } })).status).toBe(401);
    expect((await push(t.url, A_SERIES, { headers: { Authorization: A_TOKEN } })).status).toBe(401);

    // A file naming the same token for two tenants is refused; the one in force stays.
    await rewrite(tenantsYaml(['tok-a-new-77', 'tok-b-2x7c1v']));
    await waitFor('the bad reload is reported', async () => {
      const metrics = (await request(`${t.url}/metrics`)).text;
      return /tessera_auth_tenants_file_last_reload_successful 0/.test(metrics);
    });
    expect(await seriesSeen(t.url, { Authorization: newToken })).toEqual(['a_requests_total/a', 'shared_metric/a']);
    expect(await seriesSeen(t.url, { Authorization: B_TOKEN })).toEqual(['shared_metric/b']);
  });
});

describe('auth configuration', () => {
  it('refuses a tenants file together with -auth.enabled=false', async () => {
    const err = await startInProcess([`-auth.tenants-file=${file}`], { dataDir: join(dir, 'data-2'), authEnabled: false }).then(
      async (other) => {
        await other.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(isConfigError(err)).toBe(true);
    expect((err as Error).message).toMatch(/-auth\.tenants-file requires -auth\.enabled=true/);
  });

  it('refuses to start with an invalid tenants file, naming the problem without the secret', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'tenants:\n  a: {bearer_tokens: ["tok-leak"]}\n  b: {bearer_tokens: ["tok-leak"]}\n');
    const err = await startInProcess([`-auth.tenants-file=${bad}`], { dataDir: join(dir, 'data-3') }).then(
      async (other) => {
        await other.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(isConfigError(err)).toBe(true);
    expect((err as Error).message).toMatch(/repeats a bearer token of tenant "a"/);
    expect((err as Error).message).not.toContain('tok-leak');
  });
});
