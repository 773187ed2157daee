// Status: build information, the tenant's ingestion (in-memory series and ingestion rate from
// `api/v1/user_stats`, head figures from `status/tsdb`), the ingester ring, and the limits in
// force for the tenant (`api/v1/user_limits`). Every figure comes from a per-tenant API: the page
// never reads the process's /metrics (other tenants' counters).
import './pages.css';
import { ringStatus, type RingInstance } from '../api-pages.ts';
import type { ConsoleContext } from '../context.ts';
import { errorText, formatDuration, formatNumber, h, loading, message, replace, since, table } from '../ui.ts';

/** The ingesters update their rates every 5 s. */
const REFRESH_MS = 5_000;

export function mount(root: HTMLElement, ctx: ConsoleContext): () => void {
  const abort = new AbortController();
  const signal = abort.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tenant = ctx.tenant();

  const build = h('div.panel', { 'data-testid': 'build-info' }, h('h2', null, 'Build'), loading());
  const ingestion = h('div.panel', { 'data-testid': 'ingestion' }, h('h2', null, 'Ingestion'), loading());
  const ring = h('div.panel', { 'data-testid': 'ring' }, h('h2', null, 'Ingester ring'), loading());
  const limitsFilter = h('input', { type: 'search', placeholder: 'Filter limits', 'aria-label': 'Filter limits' });
  const limitsBody = h('div.table-wrap', null, loading());
  const limits = h('div.panel', { 'data-testid': 'limits' }, h('div.row', null, h('h2.grow', null, 'Limits in force'), limitsFilter), limitsBody);
  replace(root, h('h1', null, 'Status ', h('span.muted', null, `· tenant ${tenant}`)), h('div.card-grid', null, build, ingestion), ring, limits);

  const fail = (panel: HTMLElement, title: string) => (err: unknown): void => {
    if (!signal.aborted) replace(panel, h('h2', null, title), message('error', errorText(err)));
  };

  // ---- Build -------------------------------------------------------------------------------------
  ctx.api.buildInfo({ signal }).then((info) => {
    if (signal.aborted) return;
    replace(build, h('h2', null, 'Build'), kvTable(Object.entries(info).map(([k, v]) => [k, String(v)])));
  }, fail(build, 'Build'));

  // ---- Ingestion ---------------------------------------------------------------------------------
  // Only per-tenant APIs: user_stats (series, rate) and status/tsdb (head figures), never /metrics.
  const drawIngestion = async (): Promise<void> => {
    const [stats, status] = await Promise.allSettled([ctx.api.userStats({ signal }), ctx.api.tsdbStatus(1, { signal })]);
    if (signal.aborted) return;
    const rows: KvRow[] = [];
    const errors: HTMLElement[] = [];
    if (stats.status === 'fulfilled') {
      const s = stats.value;
      rows.push(['series in memory', formatNumber(s.numSeries), s.numSeries]);
      rows.push(['ingestion rate (samples/s)', formatRate(s.ingestionRate), s.ingestionRate]);
    } else errors.push(message('error', `user_stats: ${errorText(stats.reason)}`));
    if (status.status === 'fulfilled') {
      const hs = status.value.headStats;
      rows.push(['label pairs', formatNumber(hs.numLabelPairs ?? 0), hs.numLabelPairs ?? 0]);
      rows.push(['chunks in memory', formatNumber(hs.chunkCount), hs.chunkCount]);
      rows.push(['time span in memory', hs.maxTime > hs.minTime && hs.minTime > 0 ? formatDuration((hs.maxTime - hs.minTime) / 1000) : '–']);
    } else errors.push(message('error', `status/tsdb: ${errorText(status.reason)}`));
    replace(ingestion,
      h('h2', null, 'Ingestion'),
      rows.length > 0 ? kvTable(rows) : [],
      errors,
      h('p.muted', null, `Ingestion rate: samples appended per second (remote write and rule results together), averaged over about the last minute by the ingesters. Refreshed every ${REFRESH_MS / 1000} s.`),
    );
  };
  const tick = (): void => {
    drawIngestion().catch(fail(ingestion, 'Ingestion')).finally(() => {
      if (!signal.aborted) timer = setTimeout(tick, REFRESH_MS);
    });
  };
  tick();

  // ---- Ring --------------------------------------------------------------------------------------
  ringStatus(ctx.api, { signal }).then((r) => {
    if (signal.aborted) return;
    if (r === null) {
      replace(ring, h('h2', null, 'Ingester ring'), h('p', { 'data-testid': 'single-process' }, 'Single process: one in-process ingester, no ring.'));
      return;
    }
    replace(ring,
      h('h2', null, 'Ingester ring'),
      h('p.muted', null, `Replication factor ${r.replicationFactor}; an instance with no heartbeat for ${formatDuration(r.heartbeatTimeoutSeconds)} is UNHEALTHY.`),
      h('div.table-wrap', null, table<RingInstance>(
        [
          { title: 'Instance', cell: (i) => h('span.mono', null, i.id) },
          { title: 'Address', cell: (i) => h('span.mono', null, i.address) },
          { title: 'State', cell: (i) => h('span.badge', { class: i.state === 'ACTIVE' ? 'ok' : i.state === 'UNHEALTHY' ? 'err' : 'pending' }, i.state) },
          { title: 'Tokens', numeric: true, cell: (i) => formatNumber(i.tokens) },
          { title: 'Owned', numeric: true, cell: (i) => `${i.ownedPercent.toFixed(2)}%` },
          { title: 'Last heartbeat', cell: (i) => h('span', { title: i.lastHeartbeat }, since(i.lastHeartbeat) || i.lastHeartbeat) },
        ],
        r.instances,
        { empty: 'No instance is registered in the ring.' },
      )),
    );
  }, fail(ring, 'Ingester ring'));

  // ---- Limits ------------------------------------------------------------------------------------
  ctx.api.userLimits({ signal }).then((l) => {
    if (signal.aborted) return;
    const entries = Object.entries(l).map(([k, v]): [string, string] => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
    const draw = (): void => {
      const q = limitsFilter.value.trim().toLowerCase();
      replace(limitsBody, kvTable(entries.filter(([k]) => k.toLowerCase().includes(q)), 'No limit matches the filter.'));
    };
    limitsFilter.addEventListener('input', draw);
    draw();
  }, (err: unknown) => {
    if (!signal.aborted) replace(limitsBody, message('error', errorText(err)));
  });

  return () => {
    abort.abort();
    clearTimeout(timer);
  };
}

/** A name, its text, and (numbers) the raw value, given as `data-value` to tests and tooltips. */
type KvRow = [name: string, text: string, raw?: number];

/** Samples per second: two decimals below 10, whole numbers above. */
function formatRate(r: number): string {
  return r < 10 ? r.toFixed(2) : formatNumber(Math.round(r));
}

/** A two-column name/value table. */
function kvTable(rows: KvRow[], empty = 'Nothing to show.'): HTMLElement {
  const t = table<KvRow>(
    [
      { title: 'Name', cell: ([k]) => k },
      { title: 'Value', cell: ([, v, raw]) => h('span.mono', raw === undefined ? null : { 'data-value': String(raw), title: String(raw) }, v) },
    ],
    rows,
    { empty, className: 'kv' },
  );
  for (const [i, tr] of [...t.querySelectorAll('tbody tr')].entries()) {
    const r = rows[i];
    if (r) (tr as HTMLElement).dataset.key = r[0];
  }
  return t;
}
