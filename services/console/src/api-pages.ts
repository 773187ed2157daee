// API helpers of the Explore, Rules, Alerts and Status pages that api.ts does not cover: the
// ingester ring (JSON form of the ring page) and the series count of every metric name.
import { ApiError, type Api, type RequestOptions, type TsdbStatus } from './api.ts';

/** One instance of the ring page's JSON (services/ingester/src/ring-page.ts). */
export type RingInstance = {
  id: string;
  address: string;
  state: string;
  tokens: number;
  ownedPercent: number;
  lastHeartbeat: string;
  lastHeartbeatAgeSeconds: number;
  registeredAt: string;
};

/** The ring page's JSON. */
export type RingStatus = { ring: string; key: string; replicationFactor: number; heartbeatTimeoutSeconds: number; now: string; instances: RingInstance[] };

/**
 * The ingester ring, or null when this process serves no ring page (the single process: one
 * in-process ingester, answered 404).
 */
export async function ringStatus(api: Api, opts: RequestOptions = {}): Promise<RingStatus | null> {
  try {
    const res = await api.request('/ingester/ring?format=json', { headers: { Accept: 'application/json' }, signal: opts.signal });
    return (await res.json()) as RingStatus;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** A metric name with its series count in the head (null: not in the head, e.g. only in blocks). */
export type MetricCount = { name: string; series: number | null };

/**
 * Every metric name of the tenant with its series count, and the TSDB status the counts come
 * from: `status/tsdb` with a limit of at least the number of names, so the counts are the ones
 * the cardinality view shows, for every metric the head holds.
 */
export async function metricCounts(api: Api, opts: RequestOptions = {}): Promise<{ metrics: MetricCount[]; status: TsdbStatus }> {
  const names = await api.labelValues('__name__', [], opts);
  const status = await api.tsdbStatus(Math.max(10, names.length), opts);
  const counts = new Map(status.seriesCountByMetricName.map((s) => [s.name, s.value]));
  const all = new Set(names);
  for (const n of counts.keys()) all.add(n);
  const metrics = [...all].sort().map((name) => ({ name, series: counts.get(name) ?? null }));
  return { metrics, status };
}

/** A PromQL selector for `name="value"` (label names are quoted when not legacy-valid). */
export function selector(labels: Record<string, string>): string {
  const { __name__: metric, ...rest } = labels;
  const parts = Object.entries(rest).map(([k, v]) => `${/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) ? k : JSON.stringify(k)}=${JSON.stringify(v)}`);
  if (metric !== undefined && /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric)) return parts.length ? `${metric}{${parts.join(', ')}}` : metric;
  if (metric !== undefined) parts.unshift(`__name__=${JSON.stringify(metric)}`);
  return `{${parts.join(', ')}}`;
}
