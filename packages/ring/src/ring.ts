/**
 * The read side of the hash ring: follows the ring description in the KV store and answers
 * "which instances own this token", "which instances may hold this tenant" and "how much of
 * the token space does each instance own".
 *
 * Concurrency: all state is one immutable {@link RingSnapshot}, replaced as a whole when the
 * description changes (KV watch) or when an instance's heartbeat expires (a timer set for the
 * earliest expiry), so a lookup never sees a half-updated ring.
 */
import type { Registry } from 'prom-client';
import type { Logger } from '@tessera/server';
import type { KVStore } from './kv/kv-store.ts';
import { DEFAULT_HEARTBEAT_TIMEOUT_MS, healthState, isHeartbeatHealthy } from './health.ts';
import { initRingSeries, ringMetrics, type RingMetrics } from './metrics.ts';
import { RingSnapshot } from './ring-snapshot.ts';
import { buildTokenIndex, sameTokens } from './token-index.ts';
import { tokenForSeries } from './tokens.ts';
import {
  DEFAULT_RING_KEY,
  RING_HEALTH_STATES,
  emptyRingDesc,
  type InstanceDesc,
  type ReplicationSet,
  type RingDesc,
  type RingHealthState,
  type RingOperation,
} from './types.ts';

/** Configuration of a {@link Ring} reader. */
export interface RingConfig {
  /** KV key of the ring description; default `ingester-ring`. */
  key?: string;
  /** Name of the ring in metrics (`name` label); default `ingester`. */
  name?: string;
  /** `-ring.replication-factor`; default 3. */
  replicationFactor?: number;
  /** Time without a heartbeat after which an instance is UNHEALTHY; default 60 000 ms. */
  heartbeatTimeoutMs?: number;
  /** Wall clock in Unix ms; default `Date.now`. */
  now?: () => number;
}

/** Dependencies of a {@link Ring}. */
export interface RingDeps {
  registry?: Registry;
  logger?: Logger;
}

/** One row of the ring status page. */
export interface RingInstanceStatus {
  id: string;
  addr: string;
  /** The stored state, or UNHEALTHY when its heartbeat is older than the timeout. */
  state: RingHealthState;
  tokens: number;
  /** Share of the token space this instance is the primary owner of, 0..1. */
  ownership: number;
  heartbeatMs: number;
  registeredMs: number;
}

/** A live, read-only view of a hash ring kept in a {@link KVStore}. */
export class Ring {
  /** The KV key this ring reads. */
  readonly key: string;
  /** The name of this ring in metrics. */
  readonly name: string;
  readonly replicationFactor: number;
  readonly heartbeatTimeoutMs: number;
  readonly #kv: KVStore<RingDesc>;
  readonly #now: () => number;
  readonly #metrics: RingMetrics | undefined;
  readonly #logger: Logger | undefined;
  readonly #listeners = new Set<(desc: RingDesc) => void>();
  #snapshot: RingSnapshot;
  #unwatch: (() => void) | undefined;
  #healthTimer: NodeJS.Timeout | undefined;
  #running = false;

