/**
 * Built-in authentication: a hot-reloaded tenants file mapping bearer tokens and basic-auth pairs
 * to tenants, checked without comparing secret bytes and without revealing which tenants exist.
 */
export { authenticateHeader, BEARER_TOKEN_CHARS, INVALID, MISSING } from './authenticator.ts';
export type { AuthResult, CredentialLookup, TenantAuthenticator } from './authenticator.ts';
export { CredentialKeys, parseSha256Hex, sha256, SHA256_BYTES } from './credential-keys.ts';
export { CredentialTable, parseTenantsFile } from './credential-table.ts';
export { AUTH_CHALLENGES, CREDENTIAL_ERROR_CODES, isCredentialError, tenantFromCredentials } from './resolve.ts';
export { TenantsFile } from './tenants-file.ts';
export type { TenantsFileLogger, TenantsFileOptions, TenantsFileReloadOutcome } from './tenants-file.ts';
