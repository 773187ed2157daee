import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createLogger, TesseraError } from '@tessera/server';
import {
  INGESTER_RPC_PATHS,
  decodeLabelNamesRequest,
  decodeLabelValuesRequest,
  decodeQueryRequest,
  decodeSeriesRequest,
  encodeMetadataResponse,
  encodeQueryResponse,
  encodeSeriesResponse,
  encodeStringList,
  queryHeadChunks,
} from '@tessera/ingester';
import type { Head } from '@tessera/tsdb';
import type { Labels } from '@tessera/model';
import { parseMatchParams } from './params.ts';
import { Querier } from './querier.ts';
import { createQueryRunner, type QueryRequest } from './query-runner.ts';
import { closeHeads, headReader, loadHead, makeDataset, SPAN_MS, T0, type HeadSet } from './query-test-data.ts';
import { RemoteIngesters, type RemoteResponse, type RemoteTransport } from './remote-ingester.ts';

const set: HeadSet = { heads: [], dirs: [] };
/** Three ingesters holding the same data (RF=3 over three ingesters). */
const replicas = new Map<string, Head>();
let reference: Head;

beforeAll(() => {
  const data = makeDataset(42);
  reference = loadHead(set, data);
  for (const addr of ['a:1', 'b:1', 'c:1']) replicas.set(addr, loadHead(set, data));
});
afterAll(() => closeHeads(set));

/** Serves the ingester RPC from the replica heads; addresses in `down` refuse, in `garbled` answer junk. */
class HeadTransport implements RemoteTransport {
  down = new Set<string>();
  garbled = new Set<string>();
  calls = 0;

  async post(addr: string, path: string, tenant: string, body: Uint8Array): Promise<RemoteResponse> {
    this.calls++;
    expect(tenant).toBe('t1');
    if (this.down.has(addr)) throw new TesseraError('unavailable', 'ingester-unreachable', `ingester ${addr} could not be reached: connect ECONNREFUSED`);
    if (this.garbled.has(addr)) return { status: 200, body: new Uint8Array([0xff, 0xff, 0xff]) };
    const head = replicas.get(addr)!;
    const ok = (b: Uint8Array): RemoteResponse => ({ status: 200, body: b });
    switch (path) {
      case INGESTER_RPC_PATHS.queryChunks: {
        const q = decodeQueryRequest(body);
        return ok(encodeQueryResponse(queryHeadChunks(head, q.matchers, q.mint, q.maxt)));
      }
      case INGESTER_RPC_PATHS.labelNames: {
        const q = decodeLabelNamesRequest(body);
        return ok(encodeStringList(head.labelNames(q.sets, q.mint, q.maxt)));
      }
      case INGESTER_RPC_PATHS.labelValues: {
        const q = decodeLabelValuesRequest(body);
        return ok(encodeStringList(head.labelValues(q.name, q.sets, q.mint, q.maxt)));
      }
      case INGESTER_RPC_PATHS.series: {
        const q = decodeSeriesRequest(body);
        const out: Labels[] = [];
        for (const ms of q.sets) for (const s of head.select(ms, q.mint, q.maxt)) out.push(head.labelsOf(s));
        return ok(encodeSeriesResponse(out));
      }
      case INGESTER_RPC_PATHS.metadata:
        return ok(encodeMetadataResponse(new Map([['req_total', [{ metricFamilyName: 'req_total', type: 'counter', help: `from ${addr}`, unit: '' }]]])));
      default:
        return { status: 404, body: new TextEncoder().encode('no such route') };
    }
  }
}

function remote(transport: RemoteTransport): RemoteIngesters {
  const instances = [...replicas.keys()].map((addr) => ({ id: `ing-${addr[0]}`, addr }));
  return new RemoteIngesters({
    ring: { allHealthy: () => ({ instances, maxErrors: 1 }) },
    transport,
    timeoutMs: () => 1000,
    logger: createLogger({ level: 'silent' }),
    registry: new Registry(),
  });
}

