// The header's tenant picker: a tenant id (X-Scope-OrgID) with the recently used ones offered, and
// optional credentials (bearer token or basic auth) for a Tessera with a tenants file.
import { TENANT_CHANGE, currentCredentials, recentTenants, setCredentials, validTenant } from './tenant.ts';
import { h, replace } from './ui.ts';

export function tenantPicker(): HTMLElement {
  const list = h('datalist', { id: 'tenant-list' });
  const input = h('input.tenant-input', { id: 'tenant', name: 'tenant', list: 'tenant-list', autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Tenant', title: 'Tenant (X-Scope-OrgID)' });
  const kind = h('select', { name: 'auth-kind', 'aria-label': 'Credentials' },
    h('option', { value: 'none' }, 'No credentials'),
    h('option', { value: 'bearer' }, 'Bearer token'),
    h('option', { value: 'basic' }, 'Basic auth'));
  const token = h('input', { name: 'token', type: 'password', placeholder: 'token', autocomplete: 'off' });
  const user = h('input', { name: 'username', placeholder: 'username', autocomplete: 'username' });
  const pass = h('input', { name: 'password', type: 'password', placeholder: 'password', autocomplete: 'current-password' });
  const error = h('span.picker-error', { role: 'alert' });
  const creds = h('details.creds', null, h('summary', { title: 'Credentials (bearer token or basic auth) for a Tessera with a tenants file' }, 'Auth'), h('div.creds-body', null, kind, token, user, pass));
  const form = h('form.tenant-picker', { 'aria-label': 'Tenant' }, h('label', { for: 'tenant' }, 'Tenant'), input, list, creds, h('button', { type: 'submit' }, 'Use'), error);

  const showKind = (): void => {
    token.hidden = kind.value !== 'bearer';
    user.hidden = pass.hidden = kind.value !== 'basic';
  };
  const load = (): void => {
    const c = currentCredentials();
    input.value = c.tenant;
    replace(list, recentTenants().map((t) => h('option', { value: t })));
    const auth = c.authorization ?? '';
    kind.value = auth.startsWith('Bearer ') ? 'bearer' : auth.startsWith('Basic ') ? 'basic' : 'none';
    token.value = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (auth.startsWith('Basic ')) {
      const [u = '', ...p] = decodeBasic(auth.slice(6)).split(':');
      user.value = u;
      pass.value = p.join(':');
    }
    showKind();
  };
  kind.addEventListener('change', showKind);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const tenant = input.value.trim();
    if (!validTenant(tenant)) {
      error.textContent = 'Invalid tenant id';
      return;
    }
    error.textContent = '';
    let authorization: string | undefined;
    if (kind.value === 'bearer' && token.value) authorization = `Bearer ${token.value}`;
    if (kind.value === 'basic' && user.value) authorization = `Basic ${encodeBasic(`${user.value}:${pass.value}`)}`;
    setCredentials(authorization ? { tenant, authorization } : { tenant });
    creds.open = false;
  });
  window.addEventListener(TENANT_CHANGE, load);
  load();
  return form;
}

function encodeBasic(s: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(s)));
}

function decodeBasic(s: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
  } catch {
    return '';
  }
}
