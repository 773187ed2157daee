// The selected tenant (and optional credentials), kept in localStorage. Changing it dispatches a
// `tenantchange` event on window; the shell re-mounts the page so no other tenant's data stays shown.
import type { Credentials } from './api.ts';

const KEY = 'tessera.console.tenant';
const AUTH_KEY = 'tessera.console.authorization';
const RECENT_KEY = 'tessera.console.recentTenants';
export const DEFAULT_TENANT = 'anonymous';
export const TENANT_CHANGE = 'tenantchange';

/** Tenant ids as Mimir accepts them: up to 150 of `a-z A-Z 0-9 ! - _ . * ' ( )`, not `.`/`..`. */
export function validTenant(id: string): boolean {
  return /^[a-zA-Z0-9!\-_.*'()]{1,150}$/.test(id) && id !== '.' && id !== '..';
}

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export function currentCredentials(): Credentials {
  const s = storage();
  const tenant = s?.getItem(KEY) || DEFAULT_TENANT;
  const authorization = s?.getItem(AUTH_KEY) || undefined;
  return authorization ? { tenant, authorization } : { tenant };
}

export function currentTenant(): string {
  return currentCredentials().tenant;
}

export function recentTenants(): string[] {
  try {
    const list = JSON.parse(storage()?.getItem(RECENT_KEY) ?? '[]') as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Select a tenant (and credentials: '' clears them). Fires `tenantchange` when anything changed. */
export function setCredentials(c: Credentials): void {
  if (!validTenant(c.tenant)) throw new Error(`invalid tenant id "${c.tenant}"`);
  const before = currentCredentials();
  const s = storage();
  s?.setItem(KEY, c.tenant);
  if (c.authorization) s?.setItem(AUTH_KEY, c.authorization);
  else s?.removeItem(AUTH_KEY);
  const recent = [c.tenant, ...recentTenants().filter((t) => t !== c.tenant)].slice(0, 10);
  s?.setItem(RECENT_KEY, JSON.stringify(recent));
  if (before.tenant !== c.tenant || before.authorization !== c.authorization) {
    window.dispatchEvent(new CustomEvent(TENANT_CHANGE, { detail: { tenant: c.tenant } }));
  }
}
