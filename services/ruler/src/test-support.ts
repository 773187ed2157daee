/**
 * Test support: an in-memory series store that is both the {@link SeriesWriter} the rules write to
 * and the {@link QueryFn} they read from, with Tessera's real PromQL engine (so recorded series
 * and ALERTS_FOR_STATE can be queried back, staleness markers included).
 */
import { Labels } from '@tessera/model';
import { Engine, MemoryQueryable, isStaleNaN, type MemorySeries } from '@tessera/promql';
import type { OutSample, QueryFn, SeriesWriter, VectorSample } from './eval-types.ts';
import { STALE_NAN } from './series-writer.ts';

interface Stored {
  labels: Record<string, string>;
  ts: number[];
  vs: number[];
  /** Plain arrays may lose a NaN's payload: staleness is kept beside the value. */
  stale: boolean[];
}

/** See the file comment. One tenant's data per tenant name. */
export class MemorySeriesStore implements SeriesWriter, QueryFn {
  readonly #tenants = new Map<string, Map<string, Stored>>();
  readonly #engine = new Engine();
  /** Every write, in order (tests inspect what the rules wrote). */
  readonly writes: { tenant: string; samples: OutSample[] }[] = [];

  /** Adds samples (what a test "pushes"). */
  add(tenant: string, labels: Record<string, string>, points: [number, number][]): void {
    for (const [t, v] of points) this.#append(tenant, { labels, value: v, timestampMs: t });
  }

  #append(tenant: string, s: OutSample): void {
    let m = this.#tenants.get(tenant);
    if (m === undefined) this.#tenants.set(tenant, (m = new Map()));
    const key = Labels.fromObject(s.labels).toString();
    let st = m.get(key);
    if (st === undefined) m.set(key, (st = { labels: s.labels, ts: [], vs: [], stale: [] }));
    const last = st.ts[st.ts.length - 1];
    if (last !== undefined && s.timestampMs <= last) return; // out of order / duplicate: dropped
    st.ts.push(s.timestampMs);
    st.vs.push(s.value);
    st.stale.push(isStaleNaN(s.value));
  }

  async write(tenant: string, samples: readonly OutSample[]): Promise<string[]> {
    this.writes.push({ tenant, samples: [...samples] });
    for (const s of samples) this.#append(tenant, s);
    return [];
  }

  #queryable(tenant: string): MemoryQueryable {
    const series: MemorySeries[] = [...(this.#tenants.get(tenant)?.values() ?? [])].map((s) => ({
      labels: Labels.fromObject(s.labels),
      ts: s.ts,
      vs: Float64Array.from(s.vs, (v, i) => (s.stale[i] ? STALE_NAN : v)),
    }));
    return new MemoryQueryable(series);
  }

  async instant(tenant: string, expr: string, tsMs: number, opts?: { lookbackDeltaMs?: number }): Promise<VectorSample[]> {
    const lookback = opts?.lookbackDeltaMs ?? 0;
    const r = this.#engine.instantQuery(this.#queryable(tenant), expr, tsMs, lookback > 0 ? { lookbackDeltaMs: lookback } : {});
    if (r.value.type === 'scalar') return [{ labels: {}, value: r.value.v }];
    if (r.value.type !== 'vector') throw new Error('rule result is not a vector or scalar');
    return r.value.v.map((s) => ({ labels: s.metric.toObject(), value: s.v }));
  }

  /** The raw points of a series (staleness markers as the string "stale"). */
  points(tenant: string, labels: Record<string, string>): [number, number | 'stale'][] {
    const st = this.#tenants.get(tenant)?.get(Labels.fromObject(labels).toString());
    return (st?.ts ?? []).map((t, i) => [t, st!.stale[i] ? 'stale' : st!.vs[i]!]);
  }
}
