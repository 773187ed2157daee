/**
 * End-to-end: what a remote-write sender sees when it sends something Tessera must refuse, and
 * proof that the refusal neither harms data stored before nor lets the refused part in.
 *
 * Table-driven. Every case runs against its own tenant: it first pushes one known series, then
 * sends the bad request, then checks (1) the status code, (2) that the message names the problem
 * in words a user can act on (an error code, the option that changes a limit), (3) that the series
 * API still lists exactly the known series (plus whatever part of the request was valid), (4) that
 * the number of samples ingested grew by exactly the valid part, and (5) where the refusal is per
 * sample, that `tessera_discarded_samples_total` counted it under the right reason and tenant.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWriteRequest, snappyCompress } from '@tessera/remotewrite';
import {
  listSeries,
  makeTempDir,
  metricValue,
  push,
  pushBody,
  remoteWriteBody,
  removeDir,
  startInProcess,
  writeRequestBytes,
  writeTempFile,
  type InProcessTessera,
  type PushSeries,
  type TextResponse,
} from './helpers.ts';

const MAX_MSG = 4096;
const MAX_LABELS = 5;
const MAX_NAME_LEN = 20;
const MAX_VALUE_LEN = 40;
const RATE_LIMITED_TENANT = 'rate-limited';

/** Timestamps relative to the start of the run: the known series' samples are T1 < T2. */
const NOW = Date.now();
const T0 = NOW - 90_000;
const T1 = NOW - 60_000;
const T2 = NOW - 30_000;
const FUTURE = NOW + 10 * 60_000;

type ServerName = 'main' | 'seriesLimit';

interface Ctx {
  url: string;
  tenant: string;
  /** The labels of the known series pushed before the bad request. */
  known: Record<string, string>;
}

interface BadCase {
  name: string;
  server?: ServerName;
  /** Tenant of the known data; default a fresh one per case. */
  tenant?: string;
  /** Pushes more valid data before the bad request; returns the series it created. */
  setup?: (ctx: Ctx) => Promise<Record<string, string>[]>;
  send: (ctx: Ctx) => Promise<TextResponse>;
  status: number;
  /** Phrases the answer must contain. */
  says: RegExp[];
  /** Series of the bad request that must be stored (the valid part of a mixed request). */
  stored?: Record<string, string>[];
  /** Samples of the bad request that must be ingested (default 0). */
  storedSamples?: number;
  /** Series API queries (selector, start, end in seconds) that must come back empty. */
  absent?: Array<{ match: string; start?: string; end?: string }>;
  /** Discard reason that must be counted for the tenant, and how many samples. */
  discarded?: { reason: string; samples: number };
}

const sec = (ms: number): string => (ms / 1000).toFixed(3);
const bad = (labels: PushSeries['labels'], samples: PushSeries['samples'] = [[T2, 1]]): PushSeries => ({ labels, samples });

