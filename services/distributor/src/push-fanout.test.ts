import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { pino } from 'pino';
import { Labels } from '@tessera/model';
import { decodeWriteRequestReference, encodeWriteRequest, snappyCompress, type TimeSeriesObject } from '@tessera/remotewrite';
import { DEFAULT_LIMITS, resolveLimits } from '@tessera/limits';
import { TesseraError } from '@tessera/server';
import { newAppendResult } from '@tessera/tsdb';
import { encodePushResult } from '@tessera/ingester';
import { Ring, generateTokens, seededRandomUint32, type InstanceDesc, type RingDesc } from '@tessera/ring';
import { Distributor } from './distributor.ts';
import { PushFanout, INGESTER_PUSH_PATH } from './push-fanout.ts';
import type { IngesterTransport, RpcResponse } from './ingester-pool.ts';

const NOW = 1_700_000_000_000;
const TENANT = 'team-a';

/** A ring of `n` ACTIVE ingesters `ing-<i>` at `addr-<i>:1`, 64 seeded tokens each. */
function ring(n: number): Ring {
  const rnd = seededRandomUint32(7);
  const taken = new Set<number>();
  const instances: Record<string, InstanceDesc> = {};
  for (let i = 0; i < n; i++) {
    const tokens = generateTokens(64, taken, rnd);
    for (const t of tokens) taken.add(t);
    instances[`ing-${i}`] = { id: `ing-${i}`, addr: `addr-${i}:1`, state: 'ACTIVE', tokens, heartbeatMs: NOW, registeredMs: NOW };
  }
  const desc: RingDesc = { instances };
  const r = new Ring({ get: async () => desc, cas: async () => desc, watch: () => () => {}, close: async () => {} }, { replicationFactor: 3, now: () => NOW });
  r.update(desc);
  return r;
}

interface Call {
  addr: string;
  tenant: string;
  series: TimeSeriesObject[];
  /** The body as handed over (not a copy). */
  raw: Uint8Array;
  answer: (res: RpcResponse | Error) => void;
}

/** A transport that records every post and lets the test answer it (or answers at once via `auto`). */
class FakeTransport implements IngesterTransport {
  calls: Call[] = [];
  auto: ((c: Call) => RpcResponse | Error | null) | null = null;

  post(addr: string, path: string, tenant: string, body: Uint8Array): Promise<RpcResponse> {
    expect(path).toBe(INGESTER_PUSH_PATH);
    // Decode now: the caller may reuse nothing it handed over, but check that it did not.
    const series = decodeWriteRequestReference(body.slice()).timeseries;
    return new Promise((resolve, reject) => {
      const call: Call = { addr, tenant, series, raw: body, answer: (r) => (r instanceof Error ? reject(r) : resolve(r)) };
      this.calls.push(call);
      const a = this.auto?.(call);
      if (a !== null && a !== undefined) queueMicrotask(() => call.answer(a));
    });
  }
}

function ok(appended: number, rejected: Partial<Record<'sample-out-of-order', number>> = {}, firstErrors: string[] = []): RpcResponse {
  const r = newAppendResult();
  r.samplesAppended = appended;
  Object.assign(r.rejected, rejected);
  r.firstErrors.push(...firstErrors);
  return { status: 200, contentType: 'application/x-protobuf', body: Buffer.from(encodePushResult(r)) };
}

function series(n: number, tag: string): TimeSeriesObject[] {
  return Array.from({ length: n }, (_, i) => ({
    labels: [{ name: '__name__', value: 'm' }, { name: 'i', value: `${tag}${i}` }],
    samples: [{ timestamp: NOW - 1000, value: i }, { timestamp: NOW, value: i + 0.5 }],
    exemplars: [],
    histograms: [],
  }));
}

function setup(nIngesters = 4): { transport: FakeTransport; distributor: Distributor; ring: Ring; registry: Registry } {
  const transport = new FakeTransport();
  const registry = new Registry();
  const logger = pino({ level: 'silent' });
  const r = ring(nIngesters);
  const fanout = new PushFanout({ remoteTimeoutMs: 2000 }, { ring: r, transport, logger, registry });
  const limits = resolveLimits(DEFAULT_LIMITS);
  const distributor = new Distributor({ maxRecvMsgSize: 1 << 20 }, { logger, registry, limits: () => limits, ingester: fanout, now: () => NOW });
  return { transport, distributor, ring: r, registry };
}

function body(ts: TimeSeriesObject[]): Uint8Array {
  return snappyCompress(encodeWriteRequest({ timeseries: ts, metadata: [] }));
}

/** The ingester addresses a series of `labels` must go to. */
function replicas(r: Ring, labels: { name: string; value: string }[]): string[] {
  const bytes = Labels.fromPairs(labels.map((l) => [l.name, l.value] as const)).encode();
  return r.replicationSetForToken(r.tokenForSeries(TENANT, bytes, 0, bytes.length), 'write').instances.map((i) => i.addr).sort();
}

