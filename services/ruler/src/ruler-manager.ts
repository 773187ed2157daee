/**
 * The ruler's scheduler: keeps one {@link GroupEvaluator} per rule group this ruler owns, in sync
 * with the rule store, and evaluates each on its interval.
 *
 * Sync: every poll interval (and at once after a change through the config API on this process,
 * see {@link RulerManager.requestSync}) the groups are read from the store; groups not owned by
 * this ruler (the ring decides, see `owns`) are skipped. A new group starts with its `for` state to
 * restore; a changed group takes over the previous version's state; a removed group's series end
 * with staleness markers.
 *
 * Timing, as Prometheus does it: a group's evaluations fall on the times `t ≡ offset (mod
 * interval)`, where the offset comes from a hash of the group's identity, so groups spread over
 * the interval and every ruler picks the same times. The evaluation time is that aligned time,
 * not the moment the timer fired. An evaluation that overruns skips the ticks it covered (counted
 * as missed iterations). Evaluations of one group never overlap.
 */
import type { Logger, Service } from '@tessera/server';
import { hashBytes } from '@tessera/model';
import type { Clock } from './clock.ts';
import type { GroupSpec } from './eval-types.ts';
import { GroupEvaluator, groupKey, type GroupDeps } from './group-evaluator.ts';

/** Where the groups come from (the rule store through an adapter). */
export interface GroupSource {
  /** Every group of every tenant. */
  loadAll(): Promise<GroupSpec[]>;
  /** The groups of one tenant (after an API change: cheaper than loading every tenant). */
  loadTenant?(tenant: string): Promise<GroupSpec[]>;
}

/** Options of the manager. */
export interface RulerManagerOptions {
  source: GroupSource;
  deps: GroupDeps;
  clock: Clock;
  logger: Logger;
  /** `-ruler.poll-interval`: how often the store is re-read. */
  pollIntervalMs: number;
  /** Whether this ruler evaluates a group (ring ownership); default: every group. */
  owns?: (tenant: string, namespace: string, group: string) => boolean;
}

interface Scheduled {
  group: GroupEvaluator;
  /** Serialised spec, to notice changes. */
  fingerprint: string;
  timer: unknown;
  running: Promise<void> | null;
  stopped: boolean;
}

/** See the file comment. */
export class RulerManager implements Service {
  readonly name = 'ruler';
  readonly #opts: RulerManagerOptions;
  readonly #log: Logger;
  readonly #groups = new Map<string, Scheduled>();
  #pollTimer: unknown = null;
  /** Syncs and re-shardings run one after another on this chain. */
  #chain: Promise<void> = Promise.resolve();
  /**
   * Syncs queued but not started yet, by tenant ('' for all): a later request joins one (it reads
   * the store after the change that caused the request).
   */
  readonly #queued = new Map<string, Promise<void>>();
  /** The groups of the last successful load (re-filtered when ring ownership changes). */
  #lastSpecs: GroupSpec[] | null = null;
  #stopped = false;

