/**
 * @tessera/ring: the hash ring that shards and replicates series over ingesters, and the KV
 * stores (in memory, Redis) through which ring members and the HA tracker share state.
 */
export {
  DEFAULT_RING_KEY,
  INSTANCE_STATES,
  RING_HEALTH_STATES,
  emptyRingDesc,
  quorum,
} from './types.ts';
export type {
  InstanceDesc,
  InstanceState,
  ReplicationSet,
  RingDesc,
  RingHealthState,
  RingOperation,
} from './types.ts';
export { ringDescCodec } from './ring-codec.ts';
export { decodeError, jsonCodec } from './kv/codec.ts';
export type { Codec } from './kv/codec.ts';
export type { CasOptions, KVStore } from './kv/kv-store.ts';
export { MemoryKV } from './kv/memory-kv.ts';
export { RedisKV } from './kv/redis-kv.ts';
export type { RedisKVOptions } from './kv/redis-kv.ts';
export {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  healthState,
  isHeartbeatHealthy,
  isReadable,
  isWritable,
} from './health.ts';
export { cryptoRandomUint32, generateTokens, seededRandomUint32, tenantSeed, tokenForSeries } from './tokens.ts';
export type { RandomUint32 } from './tokens.ts';
export { Ring } from './ring.ts';
export type { RingConfig, RingDeps, RingInstanceStatus } from './ring.ts';
export { Lifecycler, forgetInstance } from './lifecycler.ts';
export type { LifecyclerConfig, LifecyclerDeps } from './lifecycler.ts';
export { ringMetrics } from './metrics.ts';
export type { RingMetrics } from './metrics.ts';
