/**
 * The cluster mode end to end: a real redis-server holds the ring; 1 distributor, 3 ingesters and
 * 1 querier run as separate processes (`-target=…`, replication factor 3, internal calls
 * authenticated with a shared token). A load generator pushes known data through the distributor;
 * one ingester is SIGKILLed mid-stream. Pushes must keep succeeding (quorum 2 of 3), and every
 * query through the querier must return exactly the acknowledged samples, none doubled, both with
 * the ingester dead and after it restarted under the same id, replayed its WAL and rejoined the
 * ring. Series must be spread evenly over the ingesters.
 *
 * Load shape: WORKERS loops, one request in flight each. Worker w owns SERIES_PER_WORKER series
 * and sends them all in every request, SAMPLES_PER_REQUEST samples each; sample timestamps are
 * T0 + n·STEP_MS for the worker's n-th sample, so they increase strictly and sit on a grid that a
 * query_range with the same step and a 1 ms lookback reads back sample by sample.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWriteRequest, snappyCompress, type TimeSeriesObject } from '@tessera/remotewrite';
import { TESSERA_NODE_FLAGS } from '@tessera/tessera';
import {
  ChildRun,
  NODE_BIN,
  REPO_ROOT,
  REQUIRE_EXTERNAL,
  TESSERA_MAIN,
  findExecutable,
  freePort,
  killAllChildren,
  tempDir,
  waitFor,
} from './process-helpers.ts';

const TENANT = 'cluster-e2e';
const TOKEN = 'e2e-internal-secret';
const METRIC = 'cluster_load';
const WORKERS = 4;
const SERIES_PER_WORKER = 25;
const TOTAL_SERIES = WORKERS * SERIES_PER_WORKER;
const SAMPLES_PER_REQUEST = 2;
const STEP_MS = 100;
/** At most this many requests per worker, so a series stays under query_range's 11,000 points. */
const MAX_REQUESTS_PER_WORKER = 2000;
/** Grid origin: whole STEP_MS, ten minutes back, well inside every ingestion window. */
const T0 = Math.floor((Date.now() - 10 * 60_000) / STEP_MS) * STEP_MS;

const redisBin = findExecutable('redis-server');

/** The value of series `s` at `t`: exact in float64, different for every (s, t). */
function valueOf(s: number, t: number): number {
  return s * 1e6 + (t - T0) / STEP_MS + 0.25;
}

/** A cluster process and how it was started (to restart it the same way). */
interface Proc {
  name: string;
  run: ChildRun;
  port: number;
  url: string;
  args: string[];
}

async function startRedis(): Promise<{ run: ChildRun; address: string }> {
  const port = await freePort();
  const run = new ChildRun('redis', redisBin!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], REPO_ROOT);
  await waitFor('redis-server to accept connections', 10_000, async () => (run.stdout.includes('Ready to accept connections') ? true : run.status !== null ? false : undefined), 50);
  if (run.status !== null) throw new Error(`redis-server exited\n${run.tail()}`);
  return { run, address: `127.0.0.1:${port}` };
}

/** Spawns `main.ts` with `args` on `port` and waits for `/ready` (an ingester: ACTIVE). */
async function spawnTarget(name: string, args: string[], port: number): Promise<Proc> {
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
  return { name, run, port, url, args };
}

/** One push and what came of it. */
interface PushRecord {
  /** Index of the worker's first sample in the request. */
  n0: number;
  outcome: 'ok' | 'rejected' | 'lost';
  status: number;
  body: string;
}

interface Worker {
  index: number;
  nextN: number;
  pushes: PushRecord[];
  labels: { name: string; value: string }[][];
}

function seriesIndex(w: Worker, i: number): number {
  return w.index * SERIES_PER_WORKER + i;
}

function newWorker(index: number): Worker {
  const w: Worker = { index, nextN: 0, pushes: [], labels: [] };
  for (let i = 0; i < SERIES_PER_WORKER; i++) {
    w.labels.push([
      { name: '__name__', value: METRIC },
      { name: 'series', value: `s${String(seriesIndex(w, i)).padStart(3, '0')}` },
      { name: 'worker', value: String(index) },
    ]);
  }
  return w;
}

function requestBody(w: Worker, n0: number): Uint8Array {
  const timeseries: TimeSeriesObject[] = w.labels.map((labels, i) => {
    const samples = [];
    for (let k = 0; k < SAMPLES_PER_REQUEST; k++) {
      const t = T0 + (n0 + k) * STEP_MS;
      samples.push({ timestamp: t, value: valueOf(seriesIndex(w, i), t) });
    }
    return { labels, samples, exemplars: [], histograms: [] };
  });
  return snappyCompress(encodeWriteRequest({ timeseries, metadata: [] }));
}

