/**
 * The data model of the hash ring: instances, their states and tokens, and replication sets.
 *
 * The ring is a circle of 2^32 positions. Every instance owns a set of random uint32 "tokens";
 * a lookup token is owned by the instance that registered the smallest token strictly greater
 * than it, wrapping around after 2^32 − 1 (the convention of Cortex/Mimir).
 */

/**
 * The lifecycle state an instance writes about itself into the ring.
 *
 * - `PENDING`: started, not yet ready (e.g. replaying its WAL); receives neither writes nor reads.
 * - `JOINING`: has tokens and is about to become ACTIVE; receives neither writes nor reads.
 * - `ACTIVE`: serves writes and reads.
 * - `LEAVING`: shutting down; receives no writes, still serves reads.
 *
 * UNHEALTHY is not stored: it is derived by readers when an instance's heartbeat is older than
 * the heartbeat timeout (see {@link RingHealthState}).
 */
export type InstanceState = 'PENDING' | 'JOINING' | 'ACTIVE' | 'LEAVING';

/** Every stored {@link InstanceState}, in lifecycle order. */
export const INSTANCE_STATES: readonly InstanceState[] = ['PENDING', 'JOINING', 'ACTIVE', 'LEAVING'];

/** The state a reader sees: the stored state, or UNHEALTHY when heartbeats stopped. */
export type RingHealthState = InstanceState | 'UNHEALTHY';

/** Every {@link RingHealthState}; the label values of the ring-members metric. */
export const RING_HEALTH_STATES: readonly RingHealthState[] = [...INSTANCE_STATES, 'UNHEALTHY'];

/** One registered instance of the ring, as stored in the KV store. */
export interface InstanceDesc {
  /** The instance id (`-ingester.id`), stable across restarts; also the key in {@link RingDesc}. */
  id: string;
  /** Where other components reach it, `host:port`. */
  addr: string;
  state: InstanceState;
  /** Owned tokens: uint32 values, sorted ascending, no duplicates, none shared with another instance. */
  tokens: number[];
  /** Wall-clock time (Unix ms) of the last successful heartbeat. */
  heartbeatMs: number;
  /** Wall-clock time (Unix ms) at which the instance first registered (kept across restarts). */
  registeredMs: number;
}

/** The whole ring as stored under one KV key: instances by id. */
export interface RingDesc {
  instances: Record<string, InstanceDesc>;
}

/**
 * What a lookup is for. Writes go only to ACTIVE, heartbeat-healthy instances; reads also go to
 * LEAVING ones (they still hold their data).
 */
export type RingOperation = 'write' | 'read';

/**
 * The instances a request must be sent to, and how many of them may fail.
 *
 * Invariant: `minSuccess + maxErrors === instances.length`, `maxErrors >= 0`.
 * Sets returned by {@link Ring} are shared and frozen: callers must not mutate them.
 */
export interface ReplicationSet {
  readonly instances: readonly InstanceDesc[];
  /** How many of `instances` may fail (or not answer) with the request still succeeding. */
  readonly maxErrors: number;
  /** How many of `instances` must succeed. */
  readonly minSuccess: number;
}

/** The quorum of a replication factor: a strict majority, `floor(rf / 2) + 1` (2 of 3). */
export function quorum(replicationFactor: number): number {
  return Math.floor(replicationFactor / 2) + 1;
}

/** Default KV key of the ingester ring. */
export const DEFAULT_RING_KEY = 'ingester-ring';

/** Returns an empty ring description. */
export function emptyRingDesc(): RingDesc {
  return { instances: {} };
}
