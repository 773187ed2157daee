/**
 * End-to-end with Debian's `prometheus-alertmanager` as the external receiver: Tessera's ruler
 * posts a tenant's alerts to the Alertmanager named by `-ruler.alertmanager-url`, and another
 * tenant's to the one its runtime override `ruler_alertmanager_url` names. Each alert appears in
 * its Alertmanager's `GET /api/v2/alerts` with the rendered labels and annotations, in no other,
 * and leaves the list once the data drops (the ruler sends it resolved).
 * Skipped with a notice without the binary; failing instead when TESSERA_REQUIRE_EXTERNAL=1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerAvailable, ALERTMANAGER_BIN, startRealAlertmanager, type RealAlertmanager } from '../../services/alertmanager/src/real-alertmanager.ts';
import { freePort, makeTempDir, metricValue, push, removeDir, spawnCli, waitReady, writeTempFile, type CliProcess } from './helpers.ts';

const available = alertmanagerAvailable();
const required = process.env['TESSERA_REQUIRE_EXTERNAL'] === '1';
if (!available && !required) console.warn(`[e2e] ${ALERTMANAGER_BIN} not found: skipping the external Alertmanager test`);

const AM_CONFIG = `
route:
  receiver: 'null'
receivers:
  - name: 'null'
`;

const rules = (team: string): string => `name: load
interval: 1s
rules:
  - alert: HighLoad
    expr: load > 10
    labels:
      severity: page
      team: "{{ $labels.job }}-${team}"
    annotations:
      summary: "{{ $labels.instance }} load is {{ $value }}"
      description: 'load {{ printf "%.1f" $value }} > 10 (see {{ $externalURL }})'
`;

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  fingerprint: string;
  status: { state: string };
}

describe.skipIf(!available && !required)('alerts reach an external Alertmanager', () => {
  let am1: RealAlertmanager;
  let am2: RealAlertmanager;
  let dir: string;
  let proc: CliProcess;
  let url: string;
  let load = 5;
  let stopPushing = false;
  let pusher: Promise<void> | undefined;

  const listed = async (am: RealAlertmanager): Promise<GettableAlert[]> => (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as GettableAlert[];
  const waitUntil = async <T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms\n${proc.stderr().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  beforeAll(async () => {
    if (!available) throw new Error(`TESSERA_REQUIRE_EXTERNAL=1 but ${ALERTMANAGER_BIN} is missing`);
    am1 = await startRealAlertmanager(AM_CONFIG);
    am2 = await startRealAlertmanager(AM_CONFIG);
    dir = await makeTempDir('tessera-notify-am-');
    const runtime = await writeTempFile(dir, 'runtime.yaml', `overrides:\n  team-b:\n    ruler_alertmanager_url: ${am2.url}\n`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = spawnCli([
      '-server.http-listen-address=127.0.0.1',
      `-server.http-listen-port=${port}`,
      `-data.dir=${dir}/data`,
      '-querier.query-workers=0',
      '-ruler.poll-interval=1s',
      '-ruler.resend-delay=1s',
      '-ruler.external.url=http://tessera.example',
      `-ruler.alertmanager-url=${am1.url}`,
      `-runtime-config.file=${runtime}`,
      '-log.level=warn',
    ]);
    await waitReady(url, proc, 20_000);
    for (const tenant of ['team-a', 'team-b']) {
      const res = await fetch(`${url}/prometheus/config/v1/rules/ns`, { method: 'POST', headers: { 'X-Scope-OrgID': tenant, 'Content-Type': 'application/yaml' }, body: rules(tenant) });
      expect(res.status).toBe(202);
    }
    pusher = (async () => {
      while (!stopPushing) {
        for (const tenant of ['team-a', 'team-b']) {
          await push(url, [{ labels: { __name__: 'load', job: 'api', instance: tenant === 'team-a' ? 'a:9100' : 'b:9100' }, samples: [[Date.now(), load]] }], { tenant }).catch(() => {});
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
  }, 60_000);

  afterAll(async () => {
    stopPushing = true;
    await pusher;
    await proc?.kill();
    await am1?.stop();
    await am2?.stop();
    if (dir !== undefined) await removeDir(dir);
  });

  it('shows the firing alert with rendered labels and annotations in the tenant\'s Alertmanager only', async () => {
    load = 20;
    const a = await waitUntil('alert in the flag\'s Alertmanager', 20_000, async () => (await listed(am1))[0]);
    expect(a.labels).toEqual({ alertname: 'HighLoad', instance: 'a:9100', job: 'api', severity: 'page', team: 'api-team-a' });
    expect(a.annotations).toEqual({ summary: 'a:9100 load is 20', description: 'load 20.0 > 10 (see http://tessera.example)' });
    expect(a.status.state).toBe('active');
    expect(a.generatorURL).toMatch(/^http:\/\/tessera\.example\/.*g0\.expr=load/);
    // Prometheus's rule: a firing alert ends 4 resend delays after it was last sent.
    expect(Date.parse(a.endsAt) - Date.now()).toBeLessThan(10_000);

    const b = await waitUntil('alert in the override\'s Alertmanager', 20_000, async () => (await listed(am2))[0]);
    expect(b.labels).toEqual({ alertname: 'HighLoad', instance: 'b:9100', job: 'api', severity: 'page', team: 'api-team-b' });
    expect(b.annotations['summary']).toBe('b:9100 load is 20');
    expect((await listed(am1)).map((x) => x.labels['team'])).toEqual(['api-team-a']);
    expect((await listed(am2)).map((x) => x.labels['team'])).toEqual(['api-team-b']);
    expect(await metricValue(url, 'tessera_ruler_notifications_sent_total', { tenant: 'team-a' })).toBeGreaterThan(0);
    expect(await metricValue(url, 'tessera_ruler_notifications_errors_total', { tenant: 'team-a' })).toBe(0);
  });

  it('resolves the alert in the Alertmanager when the data drops', async () => {
    load = 1;
    await waitUntil('alert resolved', 20_000, async () => ((await listed(am1)).length === 0 && (await listed(am2)).length === 0 ? true : undefined));
  });
});