  constructor(opts: RulerManagerOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'ruler' });
  }

  /** Loads the groups once (a store failure is logged, not fatal) and starts polling. */
  async start(): Promise<void> {
    await this.requestSync();
    this.#schedulePoll();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#pollTimer !== null) this.#opts.clock.clearTimeout(this.#pollTimer);
    await this.#chain;
    const running: Promise<void>[] = [];
    for (const s of this.#groups.values()) {
      s.stopped = true;
      this.#opts.clock.clearTimeout(s.timer);
      if (s.running !== null) running.push(s.running);
    }
    this.#groups.clear();
    this.#opts.deps.metrics.groups.set(0);
    await Promise.allSettled(running);
  }

  /**
   * Re-reads the store (all tenants, or one after an API change); resolves when that read was
   * applied.
   */
  requestSync(tenant?: string): Promise<void> {
    const key = tenant ?? '';
    const joined = this.#queued.get('') ?? this.#queued.get(key);
    if (joined !== undefined) return joined;
    const p = this.#chain.then(async () => {
      this.#queued.delete(key);
      await this.#sync(tenant);
    });
    this.#queued.set(key, p);
    this.#chain = p.catch(() => {});
    return p;
  }

  /**
   * Re-applies group ownership (the ring changed) to the groups last loaded, without reading the
   * store; does nothing when this ruler's share of them is unchanged.
   */
  reshard(): void {
    const specs = this.#lastSpecs;
    if (specs === null || this.#stopped) return;
    const owned = new Set(this.#owned(specs).keys());
    if (owned.size === this.#groups.size && [...owned].every((k) => this.#groups.has(k))) return;
    this.#chain = this.#chain.then(() => this.#apply(this.#lastSpecs ?? [])).catch((e: unknown) => this.#log.error({ err: e }, 'resharding failed'));
  }

  /** The groups of a tenant this ruler evaluates, by namespace then name. */
  groups(tenant: string): GroupEvaluator[] {
    const out: GroupEvaluator[] = [];
    for (const s of this.#groups.values()) if (s.group.spec.tenant === tenant) out.push(s.group);
    return out.sort((a, b) => cmp(a.spec.namespace, b.spec.namespace) || cmp(a.spec.name, b.spec.name));
  }

  #schedulePoll(): void {
    if (this.#stopped) return;
    this.#pollTimer = this.#opts.clock.setTimeout(() => {
      void this.requestSync().finally(() => this.#schedulePoll());
    }, this.#opts.pollIntervalMs);
  }

  async #sync(tenant: string | undefined): Promise<void> {
    const { source } = this.#opts;
    let specs: GroupSpec[];
    try {
      if (tenant !== undefined && source.loadTenant !== undefined && this.#lastSpecs !== null) {
        const loaded = await source.loadTenant(tenant);
        specs = [...this.#lastSpecs.filter((g) => g.tenant !== tenant), ...loaded];
      } else {
        specs = await source.loadAll();
      }
    } catch (e) {
      this.#log.error({ err: e, tenant }, 'loading rule groups failed; keeping the groups loaded before');
      return;
    }
    this.#lastSpecs = specs;
    await this.#apply(specs);
  }

  #owned(specs: readonly GroupSpec[]): Map<string, GroupSpec> {
    const owns = this.#opts.owns ?? (() => true);
    const wanted = new Map<string, GroupSpec>();
    for (const g of specs) if (owns(g.tenant, g.namespace, g.name)) wanted.set(groupKey(g.tenant, g.namespace, g.name), g);
    return wanted;
  }

  /** Makes the running groups those of `specs` this ruler owns. */
  async #apply(specs: readonly GroupSpec[]): Promise<void> {
    if (this.#stopped) return;
    const wanted = this.#owned(specs);
    const existing = new Set(specs.map((g) => groupKey(g.tenant, g.namespace, g.name)));
    for (const [key, s] of this.#groups) {
      if (wanted.has(key)) continue;
      this.#groups.delete(key);
      // A deleted group's series end now; a group moving to another ruler continues there.
      await this.#retire(s, !existing.has(key));
    }
    for (const [key, spec] of wanted) {
      const fingerprint = JSON.stringify(spec);
      const old = this.#groups.get(key);
      if (old !== undefined && old.fingerprint === fingerprint) continue;
      const group = new GroupEvaluator(spec, this.#opts.deps);
      if (old !== undefined) {
        await this.#retire(old, false);
        group.copyStateFrom(old.group);
      }
      const s: Scheduled = { group, fingerprint, timer: null, running: null, stopped: false };
      this.#groups.set(key, s);
      this.#scheduleNext(s, this.#nextAligned(spec, key, this.#opts.clock.now()));
    }
    this.#opts.deps.metrics.groups.set(this.#groups.size);
  }

  /** Stops a group's timer, waits for a running evaluation, optionally ends its series. */
  async #retire(s: Scheduled, markStale: boolean): Promise<void> {
    s.stopped = true;
    this.#opts.clock.clearTimeout(s.timer);
    await s.running?.catch(() => {});
    if (markStale) await s.group.markStale(this.#opts.clock.now());
  }

  /** The first aligned evaluation time strictly after `nowMs`. */
  #nextAligned(spec: GroupSpec, key: string, nowMs: number): number {
    const interval = spec.intervalMs;
    const offset = groupOffset(key, interval);
    const base = Math.floor((nowMs - offset) / interval) * interval + offset;
    return base + interval;
  }

  #scheduleNext(s: Scheduled, tsMs: number): void {
    if (s.stopped || this.#stopped) return;
    const delay = Math.max(0, tsMs - this.#opts.clock.now());
    s.timer = this.#opts.clock.setTimeout(() => {
      s.running = (async () => {
        try {
          await s.group.evaluate(tsMs);
        } catch (e) {
          this.#log.error({ err: e, group: s.group.spec.name, tenant: s.group.spec.tenant }, 'group evaluation failed');
        }
      })();
      void s.running.then(() => {
        s.running = null;
        const interval = s.group.spec.intervalMs;
        const now = this.#opts.clock.now();
        let next = tsMs + interval;
        if (next <= now) {
          const missed = Math.floor((now - next) / interval) + 1;
          this.#opts.deps.metrics.iterationsMissed.inc({ tenant: s.group.spec.tenant }, missed);
          next += missed * interval;
        }
        this.#scheduleNext(s, next);
      });
    }, delay);
  }
}

/** The group's phase within its interval, from a hash of its identity. */
export function groupOffset(key: string, intervalMs: number): number {
  const b = new TextEncoder().encode(key);
  return (hashBytes(b, 0, b.length) >>> 0) % intervalMs;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
