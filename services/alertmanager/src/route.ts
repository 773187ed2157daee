/**
 * The routing tree: every alert enters at the root and descends into the first child route that
 * matches (or every matching child, while the matched ones have `continue: true`); the deepest
 * matching routes decide the receiver and the grouping. Children inherit what they do not set.
 */
import type { RouteConfig } from './config.ts';
import type { LabelSet } from './labels.ts';
import { formatMatchers, matchAll, sortMatchers, type AlertMatcher } from './matchers.ts';

/** Alertmanager's defaults for the root route. */
export const ROUTE_DEFAULTS = { groupWaitMs: 30_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 60 * 60_000 } as const;

/** A route with its inherited options resolved. */
export class Route {
  readonly receiver: string;
  /** Labels to group by; ignored when {@link groupByAll}. */
  readonly groupBy: readonly string[];
  /** `group_by: ['...']`: every label of the alert. */
  readonly groupByAll: boolean;
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly matchers: readonly AlertMatcher[];
  readonly continue: boolean;
  readonly routes: readonly Route[];
  /** The route's identity in group keys: the parent's key, `/`, then the sorted matchers. */
  readonly key: string;
  /** Unique within the tree (siblings may have equal keys): positions from the root. */
  readonly id: string;

  constructor(cfg: RouteConfig, parent: Route | null, index = 0) {
    const inherit = <T>(own: T | undefined, fromParent: T | undefined, dflt: T): T => own ?? fromParent ?? dflt;
    this.receiver = inherit(cfg.receiver, parent?.receiver, '');
    const groupBy = cfg.groupBy ?? (parent === null ? [] : parent.groupByAll ? ['...'] : parent.groupBy);
    this.groupByAll = groupBy.includes('...');
    this.groupBy = this.groupByAll ? [] : groupBy;
    this.groupWaitMs = inherit(cfg.groupWaitMs, parent?.groupWaitMs, ROUTE_DEFAULTS.groupWaitMs);
    this.groupIntervalMs = inherit(cfg.groupIntervalMs, parent?.groupIntervalMs, ROUTE_DEFAULTS.groupIntervalMs);
    this.repeatIntervalMs = inherit(cfg.repeatIntervalMs, parent?.repeatIntervalMs, ROUTE_DEFAULTS.repeatIntervalMs);
    this.matchers = sortMatchers([...cfg.matchers]);
    this.continue = cfg.continue;
    this.key = (parent === null ? '' : parent.key + '/') + formatMatchers(this.matchers);
    this.id = parent === null ? 'root' : `${parent.id}/${index}`;
    this.routes = cfg.routes.map((c, i) => new Route(c, this, i));
  }

  /**
   * The routes an alert with labels `ls` is delivered through: empty when this route does not
   * match; else the matches of the children (stopping after the first matching child without
   * `continue`), or this route itself when no child matches.
   */
  match(ls: LabelSet): Route[] {
    if (!matchAll(this.matchers, ls)) return [];
    const all: Route[] = [];
    for (const child of this.routes) {
      const got = child.match(ls);
      all.push(...got);
      if (got.length > 0 && !child.continue) break;
    }
    return all.length > 0 ? all : [this];
  }

  /** The labels of `ls` this route groups by (absent labels are left out). */
  groupLabels(ls: LabelSet): Record<string, string> {
    if (this.groupByAll) return { ...ls };
    const out: Record<string, string> = {};
    for (const l of this.groupBy) {
      const v = ls[l];
      if (v !== undefined) out[l] = v;
    }
    return out;
  }
}
