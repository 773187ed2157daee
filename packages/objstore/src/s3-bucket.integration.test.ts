/**
 * The S3 backend against a real S3 protocol server: `s3rver`, started as a process by this file,
 * talked to with path-style addressing; some tests put a fault-injecting proxy in between.
 */
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { bucketContract } from './bucket-contract.ts';
import { createBucket } from './create-bucket.ts';
import { S3Bucket, type S3BucketConfig } from './s3-bucket.ts';
import { startFaultProxy, type FaultProxy } from './s3-fault-proxy.ts';
import { S3RVER_CREDENTIALS, s3rverSuite } from './s3-test-server.ts';

const SUITE = 'S3Bucket integration';
const BUCKET = 'tessera-test';
const PART = 5 * 1024 * 1024; // AWS's smallest part size

const server = await s3rverSuite(SUITE, BUCKET);
const proxies: FaultProxy[] = [];
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
});

let bucketSeq = 0;
function config(endpoint: string, over: Partial<S3BucketConfig> = {}): Partial<S3BucketConfig> & { bucket: string } {
  return {
    bucket: BUCKET,
    endpoint,
    insecure: true,
    forcePathStyle: true,
    ...S3RVER_CREDENTIALS,
    partSize: PART,
    minBackoffMs: 20,
    maxBackoffMs: 200,
    requestTimeoutMs: 10_000,
    ...over,
  };
}

async function proxy(): Promise<FaultProxy> {
  const p = await startFaultProxy(() => server!.port);
  proxies.push(p);
  return p;
}

const isCompleteMultipart = (method: string | undefined, url: string | undefined) => method === 'POST' && /[?&]uploadId=/.test(url ?? '');

describe.skipIf(server === undefined)('S3Bucket against s3rver: bucket contract', () => {
  bucketContract({
    newBucket: async () => {
      const name = `contract-${++bucketSeq}`;
      await server!.createBucket(name);
      return new S3Bucket(config(server!.endpoint, { bucket: name }));
    },
    partSize: PART,
    // s3rver writes objects in place, so racing writers of one name can interleave there.
    atomicOverwrite: false,
  });
});

