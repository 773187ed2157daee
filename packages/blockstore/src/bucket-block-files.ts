/**
 * BucketBlockFiles: a block's files read straight from the bucket with ranged gets, for
 * BlockReader. Sizes come from object attributes, fetched once per file.
 */
import type { Bucket } from '@tessera/objstore';
import { BlockError, type BlockFiles } from '@tessera/tsdb';
import { blockObject } from './layout.ts';

/** {@link BlockFiles} over `<tenant>/<ulid>/` in a bucket. */
export class BucketBlockFiles implements BlockFiles {
  readonly bucket: Bucket;
  readonly tenant: string;
  readonly ulid: string;
  readonly #sizes = new Map<string, Promise<number>>();

  constructor(bucket: Bucket, tenant: string, ulid: string) {
    this.bucket = bucket;
    this.tenant = tenant;
    this.ulid = ulid;
  }

  async readRange(file: string, offset: number, length: number): Promise<Uint8Array> {
    const name = blockObject(this.tenant, this.ulid, file);
    const data = length === 0 ? new Uint8Array(0) : await this.bucket.getRange(name, offset, length);
    if (data.length !== length) {
      throw new BlockError('block-corrupt', `${name}: object ends before byte ${offset + length} (got ${data.length} of ${length} bytes at ${offset})`);
    }
    return data;
  }

  size(file: string): Promise<number> {
    let s = this.#sizes.get(file);
    if (s === undefined) {
      s = this.bucket.attributes(blockObject(this.tenant, this.ulid, file)).then((a) => a.size);
      // Do not cache a failure: the next call asks again.
      s.catch(() => this.#sizes.delete(file));
      this.#sizes.set(file, s);
    }
    return s;
  }
}
