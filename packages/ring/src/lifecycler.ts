/**
 * The write side of the ring for one instance: registers it, takes or generates its tokens,
 * moves it through PENDING → JOINING → ACTIVE → LEAVING, heartbeats, and unregisters it.
 *
 * Every change is a compare-and-swap of the whole ring description, and token choice happens
 * inside the CAS update: when two instances join at once, the loser's update runs again on the
 * winner's result, so no two instances ever hold the same token and no registration is lost.
 *
 * Concurrency: operations of one lifecycler (start, setState, heartbeat, stop) run one at a
 * time, in call order. The local view (`state`, `tokens`) is what was last written successfully.
 */
import type { Registry } from 'prom-client';
import { TesseraError, type Logger } from '@tessera/server';
import type { KVStore } from './kv/kv-store.ts';
import { initRingSeries, ringMetrics, type RingMetrics } from './metrics.ts';
import { cryptoRandomUint32, generateTokens, type RandomUint32 } from './tokens.ts';
import { DEFAULT_RING_KEY, emptyRingDesc, type InstanceDesc, type InstanceState, type RingDesc } from './types.ts';

/** Configuration of a {@link Lifecycler}. */
export interface LifecyclerConfig {
  /** `-ingester.id`: the instance id, stable across restarts so the instance gets its tokens back. */
  id: string;
  /** Address other components use to reach this instance, `host:port`. */
  addr: string;
  /** KV key of the ring; default `ingester-ring`. */
  key?: string;
  /** Name of the ring in metrics; default `ingester`. */
  name?: string;
  /** Tokens to own; default 128. */
  numTokens?: number;
  /** Heartbeat period in ms; default 5000. */
  heartbeatPeriodMs?: number;
  /** Whether {@link Lifecycler.start} goes on to JOINING and ACTIVE by itself; default true. */
  autoJoin?: boolean;
  /**
   * Whether {@link Lifecycler.stop} removes the instance from the ring after marking it LEAVING
   * (Mimir's `-ingester.ring.unregister-on-shutdown`); default true. When false the entry stays,
   * LEAVING, with its tokens, for the restart to take back.
   */
  unregisterOnShutdown?: boolean;
  /** Wall clock in Unix ms; default `Date.now`. */
  now?: () => number;
  /** Source of new tokens; default the OS CSPRNG. */
  random?: RandomUint32;
}

/** Dependencies of a {@link Lifecycler}. */
export interface LifecyclerDeps {
  registry?: Registry;
  logger?: Logger;
}

/** Registers one instance in a ring and keeps its entry alive. */
export class Lifecycler {
  readonly id: string;
  readonly addr: string;
  readonly key: string;
  readonly numTokens: number;
  readonly heartbeatPeriodMs: number;
  readonly #kv: KVStore<RingDesc>;
  readonly #autoJoin: boolean;
  readonly #unregister: boolean;
  readonly #now: () => number;
  readonly #random: RandomUint32;
  readonly #name: string;
  readonly #metrics: RingMetrics | undefined;
  readonly #logger: Logger | undefined;
  #state: InstanceState | undefined;
  #tokens: readonly number[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #heartbeatQueued = false;