const cases: BadCase[] = [
  {
    name: 'body that is not snappy',
    send: ({ url, tenant }) => pushBody(url, new TextEncoder().encode('this is plain text, not snappy'), { tenant }),
    status: 400,
    says: [/not snappy/],
  },
  {
    name: 'snappy body that is not a WriteRequest',
    // Field 1 (timeseries), length-delimited, claiming 100 bytes where 1 follows.
    send: ({ url, tenant }) => pushBody(url, snappyCompress(new Uint8Array([0x0a, 0x64, 0x01])), { tenant }),
    status: 400,
    says: [/not a valid remote-write WriteRequest/],
  },
  {
    name: 'JSON content type',
    send: ({ url, tenant }) => pushBody(url, JSON.stringify({ timeseries: [] }), { tenant, contentType: 'application/json' }),
    status: 415,
    says: [/unsupported Content-Type/, /application\/x-protobuf/],
  },
  {
    name: 'JSON content type with a body that is not JSON',
    send: ({ url, tenant }) => pushBody(url, remoteWriteBody([bad({ __name__: 'e2e_json' })]), { tenant, contentType: 'application/json' }),
    status: 415,
    says: [/unsupported Content-Type/],
  },
  {
    name: 'remote-write 2.0 content type',
    send: ({ url, tenant }) =>
      pushBody(url, remoteWriteBody([bad({ __name__: 'e2e_rw2' })]), { tenant, contentType: 'application/x-protobuf;proto=io.prometheus.write.v2.Request' }),
    status: 415,
    says: [/io\.prometheus\.write\.v2\.request/i, /remote-write 1\.0/],
  },
  {
    name: 'gzip content encoding',
    send: ({ url, tenant }) => pushBody(url, remoteWriteBody([bad({ __name__: 'e2e_gzip' })]), { tenant, headers: { 'Content-Encoding': 'gzip' } }),
    status: 415,
    says: [/Content-Encoding "gzip"/, /snappy/],
  },
  {
    name: 'empty body',
    send: ({ url, tenant }) => pushBody(url, new Uint8Array(0), { tenant }),
    status: 400,
    says: [/empty request body/],
  },
  {
    name: 'compressed body over the size limit',
    send: ({ url, tenant }) => pushBody(url, randomBytes(2 * MAX_MSG), { tenant }),
    status: 413,
    says: [/too large/, new RegExp(String(MAX_MSG)), /-distributor\.max-recv-msg-size/],
  },
  {
    name: 'small snappy body that decodes past the size limit',
    send: ({ url, tenant }) => {
      const series = Array.from({ length: 100 }, (_, i) => bad({ __name__: 'e2e_big', i: String(i).padStart(3, '0') }));
      const raw = writeRequestBytes(series);
      const body = snappyCompress(raw);
      expect(raw.length).toBeGreaterThan(MAX_MSG);
      expect(body.length).toBeLessThan(MAX_MSG);
      return pushBody(url, body, { tenant });
    },
    status: 413,
    says: [/-distributor\.max-recv-msg-size/],
  },
  {
    name: 'invalid label name',
    send: ({ url, tenant }) => push(url, [bad({ __name__: 'e2e_bad', 'bad-name': 'x' })], { tenant }),
    status: 400,
    says: [/label-invalid/, /invalid label name/, /bad-name/],
    discarded: { reason: 'label-invalid', samples: 1 },
  },
  {
    name: 'missing metric name',
    send: ({ url, tenant }) => push(url, [bad({ job: 'no-name' })], { tenant }),
    status: 400,
    says: [/missing-metric-name/, /without a metric name/],
    discarded: { reason: 'missing-metric-name', samples: 1 },
  },
  {
    name: 'duplicate label names',
    send: ({ url, tenant }) => push(url, [bad([['__name__', 'e2e_dup'], ['job', 'a'], ['job', 'b']])], { tenant }),
    status: 400,
    says: [/duplicate-label-names/],
    discarded: { reason: 'duplicate-label-names', samples: 1 },
  },
  {
    name: 'unsorted labels',
    send: ({ url, tenant }) => push(url, [bad([['__name__', 'e2e_unsorted'], ['job', 'a'], ['env', 'b']])], { tenant }),
    status: 400,
    says: [/labels-not-sorted/, /sorted/],
    discarded: { reason: 'labels-not-sorted', samples: 1 },
  },
  {
    name: 'too many labels',
    send: ({ url, tenant }) => {
      const labels: Record<string, string> = { __name__: 'e2e_wide' };
      for (let i = 0; i < MAX_LABELS; i++) labels[`l${i}`] = 'v';
      return push(url, [bad(labels)], { tenant });
    },
    status: 400,
    says: [/max-label-names-per-series/, /-validation\.max-label-names-per-series/],
    discarded: { reason: 'max-label-names-per-series', samples: 1 },
  },
  {
    name: 'label name too long',
    send: ({ url, tenant }) => push(url, [bad({ __name__: 'e2e_longname', ['n'.repeat(MAX_NAME_LEN + 1)]: 'v' })], { tenant }),
    status: 400,
    says: [/label-name-too-long/, /-validation\.max-length-label-name/],
    discarded: { reason: 'label-name-too-long', samples: 1 },
  },
  {
    name: 'label value too long',
    send: ({ url, tenant }) => push(url, [bad({ __name__: 'e2e_longvalue', v: 'x'.repeat(MAX_VALUE_LEN + 1) })], { tenant }),
    status: 400,
    says: [/label-value-too-long/, /-validation\.max-length-label-value/],
    discarded: { reason: 'label-value-too-long', samples: 1 },
  },
  {
    name: 'label value that is not UTF-8',
    send: ({ url, tenant }) => {
      // Encode "a~b", then turn "~" into 0xff: protobuf strings must be UTF-8.
      const raw = writeRequestBytes([bad({ __name__: 'e2e_latin1', v: 'a~b' })]);
      const at = Buffer.from(raw).indexOf('a~b');
      expect(at).toBeGreaterThan(0);
      raw[at + 1] = 0xff;
      return pushBody(url, snappyCompress(raw), { tenant });
    },
    status: 400,
    says: [/label-value-invalid/, /UTF-8/],
    discarded: { reason: 'label-value-invalid', samples: 1 },
  },
  {
    name: 'native histogram samples next to float samples',
    send: ({ url, tenant }) => {
      const histogram = {
        countInt: 2, sum: 3, schema: 0, zeroThreshold: 0, zeroCountInt: 0,
        negativeSpans: [], negativeDeltas: [], negativeCounts: [],
        positiveSpans: [{ offset: 0, length: 1 }], positiveDeltas: [2], positiveCounts: [],
        resetHint: 0, timestamp: T2,
      };
      const raw = encodeWriteRequest({
        timeseries: [
          { labels: [{ name: '__name__', value: 'e2e_float' }], samples: [{ value: 1, timestamp: T2 }], exemplars: [], histograms: [] },
          { labels: [{ name: '__name__', value: 'e2e_histogram' }], samples: [], exemplars: [], histograms: [histogram] },
        ],
        metadata: [],
      });
      return pushBody(url, snappyCompress(raw), { tenant });
    },
    status: 400,
    says: [/native-histogram-unsupported/, /e2e_histogram/, /send_native_histograms/],
    stored: [{ __name__: 'e2e_float' }],
    storedSamples: 1,
    discarded: { reason: 'native-histogram-unsupported', samples: 1 },
  },
  {
    name: 'timestamp beyond the creation grace period',
    send: ({ url, tenant, known }) => push(url, [bad(known, [[FUTURE, 1]])], { tenant }),
    status: 400,
    says: [/sample-too-far-in-future/, /-validation\.create-grace-period/],
    absent: [{ match: '{__name__=~".+"}', start: sec(NOW + 60_000) }],
    discarded: { reason: 'sample-too-far-in-future', samples: 1 },
  },
  {
    name: 'out-of-order sample',
    send: ({ url, tenant, known }) => push(url, [bad(known, [[T0, 5]])], { tenant }),
    status: 400,
    says: [/sample-out-of-order/, /more recent timestamp/],
    absent: [{ match: '{__name__=~".+"}', start: sec(T0 - 1000), end: sec(T0 + 1000) }],
    discarded: { reason: 'sample-out-of-order', samples: 1 },
  },
  {
    name: 'duplicate timestamp with a different value',
    send: ({ url, tenant, known }) => push(url, [bad(known, [[T2, 99]])], { tenant }),
    status: 400,
    says: [/sample-duplicate-timestamp/, /different value/],
    discarded: { reason: 'sample-duplicate-timestamp', samples: 1 },
  },
  {
    // As in Prometheus's head, only a resend of the newest sample is a tolerated duplicate; an
    // older one is out of order even when it equals what is stored.
    name: 'exact duplicate resend of the newest sample (accepted, nothing changes)',
    send: ({ url, tenant, known }) => push(url, [bad(known, [[T2, 2]])], { tenant }),
    status: 200,
    says: [],
  },
  {
    name: 'mixed request: one valid and one invalid series',
    send: ({ url, tenant }) =>
      push(url, [bad({ __name__: 'e2e_mixed_ok', job: 'e2e' }), bad({ __name__: 'e2e_mixed_bad', 'bad-name': 'x' })], { tenant }),
    status: 400,
    says: [/label-invalid/, /1 of 2 samples rejected, 1 stored/],
    stored: [{ __name__: 'e2e_mixed_ok', job: 'e2e' }],
    storedSamples: 1,
    discarded: { reason: 'label-invalid', samples: 1 },
  },
  {
    name: 'missing X-Scope-OrgID with auth on',
    send: ({ url }) => push(url, [bad({ __name__: 'e2e_no_tenant' })], { tenant: undefined }),
    status: 401,
    says: [/X-Scope-OrgID/, /-auth\.enabled=false/],
  },
  {
    name: 'tenant id with a slash',
    send: ({ url }) => push(url, [bad({ __name__: 'e2e_slash' })], { tenant: 'a/b' }),
    status: 400,
    says: [/X-Scope-OrgID/, /"\/"/],
  },
  {
    name: 'tenant id ".."',
    send: ({ url }) => push(url, [bad({ __name__: 'e2e_dotdot' })], { tenant: '..' }),
    status: 400,
    says: [/X-Scope-OrgID/, /"\.\."/],
  },
  {
    name: 'tenant id longer than 150 characters',
    send: ({ url }) => push(url, [bad({ __name__: 'e2e_long_tenant' })], { tenant: 't'.repeat(151) }),
    status: 400,
    says: [/X-Scope-OrgID/, /too long/],
  },
  {
    name: 'tenant id naming several tenants with "|"',
    send: ({ url, tenant }) => push(url, [bad({ __name__: 'e2e_pipe' })], { tenant: `${tenant}|other` }),
    status: 400,
    says: [/X-Scope-OrgID/, /exactly one tenant/],
  },
  {
    name: 'over the ingestion rate limit (runtime override)',
    tenant: RATE_LIMITED_TENANT,
    send: ({ url, tenant }) => push(url, [bad({ __name__: 'e2e_flood' }, Array.from({ length: 10 }, (_, i) => [T1 + i, i] as const))], { tenant }),
    status: 429,
    says: [/tenant-max-ingestion-rate/, /-distributor\.ingestion-rate-limit/],
    discarded: { reason: 'rate-limited', samples: 10 },
  },
  {
    name: 'series limit per tenant: the third series',
    server: 'seriesLimit',
    setup: async ({ url, tenant }) => {
      const second = { __name__: 'e2e_second', job: 'e2e' };
      const r = await push(url, [bad(second)], { tenant });
      expect(r.status).toBe(200);
      return [second];
    },
    send: ({ url, tenant }) => push(url, [bad({ __name__: 'e2e_third', job: 'e2e' })], { tenant }),
    status: 400,
    says: [/max-series-per-user/, /-ingester\.max-global-series-per-user/],
    discarded: { reason: 'max-series-per-user', samples: 1 },
  },
];

