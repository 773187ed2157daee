/**
 * Several rulers end to end: a real redis-server holds the ingester ring and the ruler ring; one
 * ingester, two rulers (`-target=ruler`) and a querier run as separate processes sharing a
 * filesystem bucket for the rule groups. Twelve groups uploaded through one ruler are split
 * between the two (each group evaluated by exactly one ruler, once per interval); after one
 * ruler is SIGKILLed, the other takes all groups within the heartbeat timeout.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TESSERA_NODE_FLAGS } from '@tessera/tessera';
import { metricValue } from './helpers.ts';
import { ChildRun, NODE_BIN, REPO_ROOT, REQUIRE_EXTERNAL, TESSERA_MAIN, findExecutable, freePort, killAllChildren, tempDir, waitFor } from './process-helpers.ts';

const TENANT = 'ruler-cluster';
const TOKEN = 'e2e-ruler-secret';
const GROUPS = 12;
const redisBin = findExecutable('redis-server');

interface Proc {
  run: ChildRun;
  url: string;
}

async function spawnTarget(name: string, args: string[]): Promise<Proc> {
  const port = await freePort();
  const run = new ChildRun(name, NODE_BIN, [...TESSERA_NODE_FLAGS, TESSERA_MAIN, ...args, `-server.http-listen-port=${port}`], REPO_ROOT);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${name} /ready`, 30_000, async () => {
      if (run.status !== null) throw new Error(`${name} exited: ${JSON.stringify(run.status)}`);
      const res = await fetch(`${url}/ready`);
      await res.arrayBuffer();
      return res.status === 200 ? true : undefined;
    });
  } catch (e) {
    await run.stop('SIGKILL');
    throw new Error(`${(e as Error).message}\n${run.tail()}`, { cause: e });
  }
  return { run, url };
}

/** Group names a ruler lists in its `/api/v1/rules`. */
async function listedGroups(p: Proc): Promise<string[]> {
  const res = await fetch(`${p.url}/prometheus/api/v1/rules`, { headers: { 'X-Scope-OrgID': TENANT } });
  const body = (await res.json()) as { data: { groups: { name: string }[] } };
  return body.data.groups.map((g) => g.name).sort();
}

/** The health of every rule a ruler lists. */
async function ruleHealth(p: Proc): Promise<string[]> {
  const res = await fetch(`${p.url}/prometheus/api/v1/rules`, { headers: { 'X-Scope-OrgID': TENANT } });
  const body = (await res.json()) as { data: { groups: { rules: { health: string; lastError?: string }[] }[] } };
  return body.data.groups.flatMap((g) => g.rules.map((r) => (r.health === 'ok' ? 'ok' : `${r.health}: ${r.lastError ?? ''}`)));
}

/** How many groups a ruler evaluates itself. */
async function ownGroups(p: Proc): Promise<number> {
  return metricValue(p.url, 'tessera_ruler_groups').catch(() => -1);
}

async function evaluations(p: Proc): Promise<number> {
  return metricValue(p.url, 'tessera_ruler_rule_evaluations_total', { tenant: TENANT }).catch(() => 0);
}

const suite = redisBin === null && !REQUIRE_EXTERNAL ? describe.skip : describe;
if (redisBin === null && !REQUIRE_EXTERNAL) {
  console.warn('[ruler-cluster.test] SKIPPED: redis-server not found on PATH (set TESSERA_REQUIRE_EXTERNAL=1 to fail instead)');
}