describe('PushFanout', () => {
  it('sends every series, with all its samples, to exactly the three ingesters of its replication set', async () => {
    const { transport, distributor, ring: r } = setup();
    transport.auto = (c) => ok(c.series.length * 2);
    const sent = series(200, 's');
    const out = await distributor.push(TENANT, body(sent));
    expect(out.problems).toEqual([]);
    expect(out.samplesStored).toBe(400);
    const placed = new Map<string, string[]>();
    for (const c of transport.calls) {
      expect(c.tenant).toBe(TENANT);
      for (const s of c.series) {
        const key = JSON.stringify(s.labels);
        placed.set(key, [...(placed.get(key) ?? []), c.addr]);
        expect(s.samples.map((x) => [Number(x.timestamp), x.value])).toEqual([[NOW - 1000, Number(s.labels[1]!.value.slice(1))], [NOW, Number(s.labels[1]!.value.slice(1)) + 0.5]]);
      }
    }
    expect(placed.size).toBe(200);
    for (const s of sent) expect(placed.get(JSON.stringify(s.labels))!.sort()).toEqual(replicas(r, s.labels));
    // With four ingesters, each holds about three quarters of the series.
    expect(transport.calls.length).toBe(4);
  });

  it('acknowledges on a quorum: one ingester down (refused) or silent does not fail the push', async () => {
    const { transport, distributor, registry } = setup(3);
    // addr-0 refuses connections: 2 of 3 replicas accept, the push succeeds.
    transport.auto = (c) => (c.addr === 'addr-0:1' ? new TesseraError('unavailable', 'ingester-unreachable', 'connect ECONNREFUSED') : ok(c.series.length * 2));
    const out = await distributor.push(TENANT, body(series(10, 'b')));
    expect(out.problems).toEqual([]);
    expect(out.samplesStored).toBe(20);
    // addr-1 never answers: the push resolves as soon as the other two did, without waiting.
    transport.auto = (c) => (c.addr === 'addr-1:1' ? null : ok(c.series.length * 2));
    await expect(distributor.push(TENANT, body(series(10, 'c')))).resolves.toMatchObject({ samplesStored: 20, problems: [] });
    const failures = await registry.getSingleMetric('tessera_distributor_ingester_push_failures_total')!.get();
    expect(failures.values.find((v) => v.labels.reason === 'unreachable')!.value).toBe(1);
  });

  it('fails with 503 naming the ingesters when two of three are down, and on error statuses', async () => {
    const { transport, distributor } = setup(3);
    transport.auto = (c) =>
      c.addr === 'addr-2:1'
        ? ok(c.series.length * 2)
        : c.addr === 'addr-1:1'
          ? { status: 503, contentType: 'text/plain', body: Buffer.from('ingester is shutting down; retry') }
          : new TesseraError('unavailable', 'ingester-timeout', 'ingester addr-0:1 did not answer within 2000 ms');
    const err = await Promise.resolve(distributor.push(TENANT, body(series(5, 'x')))).then(() => null, (e: unknown) => e as TesseraError);
    expect(err).not.toBeNull();
    expect(err!.status).toBe(503);
    expect(err!.message).toMatch(/5 series could not be written to a quorum of ingesters/);
    expect(err!.message).toMatch(/ing-[01]: /);
  });

  it('reports rejections once, not once per replica', async () => {
    const { transport, distributor } = setup(3);
    const msg = 'the sample has been rejected … (sample-out-of-order); series m{i="r0"}';
    transport.auto = (c) => ok(c.series.length * 2 - 1, { 'sample-out-of-order': 1 }, [msg]);
    const out = await distributor.push(TENANT, body(series(1, 'r')));
    expect(out.discarded).toBe(1);
    expect(out.samplesStored).toBe(1);
    expect(out.problems).toEqual([msg]);
  });

  it('encodes each request before the next one reuses the decode buffers', async () => {
    const { transport, distributor } = setup(3);
    // Nothing answers until both pushes were handed over.
    const p1 = distributor.push(TENANT, body(series(50, 'first-')));
    const p2 = distributor.push(TENANT, body(series(50, 'second-')));
    expect(transport.calls.length).toBe(6);
    for (const [k, c] of transport.calls.entries()) {
      const prefix = k < 3 ? 'first-' : 'second-';
      expect(c.series.length).toBe(50);
      for (const s of c.series) expect(s.labels[1]!.value.startsWith(prefix)).toBe(true);
    }
    for (const c of transport.calls) c.answer(ok(100));
    await expect(p1).resolves.toMatchObject({ samplesStored: 100 });
    await expect(p2).resolves.toMatchObject({ samplesStored: 100 });
  });

  it('keeps a body intact until every request sending it was answered', async () => {
    const { transport, distributor } = setup(3);
    const p1 = distributor.push(TENANT, body(series(40, 'one-')));
    // Two answers reach the quorum: the push resolves while the third request is still out.
    transport.calls[0]!.answer(ok(80));
    transport.calls[1]!.answer(ok(80));
    await p1;
    transport.auto = (c) => ok(c.series.length * 2);
    await distributor.push(TENANT, body(series(40, 'two-')));
    const late = decodeWriteRequestReference(transport.calls[2]!.raw).timeseries;
    expect(late.map((s) => s.labels[1]!.value)).toEqual(transport.calls[2]!.series.map((s) => s.labels[1]!.value));
    expect(late[0]!.labels[1]!.value).toBe('one-0');
    transport.calls[2]!.answer(ok(80));
  });

  it('answers 503 at once when the ring has no quorum of writable ingesters', async () => {
    const { distributor } = setup(0);
    expect(() => distributor.push(TENANT, body(series(1, 'z')))).toThrow(/ring is empty/);
  });
});
