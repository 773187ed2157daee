/**
 * The console's Explore, Rules, Alerts and Status pages in headless chromium against a real
 * Tessera CLI: the Explore page lists every metric with the series counts `status/tsdb` reports;
 * a rule group uploaded through the YAML editor is listed with its evaluation (and a broken one is
 * refused inline with the ruler's reason); a group is deleted from the page; switching tenant shows
 * none of the other tenant's metrics, rules or alerts, and every request carries the tenant picked;
 * the Status page shows the ingestion figures `user_stats` reports and no page asks `/metrics`.
 * Screenshots: test-artifacts/console/pages-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  PHONE, browserSuite, hasNoHorizontalOverflow, launchBrowser, screenshot, selectTenant, startConsoleServer,
  type ConsoleBrowser, type ConsoleServer,
} from './console-helpers.ts';
import { getJson } from './helpers.ts';

const A = 'pages-a';
const B = 'pages-b';
const A_METRICS = { http_requests_total: 5, up: 3, queue_depth: 1 } as const;
const B_METRIC = 'b_secret_metric';

const GOOD_GROUP = `name: api-alerts
interval: 1s
rules:
  - alert: ApiInstanceUp
    expr: up > 0
    labels:
      severity: info
    annotations:
      summary: "{{ $labels.instance }} answers"
  - record: job:up:sum
    expr: sum by (job) (up)
`;
const BAD_GROUP = `name: broken
rules:
  - alert: Broken
    expr: sum(up
`;

type TsdbStatus = { headStats: { numSeries: number }; seriesCountByMetricName: { name: string; value: number }[] };

const suite = browserSuite('console-pages');

suite('console: Explore, Rules, Alerts and Status pages in chromium', () => {
  let server: ConsoleServer;
  let browser: ConsoleBrowser;
  /** X-Scope-OrgID of every API request the pages made, with its URL. */
  const apiRequests: { url: string; tenant: string | undefined }[] = [];

  beforeAll(async () => {
    server = await startConsoleServer();
    browser = await launchBrowser();
    browser.context.on('request', (r) => {
      const url = r.url();
      if (url.includes('/prometheus/') || url.includes('/api/v1/')) apiRequests.push({ url, tenant: r.headers()['x-scope-orgid'] });
    });
    const now = Date.now();
    const samples = (v: number): [number, number][] => Array.from({ length: 20 }, (_, i) => [now - (19 - i) * 15_000, v]);
    const series = Object.entries(A_METRICS).flatMap(([name, n]) =>
      Array.from({ length: n }, (_, i) => ({ labels: { __name__: name, job: name === 'queue_depth' ? 'worker' : 'api', instance: `host-${i}` }, samples: samples(i + 1) })),
    );
    await server.push(A, series);
    await server.push(B, [
      { labels: { __name__: B_METRIC, job: 'b-job', instance: 'b-1' }, samples: samples(7) },
      { labels: { __name__: B_METRIC, job: 'b-job', instance: 'b-2' }, samples: samples(8) },
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Opens `hash` as `tenant`. */
  async function openAs(tenant: string, hash: string): Promise<Page> {
    const page = await browser.open(`${server.url}/${hash}`);
    await selectTenant(page, tenant);
    return page;
  }

  /** Replaces the YAML editor's text with `text` (as typed, so CodeMirror sees real input). */
  async function setEditorText(page: Page, text: string): Promise<void> {
    await page.click('[data-testid=group-editor] .cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(text);
  }

  async function metricRows(page: Page): Promise<Record<string, number | null>> {
    await page.waitForSelector('table.metrics-table tbody tr[data-metric], table.metrics-table td.empty');
    // Runs in the page; this project has no DOM types, so only attribute reads are used.
    const rows = await page.$$eval('table.metrics-table tbody tr[data-metric]', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-metric') ?? '', tr.querySelector('[data-series]')?.getAttribute('data-series') ?? null] as const),
    );
    return Object.fromEntries(rows.map(([name, series]) => [name, series === null ? null : Number(series)]));
  }

  it('lists every metric with the series counts of status/tsdb, and the same top lists', async () => {
    const page = await openAs(A, '#/explore');
    const shown = await metricRows(page);
    const status = (await getJson<{ data: TsdbStatus }>(server.url, '/prometheus/api/v1/status/tsdb', [['limit', '100']], { tenant: A })).body.data;
    const names = (await getJson<{ data: string[] }>(server.url, '/prometheus/api/v1/label/__name__/values', [], { tenant: A })).body.data;
    expect(Object.keys(shown).sort()).toEqual([...names].sort());
    expect(shown).toEqual(Object.fromEntries(status.seriesCountByMetricName.map((s) => [s.name, s.value])));
    expect(shown).toEqual(A_METRICS);
    await expect(page.getByTestId('head-series').innerText()).resolves.toContain(String(status.headStats.numSeries));
    await screenshot(page, 'pages-explore-metrics');

    // The cardinality view: head series and the top metrics as the API reports them.
    await page.click('.tabs button[data-tab=cardinality]');
    await page.waitForSelector('[data-testid=top-metrics] tbody tr');
    await expect(page.getByTestId('num-series').innerText()).resolves.toContain(String(status.headStats.numSeries));
    const top = await page.$$eval('[data-testid=top-metrics] tbody tr', (trs) => trs.map((tr) => [tr.children[0]!.textContent, Number(tr.children[1]!.textContent!.replace(/,/g, ''))]));
    const api10 = (await getJson<{ data: TsdbStatus }>(server.url, '/prometheus/api/v1/status/tsdb', [['limit', '10']], { tenant: A })).body.data;
    expect(top).toEqual(api10.seriesCountByMetricName.map((s) => [s.name, s.value]));
    await screenshot(page, 'pages-explore-cardinality');

    // The label browser: a label's values, and a value opens the Query page with its selector.
    await page.click('.tabs button[data-tab=labels]');
    await page.click('button.label-name[data-label=job]');
    await page.waitForSelector('[data-value=worker]');
    const values = await page.$$eval('.label-values a[data-value]', (as) => as.map((a) => a.getAttribute('data-value')));
    expect(values.sort()).toEqual(['api', 'worker']);
    await screenshot(page, 'pages-explore-labels');
    await page.click('[data-value=worker]');
    await page.waitForFunction("location.hash.startsWith('#/query')");
    expect(new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('expr')).toBe('{job="worker"}');
    await page.close();
  });

  it('uploads a rule group through the YAML editor, refuses a broken one inline, and lists it with its evaluation', async () => {
    const page = await openAs(A, '#/rules');
    await page.waitForSelector('[data-testid=no-rules]');
    await page.click('[data-testid=new-group]');
    await page.waitForSelector('[data-testid=group-editor] .cm-content');
    await page.fill('[data-testid=group-editor] input[name=namespace]', 'team');

    await setEditorText(page, BAD_GROUP);
    await page.click('[data-testid=save-group]');
    const error = page.locator('[data-testid=group-editor] .msg-error');
    await error.waitFor();
    await expect(error.innerText()).resolves.toMatch(/Not saved: .*parse error/);
    await screenshot(page, 'pages-rules-invalid');

    await setEditorText(page, GOOD_GROUP);
    await page.click('[data-testid=save-group]');
    await page.waitForSelector('[data-group="team/api-alerts"]');
    expect(await page.$$eval('[data-group="team/api-alerts"] tr[data-rule]', (trs) => trs.map((tr) => tr.getAttribute('data-rule')))).toEqual(['ApiInstanceUp', 'job:up:sum']);
    // Stored as sent: the config API gives the group back.
    const stored = await fetch(`${server.url}/prometheus/config/v1/rules/team/api-alerts`, { headers: { 'X-Scope-OrgID': A } });
    expect(stored.status).toBe(200);
    expect(await stored.text()).toContain('ApiInstanceUp');

    // Evaluated every second: reload until both rules report health ok and the alert fires.
    await expect.poll(async () => {
      await page.reload();
      await page.waitForSelector('[data-group="team/api-alerts"]');
      return page.$$eval('[data-group="team/api-alerts"] tr[data-rule]', (trs) => trs.map((tr) => [tr.querySelector('.rule-health')?.textContent, tr.querySelector('.rule-state')?.textContent ?? null]));
    }, { timeout: 20_000, interval: 1000 }).toEqual([['ok', 'firing'], ['ok', null]]);
    await expect(page.locator('[data-group="team/api-alerts"] .group-head .meta').innerText()).resolves.toMatch(/every 1s · evaluated .* ago/);
    await screenshot(page, 'pages-rules-listed');

    // The alerts page shows the three firing alerts with their labels and annotations.
    await page.goto(`${server.url}/#/alerts`);
    await page.waitForSelector('tr[data-alert=ApiInstanceUp]');
    expect(await page.locator('tr[data-alert=ApiInstanceUp]').count()).toBe(3);
    await expect(page.getByTestId('firing-count').innerText()).resolves.toBe('3 firing');
    await expect(page.locator('[data-testid=alerts]').innerText()).resolves.toContain('host-2 answers');
    await screenshot(page, 'pages-alerts');
    await page.close();
  });

  it('edits and deletes a group from the page', async () => {
    const post = await fetch(`${server.url}/prometheus/config/v1/rules/scratch`, {
      method: 'POST',
      headers: { 'X-Scope-OrgID': A, 'Content-Type': 'application/yaml' },
      body: 'name: temp\nrules:\n  - record: temp:up\n    expr: up\n',
    });
    expect(post.status).toBe(202);
    const page = await openAs(A, '#/rules');
    const group = page.locator('[data-group="scratch/temp"]');
    await group.waitFor();

    await group.locator('button[data-action=edit]').click();
    await page.waitForSelector('[data-testid=group-editor] .cm-content');
    await expect(page.locator('[data-testid=group-editor] .cm-content').innerText()).resolves.toContain('temp:up');
    await setEditorText(page, 'name: temp\nrules:\n  - record: temp:up:count\n    expr: count(up)\n');
    await page.click('[data-testid=save-group]');
    await page.waitForSelector('[data-group="scratch/temp"] tr[data-rule="temp:up:count"]');

    page.once('dialog', (d) => void d.accept());
    await page.locator('[data-group="scratch/temp"] button[data-action=delete]').click();
    await page.locator('[data-group="scratch/temp"]').waitFor({ state: 'detached' });
    const gone = await fetch(`${server.url}/prometheus/config/v1/rules/scratch/temp`, { headers: { 'X-Scope-OrgID': A } });
    expect(gone.status).toBe(404);
    await expect(page.locator('[data-group="team/api-alerts"]').count()).resolves.toBe(1);
    await page.close();
  });

  it("switching tenant shows none of the other tenant's metrics, rules or alerts", async () => {
    const page = await openAs(A, '#/explore');
    expect(Object.keys(await metricRows(page))).toContain('http_requests_total');

    const before = apiRequests.length;
    await selectTenant(page, B);
    expect(await metricRows(page)).toEqual({ [B_METRIC]: 2 });
    const text = await page.locator('main.page').innerText();
    for (const name of Object.keys(A_METRICS)) expect(text).not.toContain(name);
    await screenshot(page, 'pages-explore-tenant-b');

    await page.goto(`${server.url}/#/rules`);
    await page.waitForSelector('[data-testid=no-rules]');
    await expect(page.locator('main.page').innerText()).resolves.not.toContain('api-alerts');
    await screenshot(page, 'pages-rules-tenant-b');

    await page.goto(`${server.url}/#/alerts`);
    await page.waitForSelector('[data-testid=alerts] td.empty');
    await expect(page.getByTestId('firing-count').innerText()).resolves.toBe('0 firing');

    await page.goto(`${server.url}/#/explore?tab=labels&label=instance`);
    await page.waitForSelector('[data-value="b-1"]');
    const instances = await page.$$eval('.label-values a[data-value]', (as) => as.map((a) => a.getAttribute('data-value')));
    expect(instances.sort()).toEqual(['b-1', 'b-2']);

    // Every API request since the switch named tenant B, none A.
    const after = apiRequests.slice(before);
    expect(after.length).toBeGreaterThan(3);
    expect(after.filter((r) => r.tenant !== B)).toEqual([]);

    // And back: A's rules are there again.
    await selectTenant(page, A);
    await page.goto(`${server.url}/#/rules`);
    await page.waitForSelector('[data-group="team/api-alerts"]');
    await page.close();
  });

  /** The paths of the requests the browser made to Tessera's /metrics (other tenants' counters): none expected. */
  function metricsRequests(): string[] {
    return browser.requests.filter((u) => u.startsWith(`${server.url}/`) && /^\/metrics(\/|$|\?)/.test(new URL(u).pathname));
  }

  it('status page: build, limits as user_limits reports them, single process, ingestion as user_stats reports it, no /metrics', async () => {
    // Fresh samples for A, and a rate above zero: the ingester folds appends into its rate every 5 s.
    const now = Date.now();
    await server.push(A, Object.entries(A_METRICS).flatMap(([name, n]) =>
      Array.from({ length: n }, (_, i) => ({
        labels: { __name__: name, job: name === 'queue_depth' ? 'worker' : 'api', instance: `host-${i}` },
        samples: Array.from({ length: 5 }, (_, k): [number, number] => [now - (4 - k) * 1000, i + 1]),
      })),
    ));
    type UserStats = { numSeries: number; ingestionRate: number };
    const userStats = async (): Promise<UserStats> => (await getJson<{ data: UserStats }>(server.url, '/prometheus/api/v1/user_stats', [], { tenant: A })).body.data;
    await expect.poll(async () => (await userStats()).ingestionRate, { timeout: 15_000, interval: 500 }).toBeGreaterThan(0);

    // The page shows what user_stats answered when it loaded: read the API before and after the
    // page's own read and compare when no rate update fell in between (else load it again).
    const page = await openAs(A, '#/status');
    const shownValue = (key: string): Promise<number> =>
      page.locator(`[data-testid=ingestion] tr[data-key="${key}"] [data-value]`).getAttribute('data-value').then(Number);
    let compared: { api: UserStats; shown: UserStats } | undefined;
    for (let attempt = 0; attempt < 6 && compared === undefined; attempt++) {
      const before = await userStats();
      await page.reload();
      await page.waitForSelector('[data-testid=ingestion] tr[data-key="ingestion rate (samples/s)"] [data-value]');
      const shown = { numSeries: await shownValue('series in memory'), ingestionRate: await shownValue('ingestion rate (samples/s)') };
      const after = await userStats();
      if (before.ingestionRate === after.ingestionRate && before.numSeries === after.numSeries) compared = { api: after, shown };
    }
    expect(compared, 'user_stats kept changing during every page load').toBeDefined();
    expect(compared!.shown).toEqual(compared!.api);
    expect(compared!.shown.ingestionRate).toBeGreaterThan(0);
    const cell = (key: string): Promise<string> => page.locator(`[data-testid=ingestion] tr[data-key="${key}"] td:nth-child(2)`).innerText();
    expect(Number((await cell('series in memory')).replace(/,/g, ''))).toBe(compared!.api.numSeries);
    expect(await cell('ingestion rate (samples/s)')).toMatch(/^[\d,]+(\.\d\d)?$/);
    // Single process: user_stats and status/tsdb count the same head.
    const headSeries = (await getJson<{ data: TsdbStatus }>(server.url, '/prometheus/api/v1/status/tsdb', [], { tenant: A })).body.data.headStats.numSeries;
    expect(headSeries).toBe(compared!.api.numSeries);

    await page.waitForSelector('[data-testid=single-process]');
    await page.waitForSelector('[data-testid=limits] tr[data-key]');
    const limits = (await getJson<{ data: Record<string, unknown> }>(server.url, '/prometheus/api/v1/user_limits', [], { tenant: A })).body.data;
    const shown = await page.$$eval('[data-testid=limits] tr[data-key]', (trs) => Object.fromEntries(trs.map((tr) => [tr.getAttribute('data-key'), tr.children[1]!.textContent])));
    expect(shown).toEqual(Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, String(v)])));
    await expect(page.locator('[data-testid=build-info]').innerText()).resolves.toContain('version');
    await screenshot(page, 'pages-status');

    // A refresh of the figures (every 5 s) asks user_stats again, and nothing ever asked /metrics.
    await page.waitForRequest((r) => r.url().includes('/prometheus/api/v1/user_stats'), { timeout: 10_000 });
    expect(browser.requests.some((u) => u.includes('/prometheus/api/v1/user_stats'))).toBe(true);
    expect(metricsRequests()).toEqual([]);
    await page.close();
  });

  it('is usable at 390×844: no horizontal overflow on Explore, Rules, Alerts and Status', async () => {
    const page = await browser.open(`${server.url}/#/explore`, PHONE);
    await selectTenant(page, A);
    for (const [hash, ready] of [
      ['#/explore', 'table.metrics-table tbody tr[data-metric]'],
      ['#/explore?tab=cardinality', '[data-testid=top-pairs] tbody tr'],
      ['#/rules', '[data-group="team/api-alerts"]'],
      ['#/alerts', 'tr[data-alert]'],
      ['#/status', '[data-testid=limits] tr[data-key]'],
    ] as const) {
      await page.goto(`${server.url}/${hash}`);
      await page.waitForSelector(ready);
      expect({ hash, overflow: !(await hasNoHorizontalOverflow(page)) }).toEqual({ hash, overflow: false });
      await screenshot(page, `pages-phone-${hash.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}`);
    }
    await page.close();
    // No page load of the whole suite asked the process's /metrics.
    expect(metricsRequests()).toEqual([]);
  });
});
