/**
 * End-to-end: the rules config API of a running Tessera (`-target=all`), as a user drives it with
 * curl or mimirtool — upload a group, read it back, the per-tenant limit, and that rule groups
 * live in the bucket under `rules/<tenant>/` (so a restarted process still has them).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, startInProcess, type InProcessTessera } from './helpers.ts';

const GROUP = `name: api-e2e
interval: 30s
rules:
  - record: job:up:sum
    expr: sum by (job) (up)
  - alert: TargetDown
    expr: up == 0
    for: 2m
    labels:
      severity: page
    annotations:
      summary: '{{ $labels.instance }} of {{ $labels.job }} is down'
`;

let dir = '';
let tessera: InProcessTessera | null = null;
const FLAGS = ['-ruler.max-rule-groups-per-tenant=2'];

async function call(method: string, path: string, body?: string, tenant = 'team-a'): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(`${tessera!.url}${path}`, {
    method,
    headers: { 'X-Scope-OrgID': tenant, ...(body === undefined ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }) },
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

beforeAll(async () => {
  dir = await makeTempDir();
  tessera = await startInProcess(FLAGS, { dataDir: dir });
});

afterAll(async () => {
  await tessera?.stop();
  await removeDir(dir);
});

describe('rules config API (end to end)', () => {
  it('stores a group (202) sent as curl --data-binary sends it, and serves it back', async () => {
    const post = await call('POST', '/prometheus/config/v1/rules/team%2Fservices', GROUP);
    expect(post.status, post.text).toBe(202);
    const got = await call('GET', '/prometheus/config/v1/rules/team%2Fservices/api-e2e');
    expect(got.status).toBe(200);
    expect(got.type).toMatch(/^application\/yaml/);
    expect(parse(got.text)).toEqual(parse(GROUP));
    expect(Object.keys(parse((await call('GET', '/prometheus/config/v1/rules')).text))).toEqual(['team/services']);
  });

  it('refuses an invalid group with 400 and promtool\'s reason', async () => {
    const bad = await call('POST', '/prometheus/config/v1/rules/ns', 'name: bad\nrules:\n  - alert: X\n    expr: rate(up[5m]\n');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('group "bad", rule 1, "X": could not parse expression');
  });

  it('enforces -ruler.max-rule-groups-per-tenant', async () => {
    expect((await call('POST', '/prometheus/config/v1/rules/ns', 'name: second\nrules: []\n')).status).toBe(202);
    const third = await call('POST', '/prometheus/config/v1/rules/ns', 'name: third\nrules: []\n');
    expect(third.status).toBe(400);
    expect(third.text).toContain('per-user rule groups limit (limit: 2 actual: 3) exceeded');
    expect((await call('DELETE', '/prometheus/config/v1/rules/ns/second')).status).toBe(202);
  });

  it('keeps the groups in the bucket, so a restarted process still has them', async () => {
    expect(existsSync(join(dir, 'blocks', 'rules', 'team-a'))).toBe(true);
    expect(await readdir(join(dir, 'blocks', 'rules', 'team-a'))).toHaveLength(1);
    await tessera!.stop();
    tessera = await startInProcess(FLAGS, { dataDir: dir });
    const got = await call('GET', '/prometheus/config/v1/rules/team%2Fservices/api-e2e');
    expect(got.status).toBe(200);
    expect(parse(got.text)).toEqual(parse(GROUP));
    expect((await call('DELETE', '/prometheus/config/v1/rules/team%2Fservices')).status).toBe(202);
    expect((await call('GET', '/prometheus/config/v1/rules')).status).toBe(404);
  });
});
