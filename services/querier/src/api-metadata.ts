/**
 * The metadata endpoints of the Prometheus API: `metadata` (metric type, help and unit as
 * remote-write senders reported them, merged over every ingester holding the tenant) and
 * `status/buildinfo` (at the root and under the prefix, as Grafana probes both). Both are GET
 * only in Prometheus; a POST is answered 405.
 */
import type { FastifyInstance } from 'fastify';
import { Params, TesseraError, resolveTenant, type TenantResolverConfig } from '@tessera/server';
import { routeGetOnly } from './api-http.ts';

/** One metadata entry as the API reports it. */
export interface MetadataEntry {
  readonly type: string;
  readonly help: string;
  readonly unit: string;
}

/** Where metric metadata comes from (an ingester, in-process or remote: then a promise). */
export interface MetadataReader {
  /** The tenant's metadata by metric name, for one metric when `metric` is given. */
  metadata(
    tenant: string,
    metric?: string,
  ): ReadonlyMap<string, readonly MetadataEntry[]> | Promise<ReadonlyMap<string, readonly MetadataEntry[]>>;
}

/** Options of the metadata endpoints. */
export interface MetadataApiConfig extends TenantResolverConfig {
  /** Path prefix of the Prometheus API, e.g. `/prometheus` ('' for none). */
  prefix: string;
}

/** `limit` and `limit_per_metric` as Prometheus reads them: -1 (none) when absent. */
function parseCount(value: string | undefined, name: string): number {
  if (value === undefined || value === '') return -1;
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new TesseraError('bad_data', 'invalid-limit', `${name} must be a number`);
  }
  return Number(value);
}

/**
 * Merges the metadata of several readers: per metric the distinct entries, first seen first;
 * metrics sorted by name. At most `limit` metrics (when ≥ 0) and `perMetric` entries each
 * (when > 0), the way Prometheus applies them.
 */
export function mergeMetadata(
  maps: Iterable<ReadonlyMap<string, readonly MetadataEntry[]>>,
  limit: number,
  perMetric: number,
): Record<string, MetadataEntry[]> {
  const merged = new Map<string, Map<string, MetadataEntry>>();
  for (const m of maps) {
    for (const [name, entries] of m) {
      let set = merged.get(name);
      if (set === undefined) {
        set = new Map();
        merged.set(name, set);
      }
      for (const e of entries) {
        const key = `${e.type}\u0000${e.help}\u0000${e.unit}`;
        if (!set.has(key)) set.set(key, { type: e.type, help: e.help, unit: e.unit });
      }
    }
  }
  // A null prototype: metric names are data, `__proto__` included.
  const out = Object.create(null) as Record<string, MetadataEntry[]>;
  let n = 0;
  for (const name of [...merged.keys()].sort()) {
    if (limit >= 0 && n >= limit) break;
    let entries = [...merged.get(name)!.values()];
    if (perMetric > 0 && entries.length > perMetric) entries = entries.slice(0, perMetric);
    out[name] = entries;
    n++;
  }
  return out;
}

/** Registers `metadata` under the prefix. */
export function registerMetadataApi(app: FastifyInstance, readers: () => readonly MetadataReader[], cfg: MetadataApiConfig): void {
  const p = cfg.prefix.replace(/\/+$/, '');
  routeGetOnly(app, `${p}/api/v1/metadata`, async (req) => {
    const tenant = resolveTenant(req.headers, cfg);
    const params = new Params(req);
    const limit = parseCount(params.get('limit'), 'limit');
    const perMetric = parseCount(params.get('limit_per_metric'), 'limit_per_metric');
    const metric = params.get('metric') ?? '';
    const maps = await Promise.all(readers().map((r) => r.metadata(tenant, metric === '' ? undefined : metric)));
    return { status: 'success', data: mergeMetadata(maps, limit, perMetric) };
  });
}

/** Registers `status/buildinfo` at the root and under the prefix; `info` is the `data` object. */
export function registerBuildInfoApi(app: FastifyInstance, info: () => Readonly<Record<string, string>>, prefix: string): void {
  const p = prefix.replace(/\/+$/, '');
  const paths = p === '' ? ['/api/v1/status/buildinfo'] : ['/api/v1/status/buildinfo', `${p}/api/v1/status/buildinfo`];
  for (const path of paths) routeGetOnly(app, path, async () => ({ status: 'success', data: info() }));
}
