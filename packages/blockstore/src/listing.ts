/**
 * Discovering tenants and blocks in the bucket.
 */
import { BUCKET_RESERVED_TENANT_IDS } from '@tessera/model';
import { isObjectNotFound, type Bucket } from '@tessera/objstore';
import { BlockError, parseMeta, type BlockMeta } from '@tessera/tsdb';
import { blockObject, blockPrefix, DELETION_MARK_FILE, isBlockName, mapLimit, META_FILE, parseDeletionMark, type DeletionMark } from './layout.ts';

/** A complete block in the bucket (it has a readable meta.json). */
export interface BucketBlock {
  ulid: string;
  meta: BlockMeta;
  deletionMark: DeletionMark | null;
}

/** meta.json and deletion-mark.json are fetched this many blocks at a time. */
const LIST_CONCURRENCY = 16;

/** The tenants of the bucket (its top-level directories but `rules` and `alertmanager`), sorted. */
export async function listTenants(bucket: Bucket): Promise<string[]> {
  const out: string[] = [];
  for await (const name of bucket.list('')) {
    // The rules and Alertmanager folders share the bucket; they are not tenants.
    if (name.endsWith('/') && !BUCKET_RESERVED_TENANT_IDS.includes(name.slice(0, -1))) out.push(name.slice(0, -1));
  }
  return out.sort();
}

/** The ULIDs of the block directories of `tenant` (complete or not), sorted. */
export async function listBlockUlids(bucket: Bucket, tenant: string): Promise<string[]> {
  const out: string[] = [];
  const prefix = `${tenant}/`;
  for await (const name of bucket.list(prefix)) {
    if (!name.endsWith('/')) continue;
    const ulid = name.slice(prefix.length, -1);
    if (isBlockName(ulid)) out.push(ulid);
  }
  return out.sort();
}

/** The block's meta.json, or null when it is missing or unreadable (a partial or broken block). */
export async function readBlockMeta(bucket: Bucket, tenant: string, ulid: string): Promise<BlockMeta | null> {
  try {
    const meta = parseMeta(new TextDecoder().decode(await bucket.get(blockObject(tenant, ulid, META_FILE))));
    return meta.ulid === ulid ? meta : null;
  } catch (e) {
    if (isObjectNotFound(e) || e instanceof BlockError) return null;
    throw e;
  }
}

/** The block's deletion mark, or null when it has none (or a malformed one). */
export async function readDeletionMark(bucket: Bucket, tenant: string, ulid: string): Promise<DeletionMark | null> {
  try {
    return parseDeletionMark(new TextDecoder().decode(await bucket.get(blockObject(tenant, ulid, DELETION_MARK_FILE))));
  } catch (e) {
    if (isObjectNotFound(e)) return null;
    throw e;
  }
}

/**
 * The tenant's complete blocks (ULID dirs with a readable meta.json) with their deletion marks,
 * sorted by minTime, then ULID. Partial blocks (no meta.json yet, or being deleted) are left out.
 */
export async function listBlocks(bucket: Bucket, tenant: string): Promise<BucketBlock[]> {
  const ulids = await listBlockUlids(bucket, tenant);
  const found = await mapLimit(ulids, LIST_CONCURRENCY, async (ulid): Promise<BucketBlock | null> => {
    const meta = await readBlockMeta(bucket, tenant, ulid);
    if (meta === null) return null;
    return { ulid, meta, deletionMark: await readDeletionMark(bucket, tenant, ulid) };
  });
  const blocks = found.filter((b): b is BucketBlock => b !== null);
  return blocks.sort((a, b) => a.meta.minTime - b.meta.minTime || (a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0));
}

/**
 * When the block's objects were last written: the newest `lastModified` among the objects under
 * `<tenant>/<ulid>/` (ms since the epoch), or null when there are none. An object deleted between
 * the listing and its attributes call is skipped. Costs one attributes call per object, so it is
 * meant for the few partial blocks, not for every block.
 */
export async function blockLastModified(bucket: Bucket, tenant: string, ulid: string): Promise<number | null> {
  const names: string[] = [];
  for await (const name of bucket.list(blockPrefix(tenant, ulid), { recursive: true })) names.push(name);
  const times = await mapLimit(names, LIST_CONCURRENCY, async (name): Promise<number | null> => {
    try {
      return (await bucket.attributes(name)).lastModified.getTime();
    } catch (e) {
      if (isObjectNotFound(e)) return null;
      throw e;
    }
  });
  let newest: number | null = null;
  for (const t of times) if (t !== null && (newest === null || t > newest)) newest = t;
  return newest;
}
