/**
 * The object store interface every backend implements, shaped after Thanos's objstore `Bucket`:
 * flat object names with `/` separators, "directories" that exist only as name prefixes.
 *
 * Contract shared by all backends (pinned by `bucket-contract.ts`, run against each of them):
 * - An object is visible (to get, exists, attributes and listing) only once its upload has
 *   completed; a failed or interrupted upload leaves either the previous object or nothing.
 *   Replacing an object is atomic: readers see the old bytes or the new bytes, never a mix.
 * - Reads of a missing object reject with the `object-not-found` error ({@link isObjectNotFound}).
 * - `delete` is idempotent: deleting a missing object succeeds (S3's semantics).
 * - Listing yields names in ascending UTF-8 byte order (S3's order), each once.
 */
import type { Readable } from 'node:stream';

/** The body of an upload: bytes in memory, or a stream of byte chunks read once, in order. */
export type UploadBody = Uint8Array | Readable | AsyncIterable<Uint8Array>;

/** What the store knows about an object besides its bytes. */
export interface ObjectAttributes {
  /** Size in bytes. */
  readonly size: number;
  /** When the object was last written (S3 keeps whole seconds). */
  readonly lastModified: Date;
}

/** Options of {@link Bucket.iter} and {@link Bucket.list}. */
export interface IterOptions {
  /**
   * List every object below the directory, at any depth. When false (the default), list the
   * objects directly in it and its subdirectories once each, as `dir/sub/` (trailing `/`).
   */
  readonly recursive?: boolean;
}

/** Called by {@link Bucket.iter} once per name; a rejection stops the listing and is rethrown. */
export type IterCallback = (name: string) => void | Promise<void>;

/**
 * An object store bucket. Names are `/`-separated paths without a leading or trailing `/`, empty
 * segments, or `.`/`..` segments (checked: a bad name rejects with `invalid-object-name`).
 * Methods may be called concurrently; `close` ends the use of the bucket.
 */
export interface Bucket {
  /** The whole object. Rejects with `object-not-found` when it does not exist. */
  get(name: string): Promise<Uint8Array>;
  /**
   * `length` bytes of the object from byte `offset` (both non-negative integers). A range that runs
   * past the end is cut at the end; one that starts at or after the end yields no bytes.
   * Rejects with `object-not-found` when the object does not exist.
   */
  getRange(name: string, offset: number, length: number): Promise<Uint8Array>;
  /**
   * Stores `body` under `name`, replacing any object there. Resolves once the object is complete
   * and durable; until then readers see the previous object or none. A stream body is consumed
   * exactly once, so a failed upload is not retried by re-reading it: the error reaches the caller.
   */
  upload(name: string, body: UploadBody): Promise<void>;
  /** Removes the object; succeeds when it does not exist. */
  delete(name: string): Promise<void>;
  /** True when the object exists. */
  exists(name: string): Promise<boolean>;
  /** Size and modification time. Rejects with `object-not-found` when the object does not exist. */
  attributes(name: string): Promise<ObjectAttributes>;
  /**
   * Calls `fn` with each name under directory `dir` (`''` for the whole bucket; a trailing `/`
   * is optional). Names are full names (they start with `dir/`). See {@link IterOptions}.
   * A missing directory lists nothing.
   */
  iter(dir: string, fn: IterCallback, options?: IterOptions): Promise<void>;
  /** The names {@link iter} would pass to its callback, as an async iterator. */
  list(dir: string, options?: IterOptions): AsyncIterable<string>;
  /** Releases connections and file handles. The bucket must not be used afterwards. */
  close(): Promise<void>;
}
