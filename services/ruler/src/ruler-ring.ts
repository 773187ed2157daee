/**
 * Sharding of rule groups over several rulers: the ruler ring (its own key in the ring's KV store,
 * replication factor 1) gives each group to the ruler owning the first token at or after the hash
 * of `tenant/namespace/group`. A ruler whose heartbeat is older than the heartbeat timeout is
 * skipped, so its groups move to the next ruler on the ring.
 */
import { hashBytes } from '@tessera/model';
import type { Ring } from '@tessera/ring';
import { groupKey } from './group-evaluator.ts';

/** KV key of the ruler ring. */
export const RULER_RING_KEY = 'ruler-ring';

/** The ring token of a rule group (32 bits). */
export function groupToken(tenant: string, namespace: string, group: string): number {
  const b = new TextEncoder().encode(groupKey(tenant, namespace, group));
  return hashBytes(b, 0, b.length) >>> 0;
}

/** Whether the ruler `instanceId` owns a group in `ring` (false while the ring has no healthy ruler). */
export function ringOwnership(ring: Pick<Ring, 'replicationSetForToken'>, instanceId: string): (tenant: string, namespace: string, group: string) => boolean {
  return (tenant, namespace, group) => {
    try {
      return ring.replicationSetForToken(groupToken(tenant, namespace, group), 'write').instances[0]?.id === instanceId;
    } catch {
      return false; // empty ring or no healthy ruler: nobody evaluates until one joins
    }
  };
}
