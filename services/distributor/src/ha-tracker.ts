/**
 * The HA tracker: deduplicates the samples of Prometheus HA pairs. Two (or more) Prometheus
 * replicas scrape the same targets and write with the same `cluster` label and different
 * `__replica__` labels (names per tenant: `-distributor.ha-tracker.cluster`, `.replica`). For a
 * tenant with `accept_ha_samples`, one replica per cluster is elected: its requests are stored
 * with the replica label removed (so both replicas' series are the same series), the others' are
 * dropped whole and answered 202, which Prometheus takes as success and does not resend. When the
 * elected replica sends nothing for the failover timeout, the next replica that writes takes over.
 *
 * Election state lives in a `KVStore<HaTrackerState>` (one key per tenant and cluster, see
 * ha-tracker-state.ts) so that every distributor elects the same replica; it changes only by
 * compare-and-swap. Each distributor keeps a cache of the keys it has met, kept fresh by watching
 * them, and decides from it without touching the KV store in the common case:
 *
 *   - request from the elected replica, last recorded less than update timeout (+ a per-cluster
 *     jitter) ago: accept;
 *   - same, recorded longer ago but less than the failover timeout: accept, and record "seen now"
 *     in the KV store in the background (one write per cluster per update timeout);
 *   - request from another replica, the elected one recorded less than the failover timeout ago:
 *     drop (202);
 *   - otherwise (cluster never seen here, or failover due): ask the KV store by CAS and wait.
 *     A KV failure then fails the request with 503, so the sender retries: never a silent loss.
 *
 * Like Mimir, a request is judged by the labels of its first series only.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DecodedWriteRequest } from '@tessera/remotewrite';
import type { KVStore } from '@tessera/ring';
import { TesseraError, type Logger, type Service } from '@tessera/server';
import type { Limits } from '@tessera/limits';
import { haLabelsOfFirstSeries, ReplicaLabelRemover } from './ha-tracker-labels.ts';
import { haTrackerKey, isNewerOrSame, type HaTrackerState } from './ha-tracker-state.ts';

/** Configuration of the HA tracker (`-distributor.ha-tracker.*`, see ha-tracker-options.ts). */
export interface HaTrackerConfig {
  /** Record "elected replica seen" in the KV store at most this often per cluster, ms. */
  updateTimeoutMs: number;
  /** Largest random extra added to the update timeout per cluster, spreading the writes, ms. */
  updateTimeoutJitterMaxMs: number;
  /** Fail over when the elected replica was last recorded longer ago than this, ms. */
  failoverTimeoutMs: number;
}

/** What the HA tracker needs besides its config. */
export interface HaTrackerDeps {
  /** The shared election state; the tracker does not close it. */
  kv: KVStore<HaTrackerState>;
  registry: Registry;
  logger: Logger;
  /** Wall clock in ms (injected for tests). Distributors sharing a KV store need synced clocks. */
  now?: () => number;
  /** Uniform in [0, 1), for the update jitter (injected for tests). */
  random?: () => number;
}

/** The per-tenant limits the HA tracker reads. */
export type HaTrackerLimits = Pick<Limits, 'acceptHaSamples' | 'haClusterLabel' | 'haReplicaLabel'>;

/** One cluster as the HA tracker page shows it. */
export interface HaTrackerStatusEntry {
  tenant: string;
  cluster: string;
  /** The elected replica. */
  replica: string;
  electedAtMs: number;
  /** When the elected replica was last recorded in the KV store. */
  receivedAtMs: number;
}

/** Drop idle clusters from the cache (and stop watching them) after this long without requests. */
const IDLE_AFTER_MS = 30 * 60_000;
const SWEEP_INTERVAL_MS = 60_000;

interface CacheEntry {
  readonly tenant: string;
  readonly cluster: string;
  readonly key: string;
  /** Latest state known (from our CAS replies and the watch); null before the first. */
  state: HaTrackerState | null;
  /** This cluster's share of the update jitter, ms. */
  readonly jitterMs: number;
  /** Last request of any replica of the cluster seen by this tracker, for the idle sweep. */
  lastRequestMs: number;
  /** The CAS of this key in flight from this tracker, if any. */
  inflight: Promise<HaTrackerState> | null;
  stopWatch: () => void;
}

/** The next state of a key for a request from `replica` at `now`; null: leave it as it is. */
function nextState(cur: HaTrackerState | null, replica: string, now: number, cfg: HaTrackerConfig): HaTrackerState | null {
  if (cur !== null && cur.replica === replica) {
    // Another distributor may have recorded it meanwhile: skip a write nobody needs.
    if (now - cur.receivedAtMs < cfg.updateTimeoutMs) return null;
    return { ...cur, receivedAtMs: Math.max(now, cur.receivedAtMs) };
  }
  if (cur !== null && now - cur.receivedAtMs < cfg.failoverTimeoutMs) return null;
  return { replica, electedAtMs: now, receivedAtMs: now, term: (cur?.term ?? 0) + 1 };
}

