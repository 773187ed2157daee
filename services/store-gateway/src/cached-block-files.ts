/**
 * CachedBlockFiles: a bucket block's files for BlockReader, with `meta.json` and `index` served
 * from a local cache directory (downloaded once, atomically) and everything else — the chunk
 * segments — read from the bucket with ranged gets.
 *
 * The index is read many times per query (postings, series entries) and is a small part of a
 * block; chunks are the bulk and a query needs few of them.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { BucketBlockFiles, blockObject, downloadObject } from '@tessera/blockstore';
import type { Bucket } from '@tessera/objstore';
import { LocalBlockFiles, type BlockFiles } from '@tessera/tsdb';

/** Files kept on local disk. */
const CACHED = new Set(['meta.json', 'index']);

/** {@link BlockFiles} with the index cached in `dir` and the chunks in the bucket. */
export class CachedBlockFiles implements BlockFiles {
  readonly dir: string;
  readonly #bucket: Bucket;
  readonly #tenant: string;
  readonly #ulid: string;
  readonly #remote: BucketBlockFiles;
  readonly #local: LocalBlockFiles;
  readonly #ready = new Map<string, Promise<void>>();
  /** Called with the file name whenever a file had to be downloaded (metrics, tests). */
  readonly #onDownload: (file: string) => void;

  constructor(bucket: Bucket, tenant: string, ulid: string, dir: string, onDownload: (file: string) => void = () => {}) {
    this.#bucket = bucket;
    this.#tenant = tenant;
    this.#ulid = ulid;
    this.dir = dir;
    this.#remote = new BucketBlockFiles(bucket, tenant, ulid);
    this.#local = new LocalBlockFiles(dir);
    this.#onDownload = onDownload;
  }

  /** Makes sure `file` is in the cache directory. */
  #ensure(file: string): Promise<void> {
    let p = this.#ready.get(file);
    if (p === undefined) {
      const path = join(this.dir, file);
      p = access(path).catch(async () => {
        await downloadObject(this.#bucket, blockObject(this.#tenant, this.#ulid, file), path);
        this.#onDownload(file);
      });
      p.catch(() => this.#ready.delete(file));
      this.#ready.set(file, p);
    }
    return p;
  }

  async readRange(file: string, offset: number, length: number): Promise<Uint8Array> {
    if (!CACHED.has(file)) return this.#remote.readRange(file, offset, length);
    await this.#ensure(file);
    return this.#local.readRange(file, offset, length);
  }

  async size(file: string): Promise<number> {
    if (!CACHED.has(file)) return this.#remote.size(file);
    await this.#ensure(file);
    return this.#local.size(file);
  }

  async close(): Promise<void> {
    await this.#local.close();
  }
}
