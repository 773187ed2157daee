/**
 * The CLI's option set: server, storage and component options plus the per-tenant limits and the
 * runtime-config file, with Mimir's flag names where one exists. Flags and YAML keys map onto the
 * same fields; precedence is defaults < YAML (`-config.file`) < flags.
 */
import { hostname } from 'node:os';
import { ConfigError, defineOptions } from '@tessera/server';
import { limitOptions, runtimeConfigOptions } from '@tessera/limits';
import { defaultQueryWorkers } from '@tessera/querier';
import { haTrackerOptions } from '@tessera/distributor';
import { alertmanagerOptions } from '@tessera/alertmanager';
import { rulerEvalOptions } from '@tessera/ruler';
import { ingesterStorageOptions } from '@tessera/ingester';
import { objstoreOptions } from '@tessera/objstore';
import { bucketStoreOptions } from '@tessera/store-gateway';
import { compactorOptions } from '@tessera/compactor';

/**
 * Every target this build can run: `all` is the single process; the others are one component
 * each, finding one another through the ring (the cluster mode).
 */
export const TARGETS = ['all', 'distributor', 'ingester', 'querier', 'compactor', 'ruler', 'alertmanager'] as const;

/** One of {@link TARGETS}. */
export type Target = (typeof TARGETS)[number];

const MiB = 1024 * 1024;

