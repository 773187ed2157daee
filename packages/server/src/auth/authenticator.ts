/**
 * What an authenticator answers, and how an `Authorization` header is read.
 *
 * Two schemes are understood: `Bearer <token>` (RFC 6750) and `Basic <base64(user:password)>`
 * (RFC 7617: the user id ends at the first colon; the password may contain colons). Scheme names
 * are case-insensitive. Anything else, a malformed value included, is simply invalid: the answer
 * never says which part was wrong, so it cannot tell a prober which usernames or tenants exist.
 */

/** The outcome of checking a request's credentials. Results are shared, frozen objects. */
export type AuthResult =
  | { readonly ok: true; readonly tenant: string }
  | { readonly ok: false; readonly reason: 'missing' | 'invalid' };

/** Maps credentials to tenants. Implemented by {@link TenantsFile}. */
export interface TenantAuthenticator {
  /**
   * The tenant named by an `Authorization` header value, or why there is none. Must not throw,
   * and must take the same time for an unknown user, a wrong password and an unknown token.
   */
  authenticate(authorization: string | string[] | undefined): AuthResult;
}

/** Where credentials are looked up: a parsed tenants file (see {@link CredentialTable}). */
export interface CredentialLookup {
  bearer(token: string): AuthResult;
  basic(username: string, password: string): AuthResult;
}

/** The shared answer for a request without an `Authorization` header. */
export const MISSING: AuthResult = Object.freeze({ ok: false, reason: 'missing' });

/** The shared answer for wrong, unknown or malformed credentials. */
export const INVALID: AuthResult = Object.freeze({ ok: false, reason: 'invalid' });

/**
 * What a bearer token may contain: visible ASCII without spaces. Wider than RFC 6750's b64token so
 * that tokens made by any generator work; the tenants file is checked against the same rule.
 */
export const BEARER_TOKEN_CHARS = /^[\x21-\x7e]+$/;

// Base64 as RFC 7617 sends it (padding optional).
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Reads an `Authorization` header value and looks its credentials up in `table`. */
export function authenticateHeader(table: CredentialLookup, header: string | string[] | undefined): AuthResult {
  if (header === undefined) return MISSING;
  if (typeof header !== 'string') return INVALID; // several Authorization headers: refuse, never pick one
  const value = header.trim();
  if (value === '') return MISSING;
  const sp = value.indexOf(' ');
  if (sp < 0) return INVALID;
  const scheme = value.slice(0, sp).toLowerCase();
  const credentials = value.slice(sp + 1).trim();
  if (scheme === 'bearer') return BEARER_TOKEN_CHARS.test(credentials) ? table.bearer(credentials) : INVALID;
  if (scheme !== 'basic' || !BASE64.test(credentials)) return INVALID;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return INVALID;
  return table.basic(decoded.slice(0, colon), decoded.slice(colon + 1));
}
