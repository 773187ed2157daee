import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemBucket } from '@tessera/objstore';
import { createHttpServer, createLogger } from '@tessera/server';
import { registerRulesConfigApi } from './config-api.ts';
import { BucketRuleStore } from './rule-store.ts';

const P = '/prometheus/config/v1/rules';
const GROUP = 'name: g1\ninterval: 1m\nrules:\n  - record: job:up:sum\n    expr: sum by (job) (up)\n  - alert: Down\n    expr: up == 0\n    for: 5m\n    annotations:\n      summary: "{{ $labels.job }} is down ({{ printf \\"%.0f\\" $value }}%)"\n';

let dir = '';
let bucket: FilesystemBucket;
let app: FastifyInstance;
let changes: string[] = [];
let limits = { rulerMaxRuleGroupsPerTenant: 3, rulerMaxRulesPerRuleGroup: 2 };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-rules-api-'));
  bucket = new FilesystemBucket(dir);
  changes = [];
  limits = { rulerMaxRuleGroupsPerTenant: 3, rulerMaxRulesPerRuleGroup: 2 };
  app = createHttpServer({ logger: createLogger({ level: 'silent' }), registry: new Registry(), bodyLimitBytes: 1 << 20 });
  registerRulesConfigApi(
    app,
    { store: new BucketRuleStore(bucket), limits: () => limits, onChange: (t) => changes.push(t) },
    { authEnabled: true, prefix: '/prometheus' },
  );
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await bucket.close();
  await rm(dir, { recursive: true, force: true });
});