  /** Creates a reader of the ring under `config.key`; call {@link start} to follow it. */
  constructor(kv: KVStore<RingDesc>, config: RingConfig = {}, deps: RingDeps = {}) {
    this.#kv = kv;
    this.key = config.key ?? DEFAULT_RING_KEY;
    this.name = config.name ?? 'ingester';
    this.replicationFactor = config.replicationFactor ?? 3;
    if (!Number.isInteger(this.replicationFactor) || this.replicationFactor < 1) {
      throw new RangeError(`replication factor must be a positive integer, got ${this.replicationFactor}`);
    }
    this.heartbeatTimeoutMs = config.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    this.#now = config.now ?? Date.now;
    this.#logger = deps.logger;
    this.#metrics = deps.registry === undefined ? undefined : ringMetrics(deps.registry);
    if (this.#metrics !== undefined) initRingSeries(this.#metrics, this.name);
    const empty = emptyRingDesc();
    this.#snapshot = this.#evaluate(empty, buildTokenIndex(empty));
  }

  /** Loads the current description and follows its changes. Resolves once loaded. */
  async start(): Promise<void> {
    if (this.#running) return;
    const desc = await this.#kv.get(this.key);
    this.#running = true;
    if (desc !== null) this.update(desc);
    this.#unwatch = this.#kv.watch(this.key, (d) => this.update(d));
  }

  /** Stops following the KV store; lookups keep answering from the last description. */
  stop(): void {
    this.#running = false;
    this.#unwatch?.();
    this.#unwatch = undefined;
    clearTimeout(this.#healthTimer);
  }

  /** Replaces the ring's view by `desc` (what the KV watch does on every change). */
  update(desc: RingDesc): void {
    const old = this.#snapshot.index;
    const index = sameTokens(desc, old) ? old : buildTokenIndex(desc);
    this.#snapshot = this.#evaluate(desc, index);
    for (const l of this.#listeners) {
      try {
        l(desc);
      } catch (err) {
        this.#logger?.warn({ err, ring: this.name }, 'ring change listener failed');
      }
    }
  }

  /** Re-evaluates instance health now (done automatically when a heartbeat expires). */
  refresh(): void {
    this.#snapshot = this.#evaluate(this.#snapshot.desc, this.#snapshot.index);
  }

  /** Calls `listener` with the new description after every change; returns its removal. */
  onChange(listener: (desc: RingDesc) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The latest ring description (shared: do not mutate). */
  desc(): RingDesc {
    return this.#snapshot.desc;
  }

  /** The instance registered under `id`, if any. */
  instance(id: string): InstanceDesc | undefined {
    return this.#snapshot.desc.instances[id];
  }

  /**
   * The instances owning `token` for `op`: the first RF distinct instances clockwise from it.
   *
   * For writes, only ACTIVE, heartbeat-healthy instances count; any other is skipped and the walk
   * goes on, so a write still reaches RF owners while enough exist. `minSuccess` is the quorum
   * (`floor(RF/2)+1`, 2 of 3), `maxErrors` the rest of the set (RF − quorum when the set is full).
   * For reads, the set also holds the LEAVING instances met on the same walk; each unreadable
   * instance met reduces `maxErrors` from RF − quorum.
   *
   * Allocation-free after the first lookup in each token range of a snapshot. Throws a
   * TesseraError of kind `unavailable` (`too-few-healthy-instances`,
   * `too-many-unhealthy-instances`, `empty-ring`) when no quorum is possible.
   */
  replicationSetForToken(token: number, op: RingOperation): ReplicationSet {
    return this.#snapshot.replicationSetForToken(token, op);
  }

  /**
   * Every instance that may have to be asked, for `op`.
   *
   * For reads: every heartbeat-healthy ACTIVE or LEAVING instance (any of them may hold a series
   * of any tenant); `maxErrors` is RF − quorum less the instances that own tokens but cannot be
   * read now (never more than all but one). For writes (broadcasts): every writable instance,
   * all of which must succeed. Throws like {@link replicationSetForToken}.
   */
  allHealthy(op: RingOperation): ReplicationSet {
    return this.#snapshot.allHealthy(op);
  }

  /** The ring token of a series; see the function {@link tokenForSeries}. */
  tokenForSeries(tenant: string, labelBytes: Uint8Array, start: number, end: number): number {
    return tokenForSeries(tenant, labelBytes, start, end);
  }

  /** Share of the token space (0..1, summing to 1 over a non-empty ring) each instance owns. */
  ownership(): Map<string, number> {
    return this.#snapshot.ownership();
  }

  /** True while `inst` has heartbeated within the heartbeat timeout. */
  healthy(inst: InstanceDesc, nowMs: number = this.#now()): boolean {
    return isHeartbeatHealthy(inst, nowMs, this.heartbeatTimeoutMs);
  }

  /** The rows of the ring status page, sorted by id. */
  status(nowMs: number = this.#now()): RingInstanceStatus[] {
    const own = this.ownership();
    return this.#snapshot.index.ids.map((id) => {
      const inst = this.#snapshot.desc.instances[id]!;
      return {
        id,
        addr: inst.addr,
        state: healthState(inst, nowMs, this.heartbeatTimeoutMs),
        tokens: inst.tokens.length,
        ownership: own.get(id) ?? 0,
        heartbeatMs: inst.heartbeatMs,
        registeredMs: inst.registeredMs,
      };
    });
  }

  #evaluate(desc: RingDesc, index: ReturnType<typeof buildTokenIndex>): RingSnapshot {
    const now = this.#now();
    const snap = new RingSnapshot(desc, index, now, {
      replicationFactor: this.replicationFactor,
      heartbeatTimeoutMs: this.heartbeatTimeoutMs,
    });
    this.#publishMembers(desc, now);
    clearTimeout(this.#healthTimer);
    this.#healthTimer = undefined;
    const next = snap.nextHealthChangeMs();
    if (this.#running && Number.isFinite(next)) {
      // setTimeout's limit is 2^31−1 ms; a later expiry is re-armed by the refresh it triggers.
      const delay = Math.min(Math.max(0, next - now), 2 ** 31 - 1);
      this.#healthTimer = setTimeout(() => this.refresh(), delay);
      this.#healthTimer.unref();
    }
    return snap;
  }

  #publishMembers(desc: RingDesc, now: number): void {
    if (this.#metrics === undefined) return;
    const counts = new Map<RingHealthState, number>(RING_HEALTH_STATES.map((s) => [s, 0]));
    for (const inst of Object.values(desc.instances)) {
      const s = healthState(inst, now, this.heartbeatTimeoutMs);
      counts.set(s, counts.get(s)! + 1);
    }
    for (const [state, n] of counts) this.#metrics.members.labels(this.name, state).set(n);
  }
}
