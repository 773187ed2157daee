/**
 * Partial blocks: block directories (ULID-named) without meta.json and without a deletion mark.
 * Uploads write meta.json last, so such a directory is an upload still running, or one that
 * failed and was never retried (an ingester that crashed with its disk lost, a compactor killed
 * mid-upload). Nobody lists them and nobody else deletes them, so the cleanup pass deletes them
 * once no upload can still be writing them.
 *
 * The two kinds of directory without meta.json are told apart by the deletion mark, so that each
 * is handled by exactly one path:
 * - with a (readable) deletion mark: a deletion interrupted after meta.json went (deleteBlock
 *   removes meta.json first and the mark last). The compactor's deletion path finishes it once
 *   the mark is older than `-compactor.deletion-delay`; this module leaves it alone.
 * - without one: a partial block, this module's. A malformed mark counts as none (the deletion
 *   path ignores it too), so such a directory is not leaked either.
 * A directory whose meta.json exists but cannot be read (corrupt, or naming another ULID) is a
 * broken block, not a partial one: it is never deleted here.
 */
import { blockLastModified, blockObject, META_FILE } from '@tessera/blockstore';
import type { Bucket } from '@tessera/objstore';
import { ulidTime } from '@tessera/tsdb';

/** A partial block old enough to delete. */
export interface ExpiredPartialBlock {
  ulid: string;
  /** When it was last written (ms): the later of its ULID's time and its newest object's. */
  lastWriteMs: number;
}

/**
 * When a partial block was last written, as far as the bucket tells: the later of the ULID's
 * time (when the block was cut) and its newest object's `lastModified` (a slow or resumed upload
 * of an old ULID), the latter taken as the end of its second (S3 keeps whole seconds, rounded
 * down) so that the delay is never shortened. `newestObjectMs` null: no object left.
 */
export function partialBlockLastWrite(ulid: string, newestObjectMs: number | null): number {
  const cut = ulidTime(ulid);
  if (newestObjectMs === null) return cut;
  return Math.max(cut, Math.floor(newestObjectMs / 1000) * 1000 + 1000);
}

/**
 * Which of `candidates` (ULIDs of `tenant`'s directories that have neither a readable meta.json
 * nor a deletion mark) are partial blocks last written at least `delayMs` before `nowMs`.
 * `delayMs` 0 disables: none. Cheap for young uploads: an object's time is only asked for when
 * the ULID alone is old enough. Directories with a meta.json object (readable or not) and
 * directories left empty meanwhile are not returned.
 */
export async function expiredPartialBlocks(
  bucket: Bucket,
  tenant: string,
  candidates: readonly string[],
  delayMs: number,
  nowMs: number,
): Promise<ExpiredPartialBlock[]> {
  if (delayMs <= 0) return [];
  const out: ExpiredPartialBlock[] = [];
  for (const ulid of candidates) {
    if (ulidTime(ulid) > nowMs - delayMs) continue;
    const newest = await blockLastModified(bucket, tenant, ulid);
    if (newest === null) continue;
    const lastWriteMs = partialBlockLastWrite(ulid, newest);
    if (lastWriteMs > nowMs - delayMs) continue;
    // Checked last, closest to the deletion: an upload that finished meanwhile keeps its block.
    if (await bucket.exists(blockObject(tenant, ulid, META_FILE))) continue;
    out.push({ ulid, lastWriteMs });
  }
  return out;
}
