// The console shell: header (brand, nav, tenant picker), hash router (`#/<page>?<params>`) and
// page mounting. Pages are src/pages/<name>.ts, loaded lazily (see context.ts).
import './styles.css';
import { Api } from './api.ts';
import { PAGES, type ConsoleContext, type PageMount } from './context.ts';
import { TENANT_CHANGE, currentCredentials, currentTenant } from './tenant.ts';
import { tenantPicker } from './tenant-picker.ts';
import { h, message, errorText, replace } from './ui.ts';

const modules = import.meta.glob<{ mount: PageMount }>(['./pages/*.ts', '!./pages/*.test.ts']);
const TITLES: Record<string, string> = { query: 'Query', explore: 'Explore', rules: 'Rules', alerts: 'Alerts', status: 'Status' };

function prometheusPrefix(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="tessera-prometheus-prefix"]');
  return meta?.content ?? '/prometheus';
}

type Route = { page: string; params: URLSearchParams };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const page = (q < 0 ? raw : raw.slice(0, q)) || 'query';
  return { page, params: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

function start(root: HTMLElement): void {
  const api = new Api(currentCredentials, { prefix: prometheusPrefix() });
  const nav = h('nav.nav', { 'aria-label': 'Pages' }, PAGES.map((p) => h('a', { href: `#/${p}`, 'data-page': p }, TITLES[p] ?? p)));
  const main = h('main.page', { id: 'page' });
  const header = h('header.top', null, h('a.brand', { href: '#/query' }, 'Tessera'), nav, tenantPicker());
  replace(root, header, main);

  let unmount: (() => void) | undefined;
  let generation = 0;

  const mountRoute = async (): Promise<void> => {
    const gen = ++generation;
    const route = parseRoute(location.hash);
    unmount?.();
    unmount = undefined;
    for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.page === route.page);
    document.title = `${TITLES[route.page] ?? route.page} · Tessera`;
    const loader = modules[`./pages/${route.page}.ts`];
    if (!loader) {
      replace(main, message('error', `Unknown page "${route.page}".`), h('p', null, h('a', { href: '#/query' }, 'Go to the Query page')));
      return;
    }
    let mod: { mount: PageMount };
    try {
      mod = await loader();
    } catch (err) {
      if (gen === generation) replace(main, message('error', `Could not load the page: ${errorText(err)}`));
      return;
    }
    if (gen !== generation) return;
    const ctx: ConsoleContext = {
      api,
      tenant: currentTenant,
      params: route.params,
      navigate: (hash) => {
        if (location.hash === hash) void mountRoute();
        else location.hash = hash;
      },
    };
    replace(main);
    main.dataset.page = route.page;
    main.dataset.tenant = currentTenant();
    unmount = mod.mount(main, ctx);
  };

  window.addEventListener('hashchange', () => void mountRoute());
  // Never leave another tenant's data on screen: re-mount the page on every tenant change.
  window.addEventListener(TENANT_CHANGE, () => void mountRoute());
  void mountRoute();
}

const root = document.getElementById('app');
if (root) start(root);
