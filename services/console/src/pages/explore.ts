// Explore: the tenant's metrics with their series counts, a label browser (names → values →
// a query), and the cardinality view of `status/tsdb` — what an operator reads when a tenant
// nears its series limits. State lives in the hash: `#/explore?tab=labels&metric=up&label=job`.
import './pages.css';
import type { TsdbStatus } from '../api.ts';
import { metricCounts, selector, type MetricCount } from '../api-pages.ts';
import type { ConsoleContext } from '../context.ts';
import { errorText, formatNumber, formatTime, h, loading, message, replace, table } from '../ui.ts';

const TABS = [
  ['metrics', 'Metrics'],
  ['labels', 'Labels'],
  ['cardinality', 'Cardinality'],
] as const;
type Tab = (typeof TABS)[number][0];
const LIMITS = [10, 20, 50, 100, 500];
/** Rows drawn at most per list (the filter narrows longer lists): keeps the page fast. */
const MAX_ROWS = 2000;

export function mount(root: HTMLElement, ctx: ConsoleContext): () => void {
  const abort = new AbortController();
  const signal = abort.signal;
  const params = new URLSearchParams(ctx.params);
  const tabOf = (v: string | null): Tab => (TABS.some(([t]) => t === v) ? (v as Tab) : 'metrics');
  let tab = tabOf(params.get('tab'));

  const body = h('div.explore-body');
  const tabButtons = TABS.map(([t, title]) => h('button', { type: 'button', 'data-tab': t, role: 'tab', onclick: () => show(t) }, title));
  replace(root, h('h1', null, 'Explore'), h('div.tabs', { role: 'tablist' }, tabButtons), body);

  /** Records the page state in the hash without re-mounting the page. */
  const remember = (): void => {
    history.replaceState(null, '', `#/explore?${params}`);
  };
  const openQuery = (expr: string): void => ctx.navigate(`#/query?${new URLSearchParams({ expr })}`);

  function show(t: Tab): void {
    tab = t;
    params.set('tab', t);
    remember();
    for (const b of tabButtons) {
      b.classList.toggle('active', b.dataset.tab === t);
      b.setAttribute('aria-selected', String(b.dataset.tab === t));
    }
    replace(body, loading());
    const render = t === 'metrics' ? renderMetrics : t === 'labels' ? renderLabels : renderCardinality;
    render(body).catch((err: unknown) => {
      if (signal.aborted || tab !== t) return;
      replace(body, message('error', errorText(err)));
    });
  }

  // ---- Metrics ---------------------------------------------------------------------------------
  async function renderMetrics(el: HTMLElement): Promise<void> {
    const { metrics, status } = await metricCounts(ctx.api, { signal });
    if (signal.aborted || tab !== 'metrics') return;
    const total = status.headStats.numSeries;
    const filter = h('input', { type: 'search', placeholder: 'Filter metrics', 'aria-label': 'Filter metrics', value: params.get('q') ?? '' });
    const sort = h(
      'select',
      { 'aria-label': 'Sort by' },
      h('option', { value: 'series' }, 'Most series first'),
      h('option', { value: 'name' }, 'Name'),
    );
    sort.value = params.get('sort') === 'name' ? 'name' : 'series';
    const holder = h('div.table-wrap');
    const draw = (): void => {
      const q = filter.value.trim().toLowerCase();
      params.set('q', filter.value);
      params.set('sort', sort.value);
      remember();
      const rows = metrics.filter((m) => m.name.toLowerCase().includes(q));
      if (sort.value === 'series') rows.sort((a, b) => (b.series ?? -1) - (a.series ?? -1) || (a.name < b.name ? -1 : 1));
      const more = rows.length - MAX_ROWS;
      if (more > 0) rows.length = MAX_ROWS;
      replace(
        holder,
        more > 0 ? message('info', `Showing ${formatNumber(MAX_ROWS)} of ${formatNumber(MAX_ROWS + more)} metrics: filter to narrow the list.`) : null,
        table<MetricCount>(
          [
            { title: 'Metric', cell: (m) => h('a.mono', { href: `#/query?${new URLSearchParams({ expr: m.name })}` }, m.name) },
            {
              title: 'Series',
              numeric: true,
              cell: (m) => (m.series === null ? h('span.muted', { title: 'not in the head (older data only)' }, '–') : h('span', { 'data-series': m.series }, formatNumber(m.series))),
            },
            { title: 'Share', className: 'bar-cell', cell: (m) => bar(m.series ?? 0, total) },
            {
              title: '',
              className: 'actions',
              cell: (m) => h('button.secondary.small', { type: 'button', onclick: () => openLabels(m.name) }, 'Labels'),
            },
          ],
          rows,
          { empty: metrics.length === 0 ? 'This tenant has no metrics yet.' : 'No metric matches the filter.', className: 'metrics-table' },
        ),
      );
      for (const [i, tr] of [...holder.querySelectorAll('tbody tr')].entries()) {
        const m = rows[i];
        if (m) (tr as HTMLElement).dataset.metric = m.name;
      }
    };
    filter.addEventListener('input', draw);
    sort.addEventListener('change', draw);
    replace(
      el,
      h(
        'div.panel',
        null,
        h('div.row.summary', null,
          h('span', { 'data-testid': 'metric-count' }, `${formatNumber(metrics.length)} metrics`),
          h('span.muted', null, '·'),
          h('span', { 'data-testid': 'head-series' }, `${formatNumber(total)} series in memory`),
          h('span.grow'),
          filter,
          sort,
        ),
        holder,
      ),
    );
    draw();
  }

  function openLabels(metric: string): void {
    params.set('metric', metric);
    params.delete('label');
    show('labels');
  }

  // ---- Labels ----------------------------------------------------------------------------------
  async function renderLabels(el: HTMLElement): Promise<void> {
    const metric = params.get('metric') ?? '';
    const match = metric ? [selector({ __name__: metric })] : [];
    const [names, status] = await Promise.all([ctx.api.labelNames(match, { signal }), ctx.api.tsdbStatus(1000, { signal })]);
    if (signal.aborted || tab !== 'labels') return;
    const distinct = new Map(status.labelValueCountByLabelName.map((s) => [s.name, s.value]));
    const pairs = new Map(status.seriesCountByLabelValuePair.map((s) => [s.name, s.value]));
    const labelNames = names.filter((n) => n !== '__name__' || !metric);
    const valuesBox = h('div.label-values');
    const list = h('ul.label-names', { 'aria-label': 'Label names' });
    const scope = h('div.row', null,
      metric
        ? [h('span', null, 'Labels of ', h('code', null, metric)), h('button.secondary.small', { type: 'button', onclick: () => { params.delete('metric'); params.delete('label'); show('labels'); } }, 'All metrics')]
        : h('span.muted', null, `${labelNames.length} label names; pick one to see its values.`),
    );

    const pick = async (name: string): Promise<void> => {
      params.set('label', name);
      remember();
      for (const li of list.querySelectorAll('button')) li.classList.toggle('active', li.dataset.label === name);
      replace(valuesBox, loading());
      try {
        const values = await ctx.api.labelValues(name, match, { signal });
        if (signal.aborted) return;
        const filter = h('input', { type: 'search', placeholder: `Filter values of ${name}`, 'aria-label': 'Filter values' });
        const holder = h('div.table-wrap');
        const draw = (): void => {
          const q = filter.value.toLowerCase();
          const rows = values.filter((v) => v.toLowerCase().includes(q));
          const more = rows.length - MAX_ROWS;
          if (more > 0) rows.length = MAX_ROWS;
          replace(holder, more > 0 ? message('info', `Showing ${formatNumber(MAX_ROWS)} of ${formatNumber(MAX_ROWS + more)} values: filter to narrow the list.`) : null, table<string>(
            [
              {
                title: 'Value',
                cell: (v) => {
                  const labels: Record<string, string> = metric ? { __name__: metric, [name]: v } : { [name]: v };
                  const expr = selector(labels);
                  return h('a.mono', { href: `#/query?${new URLSearchParams({ expr })}`, 'data-value': v, onclick: (e: Event) => { e.preventDefault(); openQuery(expr); } }, v === '' ? '""' : v);
                },
              },
              { title: 'Series', numeric: true, cell: (v) => (metric ? '' : pairs.has(`${name}=${v}`) ? formatNumber(pairs.get(`${name}=${v}`)!) : '') },
            ],
            rows,
            { empty: 'No values.' },
          ));
        };
        filter.addEventListener('input', draw);
        replace(valuesBox, h('div.row', null, h('h3.grow', null, h('code', null, name), ` · ${values.length} values`), filter), holder);
        draw();
      } catch (err) {
        if (!signal.aborted) replace(valuesBox, message('error', errorText(err)));
      }
    };

    for (const n of labelNames) {
      const count = distinct.get(n);
      list.appendChild(h('li', null, h('button.label-name', { type: 'button', 'data-label': n, onclick: () => void pick(n) }, h('span.mono', null, n), count === undefined ? null : h('span.count', null, formatNumber(count)))));
    }
    replace(el, h('div.panel', null, scope, labelNames.length === 0 ? message('info', 'No labels: this tenant has no series yet.') : h('div.label-browser', null, list, valuesBox)));
    const chosen = params.get('label');
    if (chosen && labelNames.includes(chosen)) await pick(chosen);
    else replace(valuesBox, h('p.muted', null, 'Pick a label name.'));
  }

  // ---- Cardinality -----------------------------------------------------------------------------
  async function renderCardinality(el: HTMLElement): Promise<void> {
    const limit = Number(params.get('limit')) || 10;
    const status = await ctx.api.tsdbStatus(limit, { signal });
    if (signal.aborted || tab !== 'cardinality') return;
    const select = h('select', { 'aria-label': 'Entries per list' }, LIMITS.map((n) => h('option', { value: n }, `Top ${n}`)));
    select.value = String(limit);
    select.addEventListener('change', () => {
      params.set('limit', select.value);
      show('cardinality');
    });
    replace(
      el,
      headStats(status, select),
      h('div.card-grid', null,
        topList('Metrics by series', 'Series', status.seriesCountByMetricName, status.headStats.numSeries, (n) => openQuery(n), 'top-metrics'),
        topList('Label names by distinct values', 'Values', status.labelValueCountByLabelName, 0, (n) => { params.set('label', n); params.delete('metric'); show('labels'); }, 'top-labels'),
        topList('Label names by value bytes (× series)', 'Bytes', status.memoryInBytesByLabelName, 0, null, 'label-bytes'),
        topList('Label pairs by series', 'Series', status.seriesCountByLabelValuePair, status.headStats.numSeries, (pair) => {
          const i = pair.indexOf('=');
          openQuery(selector({ [pair.slice(0, i)]: pair.slice(i + 1) }));
        }, 'top-pairs'),
      ),
    );
  }

  show(tab);
  return () => abort.abort();
}

