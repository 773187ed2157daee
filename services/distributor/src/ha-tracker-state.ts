/**
 * What the HA tracker keeps in the KV store: one value per (tenant, HA cluster), naming the replica
 * whose samples are accepted. Every distributor reads and writes the same keys, by compare-and-swap,
 * so they all accept the same replica.
 *
 * Key layout: `ha-tracker/<tenant>/<cluster>`. A tenant ID never contains `/` (see
 * `validateTenantId`), so the first `/` after the prefix ends the tenant and the cluster (any
 * label value, `/` included) is the rest: distinct pairs never share a key.
 */
import { jsonCodec, type Codec } from '@tessera/ring';

/** The election of one HA cluster of one tenant, as stored in the KV store. */
export interface HaTrackerState {
  /** The elected replica: the value of the replica label whose samples are accepted. */
  replica: string;
  /** When this replica was elected (wall clock, ms). */
  electedAtMs: number;
  /**
   * When a distributor last recorded a request from the elected replica (wall clock, ms). Written
   * at most every update timeout, so it lags the last request by up to that much; failover
   * happens when it is older than the failover timeout.
   */
  receivedAtMs: number;
  /**
   * Election counter: incremented by every change of the elected replica. With `receivedAtMs`,
   * orders two values of one key (a later value has a higher term, or the same term and a later or
   * equal `receivedAtMs`), so a reply that arrives late never overwrites a newer one in a cache.
   */
  term: number;
}

/** Prefix of every HA tracker key (Mimir's default prefix for its HA tracker KV store too). */
export const HA_TRACKER_KEY_PREFIX = 'ha-tracker/';

/** The KV key holding the election of `cluster` for `tenant`. */
export function haTrackerKey(tenant: string, cluster: string): string {
  return `${HA_TRACKER_KEY_PREFIX}${tenant}/${cluster}`;
}

function finiteNumber(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what} is not a finite number`);
  return v;
}

/** Codec of {@link HaTrackerState} for a `KVStore<HaTrackerState>`; rejects malformed values. */
export const haTrackerStateCodec: Codec<HaTrackerState> = jsonCodec<HaTrackerState>((v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
  const o = v as Record<string, unknown>;
  if (typeof o['replica'] !== 'string' || o['replica'] === '') throw new Error('replica is not a non-empty string');
  return {
    replica: o['replica'],
    electedAtMs: finiteNumber(o['electedAtMs'], 'electedAtMs'),
    receivedAtMs: finiteNumber(o['receivedAtMs'], 'receivedAtMs'),
    term: finiteNumber(o['term'], 'term'),
  };
});

/** True when `a` is a newer state of the same key than `b` (or the same one). */
export function isNewerOrSame(a: HaTrackerState, b: HaTrackerState): boolean {
  return a.term > b.term || (a.term === b.term && a.receivedAtMs >= b.receivedAtMs);
}