describe('remote-write: bad input is refused and harms nothing', () => {
  let dir: string;
  const servers = new Map<ServerName, InProcessTessera>();

  beforeAll(async () => {
    dir = await makeTempDir();
    const runtime = await writeTempFile(
      dir,
      'runtime.yaml',
      `overrides:\n  ${RATE_LIMITED_TENANT}:\n    ingestion_rate: 1\n    ingestion_burst_size: 5\n`,
    );
    servers.set(
      'main',
      await startInProcess([
        `-distributor.max-recv-msg-size=${MAX_MSG}`,
        `-validation.max-label-names-per-series=${MAX_LABELS}`,
        `-validation.max-length-label-name=${MAX_NAME_LEN}`,
        `-validation.max-length-label-value=${MAX_VALUE_LEN}`,
        '-validation.create-grace-period=1m',
        `-runtime-config.file=${runtime}`,
      ], { dataDir: `${dir}/main` }),
    );
    servers.set('seriesLimit', await startInProcess(['-ingester.max-global-series-per-user=2'], { dataDir: `${dir}/series-limit` }));
  });

  afterAll(async () => {
    for (const s of servers.values()) await s.stop();
    await removeDir(dir);
  });

  cases.forEach((c, i) => {
    it(`${c.name} → ${c.status}`, async () => {
      const server = servers.get(c.server ?? 'main')!;
      const url = server.url;
      const tenant = c.tenant ?? `case-${i}`;
      const known = { __name__: 'e2e_known', case: `c${i}`, job: 'e2e' };
      const ctx: Ctx = { url, tenant, known };

      const first = await push(url, [{ labels: known, samples: [[T1, 1], [T2, 2]] }], { tenant });
      expect(first, 'pushing the known series').toEqual({ status: 200, text: '' });
      const before = [known, ...((await c.setup?.(ctx)) ?? [])];
      expect(await listSeries(url, tenant)).toEqual(sortSeries(before));

      const ingestedBefore = await metricValue(url, 'tessera_ingester_ingested_samples_total');
      const discardedBefore = c.discarded === undefined ? 0 : await discardedCount(url, c.discarded.reason, tenant);

      const res = await c.send(ctx);
      expect(res.status, res.text).toBe(c.status);
      for (const phrase of c.says) expect(res.text).toMatch(phrase);
      if (c.status >= 400) expect(res.text.trim().length).toBeGreaterThan(0);

      // The data from before is listed unchanged; of the bad request only its valid part is.
      expect(await listSeries(url, tenant)).toEqual(sortSeries([...before, ...(c.stored ?? [])]));
      const ingestedAfter = await metricValue(url, 'tessera_ingester_ingested_samples_total');
      expect(ingestedAfter - ingestedBefore, 'samples ingested by the bad request').toBe(c.storedSamples ?? 0);
      for (const q of c.absent ?? []) {
        const extra: [string, string][] = [];
        if (q.start !== undefined) extra.push(['start', q.start]);
        if (q.end !== undefined) extra.push(['end', q.end]);
        expect(await listSeries(url, tenant, q.match, extra), `series ${q.match} in [${q.start}, ${q.end}]`).toEqual([]);
      }
      if (c.discarded !== undefined) {
        const after = await discardedCount(url, c.discarded.reason, tenant);
        expect(after - discardedBefore, `tessera_discarded_samples_total{reason="${c.discarded.reason}"}`).toBe(c.discarded.samples);
      }
    });
  });

  it('pre-initialises the discard reasons of a tenant at 0', async () => {
    const url = servers.get('main')!.url;
    const tenant = `case-${cases.findIndex((c) => c.name === 'invalid label name')}`;
    const res = await fetch(`${url}/metrics`);
    const text = await res.text();
    // A tenant that only ever had one kind of refusal still exposes the other reasons.
    expect(text).toMatch(new RegExp(String.raw`tessera_discarded_samples_total\{[^}]*reason="sample-too-old"[^}]*tenant="${tenant}"[^}]*\} 0`));
  });
});

function sortSeries(list: Record<string, string>[]): Record<string, string>[] {
  const key = (l: Record<string, string>): string =>
    Object.keys(l)
      .sort()
      .map((k) => `${k}\u0000${l[k]}`)
      .join('\u0001');
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function discardedCount(url: string, reason: string, tenant: string): Promise<number> {
  return metricValue(url, 'tessera_discarded_samples_total', { reason, tenant });
}
