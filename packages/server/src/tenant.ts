/**
 * Tenant resolution: which tenant a request acts for.
 *
 * With auth enabled the tenant comes from the `X-Scope-OrgID` header, as in Cortex and Mimir
 * behind an authenticating gateway; a missing header is 401 and a malformed id 400. With auth
 * disabled every request is the tenant `anonymous`. With a tenants file (an `authenticator`), the
 * credentials decide the tenant whatever `authEnabled` says (see auth/resolve.ts).
 */
import { validateTenantId } from '@tessera/model';
import { TesseraError } from './errors.ts';
import type { TenantAuthenticator } from './auth/authenticator.ts';
import { tenantFromCredentials } from './auth/resolve.ts';

/** The tenant used for every request when authentication is disabled. */
export const ANONYMOUS_TENANT = 'anonymous';

/** The header that names the tenant. */
export const TENANT_HEADER = 'x-scope-orgid';

/** How tenants are resolved. */
export interface TenantResolverConfig {
  authEnabled: boolean;
  /**
   * Credentials to tenants (a `TenantsFile`), when `-auth.tenants-file` is set: every request must
   * then carry valid credentials, and `X-Scope-OrgID` may only repeat their tenant.
   */
  authenticator?: TenantAuthenticator | undefined;
}

/**
 * Returns the tenant of a request from its headers, or throws a TesseraError (401 when the tenant
 * header is missing with auth on, 400 when it is malformed or names several tenants; with an
 * authenticator, 401 for missing or invalid credentials and for a conflicting X-Scope-OrgID).
 */
export function resolveTenant(
  headers: Record<string, string | string[] | undefined>,
  config: TenantResolverConfig,
): string {
  if (config.authenticator !== undefined) return tenantFromCredentials(headers, config.authenticator);
  if (!config.authEnabled) return ANONYMOUS_TENANT;
  const raw = headers[TENANT_HEADER];
  if (raw === undefined || raw === '') {
    throw new TesseraError(
      'unauthorized',
      'missing-tenant-id',
      'no tenant ID: set the X-Scope-OrgID header (or run with -auth.enabled=false for the single tenant "anonymous")',
    );
  }
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (value.includes('|')) {
    throw new TesseraError(
      'bad_data',
      'invalid-tenant-id',
      'invalid tenant ID in X-Scope-OrgID: a request names exactly one tenant',
    );
  }
  const problem = validateTenantId(value);
  if (problem !== null) {
    throw new TesseraError('bad_data', 'invalid-tenant-id', `invalid X-Scope-OrgID: ${problem}`);
  }
  return value;
}
