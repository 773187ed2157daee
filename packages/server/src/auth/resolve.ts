/**
 * The tenant of a request when a tenants file is configured: the credentials decide it, and an
 * `X-Scope-OrgID` header may only repeat it.
 *
 * Every refusal is a 401 with a `WWW-Authenticate` challenge (set by the shared error handler for
 * the codes in {@link CREDENTIAL_ERROR_CODES}) and a fixed message that names no tenant, user or
 * secret: a wrong password, an unknown user, an unknown token and someone else's tenant in
 * `X-Scope-OrgID` tell a prober nothing about which tenants exist.
 */
import { TesseraError } from '../errors.ts';
import type { TenantAuthenticator } from './authenticator.ts';

/** Permanent error codes of credential refusals. */
export const CREDENTIAL_ERROR_CODES = {
  missing: 'missing-credentials',
  invalid: 'invalid-credentials',
  mismatch: 'tenant-id-mismatch',
} as const;

/** The `WWW-Authenticate` challenges sent with every credential refusal (RFC 7235: one per scheme). */
export const AUTH_CHALLENGES: readonly string[] = ['Bearer realm="tessera"', 'Basic realm="tessera", charset="UTF-8"'];

const CODES = new Set<string>(Object.values(CREDENTIAL_ERROR_CODES));

/** True when `err` refuses a request's credentials, so that its answer must carry the challenges. */
export function isCredentialError(err: TesseraError): boolean {
  return err.kind === 'unauthorized' && CODES.has(err.code);
}

/**
 * Returns the tenant named by the request's credentials.
 *
 * @throws TesseraError 401: credentials missing, invalid, or `X-Scope-OrgID` naming another tenant.
 */
export function tenantFromCredentials(
  headers: Record<string, string | string[] | undefined>,
  authenticator: TenantAuthenticator,
): string {
  const result = authenticator.authenticate(headers['authorization']);
  if (!result.ok) {
    if (result.reason === 'missing') {
      throw new TesseraError(
        'unauthorized',
        CREDENTIAL_ERROR_CODES.missing,
        'authentication required: send an Authorization header with a bearer token or basic-auth credentials',
      );
    }
    throw new TesseraError('unauthorized', CREDENTIAL_ERROR_CODES.invalid, 'authentication failed: invalid credentials');
  }
  const org = headers['x-scope-orgid'];
  if (org !== undefined && org !== '' && org !== result.tenant) {
    // An array (the header sent twice) never equals the tenant, so it is refused too.
    throw new TesseraError(
      'unauthorized',
      CREDENTIAL_ERROR_CODES.mismatch,
      'authentication failed: X-Scope-OrgID does not name the tenant of the credentials (omit it, or name the same tenant)',
    );
  }
  return result.tenant;
}