const NO_LIMITS = { maxFetchedSeries: 0, maxFetchedChunks: 0, maxSamples: 0 };
const QUERIES: QueryRequest[] = [
  { tenant: 't1', expr: 'sum by (job) (rate(req_total[5m]))', kind: 'range', startMs: T0, endMs: T0 + SPAN_MS, stepMs: 60_000, timeoutMs: 30_000, lookbackDeltaMs: 0, stats: false, limits: NO_LIMITS },
  { tenant: 't1', expr: 'temp[10m]', kind: 'instant', startMs: T0 + 3_600_000, endMs: T0 + 3_600_000, stepMs: 0, timeoutMs: 30_000, lookbackDeltaMs: 0, stats: false, limits: NO_LIMITS },
];

async function run(readers: () => readonly import('./ingester-queryable.ts').ChunkReader[], q: QueryRequest): Promise<string> {
  const runner = createQueryRunner({ workers: 0, ingesters: readers, logger: createLogger({ level: 'silent' }), registry: new Registry() });
  try {
    return (await runner.run(q, new AbortController().signal)).body;
  } finally {
    await runner.close();
  }
}

describe('RemoteIngesters', () => {
  it('answers PromQL queries over the RPC exactly as over the ingester in process, with one ingester down', async () => {
    const transport = new HeadTransport();
    const r = remote(transport);
    for (const q of QUERIES) {
      const want = await run(() => [headReader(reference)], q);
      expect(want).toContain('"status":"success"');
      expect(await run(() => r.readers(), q)).toBe(want);
      transport.down.add('b:1');
      expect(await run(() => r.readers(), q)).toBe(want);
      transport.down.clear();
    }
  });

  it('fails with 503 when more ingesters fail than the ring tolerates (a garbled answer counts as failed)', async () => {
    const transport = new HeadTransport();
    const r = remote(transport);
    transport.down.add('a:1');
    transport.garbled.add('c:1');
    const err = await run(() => r.readers(), QUERIES[0]!).then(() => null, (e: unknown) => e as TesseraError);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'too-many-ingesters-failed', status: 503 });
    expect(err!.message).toMatch(/2 ingesters failed to answer, at most 1 may/);
    expect(err!.message).toMatch(/ing-a: .*ECONNREFUSED/);
  });

  it('serves series, label names, label values and metadata merged over the replicas', async () => {
    const transport = new HeadTransport();
    const r = remote(transport);
    const local = new Querier(() => [
      {
        series: (_t, sets, mint, maxt) => sets.flatMap((ms) => reference.select(ms, mint, maxt).map((s) => reference.labelsOf(s))),
        labelNames: (_t, sets, mint, maxt) => reference.labelNames(sets, mint, maxt),
        labelValues: (_t, name, sets, mint, maxt) => reference.labelValues(name, sets, mint, maxt),
      },
    ]);
    const viaRpc = new Querier(() => r.readers());
    const sets = parseMatchParams(['{__name__=~"req_total|temp"}', 'up']);
    transport.down.add('c:1');
    const want = (await local.series('t1', sets, T0, T0 + SPAN_MS)).map((l) => l.toString());
    expect(want.length).toBeGreaterThan(5);
    expect((await viaRpc.series('t1', sets, T0, T0 + SPAN_MS)).map((l) => l.toString())).toEqual(want);
    expect(await viaRpc.labelNames('t1', [], T0, T0 + SPAN_MS)).toEqual(await local.labelNames('t1', [], T0, T0 + SPAN_MS));
    expect(await viaRpc.labelValues('t1', 'job', sets, T0, T0 + SPAN_MS)).toEqual(await local.labelValues('t1', 'job', sets, T0, T0 + SPAN_MS));
    const metadata = await Promise.all(r.readers().map((x) => x.metadata('t1')));
    expect(metadata.map((m) => m.get('req_total')?.[0]?.help)).toEqual(['from a:1', 'from b:1', undefined]);
  });
});
