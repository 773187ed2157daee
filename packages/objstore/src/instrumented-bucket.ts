/**
 * A {@link Bucket} wrapper that counts and times every operation of the bucket it wraps.
 */
import { bodyChunks } from './body.ts';
import type { Bucket, IterCallback, IterOptions, ObjectAttributes, UploadBody } from './bucket.ts';
import { isObjectNotFound } from './errors.ts';
import { initBucketSeries, type ObjstoreMetrics, type ObjstoreOperation } from './metrics.ts';

/** Records operations of `inner` in `metrics` under the label `bucket="<name>"`. */
export class InstrumentedBucket implements Bucket {
  readonly #inner: Bucket;
  readonly #m: ObjstoreMetrics;
  readonly #name: string;

  constructor(inner: Bucket, metrics: ObjstoreMetrics, name: string) {
    this.#inner = inner;
    this.#m = metrics;
    this.#name = name;
    initBucketSeries(metrics, name);
  }

  async #track<T>(op: ObjstoreOperation, run: () => Promise<T>, bytesOf?: (v: T) => number): Promise<T> {
    const end = this.#m.duration.startTimer({ bucket: this.#name, operation: op });
    try {
      const v = await run();
      this.#m.operations.inc({ bucket: this.#name, operation: op, outcome: 'success' });
      if (bytesOf !== undefined) this.#m.bytes.inc({ bucket: this.#name, operation: op }, bytesOf(v));
      return v;
    } catch (e) {
      this.#m.operations.inc({ bucket: this.#name, operation: op, outcome: isObjectNotFound(e) ? 'not_found' : 'error' });
      throw e;
    } finally {
      end();
    }
  }

  get(name: string): Promise<Uint8Array> {
    return this.#track('get', () => this.#inner.get(name), (b) => b.length);
  }

  getRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    return this.#track('get_range', () => this.#inner.getRange(name, offset, length), (b) => b.length);
  }

  upload(name: string, body: UploadBody): Promise<void> {
    let n = 0;
    let counted: UploadBody;
    if (body instanceof Uint8Array) {
      n = body.length;
      counted = body;
    } else {
      counted = (async function* () {
        for await (const c of bodyChunks(body)) {
          n += c.length;
          yield c;
        }
      })();
    }
    return this.#track('upload', () => this.#inner.upload(name, counted), () => n);
  }

  delete(name: string): Promise<void> {
    return this.#track('delete', () => this.#inner.delete(name));
  }

  exists(name: string): Promise<boolean> {
    return this.#track('exists', () => this.#inner.exists(name));
  }

  attributes(name: string): Promise<ObjectAttributes> {
    return this.#track('attributes', () => this.#inner.attributes(name));
  }

  iter(dir: string, fn: IterCallback, options?: IterOptions): Promise<void> {
    return this.#track('iter', () => this.#inner.iter(dir, fn, options));
  }

  async *list(dir: string, options?: IterOptions): AsyncGenerator<string> {
    const end = this.#m.duration.startTimer({ bucket: this.#name, operation: 'iter' });
    let failed = false;
    try {
      yield* this.#inner.list(dir, options);
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      // A consumer that stops early (break) ends the listing successfully.
      this.#m.operations.inc({ bucket: this.#name, operation: 'iter', outcome: failed ? 'error' : 'success' });
      end();
    }
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
