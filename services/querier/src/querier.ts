/**
 * Querier: the read side. For now it answers the series, label-names and label-values endpoints
 * over the ingesters that may hold a tenant's data (in the single process: the local one); the
 * PromQL engine joins it in a later step.
 */
import { Labels, type Matcher } from '@tessera/model';
import type { Service } from '@tessera/server';

/** The reads the querier needs from an ingester (in-process or remote). */
export interface IngesterReader {
  series(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Labels[];
  labelNames(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[];
  labelValues(tenant: string, name: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[];
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

  /** `ingesters` returns the ingesters that may hold data (one, in the single process). */
  constructor(ingesters: () => readonly IngesterReader[]) {
    this.#ingesters = ingesters;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Series matching any of the sets in [mint, maxt], de-duplicated across ingesters, sorted. */
  series(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Labels[] {
    const byKey = new Map<string, Labels>();
    for (const ing of this.#ingesters()) {
      for (const ls of ing.series(tenant, sets, mint, maxt)) {
        const k = ls.toString();
        if (!byKey.has(k)) byKey.set(k, ls);
      }
    }
    // Prometheus returns series sorted by labels.
    return [...byKey.values()].sort(Labels.compare);
  }

  labelNames(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] {
    return mergeSorted(this.#ingesters().map((i) => i.labelNames(tenant, sets, mint, maxt)));
  }

  labelValues(tenant: string, name: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] {
    return mergeSorted(this.#ingesters().map((i) => i.labelValues(tenant, name, sets, mint, maxt)));
  }
}
