/**
 * Querier: the read side. For now it answers the series, label-names and label-values endpoints
 * over the ingesters that may hold a tenant's data (in the single process: the local one); the
 * PromQL engine joins it in a later step.
 */
import { Labels, type Matcher } from '@tessera/model';
import type { Service } from '@tessera/server';

/**
 * The reads the querier needs from an ingester: answered directly by the in-process ingester,
 * as promises by a remote one (cluster mode).
 */
export interface IngesterReader {
  series(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Labels[] | Promise<Labels[]>;
  labelNames(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] | Promise<string[]>;
  labelValues(tenant: string, name: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] | Promise<string[]>;
}

/** Merges sorted string lists without duplicates. */
function mergeSorted(lists: string[][]): string[] {
  const set = new Set<string>();
  for (const l of lists) for (const s of l) set.add(s);
  return [...set].sort();
}

/** The querier service. */
export class Querier implements Service {
  readonly name = 'querier';
  readonly #ingesters: () => readonly IngesterReader[];

  /**
   * `ingesters` returns the ingesters that may hold data (one, in the single process); it is
   * called once per request, so a remote implementation can give each request its own failure
   * tolerance.
   */
  constructor(ingesters: () => readonly IngesterReader[]) {
    this.#ingesters = ingesters;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Series matching any of the sets in [mint, maxt], de-duplicated across ingesters, sorted. */
  async series(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Promise<Labels[]> {
    const lists = await Promise.all(this.#ingesters().map((i) => i.series(tenant, sets, mint, maxt)));
    const byKey = new Map<string, Labels>();
    for (const list of lists) {
      for (const ls of list) {
        const k = ls.toString();
        if (!byKey.has(k)) byKey.set(k, ls);
      }
    }
    // Prometheus returns series sorted by labels.
    return [...byKey.values()].sort(Labels.compare);
  }

  /** Label names of the series matching any of the sets, merged over the ingesters, sorted. */
  async labelNames(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Promise<string[]> {
    return mergeSorted(await Promise.all(this.#ingesters().map((i) => i.labelNames(tenant, sets, mint, maxt))));
  }

  /** Values of label `name` over the series matching any of the sets, merged, sorted. */
  async labelValues(tenant: string, name: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Promise<string[]> {
    return mergeSorted(await Promise.all(this.#ingesters().map((i) => i.labelValues(tenant, name, sets, mint, maxt))));
  }
}