describe.skipIf(server === undefined)('S3Bucket against s3rver: retries and failures', () => {
  it('retries 503s with backoff and succeeds, counting each retry', async () => {
    const p = await proxy();
    const registry = new Registry();
    const b = createBucket({ backend: 's3', s3: config(p.endpoint) }, { registry, name: 'blocks' });
    p.rule = (_req, n) => (n < 3 ? { kind: 'error', status: 503, code: 'SlowDown' } : { kind: 'pass' });
    const data = randomBytes(1000);
    await b.upload('retry/a', data);
    p.rule = (_req, n) => (n >= 4 && n < 6 ? { kind: 'error', status: 500, code: 'InternalError' } : { kind: 'pass' });
    expect(Buffer.from(await b.get('retry/a')).equals(data)).toBe(true);
    expect(p.seen.map((s) => s.fault)).toEqual(['error', 'error', 'error', 'pass', 'error', 'error', 'pass']);
    const retries = await registry.getSingleMetric('tessera_objstore_request_retries_total')!.get();
    const byOp = Object.fromEntries(retries.values.map((v) => [v.labels['operation'], v.value]));
    expect(byOp).toEqual({ upload: 3, get: 2 });
    await b.close();
  });

  it('gives up after max retries with object-store-unavailable (503)', async () => {
    const p = await proxy();
    const b = new S3Bucket(config(p.endpoint, { maxRetries: 2 }));
    p.rule = () => ({ kind: 'error', status: 503, code: 'ServiceUnavailable' });
    const e = (await b.get('x').then(
      () => undefined,
      (err: unknown) => err,
    )) as { code: string; kind: string; status: number; message: string };
    expect(e).toMatchObject({ code: 'object-store-unavailable', kind: 'unavailable', status: 503 });
    expect(e.message).toMatch(/after 3 attempts/);
    expect(p.seen).toHaveLength(3);
    await b.close();
  });

  it('does not retry a 4xx: access denied is object-store-error (500) after one request', async () => {
    const p = await proxy();
    const b = new S3Bucket(config(p.endpoint));
    p.rule = () => ({ kind: 'error', status: 403, code: 'AccessDenied' });
    await expect(b.upload('x', new Uint8Array(1))).rejects.toMatchObject({ code: 'object-store-error', kind: 'internal', status: 500 });
    expect(p.seen).toHaveLength(1);
    await b.close();
  });

  // s3rver does not verify SigV4 signatures, only that the access key ID exists.
  it('refuses an unknown access key without retrying', async () => {
    const p = await proxy();
    const b = new S3Bucket(config(p.endpoint, { accessKeyId: 'NOBODY', secretAccessKey: 'x' }));
    await expect(b.get('x')).rejects.toMatchObject({ code: 'object-store-error', kind: 'internal' });
    expect(p.seen).toHaveLength(1);
    await b.close();
  });

  it('abandons an attempt that outlives the request timeout and retries it', async () => {
    const p = await proxy();
    const b = new S3Bucket(config(p.endpoint, { requestTimeoutMs: 300 }));
    await b.upload('slow/a', new TextEncoder().encode('hello'));
    p.rule = (_req, n) => (n === 1 ? { kind: 'stall' } : { kind: 'pass' });
    const start = Date.now();
    expect(new TextDecoder().decode(await b.get('slow/a'))).toBe('hello');
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(p.seen.map((s) => s.fault)).toEqual(['pass', 'stall', 'pass']);
    await b.close();
  });

  it('re-reads a response body cut off midway', async () => {
    const p = await proxy();
    const b = new S3Bucket(config(p.endpoint));
    const data = randomBytes(256 * 1024);
    await b.upload('cut/a', data);
    p.rule = (req, n) => (n === 1 || (n === 3 && req.method === 'GET') ? { kind: 'cut' } : { kind: 'pass' });
    expect(Buffer.from(await b.get('cut/a')).equals(data)).toBe(true);
    expect(Buffer.from(await b.getRange('cut/a', 1000, 100_000)).equals(data.subarray(1000, 101_000))).toBe(true);
    expect(p.seen.map((s) => s.fault)).toEqual(['pass', 'cut', 'pass', 'cut', 'pass']);
    await b.close();
  });

  it('rides out an S3 server crash and restart', async () => {
    const b = new S3Bucket(config(server!.endpoint, { minBackoffMs: 50, maxBackoffMs: 400, maxRetries: 20 }));
    const data = randomBytes(10_000);
    await b.upload('crash/before', data);
    await server!.kill();
    const during = b.upload('crash/during', data);
    const read = b.get('crash/before');
    await new Promise((r) => setTimeout(r, 500));
    await server!.restart();
    await during;
    expect(Buffer.from(await read).equals(data)).toBe(true);
    expect(Buffer.from(await b.get('crash/during')).equals(data)).toBe(true);
    await b.close();
  });

  it('keeps a multipart object invisible until CompleteMultipartUpload, the old version readable meanwhile', async () => {
    const p = await proxy();
    const b = new S3Bucket(config(p.endpoint));
    await b.upload('mp/obj', new TextEncoder().encode('old'));
    let release!: () => void;
    const until = new Promise<void>((r) => (release = r));
    let held!: () => void;
    const heldNow = new Promise<void>((r) => (held = r));
    p.rule = (req) => {
      if (!isCompleteMultipart(req.method, req.url)) return { kind: 'pass' };
      held();
      return { kind: 'hold', until };
    };
    const data = randomBytes(2 * PART + 10);
    const done = b.upload('mp/obj', data);
    await heldNow; // every part is stored; only Complete is outstanding
    expect(p.seen.filter((s) => s.method === 'PUT' && /partNumber=/.test(s.url))).toHaveLength(3);
    expect(new TextDecoder().decode(await b.get('mp/obj'))).toBe('old');
    expect((await b.attributes('mp/obj')).size).toBe(3);
    release();
    await done;
    expect(Buffer.from(await b.get('mp/obj')).equals(data)).toBe(true);
    await b.close();
  });

  it('retries a part upload without disturbing the others', async () => {
    const p = await proxy();
    const b = new S3Bucket(config(p.endpoint));
    let failed = 0;
    p.rule = (req) => (/partNumber=2/.test(req.url ?? '') && failed++ < 2 ? { kind: 'error', status: 503, code: 'SlowDown' } : { kind: 'pass' });
    const data = randomBytes(3 * PART);
    await b.upload('mp/retried', data);
    expect(failed).toBe(3);
    expect(Buffer.from(await b.get('mp/retried')).equals(data)).toBe(true);
    await b.close();
  });
});