/** The HA tracker of a distributor; see the module comment. */
export class HaTracker implements Service {
  readonly name = 'ha-tracker';
  readonly #cfg: HaTrackerConfig;
  readonly #kv: KVStore<HaTrackerState>;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #remover = new ReplicaLabelRemover();
  readonly #deduped: Counter<'tenant' | 'cluster'>;
  readonly #changes: Counter<'tenant' | 'cluster'>;
  readonly #electedTimestamp: Gauge<'tenant' | 'cluster'>;
  readonly #kvFailures: Counter<'operation'>;
  #sweep: NodeJS.Timeout | undefined;

  constructor(cfg: HaTrackerConfig, deps: HaTrackerDeps) {
    this.#cfg = cfg;
    this.#kv = deps.kv;
    this.#logger = deps.logger;
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
    const registers = [deps.registry];
    this.#deduped = new Counter({
      name: 'tessera_distributor_deduped_samples_total',
      help: 'Samples dropped because they came from an HA replica that is not the elected one.',
      labelNames: ['tenant', 'cluster'] as const,
      registers,
    });
    this.#changes = new Counter({
      name: 'tessera_ha_tracker_elected_replica_changes_total',
      help: 'Changes of the elected replica of an HA cluster seen by this distributor.',
      labelNames: ['tenant', 'cluster'] as const,
      registers,
    });
    this.#electedTimestamp = new Gauge({
      name: 'tessera_ha_tracker_elected_replica_timestamp_seconds',
      help: 'When the elected replica of an HA cluster was last recorded in the KV store.',
      labelNames: ['tenant', 'cluster'] as const,
      registers,
    });
    this.#kvFailures = new Counter({
      name: 'tessera_ha_tracker_kv_failures_total',
      help: 'Failed reads or updates of the HA election state in the KV store, by operation.',
      labelNames: ['operation'] as const,
      registers,
    });
    for (const operation of ['elect', 'update']) this.#kvFailures.inc({ operation }, 0);
  }

  async start(): Promise<void> {
    this.#sweep = setInterval(() => this.#dropIdle(), SWEEP_INTERVAL_MS);
    this.#sweep.unref();
  }

  async stop(): Promise<void> {
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    this.#sweep = undefined;
    for (const e of this.#cache.values()) e.stopWatch();
    this.#cache.clear();
  }

  /**
   * Admits a decoded request of `tenant`. Returns the request to store: `req` itself unless HA
   * deduplication applies (tenant without `accept_ha_samples`, first series without both labels),
   * else a copy without the replica label, valid until the next call (see
   * {@link ReplicaLabelRemover}). Throws a `replicas-did-not-match` TesseraError with status 202
   * when the request comes from a replica that is not elected.
   *
   * When the cache cannot decide, returns a promise instead, settled once the KV store has: it
   * rejects with the 202 error above, or with `ha-tracker-kv-failed` (503, the sender retries)
   * when the KV store cannot be asked; it resolves when the replica is elected, and the caller
   * must then start the request over (decode the body again, call `admit` again), because the
   * decode buffers may have served other requests meanwhile. The second call finds the election
   * in the cache and decides synchronously.
   */
  admit(tenant: string, req: DecodedWriteRequest, limits: HaTrackerLimits): DecodedWriteRequest | Promise<void> {
    if (!limits.acceptHaSamples) return req;
    const ids = haLabelsOfFirstSeries(req, limits.haClusterLabel, limits.haReplicaLabel);
    if (ids === null) return req;
    const now = this.#now();
    const entry = this.#entry(tenant, ids.cluster, now);
    const elected = this.#electedFromCache(entry, ids.replica, now);
    if (elected === ids.replica) return this.#remover.remove(req, limits.haReplicaLabel);
    const samples = req.sampleTotal + req.histogramTotal;
    if (elected !== null) this.#drop(entry, ids.replica, elected, samples);
    return this.#electedFromKV(entry, ids.replica, now).then((kvElected) => {
      if (kvElected !== ids.replica) this.#drop(entry, ids.replica, kvElected, samples);
    });
  }

  /** The clusters this distributor knows, sorted by tenant then cluster. */
  status(): HaTrackerStatusEntry[] {
    const out: HaTrackerStatusEntry[] = [];
    for (const e of this.#cache.values()) {
      if (e.state === null) continue;
      out.push({ tenant: e.tenant, cluster: e.cluster, replica: e.state.replica, electedAtMs: e.state.electedAtMs, receivedAtMs: e.state.receivedAtMs });
    }
    return out.sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
  }

  /** The configuration in force (for the status page). */
  get config(): Readonly<HaTrackerConfig> {
    return this.#cfg;
  }

  /** The current time of the tracker's clock, ms. */
  now(): number {
    return this.#now();
  }

  /** Counts a non-elected replica's samples as deduplicated and throws the 202 answer. */
  #drop(entry: CacheEntry, replica: string, elected: string, samples: number): never {
    if (samples > 0) this.#deduped.inc({ tenant: entry.tenant, cluster: entry.cluster }, samples);
    throw new TesseraError(
      'bad_data',
      'replicas-did-not-match',
      `samples dropped as duplicates (replicas-did-not-match): replica ${JSON.stringify(replica)} of HA cluster ` +
        `${JSON.stringify(entry.cluster)} is not the elected replica ${JSON.stringify(elected)}; it takes over once ` +
        `${JSON.stringify(elected)} has sent nothing for ${this.#cfg.failoverTimeoutMs / 1000}s (-distributor.ha-tracker.failover-timeout)`,
      { status: 202 },
    );
  }

  /** The cache entry of a cluster, created (and watched) on first sight. */
  #entry(tenant: string, cluster: string, now: number): CacheEntry {
    const key = haTrackerKey(tenant, cluster);
    let e = this.#cache.get(key);
    if (e === undefined) {
      const entry: CacheEntry = {
        tenant,
        cluster,
        key,
        state: null,
        jitterMs: Math.floor(this.#random() * this.#cfg.updateTimeoutJitterMaxMs),
        lastRequestMs: now,
        inflight: null,
        stopWatch: () => {},
      };
      this.#cache.set(key, entry);
      try {
        entry.stopWatch = this.#kv.watch(key, (s) => this.#apply(entry, s));
      } catch (err) {
        // Decisions then rest on this tracker's own CAS replies alone.
        this.#logger.warn({ err, key }, 'HA tracker: cannot watch the KV store');
      }
      e = entry;
    }
    e.lastRequestMs = now;
    return e;
  }

  /** The elected replica as far as the cache can tell, or null when the KV store must decide. */
  #electedFromCache(e: CacheEntry, replica: string, now: number): string | null {
    const s = e.state;
    if (s === null) return null;
    const age = now - s.receivedAtMs;
    if (age >= this.#cfg.failoverTimeoutMs) return null;
    if (s.replica === replica && age >= this.#cfg.updateTimeoutMs + e.jitterMs && e.inflight === null) {
      this.#cas(e, replica, now).catch((err: unknown) => {
        this.#kvFailures.inc({ operation: 'update' });
        this.#logger.warn({ err, tenant: e.tenant, cluster: e.cluster }, 'HA tracker: cannot record the elected replica in the KV store');
      });
    }
    return s.replica;
  }

  /** Asks the KV store, first waiting for a CAS of this key already in flight from here. */
  async #electedFromKV(e: CacheEntry, replica: string, now: number): Promise<string> {
    for (let waits = 0; e.inflight !== null && waits < 3; waits++) {
      try {
        await e.inflight;
      } catch {
        // Its own caller reports it; try for ourselves below.
      }
      const elected = this.#electedFromCache(e, replica, now);
      if (elected !== null) return elected;
    }
    try {
      return (await this.#cas(e, replica, now)).replica;
    } catch (err) {
      this.#kvFailures.inc({ operation: 'elect' });
      const msg = err instanceof Error ? err.message : String(err);
      throw new TesseraError(
        'unavailable',
        'ha-tracker-kv-failed',
        `HA tracker: cannot read or update the elected replica of HA cluster ${JSON.stringify(e.cluster)} in the KV store: ${msg}`,
        { cause: err },
      );
    }
  }

  /** Runs the election CAS for a request from `replica`; the stored state lands in the cache. */
  #cas(e: CacheEntry, replica: string, now: number): Promise<HaTrackerState> {
    const cfg = this.#cfg;
    const p = this.#kv.cas(e.key, (cur) => nextState(cur, replica, now, cfg)).then((stored) => {
      // nextState never returns null for an absent key, so a store always has a value here.
      if (stored === null) throw new Error(`KV store returned no value for ${e.key} after a write`);
      this.#apply(e, stored);
      return stored;
    });
    e.inflight = p;
    const clear = () => {
      if (e.inflight === p) e.inflight = null;
    };
    p.then(clear, clear);
    return p;
  }

  /** Takes a state read from the KV store into the cache, unless the cache holds a newer one. */
  #apply(e: CacheEntry, s: HaTrackerState): void {
    const prev = e.state;
    if (prev !== null && !isNewerOrSame(s, prev)) return;
    e.state = s;
    if (prev !== null && prev.replica !== s.replica) {
      this.#changes.inc({ tenant: e.tenant, cluster: e.cluster });
      this.#logger.info({ tenant: e.tenant, cluster: e.cluster, from: prev.replica, to: s.replica }, 'HA tracker: elected replica changed');
    }
    this.#electedTimestamp.set({ tenant: e.tenant, cluster: e.cluster }, s.receivedAtMs / 1000);
  }

  #dropIdle(): void {
    const now = this.#now();
    for (const [key, e] of this.#cache) {
      if (now - e.lastRequestMs < IDLE_AFTER_MS || e.inflight !== null) continue;
      e.stopWatch();
      this.#cache.delete(key);
      this.#electedTimestamp.remove({ tenant: e.tenant, cluster: e.cluster });
    }
  }
}
