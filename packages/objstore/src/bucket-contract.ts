/**
 * The behaviour every {@link Bucket} backend must show, as a vitest suite that each backend's
 * test file runs against its own buckets. Not exported from the package.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import type { Bucket } from './bucket.ts';
import { TEMP_MARKER } from './names.ts';

/** How a backend's test file hands buckets to the contract. */
export interface ContractTarget {
  /** A fresh, empty bucket, used by one test (closed by the contract). */
  readonly newBucket: () => Promise<Bucket>;
  /** Multipart part size the bucket uses (the large-object case crosses it). */
  readonly partSize: number;
  /**
   * Whether concurrent uploads of one name are guaranteed to leave one whole body. True for the
   * filesystem backend and real S3; false for s3rver, which writes objects in place (racing
   * writers can interleave there — a property of the test server, not of the S3 protocol).
   */
  readonly atomicOverwrite?: boolean;
}

/** Rejection of `p`, asserting that it rejects. */
async function rejection(p: Promise<unknown>): Promise<{ code?: string; kind?: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; kind?: string; status?: number };
  }
  throw new Error('expected a rejection');
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const n of it) out.push(n);
  return out;
}

async function iterNames(b: Bucket, dir: string, recursive?: boolean): Promise<string[]> {
  const out: string[] = [];
  await b.iter(dir, (n) => void out.push(n), recursive === undefined ? undefined : { recursive });
  return out;
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Registers the contract's tests in the current `describe`. */
export function bucketContract(target: ContractTarget): void {
  const withBucket = (fn: (b: Bucket) => Promise<void>) => async () => {
    const b = await target.newBucket();
    try {
      await fn(b);
    } finally {
      await b.close();
    }
  };

  it(
    'round-trips bytes from memory, a Readable and an async iterable',
    withBucket(async (b) => {
      const data = randomBytes(100_000);
      await b.upload('a/mem', data);
      await b.upload('a/readable', Readable.from([data.subarray(0, 7), data.subarray(7, 50_000), data.subarray(50_000)]));
      await b.upload(
        'a/iterable',
        (async function* () {
          for (let i = 0; i < data.length; i += 4096) yield data.subarray(i, i + 4096);
        })(),
      );
      for (const n of ['a/mem', 'a/readable', 'a/iterable']) expect(Buffer.from(await b.get(n)).equals(data)).toBe(true);
    }),
  );

  it(
    'stores empty objects',
    withBucket(async (b) => {
      await b.upload('e/zero', new Uint8Array(0));
      await b.upload('e/stream', Readable.from([]));
      for (const n of ['e/zero', 'e/stream']) {
        expect((await b.get(n)).length).toBe(0);
        expect(await b.exists(n)).toBe(true);
        expect((await b.attributes(n)).size).toBe(0);
        expect((await b.getRange(n, 0, 10)).length).toBe(0);
      }
      expect(await iterNames(b, 'e')).toEqual(['e/stream', 'e/zero']);
    }),
  );

  it(
    'reads byte ranges, cut at the end of the object',
    withBucket(async (b) => {
      await b.upload('r', bytes('0123456789'));
      expect(text(await b.getRange('r', 2, 3))).toBe('234');
      expect(text(await b.getRange('r', 0, 10))).toBe('0123456789');
      expect(text(await b.getRange('r', 7, 100))).toBe('789');
      expect((await b.getRange('r', 10, 5)).length).toBe(0);
      expect((await b.getRange('r', 50, 5)).length).toBe(0);
      expect((await b.getRange('r', 4, 0)).length).toBe(0);
      for (const [o, l] of [
        [-1, 2],
        [0, -1],
        [1.5, 2],
      ] as const) {
        expect((await rejection(b.getRange('r', o, l))).code).toBe('invalid-object-range');
      }
    }),
  );

  it(
    'reports size and modification time',
    withBucket(async (b) => {
      const before = Date.now();
      await b.upload('attr/x', randomBytes(1234));
      const after = Date.now();
      const a = await b.attributes('attr/x');
      expect(a.size).toBe(1234);
      // S3 keeps whole seconds.
      expect(a.lastModified.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(a.lastModified.getTime()).toBeLessThanOrEqual(after + 1000);
    }),
  );

  it(
    'answers object-not-found (404) for missing objects, and false from exists',
    withBucket(async (b) => {
      await b.upload('dir/present', bytes('x'));
      const reads = [() => b.get('dir/missing'), () => b.getRange('dir/missing', 0, 4), () => b.getRange('dir/missing', 0, 0), () => b.attributes('dir/missing'), () => b.get('dir')];
      for (const read of reads) {
        const e = await rejection(read());
        expect(e.code).toBe('object-not-found');
        expect(e.kind).toBe('not_found');
        expect(e.status).toBe(404);
      }
      expect(await b.exists('dir/missing')).toBe(false);
      expect(await b.exists('dir')).toBe(false); // a "directory" is not an object
      expect(await b.exists('dir/present')).toBe(true);
    }),
  );

  it(
    'replaces an object on upload, and deletes idempotently',
    withBucket(async (b) => {
      await b.upload('d/x', bytes('one'));
      await b.upload('d/x', bytes('two!'));
      expect(text(await b.get('d/x'))).toBe('two!');
      await b.delete('d/x');
      expect(await b.exists('d/x')).toBe(false);
      expect((await rejection(b.get('d/x'))).code).toBe('object-not-found');
      await b.delete('d/x');
      await b.delete('never/was');
      // The "directory" went with its last object.
      expect(await iterNames(b, '')).toEqual([]);
    }),
  );

  it(
    'lists one level with directories as "dir/", or recursively, in byte order',
    withBucket(async (b) => {
      const names = ['t1/01ABC/meta.json', 't1/01ABC/chunks/000001', 't1/01ABC/index', 't1/01ABD/meta.json', 't1/bucket-index.json', 't1-x', 't2/01XYZ/meta.json', 'top'];
      await Promise.all(names.map((n) => b.upload(n, bytes(n))));
      expect(await iterNames(b, '')).toEqual(['t1-x', 't1/', 't2/', 'top']);
      expect(await iterNames(b, 't1')).toEqual(['t1/01ABC/', 't1/01ABD/', 't1/bucket-index.json']);
      expect(await iterNames(b, 't1/')).toEqual(['t1/01ABC/', 't1/01ABD/', 't1/bucket-index.json']);
      expect(await iterNames(b, 't1/01ABC')).toEqual(['t1/01ABC/chunks/', 't1/01ABC/index', 't1/01ABC/meta.json']);
      expect(await iterNames(b, 't1', true)).toEqual(['t1/01ABC/chunks/000001', 't1/01ABC/index', 't1/01ABC/meta.json', 't1/01ABD/meta.json', 't1/bucket-index.json']);
      expect(await iterNames(b, '', true)).toEqual([...names].sort());
      expect(await iterNames(b, 'nope')).toEqual([]);
      expect(await iterNames(b, 't1/01ABC/index')).toEqual([]); // an object is not a directory
      expect(await collect(b.list('t1'))).toEqual(await iterNames(b, 't1'));
      expect(await collect(b.list('', { recursive: true }))).toEqual([...names].sort());
    }),
  );

  it(
    'lists more names than one S3 page holds',
    withBucket(async (b) => {
      const names = Array.from({ length: 1100 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
      for (let i = 0; i < names.length; i += 100) await Promise.all(names.slice(i, i + 100).map((n) => b.upload(n, new Uint8Array(0))));
      expect(await iterNames(b, 'many')).toEqual(names);
      expect(await iterNames(b, '')).toEqual(['many/']);
    }),
    60_000,
  );

  it(
    'stops listing when the callback throws or the consumer breaks',
    withBucket(async (b) => {
      await Promise.all(['s/a', 's/b', 's/c'].map((n) => b.upload(n, bytes(n))));
      const seen: string[] = [];
      const boom = new Error('stop');
      await expect(
        b.iter('s', (n) => {
          seen.push(n);
          if (n === 's/b') throw boom;
        }),
      ).rejects.toBe(boom);
      expect(seen).toEqual(['s/a', 's/b']);
      for await (const n of b.list('s')) {
        expect(n).toBe('s/a');
        break;
      }
    }),
  );

  it(
    'refuses malformed names',
    withBucket(async (b) => {
      for (const n of ['', '/a', 'a/', 'a//b', 'a/../b', './a', `a/b${TEMP_MARKER}0123`]) {
        expect((await rejection(b.upload(n, bytes('x')))).code).toBe('invalid-object-name');
        expect((await rejection(b.get(n))).code).toBe('invalid-object-name');
      }
      expect((await rejection(b.iter('a//b', () => {}))).code).toBe('invalid-object-name');
    }),
  );

  it(
    'uploads and reads an object larger than the multipart part size, from memory and from a stream',
    withBucket(async (b) => {
      const size = 2 * target.partSize + 1_234_567;
      const data = randomBytes(size);
      await b.upload('big/mem', data);
      // Odd chunk sizes, so that parts are cut across chunks.
      const chunks: Buffer[] = [];
      for (let at = 0; at < size; at += 999_983) chunks.push(data.subarray(at, at + 999_983));
      await b.upload('big/stream', Readable.from(chunks));
      for (const n of ['big/mem', 'big/stream']) {
        expect((await b.attributes(n)).size).toBe(size);
        expect(Buffer.from(await b.get(n)).equals(data)).toBe(true);
        const across = target.partSize - 10;
        expect(Buffer.from(await b.getRange(n, across, 20)).equals(data.subarray(across, across + 20))).toBe(true);
      }
    }),
    60_000,
  );

  it(
    'shows nothing of an upload in progress, then all of it',
    withBucket(async (b) => {
      await b.upload('p/obj', bytes('old'));
      const data = randomBytes(target.partSize + 100_000);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let reachedGate!: () => void;
      const atGate = new Promise<void>((r) => (reachedGate = r));
      const done = b.upload(
        'p/obj',
        (async function* () {
          yield data.subarray(0, target.partSize + 1); // a whole part: multipart backends send it
          reachedGate();
          await gate;
          yield data.subarray(target.partSize + 1);
        })(),
      );
      await atGate;
      await new Promise((r) => setTimeout(r, 200));
      expect(text(await b.get('p/obj'))).toBe('old');
      expect((await b.attributes('p/obj')).size).toBe(3);
      expect(await iterNames(b, 'p', true)).toEqual(['p/obj']);
      release();
      await done;
      expect(Buffer.from(await b.get('p/obj')).equals(data)).toBe(true);
    }),
    60_000,
  );

  it(
    'leaves the previous object (or none) when the body fails mid-upload',
    withBucket(async (b) => {
      await b.upload('f/kept', bytes('previous'));
      const failing = (n: number) =>
        (async function* () {
          yield randomBytes(n);
          throw new Error('source broke');
        })();
      for (const n of [1000, target.partSize + 1000]) {
        await expect(b.upload('f/kept', failing(n))).rejects.toThrow(/source broke/);
        await expect(b.upload('f/new', failing(n))).rejects.toThrow(/source broke/);
        expect(text(await b.get('f/kept'))).toBe('previous');
        expect(await b.exists('f/new')).toBe(false);
        expect(await iterNames(b, 'f', true)).toEqual(['f/kept']);
      }
    }),
    60_000,
  );

  it(
    'runs concurrent uploads: distinct names all land, racing writers of one name leave one whole body',
    withBucket(async (b) => {
      const bodies = Array.from({ length: 16 }, (_, i) => randomBytes(50_000 + i));
      await Promise.all(bodies.map((d, i) => b.upload(`c/${String(i).padStart(2, '0')}`, d)));
      for (let i = 0; i < bodies.length; i++) expect(Buffer.from(await b.get(`c/${String(i).padStart(2, '0')}`)).equals(bodies[i]!)).toBe(true);
      if (target.atomicOverwrite === false) {
        expect((await iterNames(b, 'c')).length).toBe(16);
        return;
      }
      const racers = Array.from({ length: 6 }, () => randomBytes(300_000));
      await Promise.all(racers.map((d) => b.upload('c/same', Readable.from([d.subarray(0, 100_000), d.subarray(100_000)]))));
      const got = Buffer.from(await b.get('c/same'));
      expect(racers.some((d) => d.equals(got))).toBe(true);
      expect((await iterNames(b, 'c')).length).toBe(17);
    }),
  );
}