/** The options of `tessera`. */
export const tesseraOptions = defineOptions({
  target: {
    flag: 'target',
    yaml: 'target',
    type: 'enum',
    values: TARGETS,
    default: 'all',
    help: 'Which component(s) to run. "all" runs every component in one process (the single-process mode); "distributor", "ingester" and "querier" run one component each, finding the others through the ring (the cluster mode); "compactor" compacts and deletes the blocks in the bucket (run one per bucket); "ruler" evaluates rule groups, sharded over the rulers by the ruler ring; "alertmanager" runs the tenants\' Alertmanagers (run one; rulers reach it with -ruler.alertmanager-url=http://<host>/alertmanager).',
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
    help: 'How long ingesters keep samples in memory and in the WAL when blocks are not shipped (-blocks-storage.tsdb.ship-interval=0). Older data is dropped. When blocks are shipped, the heads drop what the bucket holds instead.',
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
  ringStore: {
    flag: 'ring.store',
    yaml: 'ring.store',
    type: 'enum',
    values: ['memory', 'redis'],
    default: 'memory',
    help: 'Where the ring of ingesters lives: "memory" (only within one process: -target=all) or "redis" (shared by the processes of a cluster, at -ring.redis.address).',
  },
  ringRedisAddress: {
    flag: 'ring.redis.address',
    yaml: 'ring.redis.address',
    type: 'string',
    default: '127.0.0.1:6379',
    help: 'Redis server holding the ring when -ring.store=redis: host:port or a redis:// URL.',
  },
  replicationFactor: {
    flag: 'ring.replication-factor',
    yaml: 'ring.replication_factor',
    type: 'int',
    default: 3,
    min: 1,
    help: 'Ingesters every series is written to; a write succeeds on a quorum (2 of 3). The cluster targets only: -target=all has one ingester and no replication.',
  },
  ingesterId: {
    flag: 'ingester.id',
    yaml: 'ingester.ring.instance_id',
    type: 'string',
    default: hostname(),
    check: (v: string) => (v === '' || v === '__proto__' ? 'must be a non-empty name' : undefined),
    help: 'Name of this ingester in the ring. Keep it stable across restarts: a restarted ingester takes back the tokens (and so the series) registered under its name. Default: the host name.',
  },
  ingesterInstanceAddr: {
    flag: 'ingester.ring.instance-addr',
    yaml: 'ingester.ring.instance_addr',
    type: 'string',
    default: '',
    help: 'Address this ingester advertises in the ring for the other components to reach it: host or host:port (without a port, the HTTP listen port is used). Default: 127.0.0.1:<HTTP port>.',
  },
  ingesterNumTokens: {
    flag: 'ingester.ring.num-tokens',
    yaml: 'ingester.ring.num_tokens',
    type: 'int',
    default: 128,
    min: 1,
    max: 4096,
    help: 'Tokens (random positions in the ring) each ingester owns.',
  },
  ingesterHeartbeatPeriod: {
    flag: 'ingester.ring.heartbeat-period',
    yaml: 'ingester.ring.heartbeat_period',
    type: 'duration',
    default: '5s',
    min: '100ms',
    help: 'How often an ingester renews its entry in the ring.',
  },
  ingesterHeartbeatTimeout: {
    flag: 'ingester.ring.heartbeat-timeout',
    yaml: 'ingester.ring.heartbeat_timeout',
    type: 'duration',
    default: '1m',
    min: '1s',
    help: 'Time without a heartbeat after which an ingester counts as UNHEALTHY: writes skip it and reads stop waiting for it.',
  },
  internalAuthToken: {
    flag: 'internal.auth-token',
    yaml: 'internal.auth_token',
    type: 'string',
    default: '',
    secret: true,
    help: 'Shared secret the components of a cluster present to one another on the /internal/ endpoints. Required by the cluster targets when -auth.enabled=true (tenants must not reach those endpoints); the same value on every process.',
  },
  distributorRemoteTimeout: {
    flag: 'distributor.remote-timeout',
    yaml: 'distributor.remote_timeout',
    type: 'duration',
    default: '2s',
    min: '10ms',
    help: 'How long the distributor waits for an ingester to answer a push; an ingester that takes longer counts as failed for the quorum.',
  },
  ...haTrackerOptions.defs,
  ...alertmanagerOptions.defs,
  ...rulerEvalOptions.defs,
  ...objstoreOptions.defs,
  ...bucketStoreOptions.defs,
  ...compactorOptions.defs,
  ...ingesterStorageOptions.defs,
  ...runtimeConfigOptions.defs,
  ...limitOptions.defs,
});

/** The loaded configuration. */
export type TesseraConfig = ReturnType<typeof tesseraOptions.defaults>;

/**
 * Checks the options that depend on one another (each option alone was checked when loading)
 * and throws one ConfigError naming every problem. `ringKVInjected`: the caller supplies the
 * ring's KV store itself (tests running a cluster in one process), so `-ring.store=memory` is
 * fine for the cluster targets.
 */
export function checkTargetConfig(config: TesseraConfig, opts: { ringKVInjected?: boolean } = {}): void {
  const problems: string[] = [];
  if (config.authTenantsFile !== '' && !config.authEnabled) {
    problems.push('-auth.tenants-file requires -auth.enabled=true: with a tenants file every request must authenticate');
  }
  // The compactor works on the bucket alone: no ring, no internal endpoints.
  if (config.target !== 'all' && config.target !== 'compactor' && config.target !== 'alertmanager') {
    const t = `-target=${config.target}`;
    if (config.ringStore === 'memory' && opts.ringKVInjected !== true) {
      problems.push(`${t} runs one component of a cluster and finds the others through the ring: set -ring.store=redis and -ring.redis.address (-ring.store=memory works only with -target=all)`);
    }
    if (config.authEnabled && config.internalAuthToken === '') {
      problems.push(`${t} with -auth.enabled=true requires -internal.auth-token: without the shared secret any tenant could call the /internal/ endpoints (use the same value on every process)`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * The address an ingester advertises in the ring: `-ingester.ring.instance-addr` when it has a
 * port, that host with the HTTP port when it has none, else `127.0.0.1:<HTTP port>`.
 */
export function advertisedAddress(config: TesseraConfig, httpPort: number): string {
  const a = config.ingesterInstanceAddr.trim();
  if (a === '') return `127.0.0.1:${httpPort}`;
  if (a.startsWith('[')) return a.includes(']:') ? a : `${a}:${httpPort}`; // [v6] or [v6]:port
  const colons = a.split(':').length - 1;
  if (colons === 1) return a; // host:port
  if (colons > 1) return `[${a}]:${httpPort}`; // a bare IPv6 address
  return `${a}:${httpPort}`;
}