suite('two rulers sharded by the ruler ring', () => {
  const dirs: { remove(): void }[] = [];
  afterAll(async () => {
    await killAllChildren();
    for (const d of dirs) d.remove();
  });

  it('evaluates each group on exactly one ruler, and moves a killed ruler\'s groups to the other', { timeout: 120_000 }, async () => {
    expect(redisBin, 'redis-server is required (TESSERA_REQUIRE_EXTERNAL=1)').not.toBeNull();
    const tmp = tempDir('tessera-e2e-ruler-cluster-');
    dirs.push(tmp);
    const redisPort = await freePort();
    const redis = new ChildRun('redis', redisBin!, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], REPO_ROOT);
    await waitFor('redis ready', 10_000, async () => (redis.stdout.includes('Ready to accept connections') ? true : undefined), 50);
    const common = [
      '-server.http-listen-address=127.0.0.1',
      '-auth.enabled=true',
      `-internal.auth-token=${TOKEN}`,
      '-ring.store=redis',
      `-ring.redis.address=127.0.0.1:${redisPort}`,
      '-ring.replication-factor=1',
      '-ingester.ring.heartbeat-period=1s',
      '-querier.query-workers=0',
      `-blocks-storage.filesystem.dir=${join(tmp.path, 'bucket')}`,
      '-ruler.ring.heartbeat-timeout=3s',
      '-log.level=warn',
    ];
    const rulerFlags = (id: string): string[] => [
      '-target=ruler',
      `-data.dir=${join(tmp.path, id)}`,
      `-ruler.ring.instance-id=${id}`,
      '-ruler.ring.heartbeat-period=500ms',
      '-ruler.poll-interval=1s',
      ...common,
    ];
    await spawnTarget('ingester', ['-target=ingester', '-ingester.id=ing-1', `-data.dir=${join(tmp.path, 'ing-1')}`, ...common]);
    const a = await spawnTarget('ruler-a', rulerFlags('ruler-a'));
    const b = await spawnTarget('ruler-b', rulerFlags('ruler-b'));
    const querier = await spawnTarget('querier', ['-target=querier', `-data.dir=${join(tmp.path, 'querier')}`, ...common]);

    // Half the groups go through a ruler's config API, half through the querier's (which writes
    // the bucket only: the rulers find those groups at their next poll).
    for (let i = 0; i < GROUPS; i++) {
      const via = i % 2 === 0 ? a : querier;
      const yaml = `name: g${String(i).padStart(2, '0')}\ninterval: 1s\nrules:\n  - record: group:one\n    expr: vector(1)\n    labels:\n      group: g${i}\n`;
      const res = await fetch(`${via.url}/prometheus/config/v1/rules/ns`, { method: 'POST', headers: { 'X-Scope-OrgID': TENANT, 'Content-Type': 'application/yaml' }, body: yaml });
      expect(res.status, await res.text()).toBe(202);
    }

    // Both rulers take a share; together they hold every group once.
    const [na, nb] = await waitFor('groups split between the rulers', 20_000, async () => {
      const ca = await ownGroups(a);
      const cb = await ownGroups(b);
      return ca + cb === GROUPS && ca > 0 && cb > 0 ? [ca, cb] : undefined;
    });
    expect(na + nb).toBe(GROUPS);
    // Either ruler's API shows every group, once, healthy (the query over the ingester ring and
    // the write through the distributor worked).
    const expected = Array.from({ length: GROUPS }, (_, i) => `g${String(i).padStart(2, '0')}`);
    for (const p of [a, b]) {
      await waitFor('every rule evaluated and healthy', 10_000, async () => {
        const health = await ruleHealth(p);
        return health.length === GROUPS && health.every((h) => h === 'ok') ? true : undefined;
      });
      expect(await listedGroups(p)).toEqual(expected);
    }
    // So does the querier's (it asks the rulers), and the recorded series are queryable there.
    expect(await listedGroups(querier)).toEqual(expected);
    const recorded = await waitFor('recorded series through the querier', 10_000, async () => {
      const res = await fetch(`${querier.url}/prometheus/api/v1/query?query=${encodeURIComponent('count(group:one)')}`, { headers: { 'X-Scope-OrgID': TENANT } });
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      return body.data.result[0]?.value[1] === String(GROUPS) ? true : undefined;
    });
    expect(recorded).toBe(true);

    // Each group once per 1s interval: over ~5 s, at most ~5 evaluations per group in total (a group
    // evaluated by both rulers would count about twice that). The lower bound is loose: a loaded
    // machine may delay timers and skip ticks.
    const before = (await evaluations(a)) + (await evaluations(b));
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 5000));
    const evals = (await evaluations(a)) + (await evaluations(b)) - before;
    const seconds = (performance.now() - t0) / 1000;
    expect(evals).toBeGreaterThanOrEqual(GROUPS * 2);
    expect(evals).toBeLessThanOrEqual(GROUPS * (Math.ceil(seconds) + 1));

    // Kill one ruler: the other takes its groups once the heartbeat timeout (3 s) has passed.
    await b.run.stop('SIGKILL');
    const killedAt = performance.now();
    await waitFor('the surviving ruler holds every group', 20_000, async () => ((await ownGroups(a)) === GROUPS ? true : undefined), 200);
    await waitFor('the API without the dead ruler', 10_000, async () => ((await listedGroups(a)).length === GROUPS ? true : undefined), 200);
    await waitFor('the querier without the dead ruler', 10_000, async () => ((await listedGroups(querier)).length === GROUPS ? true : undefined), 200);
    expect(performance.now() - killedAt).toBeLessThan(15_000);
    const after = await evaluations(a);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await evaluations(a)) - after).toBeGreaterThanOrEqual(GROUPS);
    await redis.stop('SIGKILL');
  });
});
