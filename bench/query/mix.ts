// The query-throughput benchmark's request mix: the range queries that opening three Grafana
// dashboards sends (a fleet overview, one host's node_exporter dashboard, an API dashboard),
// over 1 h windows at 15–30 s steps and 6 h windows at 60 s steps, on the dataset of
// bench/promql. Every connection loops over the whole mix in this order.

import type { BenchQuery } from '../promql/queries.ts';

const H = 3600;

/** The mix; `host` is the `instance` of the host the single-host panels show. */
export function dashboardMix(host: string): BenchQuery[] {
  const q = (id: string, title: string, expr: string, rangeS: number, stepS: number): BenchQuery => ({ id, title, expr, kind: 'range', rangeS, stepS });
  return [
    q('m1', 'fleet: CPU busy % per host', '100 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100', 6 * H, 60),
    q('m2', 'fleet: memory used ratio per host', '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', 6 * H, 60),
    q('m3', 'fleet: network receive per host', 'sum by (instance) (rate(node_network_receive_bytes_total{device!="lo"}[5m]))', H, 30),
    q('m4', 'fleet: disk writes per host', 'sum by (instance) (rate(node_disk_written_bytes_total[5m]))', H, 30),
    q('m5', 'host: CPU by mode', `sum by (mode) (rate(node_cpu_seconds_total{instance="${host}"}[5m]))`, H, 15),
    q('m6', 'host: filesystem used %', `100 * (1 - node_filesystem_avail_bytes{instance="${host}",fstype!="tmpfs"} / node_filesystem_size_bytes{instance="${host}",fstype!="tmpfs"})`, 6 * H, 60),
    q('m7', 'host: load averages', `{__name__=~"node_load1|node_load5|node_load15",instance="${host}"}`, H, 15),
    q('m8', 'API: p99 latency per handler', 'histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket[5m])))', H, 15),
    q('m9', 'API: request rate per handler', 'sum by (handler) (rate(http_request_duration_seconds_count[5m]))', 6 * H, 60),
  ];
}
