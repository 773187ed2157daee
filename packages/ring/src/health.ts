/**
 * Instance health: which instances may take writes and reads at a given time.
 *
 * An instance is heartbeat-healthy while its last heartbeat is at most `heartbeatTimeoutMs` old
 * (a timeout ≤ 0 disables the check). A heartbeat from the future (clock skew) counts as fresh.
 */
import type { InstanceDesc, RingHealthState } from './types.ts';

/** Default time without a heartbeat after which an instance is UNHEALTHY: one minute. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 60_000;

/** True while `inst` has heartbeated within `heartbeatTimeoutMs` of `nowMs`. */
export function isHeartbeatHealthy(inst: InstanceDesc, nowMs: number, heartbeatTimeoutMs: number): boolean {
  return heartbeatTimeoutMs <= 0 || nowMs - inst.heartbeatMs <= heartbeatTimeoutMs;
}

/** The state a reader sees: UNHEALTHY when heartbeats stopped, else the stored state. */
export function healthState(inst: InstanceDesc, nowMs: number, heartbeatTimeoutMs: number): RingHealthState {
  return isHeartbeatHealthy(inst, nowMs, heartbeatTimeoutMs) ? inst.state : 'UNHEALTHY';
}

/** True if `inst` may take writes: ACTIVE and heartbeat-healthy. */
export function isWritable(inst: InstanceDesc, nowMs: number, heartbeatTimeoutMs: number): boolean {
  return inst.state === 'ACTIVE' && isHeartbeatHealthy(inst, nowMs, heartbeatTimeoutMs);
}

/** True if `inst` may serve reads: ACTIVE or LEAVING, and heartbeat-healthy. */
export function isReadable(inst: InstanceDesc, nowMs: number, heartbeatTimeoutMs: number): boolean {
  return (inst.state === 'ACTIVE' || inst.state === 'LEAVING') && isHeartbeatHealthy(inst, nowMs, heartbeatTimeoutMs);
}
