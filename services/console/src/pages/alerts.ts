// Alerts: the tenant's pending and firing alerts (`api/v1/alerts`) with their labels,
// annotations, value and the time they became active; refreshed every 15 s.
import './pages.css';
import type { Alert } from '../api.ts';
import type { ConsoleContext } from '../context.ts';
import { plainNumber, stackOnPhone } from '../pages-ui.ts';
import { errorText, formatTime, h, loading, message, replace, since, table } from '../ui.ts';

const REFRESH_MS = 15_000;
const STATE_ORDER: Record<string, number> = { firing: 0, pending: 1 };

export function mount(root: HTMLElement, ctx: ConsoleContext): () => void {
  const abort = new AbortController();
  const signal = abort.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let alerts: Alert[] = [];

  const stateFilter = h('select', { 'aria-label': 'State' },
    h('option', { value: '' }, 'Firing and pending'),
    h('option', { value: 'firing' }, 'Firing'),
    h('option', { value: 'pending' }, 'Pending'),
  );
  stateFilter.value = ctx.params.get('state') ?? '';
  const textFilter = h('input', { type: 'search', placeholder: 'Filter by label or annotation', 'aria-label': 'Filter alerts', value: ctx.params.get('q') ?? '' });
  const summary = h('div.row.summary');
  const list = h('div.table-wrap', { 'data-testid': 'alerts' }, loading());
  replace(root, h('div.row', null, h('h1.grow', null, 'Alerts'), stateFilter, textFilter), h('div.panel', null, summary, list));
  stateFilter.addEventListener('change', () => render());
  textFilter.addEventListener('input', () => render());

  async function refresh(): Promise<void> {
    try {
      alerts = await ctx.api.alerts({ signal });
      if (!signal.aborted) render();
    } catch (err) {
      if (!signal.aborted) replace(list, message('error', `Could not read the alerts: ${errorText(err)}`));
    }
    if (!signal.aborted) timer = setTimeout(() => void refresh(), REFRESH_MS);
  }

  function render(): void {
    const state = stateFilter.value;
    const q = textFilter.value.trim().toLowerCase();
    const params = new URLSearchParams();
    if (state) params.set('state', state);
    if (q) params.set('q', textFilter.value);
    history.replaceState(null, '', `#/alerts${params.size > 0 ? `?${params}` : ''}`);
    const firing = alerts.filter((a) => a.state === 'firing').length;
    replace(summary,
      h('span.badge.firing', { 'data-testid': 'firing-count' }, `${firing} firing`),
      h('span.badge.pending', { 'data-testid': 'pending-count' }, `${alerts.length - firing} pending`),
      h('span.muted', null, 'From the alerting rules of the Rules page; resolved alerts are not listed.'),
    );
    const matches = (a: Alert): boolean =>
      q === '' || [...Object.entries(a.labels), ...Object.entries(a.annotations ?? {})].some(([k, v]) => `${k}=${v}`.toLowerCase().includes(q));
    const rows = alerts
      .filter((a) => (state === '' || a.state === state) && matches(a))
      .sort((a, b) => (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9) || (a.labels.alertname ?? '').localeCompare(b.labels.alertname ?? '') || (a.activeAt ?? '').localeCompare(b.activeAt ?? ''));
    const t = table<Alert>(
      [
        { title: 'State', cell: (a) => h('span.badge', { class: a.state }, a.state) },
        { title: 'Alert', cell: (a) => h('strong.mono', null, a.labels.alertname ?? '') },
        {
          title: 'Labels',
          cell: (a) => h('div.chips', null, Object.entries(a.labels).filter(([k]) => k !== 'alertname').sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, v]) => h('span.chip', null, `${k}=${v}`))),
        },
        {
          title: 'Annotations',
          cell: (a) => Object.entries(a.annotations ?? {}).map(([k, v]) => h('div', null, h('span.muted', null, `${k}: `), v)),
        },
        { title: 'Value', numeric: true, cell: (a) => h('span', { title: a.value ?? '' }, plainNumber(a.value)) },
        { title: 'Active since', cell: (a) => (a.activeAt ? h('span', { title: since(a.activeAt) }, formatTime(a.activeAt), h('div.muted', null, since(a.activeAt))) : '') },
      ],
      rows,
      { empty: alerts.length === 0 ? 'No alert is pending or firing.' : 'No alert matches the filter.' },
    );
    for (const [i, tr] of [...t.querySelectorAll('tbody tr')].entries()) {
      const a = rows[i];
      if (a) (tr as HTMLElement).dataset.alert = a.labels.alertname ?? '';
    }
    replace(list, rows.length > 0 ? stackOnPhone(t) : t);
  }

  void refresh();
  return () => {
    abort.abort();
    clearTimeout(timer);
  };
}
