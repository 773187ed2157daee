import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { Matcher } from '@tessera/model';
import { createHttpServer } from '@tessera/server';
import type { Ingester } from './ingester.ts';
import { decodePushResult, decodeQueryResponse, encodeQueryRequest } from './rpc-codec.ts';
import {
  decodeMetadataResponse,
  decodeSeriesResponse,
  decodeStringList,
  encodeLabelNamesRequest,
  encodeLabelValuesRequest,
  encodeMetadataRequest,
  encodeSeriesRequest,
} from './rpc-codec-labels.ts';
import { INGESTER_RPC_PATHS, INTERNAL_TOKEN_HEADER, registerIngesterRpcRoutes } from './rpc-routes.ts';
import { ProtoWriter } from './rpc-wire.ts';
import { decodeTsdbStatus, encodeTsdbStatusRequest } from './tsdb-status.ts';
import { decodeUserStats } from './user-stats.ts';
import { cleanupTempDirs, pushBody, samplesOf, silentLogger, startIngester, ts } from './test-support.ts';

interface Server {
  url: string;
  ingester: Ingester;
  app: FastifyInstance;
}

const servers: Server[] = [];

/** A real Ingester behind the RPC routes on a real HTTP port of 127.0.0.1. */
async function serve(internalToken: string | null = null, maxSeriesPerUser = 0): Promise<Server> {
  const ingester = await startIngester(undefined, maxSeriesPerUser);
  const app = createHttpServer({ logger: silentLogger, registry: new Registry(), bodyLimitBytes: 10 << 20 });
  registerIngesterRpcRoutes(app, ingester, { internalToken, logger: silentLogger });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const s = { url: `http://127.0.0.1:${port}`, ingester, app };
  servers.push(s);
  return s;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    await s.app.close();
    await s.ingester.stop();
  }
  cleanupTempDirs();
});

interface CallOptions {
  tenant?: string | null;
  token?: string;
  contentType?: string;
}

/** POSTs a protobuf body to an RPC route; returns the status and the raw answer. */
async function call(s: Server, path: string, body: Uint8Array, o: CallOptions = {}): Promise<{ status: number; bytes: Uint8Array; text: string }> {
  const headers: Record<string, string> = { 'content-type': o.contentType ?? 'application/x-protobuf' };
  if (o.tenant !== null) headers['x-scope-orgid'] = o.tenant ?? 'team-a';
  if (o.token !== undefined) headers[INTERNAL_TOKEN_HEADER] = o.token;
  const res = await fetch(s.url + path, { method: 'POST', headers, body });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, bytes, text: new TextDecoder().decode(bytes) };
}

const up = [Matcher.create('=', '__name__', 'up')];
const T0 = 1_700_000_000_000;
const STALE_NAN = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;

