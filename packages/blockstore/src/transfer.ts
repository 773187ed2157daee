/**
 * Moving whole blocks between a local directory and the bucket.
 *
 * Upload: every file of the block directory, `meta.json` last, so that a block is visible only
 * once complete (an interrupted upload leaves a partial block that listings ignore and a re-upload
 * overwrites). Download: into a temporary directory next to the destination, renamed into place
 * once every file is written and fsynced.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Bucket } from '@tessera/objstore';
import { BlockError, parseMeta, type BlockMeta } from '@tessera/tsdb';
import { blockObject, blockPrefix, DELETION_MARK_FILE, isBlockName, mapLimit, META_FILE, NO_COMPACT_MARK_FILE } from './layout.ts';

/** Files per block transferred concurrently. */
const TRANSFER_CONCURRENCY = 4;
/** Download piece size: large files are fetched with ranged gets of this many bytes. */
const DOWNLOAD_PIECE = 16 * 1024 * 1024;

/** Relative `/`-separated names of every file under `dir`, sorted. */
async function walk(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const name = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...(await walk(dir, name)));
    else if (e.isFile()) out.push(name);
  }
  return out.sort();
}

/**
 * Uploads the block in local directory `blockDir` (named by its ULID) to `<tenant>/<ULID>/`:
 * every file, then meta.json. Idempotent: a re-upload overwrites. Returns the block's meta.
 *
 * @throws BlockError `block-invalid-input` when the directory is not a block (name is not a
 *   ULID, meta.json is missing or names another ULID); object-store errors as they come.
 */
export async function uploadBlock(bucket: Bucket, tenant: string, blockDir: string): Promise<BlockMeta> {
  const ulid = basename(blockDir);
  if (!isBlockName(ulid)) throw new BlockError('block-invalid-input', `block directory ${blockDir} is not named by a ULID`);
  let metaText: string;
  try {
    metaText = await readFile(join(blockDir, META_FILE), 'utf8');
  } catch (e) {
    throw new BlockError('block-invalid-input', `block directory ${blockDir} has no readable meta.json: ${(e as Error).message}`);
  }
  const meta = parseMeta(metaText, join(blockDir, META_FILE));
  if (meta.ulid !== ulid) throw new BlockError('block-invalid-input', `meta.json of ${blockDir} names block ${meta.ulid}`);
  const files = (await walk(blockDir)).filter((f) => f !== META_FILE);
  await mapLimit(files, TRANSFER_CONCURRENCY, async (f) => {
    await bucket.upload(blockObject(tenant, ulid, f), createReadStream(join(blockDir, ...f.split('/'))));
  });
  await bucket.upload(blockObject(tenant, ulid, META_FILE), new TextEncoder().encode(metaText));
  return meta;
}

/** Writes object `name` to local file `path` with ranged gets, fsynced. */
async function downloadFile(bucket: Bucket, name: string, path: string): Promise<void> {
  const { size } = await bucket.attributes(name);
  await mkdir(dirname(path), { recursive: true });
  const fh = await open(path, 'w');
  try {
    if (size <= DOWNLOAD_PIECE) {
      const data = await bucket.get(name);
      await fh.write(data, 0, data.length, 0);
    } else {
      for (let off = 0; off < size; off += DOWNLOAD_PIECE) {
        const data = await bucket.getRange(name, off, Math.min(DOWNLOAD_PIECE, size - off));
        if (data.length === 0) throw new BlockError('block-corrupt', `object ${name} ended at ${off} (expected ${size} bytes)`);
        await fh.write(data, 0, data.length, off);
      }
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Downloads block `<tenant>/<ulid>/` into `destParent/<ulid>` (replacing a previous copy) and
 * returns that path. Marks (deletion, no-compact) are not downloaded. Atomic: the files go to
 * `destParent/<ulid>.tmp-download` first, which is renamed into place when complete.
 *
 * @throws object-not-found when the block has no meta.json (missing or partial).
 */
export async function downloadBlock(bucket: Bucket, tenant: string, ulid: string, destParent: string): Promise<string> {
  const prefix = blockPrefix(tenant, ulid);
  const metaName = `${prefix}${META_FILE}`;
  const metaBytes = await bucket.get(metaName); // rejects with object-not-found for a partial block
  const names: string[] = [];
  for await (const name of bucket.list(prefix, { recursive: true })) {
    const rel = name.slice(prefix.length);
    if (rel === META_FILE || rel === DELETION_MARK_FILE || rel === NO_COMPACT_MARK_FILE) continue;
    names.push(rel);
  }
  const dest = join(destParent, ulid);
  const tmp = join(destParent, `${ulid}.tmp-download`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await mapLimit(names, TRANSFER_CONCURRENCY, (rel) => downloadFile(bucket, `${prefix}${rel}`, join(tmp, ...rel.split('/'))));
    const fh = await open(join(tmp, META_FILE), 'w');
    try {
      await fh.write(metaBytes, 0, metaBytes.length, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rm(dest, { recursive: true, force: true });
    await rename(tmp, dest);
    await syncDir(destParent);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return dest;
}

/**
 * Downloads object `name` to local file `path` atomically (a temporary file next to it, renamed
 * into place once complete and fsynced), creating the parent directory.
 */
export async function downloadObject(bucket: Bucket, name: string, path: string): Promise<void> {
  const tmp = `${path}.tmp-download`;
  try {
    await downloadFile(bucket, name, tmp);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** fsyncs a directory so a rename in it is durable (best effort: not every platform allows opening one). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Directory fsync is not supported everywhere.
  }
}
