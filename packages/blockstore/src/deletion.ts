/**
 * Deleting blocks in two steps: a deletion mark first (queriers stop using the block after a
 * delay, running queries finish), the objects after another delay.
 */
import type { Bucket } from '@tessera/objstore';
import { blockObject, blockPrefix, DELETION_MARK_FILE, encodeDeletionMark, META_FILE } from './layout.ts';

/**
 * Writes `<tenant>/<ulid>/deletion-mark.json` with deletion time `nowMs` (stored in unix
 * seconds). A block already marked keeps its original mark.
 */
export async function markBlockForDeletion(bucket: Bucket, tenant: string, ulid: string, nowMs: number): Promise<void> {
  const name = blockObject(tenant, ulid, DELETION_MARK_FILE);
  if (await bucket.exists(name)) return;
  const mark = encodeDeletionMark({ id: ulid, deletionTime: Math.floor(nowMs / 1000), version: 1 });
  await bucket.upload(name, new TextEncoder().encode(mark));
}

/**
 * Deletes every object of the block: meta.json first (the block turns invisible to listings),
 * then the rest, deletion-mark.json last (an interrupted deletion is finished by the next one).
 * Succeeds when the block does not exist.
 */
export async function deleteBlock(bucket: Bucket, tenant: string, ulid: string): Promise<void> {
  const prefix = blockPrefix(tenant, ulid);
  await bucket.delete(blockObject(tenant, ulid, META_FILE));
  const rest: string[] = [];
  for await (const name of bucket.list(prefix, { recursive: true })) {
    if (name !== `${prefix}${DELETION_MARK_FILE}` && name !== `${prefix}${META_FILE}`) rest.push(name);
  }
  for (const name of rest) await bucket.delete(name);
  await bucket.delete(blockObject(tenant, ulid, DELETION_MARK_FILE));
}