describe('ingester RPC routes', () => {
  it('push stores the samples and query_chunks returns them, per tenant', async () => {
    const s = await serve();
    const body = pushBody([
      ts({ __name__: 'up', job: 'a' }, [[T0, 1], [T0 + 15_000, 0], [T0 + 30_000, STALE_NAN]]),
      ts({ __name__: 'up', job: 'b' }, [[T0, 1]]),
      ts({ __name__: 'other' }, [[T0, 5]]),
    ]);
    const pushed = await call(s, INGESTER_RPC_PATHS.push, body);
    expect(pushed.status).toBe(200);
    const result = decodePushResult(pushed.bytes);
    expect(result.samplesAppended).toBe(5);
    expect(result.seriesCreated).toBe(3);

    const q = await call(s, INGESTER_RPC_PATHS.queryChunks, encodeQueryRequest(up, T0, T0 + 60_000));
    expect(q.status).toBe(200);
    const series = decodeQueryResponse(q.bytes);
    expect(series.map((x) => x.labels.toString())).toEqual(['up{job="a"}', 'up{job="b"}']);
    const a = samplesOf(series[0]!);
    expect(a.slice(0, 2)).toEqual([[T0, 1], [T0 + 15_000, 0]]);
    expect(a[2]![0]).toBe(T0 + 30_000);
    expect(Number.isNaN(a[2]![1])).toBe(true);

    const other = await call(s, INGESTER_RPC_PATHS.queryChunks, encodeQueryRequest(up, T0, T0 + 60_000), { tenant: 'team-b' });
    expect(decodeQueryResponse(other.bytes)).toEqual([]);
  });

  it('reports the head refusals as a result, not an error', async () => {
    const s = await serve(null, 2);
    await call(s, INGESTER_RPC_PATHS.push, pushBody([ts({ __name__: 'up', job: 'a' }, [[T0 + 1000, 1]])]));
    const again = await call(
      s,
      INGESTER_RPC_PATHS.push,
      pushBody([
        ts({ __name__: 'up', job: 'a' }, [[T0, 1], [T0 + 1000, 1], [T0 + 2000, 2]]), // out of order, duplicate, new
        ts({ __name__: 'up', job: 'b' }, [[T0, 1]]),
        ts({ __name__: 'up', job: 'c' }, [[T0, 1], [T0 + 1, 1]]), // over the 2-series limit
      ]),
    );
    expect(again.status).toBe(200);
    const r = decodePushResult(again.bytes);
    expect(r.samplesAppended).toBe(2);
    expect(r.samplesDuplicateIgnored).toBe(1);
    expect(r.rejected['sample-out-of-order']).toBe(1);
    expect(r.rejected['max-series-per-user']).toBe(2);
    expect(r.firstErrors.join('\n')).toMatch(/max-series-per-user/);
  });

  it('answers label names, label values, series and metadata', async () => {
    const s = await serve();
    await call(
      s,
      INGESTER_RPC_PATHS.push,
      pushBody(
        [ts({ __name__: 'up', job: 'node', zone: 'ü' }, [[T0, 1]]), ts({ __name__: 'up', job: 'api' }, [[T0, 1]]), ts({ __name__: 'errors_total', job: 'api' }, [[T0 + 5000, 3]])],
        [{ type: 1, metricFamilyName: 'errors_total', help: 'Errors.', unit: '' }, { type: 2, metricFamilyName: 'up', help: 'Up.', unit: '' }],
      ),
    );
    const names = await call(s, INGESTER_RPC_PATHS.labelNames, encodeLabelNamesRequest([], T0, T0 + 10_000));
    expect(decodeStringList(names.bytes)).toEqual(['__name__', 'job', 'zone']);
    const jobs = await call(s, INGESTER_RPC_PATHS.labelValues, encodeLabelValuesRequest('job', [up], T0, T0 + 10_000));
    expect(decodeStringList(jobs.bytes)).toEqual(['api', 'node']);
    const zone = await call(s, INGESTER_RPC_PATHS.labelValues, encodeLabelValuesRequest('zone', [], T0, T0 + 10_000));
    expect(decodeStringList(zone.bytes)).toEqual(['ü']);
    const series = await call(s, INGESTER_RPC_PATHS.series, encodeSeriesRequest([[Matcher.create('=', 'job', 'api')]], T0, T0 + 10_000));
    expect(decodeSeriesResponse(series.bytes).map((l) => l.toString()).sort()).toEqual(['errors_total{job="api"}', 'up{job="api"}']);
    const meta = await call(s, INGESTER_RPC_PATHS.metadata, encodeMetadataRequest());
    expect(decodeMetadataResponse(meta.bytes)).toEqual(
      new Map([
        ['errors_total', [{ metricFamilyName: 'errors_total', type: 'counter', help: 'Errors.', unit: '' }]],
        ['up', [{ metricFamilyName: 'up', type: 'gauge', help: 'Up.', unit: '' }]],
      ]),
    );
    const one = await call(s, INGESTER_RPC_PATHS.metadata, encodeMetadataRequest('up'));
    expect([...decodeMetadataResponse(one.bytes).keys()]).toEqual(['up']);
    // Another tenant learns nothing.
    const b = await call(s, INGESTER_RPC_PATHS.labelNames, encodeLabelNamesRequest([], T0, T0 + 10_000), { tenant: 'team-b' });
    expect(decodeStringList(b.bytes)).toEqual([]);
    // The cardinality of the tenant's head, top lists cut at the requested limit.
    const status = decodeTsdbStatus((await call(s, INGESTER_RPC_PATHS.tsdbStatus, encodeTsdbStatusRequest(1))).bytes);
    expect(status.headStats).toMatchObject({ numSeries: 3, minTime: T0, maxTime: T0 + 5000 });
    expect(status.seriesCountByMetricName).toEqual([{ name: 'up', value: 2 }]);
    const none = decodeTsdbStatus((await call(s, INGESTER_RPC_PATHS.tsdbStatus, encodeTsdbStatusRequest(10), { tenant: 'team-b' })).bytes);
    expect(none.headStats.numSeries).toBe(0);
    const stats = decodeUserStats((await call(s, INGESTER_RPC_PATHS.userStats, new Uint8Array(0))).bytes);
    expect(stats.numSeries).toBe(3);
  });

  it('requires a valid tenant on every call', async () => {
    const s = await serve();
    for (const path of Object.values(INGESTER_RPC_PATHS)) {
      const r = await call(s, path, new Uint8Array(0), { tenant: null });
      expect(r.status, path).toBe(400);
      expect(r.text).toMatch(/X-Scope-OrgID/);
    }
    const bad = await call(s, INGESTER_RPC_PATHS.push, new Uint8Array(0), { tenant: '..' });
    expect(bad.status).toBe(400);
  });

  it('checks the internal token when one is configured', async () => {
    const s = await serve('s3cret');
    const body = pushBody([ts({ __name__: 'up' }, [[T0, 1]])]);
    expect((await call(s, INGESTER_RPC_PATHS.push, body)).status).toBe(401);
    expect((await call(s, INGESTER_RPC_PATHS.push, body, { token: 's3cre' })).status).toBe(401);
    expect((await call(s, INGESTER_RPC_PATHS.queryChunks, encodeQueryRequest(up, 0, T0 * 2), { token: 'S3CRET' })).status).toBe(401);
    expect(s.ingester.head('team-a')).toBeUndefined();
    const ok = await call(s, INGESTER_RPC_PATHS.push, body, { token: 's3cret' });
    expect(ok.status).toBe(200);
    expect(decodePushResult(ok.bytes).samplesAppended).toBe(1);
  });

  it('refuses pushes with 503 once the ingester stops taking writes, and still answers reads', async () => {
    const s = await serve();
    await call(s, INGESTER_RPC_PATHS.push, pushBody([ts({ __name__: 'up' }, [[T0, 1]])]));
    s.ingester.stopAcceptingWrites();
    const refused = await call(s, INGESTER_RPC_PATHS.push, pushBody([ts({ __name__: 'up' }, [[T0 + 1000, 1]])]));
    expect(refused.status).toBe(503);
    expect(refused.text).toMatch(/shutting down/);
    const q = await call(s, INGESTER_RPC_PATHS.queryChunks, encodeQueryRequest(up, 0, T0 * 2));
    expect(q.status).toBe(200);
    expect(samplesOf(decodeQueryResponse(q.bytes)[0]!)).toEqual([[T0, 1]]);
  });

  it('answers 400 for malformed bodies and invalid regexes, 415 for other content types', async () => {
    const s = await serve();
    expect((await call(s, INGESTER_RPC_PATHS.push, Uint8Array.of(0x0a, 0x05, 0x01))).status).toBe(400);
    expect((await call(s, INGESTER_RPC_PATHS.queryChunks, Uint8Array.of(0x1a, 0x09))).status).toBe(400);
    // A LabelNamesRequest whose one set holds `a=~"("`, hand-built because Matcher.create refuses it.
    const w = new ProtoWriter();
    w.fork(3).fork(1).uint(1, 2).string(2, 'a').string(3, '(').ldelim().ldelim();
    const re = await call(s, INGESTER_RPC_PATHS.labelNames, w.finish());
    expect(re.status).toBe(400);
    expect(re.text).toMatch(/invalid LabelNamesRequest/);
    expect((await call(s, INGESTER_RPC_PATHS.queryChunks, new Uint8Array(2), { contentType: 'text/plain' })).status).toBe(415);
  });
});