/** Pushes from `w` to the distributor until `stop()` says so. */
async function runWorker(w: Worker, url: string, stop: () => boolean): Promise<void> {
  while (!stop() && w.pushes.length < MAX_REQUESTS_PER_WORKER) {
    const n0 = w.nextN;
    w.nextN += SAMPLES_PER_REQUEST;
    const rec: PushRecord = { n0, outcome: 'lost', status: 0, body: '' };
    w.pushes.push(rec);
    try {
      const res = await fetch(`${url}/api/v1/push`, {
        method: 'POST',
        body: requestBody(w, n0),
        headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Scope-OrgID': TENANT },
      });
      rec.body = await res.text();
      rec.status = res.status;
      rec.outcome = res.ok ? 'ok' : 'rejected';
    } catch {
      rec.outcome = 'lost';
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Pushes with every worker for `ms`, calling `during` (if given) after `atMs`. */
async function pushFor(workers: Worker[], url: string, ms: number, during?: { atMs: number; run: () => Promise<void> }): Promise<void> {
  let stopped = false;
  const running = workers.map((w) => runWorker(w, url, () => stopped));
  if (during !== undefined) {
    await new Promise((r) => setTimeout(r, during.atMs));
    await during.run();
    await new Promise((r) => setTimeout(r, ms - during.atMs));
  } else {
    await new Promise((r) => setTimeout(r, ms));
  }
  stopped = true;
  await Promise.all(running);
}

/** The samples every acknowledged push carried, per series label value: timestamp → value. */
function expectedSamples(workers: Worker[]): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const w of workers) {
    for (let i = 0; i < SERIES_PER_WORKER; i++) {
      const s = seriesIndex(w, i);
      const m = new Map<number, number>();
      for (const p of w.pushes) {
        if (p.outcome !== 'ok') continue;
        for (let k = 0; k < SAMPLES_PER_REQUEST; k++) {
          const t = T0 + (p.n0 + k) * STEP_MS;
          m.set(t, valueOf(s, t));
        }
      }
      out.set(w.labels[i]![1]!.value, m);
    }
  }
  return out;
}

interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

async function promQuery(querier: Proc, path: string, params: Record<string, string>): Promise<MatrixSeries[]> {
  const res = await fetch(`${querier.url}/prometheus/api/v1/${path}`, {
    method: 'POST',
    body: new URLSearchParams(params),
    headers: { 'X-Scope-OrgID': TENANT },
  });
  const body = (await res.json()) as { status: string; data: { resultType: string; result: MatrixSeries[] }; error?: string };
  if (res.status !== 200 || body.status !== 'success') throw new Error(`${path} answered ${res.status}: ${JSON.stringify(body)}`);
  expect(body.data.resultType).toBe('matrix');
  return body.data.result;
}

/**
 * Reads every series back through the querier twice, with query_range on the sample grid (1 ms
 * lookback: a point exists exactly where a sample does) and as raw samples (a range selector),
 * and compares both with `want`, sample by sample.
 */
async function checkQueries(querier: Proc, want: Map<string, Map<number, number>>): Promise<number> {
  let maxT = T0;
  for (const m of want.values()) for (const t of m.keys()) maxT = Math.max(maxT, t);
  const ranged = await promQuery(querier, 'query_range', {
    query: METRIC,
    start: (T0 / 1000).toFixed(3),
    end: (maxT / 1000).toFixed(3),
    step: (STEP_MS / 1000).toFixed(3),
    lookback_delta: '1ms',
  });
  const raw = await promQuery(querier, 'query', { query: `${METRIC}[1h]`, time: ((maxT + 1) / 1000).toFixed(3) });
  let samples = 0;
  for (const [what, result] of [['query_range', ranged], ['raw samples', raw]] as const) {
    expect(result.length, `${what}: series`).toBe(TOTAL_SERIES);
    const seen = new Set<string>();
    for (const s of result) {
      const name = s.metric.series!;
      expect(seen.has(name), `${what}: series ${name} returned twice`).toBe(false);
      seen.add(name);
      const exp = want.get(name);
      expect(exp, `${what}: unexpected series ${name}`).toBeDefined();
      // Every timestamp once (none doubled), each with the value sent, and nothing else.
      const got = s.values.map(([t, v]) => [Math.round(t * 1000), Number(v)] as const);
      const gotTimes = got.map(([t]) => t);
      expect(new Set(gotTimes).size, `${what}: ${name} has a doubled timestamp`).toBe(gotTimes.length);
      const missing = [...exp!.keys()].filter((t) => !gotTimes.includes(t));
      expect(missing, `${what}: ${name} lacks acknowledged samples`).toEqual([]);
      for (const [t, v] of got) expect(v, `${what}: ${name} at ${t}`).toBe(exp!.get(t));
      expect(got.length, `${what}: ${name} has samples never acknowledged`).toBe(exp!.size);
      samples += got.length;
    }
  }
  return samples / 2;
}

interface RingJson {
  instances: { id: string; address: string; state: string; tokens: number; ownedPercent: number; lastHeartbeat: string }[];
}

async function ringJson(proc: Proc): Promise<RingJson> {
  const res = await fetch(`${proc.url}/ingester/ring?format=json`);
  expect(res.status).toBe(200);
  return (await res.json()) as RingJson;
}

/** The value of the sample `series` (name and labels as exposed) on `/metrics`; 0 when absent. */
async function metricValue(proc: Proc, series: string): Promise<number> {
  const text = await (await fetch(`${proc.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

function memorySeries(proc: Proc): Promise<number> {
  return metricValue(proc, `tessera_ingester_memory_series{tenant="${TENANT}"}`);
}

function pushStats(workers: Worker[]): { ok: number; rejected: PushRecord[]; lost: number } {
  const all = workers.flatMap((w) => w.pushes);
  return { ok: all.filter((p) => p.outcome === 'ok').length, rejected: all.filter((p) => p.outcome === 'rejected'), lost: all.filter((p) => p.outcome === 'lost').length };
}

const suite = redisBin === null && !REQUIRE_EXTERNAL ? describe.skip : describe;
if (redisBin === null && !REQUIRE_EXTERNAL) {
  console.warn('[cluster.test] SKIPPED: redis-server not found on PATH (set TESSERA_REQUIRE_EXTERNAL=1 to fail instead)');
}

suite('cluster mode: 1 distributor, 3 ingesters (RF=3), 1 querier, ring in Redis', () => {
  const dirs: { remove(): void }[] = [];
  afterAll(async () => {
    await killAllChildren();
    for (const d of dirs) d.remove();
  });

  it('loses and doubles nothing when an ingester is SIGKILLed mid-stream and comes back', { timeout: 90_000 }, async () => {
    expect(redisBin, 'redis-server is required (TESSERA_REQUIRE_EXTERNAL=1)').not.toBeNull();
    const started = performance.now();
    const tmp = tempDir('tessera-e2e-cluster-');
    dirs.push(tmp);
    const redis = await startRedis();
    const common = [
      '-server.http-listen-address=127.0.0.1',
      '-auth.enabled=true',
      `-internal.auth-token=${TOKEN}`,
      '-ring.store=redis',
      `-ring.redis.address=${redis.address}`,
      '-ring.replication-factor=3',
      '-ingester.ring.heartbeat-period=1s',
      // 1024 tokens: with 128 random tokens each, an ingester's share of the token space has a
      // relative spread of about 7%, too wide for a ±10% check to hold reliably.
      '-ingester.ring.num-tokens=1024',
      '-log.level=info',
    ];
    const ingesterArgs = (i: number): string[] => ['-target=ingester', ...common, `-ingester.id=ingester-${i}`, `-data.dir=${join(tmp.path, `ingester-${i}`)}`];
    const ports = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
    const ingesters = await Promise.all([0, 1, 2].map((i) => spawnTarget(`ingester-${i}`, ingesterArgs(i), ports[i]!)));
    const [distributor, querier] = await Promise.all([
      spawnTarget('distributor', ['-target=distributor', ...common, `-data.dir=${join(tmp.path, 'distributor')}`], ports[3]!),
      spawnTarget('querier', ['-target=querier', ...common, '-querier.query-workers=1', `-data.dir=${join(tmp.path, 'querier')}`], ports[4]!),
    ]);
    const ring = await ringJson(distributor);
    expect(ring.instances.map((i) => [i.id, i.state]).sort()).toEqual([['ingester-0', 'ACTIVE'], ['ingester-1', 'ACTIVE'], ['ingester-2', 'ACTIVE']]);
    console.log(`cluster up in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // The internal endpoints refuse callers without the shared token (tenants cannot reach them).
    const direct = await fetch(`${ingesters[0]!.url}/internal/ingester/push`, { method: 'POST', body: new Uint8Array(0), headers: { 'X-Scope-OrgID': TENANT } });
    expect(direct.status).toBe(401);

    const workers = Array.from({ length: WORKERS }, (_, i) => newWorker(i));
    const victim = ingesters[1]!;
    // Phase 1: push, SIGKILL ingester-1 mid-stream, keep pushing.
    await pushFor(workers, distributor.url, 4000, {
      atMs: 1500,
      run: async () => {
        const exit = await victim.run.stop('SIGKILL');
        expect(exit.signal).toBe('SIGKILL');
      },
    });
    const phase1 = pushStats(workers);
    expect(phase1.rejected.map((p) => `${p.status} ${p.body}`), 'pushes failed while one ingester was down').toEqual([]);
    expect(phase1.lost).toBe(0);
    // Enough pushes around the kill to matter (a loose floor: the machine may be busy).
    expect(phase1.ok).toBeGreaterThan(WORKERS * 5);
    // The distributor did meet the dead ingester (and wrote around it).
    const failedPushes = await metricValue(distributor, 'tessera_distributor_ingester_push_failures_total{reason="unreachable"}');
    expect(failedPushes).toBeGreaterThan(0);
    const whileDown = await checkQueries(querier, expectedSamples(workers));
    console.log(`with ingester-1 killed: ${phase1.ok} pushes acknowledged (${failedPushes} pushes to the dead ingester failed), ${whileDown} samples read back exactly`);

    // Phase 2: restart it under the same id on the same port: it replays its WAL and rejoins.
    const restartedAt = Date.now();
    const restarted = await spawnTarget('ingester-1 (restarted)', victim.args, victim.port);
    ingesters[1] = restarted;
    const replayed = restarted.run.jsonLines().find((l) => l.msg === 'WAL replayed' && l.tenant === TENANT);
    expect(replayed, `no 'WAL replayed' line\n${restarted.run.tail()}`).toBeDefined();
    expect(replayed!.series).toBe(TOTAL_SERIES);
    await waitFor('ingester-1 ACTIVE in the ring seen by the distributor', 10_000, async () => {
      const inst = (await ringJson(distributor)).instances.find((i) => i.id === 'ingester-1');
      return inst?.state === 'ACTIVE' && Date.parse(inst.lastHeartbeat) >= restartedAt && inst.tokens === 1024 ? true : undefined;
    });
    await pushFor(workers, distributor.url, 2000);
    const phase2 = pushStats(workers);
    expect(phase2.rejected.map((p) => `${p.status} ${p.body}`)).toEqual([]);
    expect(phase2.lost).toBe(0);
    const afterRestart = await checkQueries(querier, expectedSamples(workers));
    console.log(`after the restart: ${phase2.ok} pushes acknowledged, ${afterRestart} samples read back exactly`);

    // Spread: every ingester holds every series (RF=3 over 3), and owns a third of the ring.
    const held = await Promise.all(ingesters.map((p) => memorySeries(p)));
    const owned = (await ringJson(querier)).instances.map((i) => i.ownedPercent);
    console.log(`series per ingester: ${held.join(', ')}; owned % of the ring: ${owned.map((o) => o.toFixed(1)).join(', ')}`);
    const even = (held.reduce((a, b) => a + b, 0)) / 3;
    expect(even).toBe(TOTAL_SERIES);
    for (const n of held) expect(Math.abs(n - even) / even).toBeLessThanOrEqual(0.1);
    for (const o of owned) expect(Math.abs(o - 100 / 3) / (100 / 3)).toBeLessThanOrEqual(0.1);

    // Cardinality through the querier (ingester RPC tsdb_status, merged over the replicas): the
    // tenant's series counted once each, as the single process would count them.
    const status = (await (await fetch(`${querier.url}/prometheus/api/v1/status/tsdb`, { headers: { 'X-Scope-OrgID': TENANT } })).json()) as {
      data: { headStats: { numSeries: number }; seriesCountByMetricName: { name: string; value: number }[] };
    };
    expect(status.data.headStats.numSeries).toBe(TOTAL_SERIES);
    expect(status.data.seriesCountByMetricName).toEqual([{ name: METRIC, value: TOTAL_SERIES }]);

    // A clean shutdown: ingesters leave the ring and exit 0.
    const exits = await Promise.all([distributor, querier, ...ingesters].map((p) => p.run.stop('SIGTERM')));
    for (const [i, e] of exits.entries()) expect(e, [distributor, querier, ...ingesters][i]!.run.tail()).toEqual({ code: 0, signal: null });
    await redis.run.stop('SIGKILL');
    console.log(`cluster test took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});
