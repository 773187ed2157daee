/**
 * The filesystem backend: each object is a file under the root directory, at the path its name
 * spells. The single-process default, under the data dir.
 *
 * Atomicity: an upload writes `<dir>/<base>.tessera-tmp-<hex>` in the object's own directory,
 * fsyncs it, renames it over `<dir>/<base>` (atomic within one filesystem) and fsyncs the
 * directory. A crash before the rename leaves only a temporary file, which every read and listing
 * ignores (names containing the marker are not valid object names); a crash after it leaves the
 * complete object. Directories are created on upload and removed again when their last object is
 * deleted, so they exist only as long as they contain objects, as with S3's prefixes.
 *
 * Not for several processes sharing one directory over NFS or similar: rename atomicity and
 * directory fsync are only as good as the filesystem's.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { TesseraError } from '@tessera/server';
import { bodyChunks } from './body.ts';
import type { Bucket, IterCallback, IterOptions, ObjectAttributes, UploadBody } from './bucket.ts';
import { invalidObjectRange, objectNotFound, objectStoreError } from './errors.ts';
import { checkObjectName, compareNames, dirPrefix, isValidRange, TEMP_MARKER } from './names.ts';

/** Errors from `fs` carry a string `code`. */
function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
}

/** A missing file, or a "directory" where an object was expected: both mean "no such object". */
function isMissing(e: unknown): boolean {
  const c = errno(e);
  return c === 'ENOENT' || c === 'ENOTDIR' || c === 'EISDIR';
}

/** Bucket on a local directory. See the module comment for the durability rules. */
export class FilesystemBucket implements Bucket {
  /** Absolute root directory; object `a/b` is the file `<root>/a/b`. */
  readonly root: string;

  /** A bucket rooted at `dir` (created on the first upload if missing). */
  constructor(dir: string) {
    if (dir === '') throw new Error('FilesystemBucket needs a directory');
    this.root = resolve(dir);
  }

