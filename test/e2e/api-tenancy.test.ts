/**
 * End-to-end: tenant isolation on the read API. Two tenants push different series, some label
 * names and values existing only in one of them; neither the series, the label-names nor the
 * label-values endpoint ever shows one tenant anything of the other's, whatever the selector,
 * over GET or POST, before and after a restart (WAL replay). With `-auth.enabled=false` every
 * request is the tenant `anonymous` and X-Scope-OrgID is ignored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiData,
  getJson,
  listSeries,
  makeTempDir,
  postFormJson,
  push,
  removeDir,
  startInProcess,
  type InProcessTessera,
  type QueryParams,
} from './helpers.ts';

const NOW = Date.now();
const SAMPLES: [number, number][] = [
  [NOW - 20_000, 1],
  [NOW - 10_000, 2],
];

type LabelSet = Record<string, string>;

const A_SERIES: LabelSet[] = [
  { __name__: 'a_only_metric', env: 'prod', job: 'shared', secret: 'alpha' },
  { __name__: 'shared_metric', job: 'shared', team: 'a-team' },
];
const B_SERIES: LabelSet[] = [
  { __name__: 'b_only_metric', job: 'shared', zone: 'b1' },
  { __name__: 'shared_metric', job: 'shared', team: 'b-team' },
];

const API = '/prometheus/api/v1';

/** Selectors that would match the other tenant's series if isolation failed. */
const PROBES = [
  '{__name__=~".+"}',
  '{__name__=~"a_.*|b_.*"}',
  'a_only_metric',
  'b_only_metric',
  'shared_metric',
  '{job="shared"}',
  '{secret="alpha"}',
  '{zone="b1"}',
  '{team=~".+"}',
  '{__name__!=""}',
];

function labelNamesOf(series: LabelSet[]): string[] {
  return [...new Set(series.flatMap((s) => Object.keys(s)))].sort();
}

function valuesOf(series: LabelSet[], name: string): string[] {
  return [...new Set(series.map((s) => s[name]).filter((v): v is string => v !== undefined))].sort();
}

function matches(s: LabelSet, probe: string): boolean {
  // The expected answer for each probe, computed from the fixtures (only the probes above).
  const name = s['__name__']!;
  switch (probe) {
    case '{__name__=~".+"}':
    case '{__name__!=""}':
    case '{job="shared"}':
      return true;
    case '{__name__=~"a_.*|b_.*"}':
      return name.startsWith('a_') || name.startsWith('b_');
    case '{secret="alpha"}':
      return s['secret'] === 'alpha';
    case '{zone="b1"}':
      return s['zone'] === 'b1';
    case '{team=~".+"}':
      return s['team'] !== undefined;
    default:
      return name === probe;
  }
}

/** Every read a tenant can make, each with the answer it must get from its own data only. */
function expectedReads(own: LabelSet[]): Array<{ what: string; path: string; params: QueryParams; data: unknown }> {
  const reads: Array<{ what: string; path: string; params: QueryParams; data: unknown }> = [];
  for (const probe of PROBES) {
    const mine = own.filter((s) => matches(s, probe));
    reads.push({ what: `series ${probe}`, path: `${API}/series`, params: [['match[]', probe]], data: mine });
    reads.push({ what: `labels ${probe}`, path: `${API}/labels`, params: [['match[]', probe]], data: labelNamesOf(mine) });
    for (const name of ['__name__', 'secret', 'zone', 'team', 'env']) {
      reads.push({ what: `values of ${name} for ${probe}`, path: `${API}/label/${name}/values`, params: [['match[]', probe]], data: valuesOf(mine, name) });
    }
  }
  reads.push({ what: 'series, two selectors', path: `${API}/series`, params: [['match[]', 'a_only_metric'], ['match[]', 'b_only_metric']], data: own.filter((s) => s['__name__'] !== 'shared_metric') });
  reads.push({ what: 'labels without match[]', path: `${API}/labels`, params: [], data: labelNamesOf(own) });
  for (const name of ['__name__', 'secret', 'zone', 'team', 'env', 'job']) {
    reads.push({ what: `values of ${name} without match[]`, path: `${API}/label/${name}/values`, params: [], data: valuesOf(own, name) });
  }
  return reads;
}

