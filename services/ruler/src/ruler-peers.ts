/**
 * The state of every ruler, for the state APIs of a ruler among several: each ruler answers
 * `GET /internal/ruler/groups` (tenant in X-Scope-OrgID, the cluster's internal token) with the
 * groups it evaluates, and `api/v1/rules` / `api/v1/alerts` on any ruler merge the answers of all
 * ACTIVE rulers of the ruler ring. A ruler that cannot be asked fails the request (503) rather
 * than showing a partial picture.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from '@tessera/server';
import { TesseraError } from '@tessera/server';
import { validateTenantId } from '@tessera/model';
import { mergeGroups, type GroupJson, type TenantGroups } from './state-api.ts';

/** Path of the internal endpoint. */
export const RULER_GROUPS_PATH = '/internal/ruler/groups';

/** How an internal call proves it comes from the cluster. */
export interface InternalAuth {
  /** Header carrying the shared secret (lower case). */
  header: string;
  /** The secret sent ('' for none). */
  token: string;
  /** Checks a received header value. */
  check(given: string | string[] | undefined): boolean;
}

/** Registers `GET /internal/ruler/groups` answering this ruler's groups of the tenant. */
export function registerRulerGroupsRoute(app: FastifyInstance, local: TenantGroups, auth: InternalAuth): void {
  app.get(RULER_GROUPS_PATH, async (req) => {
    if (!auth.check(req.headers[auth.header])) {
      throw new TesseraError('unauthorized', 'invalid-internal-token', 'internal endpoint: missing or wrong X-Tessera-Internal-Token (-internal.auth-token)');
    }
    const tenant = req.headers['x-scope-orgid'];
    if (typeof tenant !== 'string' || validateTenantId(tenant) !== null) throw new TesseraError('bad_data', 'invalid-tenant-id', 'internal call without a valid X-Scope-OrgID');
    return { groups: await local(tenant) };
  });
}

/** Options of {@link clusterGroups}. */
export interface ClusterGroupsOptions {
  /** This ruler's groups. */
  local: TenantGroups;
  /** Addresses (`host:port`) of the other ACTIVE rulers. */
  peers: () => string[];
  auth: InternalAuth;
  timeoutMs: number;
  logger: Logger;
}

/** The groups of a tenant over every ruler (see the file comment). */
export function clusterGroups(opts: ClusterGroupsOptions): TenantGroups {
  return async (tenant) => {
    const remote = opts.peers().map(async (addr): Promise<GroupJson[]> => {
      const headers: Record<string, string> = { 'X-Scope-OrgID': tenant };
      if (opts.auth.token !== '') headers[opts.auth.header] = opts.auth.token;
      try {
        const res = await fetch(`http://${addr}${RULER_GROUPS_PATH}`, { headers, signal: AbortSignal.timeout(opts.timeoutMs) });
        if (res.status !== 200) throw new Error(`answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
        return ((await res.json()) as { groups: GroupJson[] }).groups;
      } catch (e) {
        opts.logger.warn({ ruler: addr, err: e instanceof Error ? e.message : String(e) }, 'asking a ruler for its rule groups failed');
        throw new TesseraError('unavailable', 'ruler-unavailable', `unable to retrieve rules from ruler ${addr}`);
      }
    });
    return mergeGroups([await opts.local(tenant), ...(await Promise.all(remote))]);
  };
}