/** Head figures as a row of stat boxes. */
function headStats(s: TsdbStatus, extra: HTMLElement): HTMLElement {
  const hs = s.headStats;
  const time = (t: number): string => (t > 0 && t < 8.64e15 ? formatTime(t / 1000) : '–');
  const stat = (label: string, value: string, id: string): HTMLElement => h('div.stat', { 'data-testid': id }, h('div.stat-value', null, value), h('div.stat-label', null, label));
  return h('div.panel', null,
    h('div.row', null, h('h2.grow', null, 'In memory (head)'), extra),
    h('div.stats-row', null,
      stat('series', formatNumber(hs.numSeries), 'num-series'),
      stat('label pairs', formatNumber(hs.numLabelPairs ?? 0), 'num-label-pairs'),
      stat('chunks', formatNumber(hs.chunkCount), 'num-chunks'),
      stat('oldest sample (UTC)', time(hs.minTime), 'min-time'),
      stat('newest sample (UTC)', time(hs.maxTime), 'max-time'),
    ),
  );
}

/** One top list as a table with a bar per entry. */
function topList(title: string, unit: string, rows: { name: string; value: number }[], total: number, open: ((name: string) => void) | null, id: string): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return h('div.panel', { 'data-testid': id },
    h('h2', null, title),
    h('div.table-wrap', null, table<{ name: string; value: number }>(
      [
        { title: 'Name', cell: (r) => (open ? h('a.mono', { href: '#', onclick: (e: Event) => { e.preventDefault(); open(r.name); } }, r.name) : h('span.mono', null, r.name)) },
        { title: unit, numeric: true, cell: (r) => formatNumber(r.value) },
        { title: total > 0 ? '% of series' : '', className: 'bar-cell', cell: (r) => (total > 0 ? bar(r.value, total) : bar(r.value, max, false)) },
      ],
      rows,
      { empty: 'Nothing yet.' },
    )),
  );
}

/** A horizontal bar showing `value / total`, with the percentage as text unless `label` is false. */
function bar(value: number, total: number, label = true): HTMLElement {
  const pct = total > 0 ? (100 * value) / total : 0;
  return h('div.bar', { title: `${pct.toFixed(1)}%` },
    h('div.bar-fill', { style: `width:${Math.min(100, pct).toFixed(2)}%` }),
    label ? h('span.bar-text', null, `${pct < 0.1 && pct > 0 ? '<0.1' : pct.toFixed(1)}%`) : null,
  );
}
