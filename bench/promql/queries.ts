// The PromQL benchmark's fixed query set: panels of typical node_exporter and API dashboards
// over the dataset of dataset.ts. Changing a query changes what RESULTS.md entries compare:
// add new ones with new ids instead of editing old ones.

/** One benchmark query. Range queries end at the evaluation time; instant ones run at it. */
export interface BenchQuery {
  /** Stable short name, e.g. `q04`. */
  id: string;
  /** What a dashboard panel would show with it. */
  title: string;
  expr: string;
  kind: 'instant' | 'range';
  /** Range queries: length of the range and resolution step, seconds. */
  rangeS?: number;
  stepS?: number;
}

const range = (id: string, title: string, expr: string, rangeS: number, stepS: number): BenchQuery => ({ id, title, expr, kind: 'range', rangeS, stepS });
const instant = (id: string, title: string, expr: string): BenchQuery => ({ id, title, expr, kind: 'instant' });

/** The fixed set, ≥ 20 queries, instant and range, in the order they run. */
export const BENCH_QUERIES: readonly BenchQuery[] = [
  range('q01', 'CPU by mode', 'sum by (mode) (rate(node_cpu_seconds_total[5m]))', 7200, 30),
  range('q02', 'CPU busy % per host', '100 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100', 3600, 15),
  range('q03', 'network receive per host', 'sum by (instance) (rate(node_network_receive_bytes_total{device!="lo"}[5m]))', 3600, 30),
  range('q04', 'p99 latency per handler', 'histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket[5m])))', 3600, 30),
  range('q05', 'median latency of one handler', 'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{handler="/api/v1/query_range"}[5m])))', 7200, 60),
  instant('q06', 'top 10 disk writers', 'topk(10, sum by (instance) (rate(node_disk_written_bytes_total[5m])))'),
  range('q07', 'top 5 hosts by CPU over time', 'topk(5, sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m])))', 3600, 60),
  instant('q08', 'transmit rate with host name (group_left)', 'rate(node_network_transmit_bytes_total[5m]) * on (instance) group_left (nodename) node_uname_info'),
  range('q09', 'filesystem used %', '100 * (1 - node_filesystem_avail_bytes{fstype!="tmpfs"} / node_filesystem_size_bytes{fstype!="tmpfs"})', 3600, 60),
  range('q10', 'memory available ratio (on, group_left)', 'node_memory_MemAvailable_bytes / on (instance) group_left node_memory_MemTotal_bytes', 3600, 30),
  instant('q11', 'peak cluster CPU in the last hour (subquery)', 'max_over_time(sum by (cluster) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))[1h:1m])'),
  range('q12', 'load average smoothed', 'avg_over_time(node_load1[10m])', 3600, 30),
  instant('q13', 'hosts per cluster', 'count by (cluster) (node_uname_info)'),
  range('q14', 'user CPU per host name (label_replace)', 'label_replace(sum by (instance) (rate(node_cpu_seconds_total{mode="user"}[5m])), "host", "$1", "instance", "(.*):9100")', 3600, 30),
  range('q15', 'request rate per handler', 'sum by (handler) (rate(http_request_duration_seconds_count[5m]))', 7200, 15),
  range('q16', 'mean latency per handler', 'sum by (handler) (rate(http_request_duration_seconds_sum[5m])) / sum by (handler) (rate(http_request_duration_seconds_count[5m]))', 3600, 30),
  instant('q17', 'load5 p90 over 30 min', 'quantile_over_time(0.9, node_load5[30m])'),
  instant('q18', 'packets received in the last hour', 'increase(node_network_receive_packets_total[1h])'),
  range('q19', 'memory used per cluster', 'sum by (cluster) (node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes)', 7200, 60),
  instant('q20', 'disk fill forecast (4 h)', 'predict_linear(node_filesystem_avail_bytes{fstype!="tmpfs"}[1h], 4 * 3600)'),
  range('q21', 'disk read IOPS per host', 'sum by (instance) (irate(node_disk_reads_completed_total[5m]))', 3600, 15),
  range('q22', 'least free memory (bottomk)', 'bottomk(5, node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)', 3600, 60),
  range('q23', 'requests under 250 ms (apdex-like)', 'sum by (handler) (rate(http_request_duration_seconds_bucket{le="0.25"}[5m])) / sum by (handler) (rate(http_request_duration_seconds_count[5m]))', 3600, 30),
  instant('q24', 'hosts by CPU count (count_values)', 'count_values("cpus", count by (instance) (node_cpu_seconds_total{mode="idle"}))'),
  range('q25', 'whole-fleet CPU', 'sum(rate(node_cpu_seconds_total[5m]))', 7200, 15),
  instant('q26', 'CPU rate of every core (all series)', 'rate(node_cpu_seconds_total[5m])'),
  range('q27', 'busiest cluster by context switches (subquery)', 'max by (cluster) (avg_over_time(rate(node_context_switches_total[5m])[30m:1m]))', 3600, 60),
  range('q28', 'load spread per cluster', 'stddev by (cluster) (node_load1)', 7200, 30),
];
