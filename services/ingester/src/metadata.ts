/**
 * MetadataStore: per-tenant metric metadata (type, help, unit) as remote-write sends it, kept for
 * the metadata API. Each metric keeps its distinct entries, newest last, at most a few.
 */

/** One metric metadata entry, as the metadata API reports it. */
export interface MetricMetadata {
  metricFamilyName: string;
  type: string;
  help: string;
  unit: string;
}

const MAX_ENTRIES_PER_METRIC = 10;

/** Per-tenant metric metadata. */
export class MetadataStore {
  readonly #byTenant = new Map<string, Map<string, MetricMetadata[]>>();

  /** Adds entries, ignoring exact repeats. */
  add(tenant: string, entries: readonly MetricMetadata[]): void {
    if (entries.length === 0) return;
    let byMetric = this.#byTenant.get(tenant);
    if (byMetric === undefined) {
      byMetric = new Map();
      this.#byTenant.set(tenant, byMetric);
    }
    for (const e of entries) {
      if (e.metricFamilyName === '') continue;
      let list = byMetric.get(e.metricFamilyName);
      if (list === undefined) {
        list = [];
        byMetric.set(e.metricFamilyName, list);
      }
      if (list.some((x) => x.type === e.type && x.help === e.help && x.unit === e.unit)) continue;
      list.push({ ...e });
      if (list.length > MAX_ENTRIES_PER_METRIC) list.shift();
    }
  }

  /** Metadata of one metric or of all, at most `limit` metrics (0 or undefined: all). */
  get(tenant: string, metric?: string, limit?: number): Map<string, MetricMetadata[]> {
    const out = new Map<string, MetricMetadata[]>();
    const byMetric = this.#byTenant.get(tenant);
    if (byMetric === undefined) return out;
    for (const [name, list] of byMetric) {
      if (metric !== undefined && metric !== '' && name !== metric) continue;
      if (limit !== undefined && limit > 0 && out.size >= limit) break;
      out.set(name, list.slice());
    }
    return out;
  }
}
