/**
 * The dispatcher: sorts alerts into aggregation groups (one per route and value of the route's
 * group_by labels) and flushes each group on Alertmanager's timing:
 *
 * - a new group waits `group_wait` before its first notification, so that alerts arriving
 *   together go out together; an alert that started longer than `group_wait` ago triggers the
 *   first flush at once;
 * - after that the group is flushed every `group_interval`; whether a flush notifies is the
 *   pipeline's decision (changes, or `repeat_interval` passed);
 * - resolved alerts leave the group once a flush delivered them; an empty group is removed.
 *
 * Invariant: at most one flush of a group runs at a time; a tick during a flush runs right after.
 */
import type { Logger } from '@tessera/server';
import { resolvedAt, type Alert } from './alert.ts';
import type { Clock, Timer } from './clock.ts';
import { compareAlertLabels, fingerprint, formatLabelSet, type LabelSet } from './labels.ts';
import type { Route } from './route.ts';

/** Notifies a group's alerts through its route; resolves true when every integration succeeded. */
export type FlushFn = (group: AggregationGroup, alerts: readonly Alert[], deadline: number) => Promise<boolean>;

/** The alerts of one route with the same group labels. */
export class AggregationGroup {
  readonly route: Route;
  readonly labels: LabelSet;
  /** `<route key>:<group labels>`, the webhook's `groupKey`. */
  readonly key: string;
  readonly #alerts = new Map<string, Alert>();
  readonly #clock: Clock;
  readonly #flushFn: FlushFn;
  readonly #onEmpty: (g: AggregationGroup) => void;
  readonly #logger: Logger;
  #timer: Timer | null = null;
  #hasFlushed = false;
  #flushing = false;
  #tickPending = false;
  #stopped = false;

  constructor(route: Route, labels: LabelSet, deps: { clock: Clock; flush: FlushFn; onEmpty: (g: AggregationGroup) => void; logger: Logger }) {
    this.route = route;
    this.labels = labels;
    this.key = `${route.key}:${formatLabelSet(labels)}`;
    this.#clock = deps.clock;
    this.#flushFn = deps.flush;
    this.#onEmpty = deps.onEmpty;
    this.#logger = deps.logger;
    this.#schedule(route.groupWaitMs);
  }

  /** Adds or replaces an alert (by fingerprint). */
  insert(alert: Alert): void {
    this.#alerts.set(alert.fingerprint, alert);
    // An alert older than group_wait need not wait for it.
    if (!this.#hasFlushed && alert.startsAt + this.route.groupWaitMs < this.#clock.now()) this.#schedule(0);
  }

  /** The alerts in notification order. */
  alerts(): Alert[] {
    return [...this.#alerts.values()].sort((a, b) => compareAlertLabels(a.labels, b.labels));
  }

  get empty(): boolean {
    return this.#alerts.size === 0;
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = null;
  }

  #schedule(ms: number): void {
    this.#timer?.cancel();
    this.#timer = this.#clock.setTimer(() => this.#tick(), ms);
  }

  #tick(): void {
    if (this.#stopped) return;
    if (this.#flushing) {
      this.#tickPending = true;
      return;
    }
    const now = this.#clock.now();
    this.#hasFlushed = true;
    this.#schedule(this.route.groupIntervalMs);
    this.#flushing = true;
    void this.#flush(now + this.route.groupIntervalMs)
      .catch((err: unknown) => this.#logger.error({ err, group: this.key }, 'flush failed'))
      .finally(() => {
        this.#flushing = false;
        if (this.#stopped) return;
        if (this.empty) {
          this.stop();
          this.#onEmpty(this);
        } else if (this.#tickPending) {
          this.#tickPending = false;
          this.#tick();
        }
      });
  }

  async #flush(deadline: number): Promise<void> {
    if (this.empty) return;
    const now = this.#clock.now();
    const snapshot = this.alerts();
    // Firing alerts go out without their future end, so they cannot resolve during delivery.
    const sent = snapshot.map((a) => (resolvedAt(a, now) ? a : { ...a, endsAt: 0 }));
    if (await this.#flushFn(this, sent, deadline)) {
      // Resolved alerts were delivered: drop them, unless they changed (fired again) meanwhile.
      for (const a of snapshot) {
        if (resolvedAt(a, now) && this.#alerts.get(a.fingerprint) === a) this.#alerts.delete(a.fingerprint);
      }
    }
  }
}

/** Routes alerts into aggregation groups. */
export class Dispatcher {
  readonly #root: Route;
  readonly #groups = new Map<string, AggregationGroup>();
  readonly #deps: { clock: Clock; flush: FlushFn; logger: Logger };

  constructor(root: Route, deps: { clock: Clock; flush: FlushFn; logger: Logger }) {
    this.#root = root;
    this.#deps = deps;
  }

  /** Puts an alert (new or updated) into the group of every route it matches. */
  put(alert: Alert): void {
    for (const route of this.#root.match(alert.labels)) {
      const labels = route.groupLabels(alert.labels);
      const id = `${route.id}\u0000${fingerprint(labels)}`;
      let g = this.#groups.get(id);
      if (g === undefined) {
        g = new AggregationGroup(route, labels, { ...this.#deps, onEmpty: (done) => this.#groups.get(id) === done && this.#groups.delete(id) });
        this.#groups.set(id, g);
      }
      g.insert(alert);
    }
  }

  /** The current groups (for the API and tests). */
  groups(): AggregationGroup[] {
    return [...this.#groups.values()];
  }

  /** Stops every group's timer. */
  stop(): void {
    for (const g of this.#groups.values()) g.stop();
    this.#groups.clear();
  }
}
