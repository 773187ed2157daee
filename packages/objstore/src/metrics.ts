/**
 * The object store's Prometheus metrics, registered once per injected registry and shared by
 * every bucket using it (told apart by the `bucket` label, e.g. `blocks`).
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** The operations the metrics distinguish. */
export const OBJSTORE_OPERATIONS = ['get', 'get_range', 'upload', 'delete', 'exists', 'attributes', 'iter'] as const;

/** One of {@link OBJSTORE_OPERATIONS}. */
export type ObjstoreOperation = (typeof OBJSTORE_OPERATIONS)[number];

/** How an operation ended: `not_found` is an answer, not a failure. */
export const OBJSTORE_OUTCOMES = ['success', 'not_found', 'error'] as const;

/** The metric objects of the objstore package. */
export interface ObjstoreMetrics {
  /** `tessera_objstore_operations_total{bucket,operation,outcome}`. */
  operations: Counter<'bucket' | 'operation' | 'outcome'>;
  /** `tessera_objstore_operation_duration_seconds{bucket,operation}`: successful and failed alike. */
  duration: Histogram<'bucket' | 'operation'>;
  /** `tessera_objstore_transferred_bytes_total{bucket,operation}`: object bytes read or written. */
  bytes: Counter<'bucket' | 'operation'>;
  /** `tessera_objstore_request_retries_total{bucket,operation}`: requests retried after a transient failure. */
  retries: Counter<'bucket' | 'operation'>;
}

const byRegistry = new WeakMap<Registry, ObjstoreMetrics>();

/** Returns the objstore metrics of `registry`, registering them on first use. */
export function objstoreMetrics(registry: Registry): ObjstoreMetrics {
  let m = byRegistry.get(registry);
  if (m !== undefined) return m;
  m = {
    operations: new Counter({
      name: 'tessera_objstore_operations_total',
      help: 'Object store operations, by operation and outcome (success, not_found, error).',
      labelNames: ['bucket', 'operation', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'tessera_objstore_operation_duration_seconds',
      help: 'Duration of object store operations, retries included.',
      labelNames: ['bucket', 'operation'],
      buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'tessera_objstore_transferred_bytes_total',
      help: 'Object bytes read (get, get_range) or written (upload).',
      labelNames: ['bucket', 'operation'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'tessera_objstore_request_retries_total',
      help: 'Object store requests retried after a transient failure (5xx, timeout, network error).',
      labelNames: ['bucket', 'operation'],
      registers: [registry],
    }),
  };
  byRegistry.set(registry, m);
  return m;
}

/** Pre-initialises the series of bucket `bucket` so that they are exported as 0. */
export function initBucketSeries(m: ObjstoreMetrics, bucket: string): void {
  for (const op of OBJSTORE_OPERATIONS) {
    for (const outcome of OBJSTORE_OUTCOMES) m.operations.labels(bucket, op, outcome).inc(0);
  }
  for (const op of ['get', 'get_range', 'upload'] as const) m.bytes.labels(bucket, op).inc(0);
}