async function checkIsolation(url: string, tenant: string, own: LabelSet[]): Promise<void> {
  for (const r of expectedReads(own)) {
    // Label values is GET-only in Prometheus (POST answers 405); the other reads take both.
    const methods = r.path.endsWith('/values') ? ([['GET', getJson]] as const) : ([['GET', getJson], ['POST', postFormJson]] as const);
    for (const [method, read] of methods) {
      const res = await read(url, r.path, r.params, { tenant });
      expect(res.status, `${method} ${r.what} as ${tenant}`).toBe(200);
      expect(res.body, `${method} ${r.what} as ${tenant}`).toEqual({ status: 'success', data: r.data });
    }
  }
}

describe('tenant isolation with auth enabled', () => {
  let dir: string;
  let server: InProcessTessera;

  beforeAll(async () => {
    dir = await makeTempDir();
    server = await startInProcess([], { dataDir: dir });
    for (const [tenant, series] of [['tenant-a', A_SERIES], ['tenant-b', B_SERIES]] as const) {
      const res = await push(server.url, series.map((labels) => ({ labels, samples: SAMPLES })), { tenant });
      expect(res.status, res.text).toBe(200);
    }
  });

  afterAll(async () => {
    await server.stop();
    await removeDir(dir);
  });

  it('tenant A sees only its own series, label names and values', async () => {
    await checkIsolation(server.url, 'tenant-a', A_SERIES);
  });

  it('tenant B sees only its own series, label names and values', async () => {
    await checkIsolation(server.url, 'tenant-b', B_SERIES);
  });

  it('a tenant that never pushed sees nothing', async () => {
    await checkIsolation(server.url, 'tenant-c', []);
  });

  it('tenant ids are case-sensitive: "Tenant-A" is another tenant', async () => {
    expect(await listSeries(server.url, 'Tenant-A')).toEqual([]);
  });

  it.each([`${API}/series?match[]=up`, `${API}/labels`, `${API}/label/__name__/values`])('reads without X-Scope-OrgID are 401: %s', async (path) => {
    const res = await fetch(server.url + path);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 'error', errorType: 'unauthorized', error: expect.stringMatching(/X-Scope-OrgID/) });
  });

  it('a read naming two tenants with "|" is refused, not merged', async () => {
    const res = await getJson(server.url, `${API}/series`, [['match[]', '{__name__=~".+"}']], { tenant: 'tenant-a|tenant-b' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
  });

  it('isolation holds after a restart (WAL replay keeps tenants apart)', async () => {
    await server.stop();
    server = await startInProcess([], { dataDir: dir });
    await checkIsolation(server.url, 'tenant-a', A_SERIES);
    await checkIsolation(server.url, 'tenant-b', B_SERIES);
  });
});

describe('with auth disabled everything is the tenant "anonymous"', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir();
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('ignores X-Scope-OrgID on writes and reads', async () => {
    const open = await startInProcess([], { dataDir: dir, authEnabled: false });
    try {
      const samples = { samples: SAMPLES };
      expect((await push(open.url, [{ labels: A_SERIES[0]!, ...samples }], { tenant: 'tenant-a' })).status).toBe(200);
      expect((await push(open.url, [{ labels: B_SERIES[0]!, ...samples }], { tenant: 'tenant-b' })).status).toBe(200);
      expect((await push(open.url, [{ labels: B_SERIES[1]!, ...samples }], { tenant: undefined })).status).toBe(200);
      // Even a tenant id that auth would refuse is ignored.
      expect((await push(open.url, [{ labels: A_SERIES[1]!, ...samples }], { tenant: 'a/b' })).status).toBe(200);

      const all = [A_SERIES[0]!, B_SERIES[0]!, A_SERIES[1]!, B_SERIES[1]!];
      for (const tenant of [undefined, 'tenant-a', 'tenant-b', 'someone-else']) {
        await checkIsolation(open.url, tenant as string, all);
      }
      expect(await apiData(open.url, `${API}/label/__name__/values`)).toEqual(['a_only_metric', 'b_only_metric', 'shared_metric']);
    } finally {
      await open.stop();
    }

    // The same data directory with auth on: the data belongs to "anonymous", not to the ids sent.
    const closed = await startInProcess([], { dataDir: dir, authEnabled: true });
    try {
      expect(await listSeries(closed.url, 'anonymous')).toHaveLength(4);
      expect(await listSeries(closed.url, 'tenant-a')).toEqual([]);
      expect(await listSeries(closed.url, 'tenant-b')).toEqual([]);
    } finally {
      await closed.stop();
    }
  });
});