  /** Creates the lifecycler of instance `config.id`; nothing is written before {@link start}. */
  constructor(kv: KVStore<RingDesc>, config: LifecyclerConfig, deps: LifecyclerDeps = {}) {
    if (config.id === '' || config.id === '__proto__') {
      throw new TesseraError('bad_data', 'ring-config-invalid', `invalid instance id ${JSON.stringify(config.id)}`);
    }
    if (config.addr === '') throw new TesseraError('bad_data', 'ring-config-invalid', 'instance address is empty');
    this.#kv = kv;
    this.id = config.id;
    this.addr = config.addr;
    this.key = config.key ?? DEFAULT_RING_KEY;
    this.numTokens = config.numTokens ?? 128;
    this.heartbeatPeriodMs = config.heartbeatPeriodMs ?? 5000;
    this.#autoJoin = config.autoJoin ?? true;
    this.#unregister = config.unregisterOnShutdown ?? true;
    this.#now = config.now ?? Date.now;
    this.#random = config.random ?? cryptoRandomUint32();
    this.#name = config.name ?? 'ingester';
    this.#logger = deps.logger;
    this.#metrics = deps.registry === undefined ? undefined : ringMetrics(deps.registry);
    if (this.#metrics !== undefined) initRingSeries(this.#metrics, this.#name);
  }

  /** The state last written for this instance (undefined before start and after unregistering). */
  get state(): InstanceState | undefined {
    return this.#state;
  }

  /** The tokens last written for this instance, sorted. */
  get tokens(): readonly number[] {
    return this.#tokens;
  }

  /**
   * Registers the instance as PENDING, taking back the tokens of an entry with the same id
   * (a restart), and starts heartbeating; then, with `autoJoin`, joins (JOINING → ACTIVE).
   */
  async start(): Promise<void> {
    await this.#serial(() =>
      this.#write((desc, now) => {
        const prev = desc.instances[this.id];
        const taken = tokensOfOthers(desc, this.id);
        desc.instances[this.id] = {
          id: this.id,
          addr: this.addr,
          state: 'PENDING',
          tokens: prev === undefined ? [] : prev.tokens.filter((t) => !taken.has(t)),
          heartbeatMs: now,
          registeredMs: prev?.registeredMs ?? now,
        };
      }),
    );
    this.#logger?.info({ id: this.id, tokens: this.#tokens.length }, 'registered in the ring');
    clearInterval(this.#timer);
    this.#timer = setInterval(() => this.#tick(), this.heartbeatPeriodMs);
    this.#timer.unref();
    if (this.#autoJoin) await this.join();
  }

  /**
   * Joins the ring: tops the instance's tokens up to `numTokens` (new random tokens no other
   * instance holds) as JOINING, then becomes ACTIVE.
   */
  async join(): Promise<void> {
    await this.setState('JOINING');
    await this.setState('ACTIVE');
  }

  /**
   * Writes `state` for this instance (and its heartbeat). Entering JOINING or ACTIVE first tops
   * the tokens up to `numTokens`.
   */
  async setState(state: InstanceState): Promise<void> {
    await this.#serial(() =>
      this.#write((desc, now) => {
        const me = this.#upsertSelf(desc, now);
        me.state = state;
        if (state === 'JOINING' || state === 'ACTIVE') this.#topUpTokens(desc, me);
      }),
    );
  }

  /** Writes a heartbeat now; rejects if the KV store cannot be updated. */
  async heartbeat(): Promise<void> {
    await this.#serial(() => this.#heartbeatNow());
  }

  /**
   * Leaves the ring: stops heartbeating, marks the instance LEAVING, then (by default) removes
   * its entry. Rejects with the first KV error after trying both steps.
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#serial(async () => {
      if (this.#state === undefined) return;
      let failure: unknown;
      try {
        if (this.#state !== 'LEAVING') {
          await this.#write((desc, now) => {
            this.#upsertSelf(desc, now).state = 'LEAVING';
          });
        }
      } catch (e) {
        failure = e;
      }
      if (this.#unregister) {
        try {
          await this.#kv.cas(this.key, (current) => removeInstance(current, this.id));
          this.#state = undefined;
          this.#logger?.info({ id: this.id }, 'left the ring');
        } catch (e) {
          failure ??= e;
        }
      }
      if (failure !== undefined) throw failure;
    });
  }

  /** Removes instance `id` (normally a dead one) from the ring; resolves true if it was there. */
  forget(id: string): Promise<boolean> {
    return forgetInstance(this.#kv, this.key, id);
  }

  #tick(): void {
    // A slow KV store must not pile up heartbeats: at most one waits in the queue.
    if (this.#heartbeatQueued) return;
    this.#heartbeatQueued = true;
    this.#serial(async () => {
      this.#heartbeatQueued = false;
      if (this.#timer === undefined) return;
      await this.#heartbeatNow();
    }).catch((err: unknown) => {
      this.#metrics?.heartbeatFailures.labels(this.#name).inc();
      this.#logger?.warn({ err, id: this.id }, 'ring heartbeat failed');
    });
  }

  async #heartbeatNow(): Promise<void> {
    if (this.#state === undefined) return;
    await this.#write((desc, now) => {
      const me = this.#upsertSelf(desc, now);
      // Re-added after a `forget` or a lost store: take new tokens for any now held by others.
      if (me.state === 'JOINING' || me.state === 'ACTIVE') this.#topUpTokens(desc, me);
    });
  }

  /**
   * This instance's entry in `desc`, with a fresh heartbeat: the stored one, or (if it was
   * forgotten, or the store lost it) a copy of the local view without tokens now held by others.
   */
  #upsertSelf(desc: RingDesc, now: number): InstanceDesc {
    let me = desc.instances[this.id];
    if (me === undefined) {
      const taken = tokensOfOthers(desc, this.id);
      me = {
        id: this.id,
        addr: this.addr,
        state: this.#state ?? 'PENDING',
        tokens: this.#tokens.filter((t) => !taken.has(t)),
        heartbeatMs: now,
        registeredMs: now,
      };
      desc.instances[this.id] = me;
    }
    me.addr = this.addr;
    me.heartbeatMs = Math.max(now, me.heartbeatMs);
    return me;
  }

  #topUpTokens(desc: RingDesc, me: InstanceDesc): void {
    const missing = this.numTokens - me.tokens.length;
    if (missing <= 0) return;
    const taken = tokensOfOthers(desc, this.id);
    for (const t of me.tokens) taken.add(t);
    me.tokens = [...me.tokens, ...generateTokens(missing, taken, this.#random)].sort((a, b) => a - b);
  }

  /** Applies `mutate` to the current ring (a fresh copy) in a CAS, then adopts the result locally. */
  async #write(mutate: (desc: RingDesc, now: number) => void): Promise<void> {
    const result = await this.#kv.cas(this.key, (current) => {
      const desc = current ?? emptyRingDesc();
      mutate(desc, this.#now());
      return desc;
    });
    const me = result?.instances[this.id];
    if (me !== undefined) {
      this.#state = me.state;
      this.#tokens = me.tokens;
    }
  }

  #serial<R>(op: () => Promise<R>): Promise<R> {
    const run = this.#queue.then(op, op);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** Removes instance `id` from the ring under `key`; resolves true if it was there. */
export async function forgetInstance(kv: KVStore<RingDesc>, key: string, id: string): Promise<boolean> {
  let found = false;
  await kv.cas(key, (current) => {
    found = current !== null && Object.hasOwn(current.instances, id);
    return removeInstance(current, id);
  });
  return found;
}

function removeInstance(current: RingDesc | null, id: string): RingDesc | null {
  if (current === null || !Object.hasOwn(current.instances, id)) return null;
  delete current.instances[id];
  return current;
}

function tokensOfOthers(desc: RingDesc, id: string): Set<number> {
  const taken = new Set<number>();
  for (const [other, inst] of Object.entries(desc.instances)) {
    if (other !== id) for (const t of inst.tokens) taken.add(t);
  }
  return taken;
}