function req(method: 'GET' | 'POST' | 'DELETE', url: string, body?: string, tenant = 'team-a', contentType = 'application/yaml') {
  return app.inject({
    method,
    url,
    headers: { 'x-scope-orgid': tenant, ...(body === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { payload: body }),
  });
}

describe('rules config API', () => {
  it('stores a group with 202 and serves it back as YAML', async () => {
    const post = await req('POST', `${P}/ns1`, GROUP);
    expect(post.statusCode).toBe(202);
    expect(post.json()).toEqual({ status: 'success', data: null, errorType: '', error: '' });
    expect(changes).toEqual(['team-a']);

    const one = await req('GET', `${P}/ns1/g1`);
    expect(one.statusCode).toBe(200);
    expect(one.headers['content-type']).toMatch(/^application\/yaml/);
    const g = parse(one.body);
    expect(g).toEqual({
      name: 'g1',
      interval: '1m',
      rules: [
        { record: 'job:up:sum', expr: 'sum by (job) (up)' },
        { alert: 'Down', expr: 'up == 0', for: '5m', annotations: { summary: '{{ $labels.job }} is down ({{ printf "%.0f" $value }}%)' } },
      ],
    });

    const all = await req('GET', P);
    expect(all.statusCode).toBe(200);
    expect(parse(all.body)).toEqual({ ns1: [g] });
    const ns = await req('GET', `${P}/ns1`);
    expect(parse(ns.body)).toEqual({ ns1: [g] });
  });

  it('keeps tenants apart', async () => {
    expect((await req('POST', `${P}/ns1`, GROUP)).statusCode).toBe(202);
    expect((await req('GET', `${P}/ns1/g1`, undefined, 'team-b')).statusCode).toBe(404);
    expect((await req('GET', P, undefined, 'team-b')).statusCode).toBe(404);
  });

  it('answers 404 with Mimir\'s messages for what does not exist', async () => {
    const cases: [string, string, string][] = [
      ['GET', P, 'no rule groups found'],
      ['GET', `${P}/nope`, 'no rule groups found'],
      ['GET', `${P}/nope/g`, 'group does not exist'],
      ['DELETE', `${P}/nope/g`, 'group does not exist'],
      ['DELETE', `${P}/nope`, 'group namespace does not exist'],
    ];
    for (const [method, url, message] of cases) {
      const r = await req(method as 'GET', url);
      expect(r.statusCode, `${method} ${url}`).toBe(404);
      expect(r.body).toBe(`${message}\n`);
    }
  });

  it('deletes a group and a namespace with 202', async () => {
    await req('POST', `${P}/ns1`, GROUP);
    await req('POST', `${P}/ns1`, 'name: g2\nrules: []\n');
    await req('POST', `${P}/ns2`, 'name: g3\nrules: []\n');
    expect((await req('DELETE', `${P}/ns1/g1`)).statusCode).toBe(202);
    expect((await req('GET', `${P}/ns1/g1`)).statusCode).toBe(404);
    expect((await req('DELETE', `${P}/ns1`)).statusCode).toBe(202);
    expect(parse((await req('GET', P)).body)).toEqual({ ns2: [{ name: 'g3', rules: [] }] });
    expect(changes).toHaveLength(5);
  });

  it('answers 400 with promtool\'s message for an invalid group, and stores nothing', async () => {
    const r = await req('POST', `${P}/ns1`, 'name: g\nrules:\n  - record: a-b\n    expr: sum(up\n');
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.body).toContain('group "g", rule 1, "a-b": could not parse expression: 1:7: parse error: unclosed left parenthesis');
    expect(r.body).toContain('invalid recording rule name: a-b');
    const unknown = await req('POST', `${P}/ns1`, 'name: g\nsource_tenants: [x]\nrules: []\n');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('line 2: field source_tenants not found in a rule group');
    expect((await req('GET', P)).statusCode).toBe(404);
    expect(changes).toEqual([]);
  });

  it('replaces a group of the same name', async () => {
    await req('POST', `${P}/ns1`, GROUP);
    await req('POST', `${P}/ns1`, 'name: g1\nrules:\n  - record: other\n    expr: vector(1)\n');
    expect(parse((await req('GET', `${P}/ns1/g1`)).body).rules).toEqual([{ record: 'other', expr: 'vector(1)' }]);
  });

  it('enforces the rules-per-group limit', async () => {
    const three = 'name: big\nrules:\n' + [1, 2, 3].map((i) => `  - record: r${i}\n    expr: vector(${i})\n`).join('');
    const r = await req('POST', `${P}/ns1`, three);
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('per-user rules per rule group limit (limit: 2 actual: 3) exceeded');
    expect(r.body).toContain('-ruler.max-rules-per-rule-group');
    limits = { ...limits, rulerMaxRulesPerRuleGroup: 0 }; // 0 = no limit
    expect((await req('POST', `${P}/ns1`, three)).statusCode).toBe(202);
  });

  it('enforces the groups-per-tenant limit, across namespaces; replacing a group does not count', async () => {
    for (const [ns, g] of [['a', 'g1'], ['a', 'g2'], ['b', 'g1']]) {
      expect((await req('POST', `${P}/${ns}`, `name: ${g}\nrules: []\n`)).statusCode).toBe(202);
    }
    const r = await req('POST', `${P}/b`, 'name: g4\nrules: []\n');
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('per-user rule groups limit (limit: 3 actual: 4) exceeded');
    expect((await req('POST', `${P}/b`, 'name: g1\ninterval: 2m\nrules: []\n')).statusCode).toBe(202);
    expect((await req('POST', `${P}/b`, 'name: g4\nrules: []\n', 'team-b')).statusCode).toBe(202);
  });

  it('takes the body as YAML whatever the content type (curl --data-binary sends a form type)', async () => {
    const body = 'name: pct\nrules:\n  - alert: A\n    expr: up == 0\n    annotations:\n      s: "{{ $value | humanizePercentage }} 100%&x=y"\n';
    const r = await req('POST', `${P}/ns1`, body, 'team-a', 'application/x-www-form-urlencoded');
    expect(r.statusCode).toBe(202);
    expect(parse((await req('GET', `${P}/ns1/pct`)).body).rules[0].annotations.s).toBe('{{ $value | humanizePercentage }} 100%&x=y');
  });

  it('decodes percent-escaped namespaces and group names, slashes included', async () => {
    expect((await req('POST', `${P}/${encodeURIComponent('team/ns ü')}`, 'name: "a/b"\nrules: []\n')).statusCode).toBe(202);
    const r = await req('GET', `${P}/${encodeURIComponent('team/ns ü')}/${encodeURIComponent('a/b')}`);
    expect(r.statusCode).toBe(200);
    expect(parse(r.body).name).toBe('a/b');
    expect(Object.keys(parse((await req('GET', P)).body))).toEqual(['team/ns ü']);
  });

  it('refuses names too long to store', async () => {
    const r = await req('POST', `${P}/ns`, `name: ${'x'.repeat(200)}\nrules: []\n`);
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('rule group name too long');
  });

  it('requires the tenant', async () => {
    const r = await app.inject({ method: 'GET', url: P });
    expect(r.statusCode).toBe(401);
  });

  it('answers on Mimir\'s /api/v1/rules paths too', async () => {
    expect((await req('POST', '/api/v1/rules/ns1', GROUP)).statusCode).toBe(202);
    expect((await req('GET', '/api/v1/rules/ns1/g1')).statusCode).toBe(200);
    expect((await req('GET', `${P}/ns1/g1`)).statusCode).toBe(200);
  });
});
