/**
 * The CLI's option set: server, storage and component options plus the per-tenant limits and the
 * runtime-config file, with Mimir's flag names where one exists. Flags and YAML keys map onto the
 * same fields; precedence is defaults < YAML (`-config.file`) < flags.
 */
import { defineOptions } from '@tessera/server';
import { limitOptions, runtimeConfigOptions } from '@tessera/limits';
import { defaultQueryWorkers } from '@tessera/querier';

/** Every target this build can run. */
export const TARGETS = ['all'] as const;

const MiB = 1024 * 1024;

/** The options of `tessera`. */
export const tesseraOptions = defineOptions({
  target: {
    flag: 'target',
    yaml: 'target',
    type: 'enum',
    values: TARGETS,
    default: 'all',
    help: 'Which component(s) to run. "all" runs every component in one process (the single-process mode).',
  },
  authEnabled: {
    flag: 'auth.enabled',
    yaml: 'auth_enabled',
    type: 'bool',
    default: true,
    help: 'Require the X-Scope-OrgID header to name the tenant. When false, every request is the tenant "anonymous". Ignored for credentials when -auth.tenants-file is set (which requires true).',
  },
  authTenantsFile: {
    flag: 'auth.tenants-file',
    yaml: 'auth.tenants_file',
    type: 'string',
    default: '',
    help: 'YAML file mapping bearer tokens and basic-auth users to tenants, reloaded while running. When set, every push and query request needs valid credentials and the tenant comes from them. Empty for none.',
  },
  authTenantsFileReloadPeriod: {
    flag: 'auth.tenants-file-reload-period',
    yaml: 'auth.tenants_file_reload_period',
    type: 'duration',
    default: '5s',
    min: 1,
    help: 'How often to check the tenants file for changes.',
  },
  httpListenAddress: {
    flag: 'server.http-listen-address',
    yaml: 'server.http_listen_address',
    type: 'string',
    default: '0.0.0.0',
    help: 'HTTP server listen address.',
  },
  httpListenPort: {
    flag: 'server.http-listen-port',
    yaml: 'server.http_listen_port',
    type: 'int',
    default: 9009,
    min: 0,
    max: 65535,
    help: 'HTTP server listen port (0 picks a free port).',
  },
  logLevel: {
    flag: 'log.level',
    yaml: 'server.log_level',
    type: 'enum',
    values: ['debug', 'info', 'warn', 'error'],
    default: 'info',
    help: 'Only log messages with the given severity or above.',
  },
  prometheusPrefix: {
    flag: 'http.prometheus-http-prefix',
    yaml: 'api.prometheus_http_prefix',
    type: 'string',
    default: '/prometheus',
    check: (v: string) => (v === '' || (v.startsWith('/') && !v.endsWith('/')) ? undefined : 'must start with "/" and not end with "/"'),
    help: 'HTTP URL path under which the Prometheus API is served.',
  },
  dataDir: {
    flag: 'data.dir',
    yaml: 'data.dir',
    type: 'string',
    default: './data',
    check: (v: string) => (v === '' ? 'must not be empty' : undefined),
    help: 'Directory for all local data (WAL, and later blocks and caches).',
  },
  maxRecvMsgSize: {
    flag: 'distributor.max-recv-msg-size',
    yaml: 'distributor.max_recv_msg_size',
    type: 'int',
    default: 100 * MiB,
    min: 1024,
    help: 'Largest remote-write request accepted, in bytes, both as received and after decompression.',
  },
  blockRange: {
    flag: 'blocks-storage.tsdb.block-ranges-period',
    yaml: 'blocks_storage.tsdb.block_ranges_period',
    type: 'duration',
    default: '2h',
    min: '1m',
    help: 'TSDB block range: chunks are cut at its boundaries, and samples older than half of it behind the newest are refused.',
  },
  retentionPeriod: {
    flag: 'blocks-storage.tsdb.retention-period',
    yaml: 'blocks_storage.tsdb.retention_period',
    type: 'duration',
    default: '13h',
    min: '1m',
    help: 'How long ingesters keep samples in memory and in the WAL. Older data is dropped (there is no long-term storage yet).',
  },
  walSegmentSize: {
    flag: 'blocks-storage.tsdb.wal-segment-size-bytes',
    yaml: 'blocks_storage.tsdb.wal_segment_size_bytes',
    type: 'int',
    default: 128 * MiB,
    min: 64 * 1024,
    help: 'Size of a WAL segment file.',
  },
  walFsyncInterval: {
    flag: 'blocks-storage.tsdb.wal-fsync-interval',
    yaml: 'blocks_storage.tsdb.wal_fsync_interval',
    type: 'duration',
    default: '1s',
    help: 'How often WAL segments are fsynced (0 = on every write). Acknowledged writes are always in the OS before the reply.',
  },
  headTruncateInterval: {
    flag: 'blocks-storage.tsdb.head-truncate-interval',
    yaml: 'blocks_storage.tsdb.head_truncate_interval',
    type: 'duration',
    default: '1m',
    min: '1s',
    help: 'How often the retention period is applied to the heads.',
  },
  queryWorkers: {
    flag: 'querier.query-workers',
    yaml: 'querier.query_workers',
    type: 'int',
    default: defaultQueryWorkers(),
    help: 'Worker threads that evaluate PromQL queries, off the thread that accepts writes. 0 evaluates on the main thread (for tests). Default: the number of CPUs minus one, at least 1.',
  },
  queryWorkerMaxHeap: {
    flag: 'querier.query-worker-max-heap-mb',
    yaml: 'querier.query_worker_max_heap_mb',
    type: 'int',
    default: 1024,
    min: 0,
    help: 'Old-generation heap limit of each query worker thread, in MiB: a query that needs more fails with 500 and the worker is replaced, instead of exhausting the process. 0 = Node\'s default.',
  },
  lookbackDelta: {
    flag: 'querier.lookback-delta',
    yaml: 'querier.lookback_delta',
    type: 'duration',
    default: '5m',
    min: 1,
    help: 'How far back an instant vector selector looks for a sample, unless a query sets lookback_delta.',
  },
  slowQueryLogThreshold: {
    flag: 'querier.slow-query-log-threshold',
    yaml: 'querier.slow_query_log_threshold',
    type: 'duration',
    default: '10s',
    help: 'Queries taking at least this long are logged (tenant, query, range, step, duration, series fetched, samples). 0 logs every query.',
  },
  ...runtimeConfigOptions.defs,
  ...limitOptions.defs,
});

/** The loaded configuration. */
export type TesseraConfig = ReturnType<typeof tesseraOptions.defaults>;