  #path(name: string): string {
    return join(this.root, ...checkObjectName(name).split('/'));
  }

  async get(name: string): Promise<Uint8Array> {
    const path = this.#path(name);
    try {
      return await readFile(path);
    } catch (e) {
      throw this.#fail('get', name, e);
    }
  }

  async getRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    const path = this.#path(name);
    if (!isValidRange(offset, length)) throw invalidObjectRange(name, offset, length);
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, 'r');
      const { size } = await fh.stat();
      const n = Math.max(0, Math.min(length, size - offset));
      const out = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await fh.read(out, got, n - got, offset + got);
        if (bytesRead === 0) break; // truncated concurrently: impossible for objects (renamed, never rewritten)
        got += bytesRead;
      }
      return got === n ? out : out.subarray(0, got);
    } catch (e) {
      throw this.#fail('getRange', name, e);
    } finally {
      await fh?.close();
    }
  }

  async upload(name: string, body: UploadBody): Promise<void> {
    const path = this.#path(name);
    const dir = dirname(path);
    const temp = `${path}${TEMP_MARKER}${randomBytes(8).toString('hex')}`;
    let fh: FileHandle | undefined;
    try {
      fh = await this.#createTemp(dir, temp);
      for await (const chunk of bodyChunks(body)) {
        let at = 0;
        while (at < chunk.length) at += (await fh.write(chunk, at, chunk.length - at)).bytesWritten;
      }
      await fh.sync();
      await fh.close();
      fh = undefined;
      await rename(temp, path);
      await syncDir(dir);
    } catch (e) {
      await fh?.close().catch(() => {});
      await unlink(temp).catch(() => {});
      throw passThroughOr(e, () => objectStoreError(`object store: upload of ${name} failed: ${(e as Error).message}`, e));
    }
  }

  /**
   * Creates the temporary file, creating the object's directory first. A concurrent `delete` may
   * remove a directory it just emptied between our mkdir and open; then create it again.
   */
  async #createTemp(dir: string, temp: string): Promise<FileHandle> {
    for (let attempt = 0; ; attempt++) {
      const created = await mkdir(dir, { recursive: true });
      if (created !== undefined) await syncNewDirs(this.root, created, dir);
      try {
        return await open(temp, 'wx');
      } catch (e) {
        if (errno(e) !== 'ENOENT' || attempt >= 5) throw e;
      }
    }
  }

  async delete(name: string): Promise<void> {
    const path = this.#path(name);
    try {
      await unlink(path);
    } catch (e) {
      if (isMissing(e)) return;
      throw this.#fail('delete', name, e);
    }
    await syncDir(dirname(path)).catch(() => {});
    // Remove directories left empty, up to (not including) the root. A directory that is not
    // empty (or is being filled by a concurrent upload) stops the walk.
    for (let dir = dirname(path); dir !== this.root && dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
    }
  }

  async exists(name: string): Promise<boolean> {
    const path = this.#path(name);
    try {
      return (await stat(path)).isFile();
    } catch (e) {
      if (isMissing(e)) return false;
      throw this.#fail('exists', name, e);
    }
  }

  async attributes(name: string): Promise<ObjectAttributes> {
    const path = this.#path(name);
    try {
      const st = await stat(path);
      if (!st.isFile()) throw objectNotFound(name);
      return { size: st.size, lastModified: st.mtime };
    } catch (e) {
      throw this.#fail('attributes', name, e);
    }
  }

  async iter(dir: string, fn: IterCallback, options: IterOptions = {}): Promise<void> {
    for await (const name of this.list(dir, options)) await fn(name);
  }

  async *list(dir: string, options: IterOptions = {}): AsyncGenerator<string> {
    const prefix = dirPrefix(dir);
    const base = prefix === '' ? this.root : join(this.root, ...prefix.slice(0, -1).split('/'));
    yield* this.#walk(base, prefix, options.recursive === true);
  }

  /**
   * Yields the names under directory `path` (whose names start with `prefix`) in S3's order.
   * Sorting each directory by `entry` for files and `entry/` for directories, then recursing in
   * that order, yields the full names in byte order: a name's bytes up to its first differing
   * segment decide, and `/` is what separates a directory's names from its siblings'.
   */
  async *#walk(path: string, prefix: string, recursive: boolean): AsyncGenerator<string> {
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return;
      throw objectStoreError(`object store: listing ${prefix || '/'} failed: ${(e as Error).message}`, e);
    }
    const keyed: { key: string; isDir: boolean }[] = [];
    for (const d of entries) {
      if (d.name.includes(TEMP_MARKER)) continue; // an upload in progress, or one a crash interrupted
      if (d.isDirectory()) keyed.push({ key: `${d.name}/`, isDir: true });
      else if (d.isFile()) keyed.push({ key: d.name, isDir: false });
    }
    keyed.sort((a, b) => compareNames(a.key, b.key));
    for (const { key, isDir } of keyed) {
      if (!isDir) {
        yield prefix + key;
      } else if (recursive) {
        yield* this.#walk(join(path, key.slice(0, -1)), prefix + key, true);
      } else if (await hasObject(join(path, key.slice(0, -1)))) {
        // S3 has no empty "directories"; neither do we (one may hold only a temporary file).
        yield prefix + key;
      }
    }
  }

  async close(): Promise<void> {}

  #fail(op: string, name: string, e: unknown): Error {
    if (isMissing(e)) return objectNotFound(name, e);
    return passThroughOr(e, () => objectStoreError(`object store: ${op} ${name} failed: ${(e as Error).message}`, e));
  }
}

/** Passes TesseraErrors and TypeErrors (programming errors) through; wraps everything else. */
function passThroughOr(e: unknown, wrap: () => Error): Error {
  if (e instanceof TypeError || TesseraError.is(e)) return e;
  return wrap();
}

/** True when directory `path` holds at least one object, at any depth. */
async function hasObject(path: string): Promise<boolean> {
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const d of entries) if (d.isFile() && !d.name.includes(TEMP_MARKER)) return true;
  for (const d of entries) if (d.isDirectory() && (await hasObject(join(path, d.name)))) return true;
  return false;
}

/** fsyncs a directory, making the creation, rename or removal of its entries durable. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * After `mkdir -p` created `first` and everything below it down to `last`, fsyncs the parent of
 * each new directory so that the new entries survive a crash.
 */
async function syncNewDirs(root: string, first: string, last: string): Promise<void> {
  const dirs: string[] = [];
  for (let d = last; ; d = dirname(d)) {
    dirs.push(dirname(d));
    if (d === first || d === root || dirname(d) === d) break;
  }
  for (const d of dirs.reverse()) await syncDir(d);
}
