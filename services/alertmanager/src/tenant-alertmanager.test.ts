import { describe, expect, it } from 'vitest';
import { parseAlertmanagerConfig } from './config.ts';
import { firing, harness, resolved, T0 } from './test-support.ts';

const S = 1000;
const M = 60 * S;

const BASE = `
route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: team
    webhook_configs:
      - url: http://hook.example/team
`;

describe('aggregation group timing', () => {
  it('waits group_wait, then batches alerts of the group into one notification', async () => {
    const { am, clock, sent } = harness(BASE);
    am.receive([firing({ alertname: 'High', instance: 'a' }, clock.now())]);
    await clock.advance(10 * S);
    am.receive([firing({ alertname: 'High', instance: 'b' }, clock.now())]);
    await clock.advance(19 * S);
    expect(sent).toHaveLength(0);
    await clock.advance(1 * S);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.at).toBe(T0 + 30 * S);
    expect(sent[0]!.body.alerts.map((a) => a.labels['instance'])).toEqual(['a', 'b']);
    expect(sent[0]!.body.groupLabels).toEqual({ alertname: 'High' });
  });

  it('separates groups by the group_by labels, each with its own key', async () => {
    const { am, clock, sent } = harness(BASE);
    am.receive([firing({ alertname: 'High' }, clock.now()), firing({ alertname: 'Low' }, clock.now())]);
    await clock.advance(30 * S);
    expect(sent.map((s) => s.body.groupKey).sort()).toEqual(['{}:{alertname="High"}', '{}:{alertname="Low"}']);
  });

  it('notifies a new alert at the next group_interval tick, not before', async () => {
    const { am, clock, sent } = harness(BASE);
    am.receive([firing({ alertname: 'High', instance: 'a' }, clock.now())]);
    await clock.advance(30 * S);
    expect(sent).toHaveLength(1);
    await clock.advance(1 * M);
    am.receive([firing({ alertname: 'High', instance: 'b' }, clock.now())]);
    await clock.advance(3 * M + 59 * S);
    expect(sent).toHaveLength(1);
    await clock.advance(1 * S);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.at).toBe(T0 + 30 * S + 5 * M);
    expect(sent[1]!.body.alerts).toHaveLength(2);
  });

  it('repeats an unchanged group only after repeat_interval (at the following tick)', async () => {
    const yaml = BASE.replace('repeat_interval: 4h', 'repeat_interval: 12m');
    const { am, clock, sent } = harness(yaml);
    const labels = { alertname: 'High' };
    for (let t = 0; t < 30; t++) {
      // the ruler re-sends every minute
      am.receive([firing(labels, clock.now())]);
      await clock.advance(1 * M);
    }
    // first at 30s; ticks at 5m30s, 10m30s (not yet 12m), 15m30s (repeat), 20m30s, 25m30s, 30m30s (>12m after 15m30s? no)
    expect(sent.map((s) => (s.at - T0) / S)).toEqual([30, 930]);
  });

  it('sends a resolved notification at the next tick, then forgets the group', async () => {
    const { am, clock, sent } = harness(BASE);
    const labels = { alertname: 'High', instance: 'a' };
    am.receive([firing(labels, clock.now())]);
    await clock.advance(30 * S);
    await clock.advance(1 * M);
    am.receive([resolved(labels, T0, clock.now())]);
    await clock.advance(4 * M);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body.status).toBe('resolved');
    expect(sent[1]!.body.alerts[0]!.status).toBe('resolved');
    expect(sent[1]!.body.alerts[0]!.endsAt).toBe(new Date(T0 + 90 * S).toISOString().replace('.000', ''));
    expect(am.groups()).toHaveLength(0);
    await clock.advance(60 * M);
    expect(sent).toHaveLength(2);
  });

  it('with send_resolved: false, sends no resolved notification (but a later firing one is new)', async () => {
    const { am, clock, sent } = harness(BASE.replace('url: http://hook.example/team', 'url: http://hook.example/team\n        send_resolved: false'));
    const labels = { alertname: 'High' };
    am.receive([firing(labels, clock.now())]);
    await clock.advance(30 * S);
    am.receive([resolved(labels, T0, clock.now())]);
    await clock.advance(10 * M);
    expect(sent).toHaveLength(1);
    am.receive([firing(labels, clock.now())]);
    await clock.advance(30 * S);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body.status).toBe('firing');
  });

  it('flushes at once an alert that started more than group_wait ago', async () => {
    const { am, clock, sent } = harness(BASE);
    am.receive([firing({ alertname: 'Old' }, clock.now(), {}, 10 * M)]);
    await clock.advance(0);
    expect(sent).toHaveLength(1);
  });

  it('never notifies an alert that is already resolved when it arrives', async () => {
    const { am, clock, sent } = harness(BASE);
    am.receive([resolved({ alertname: 'Gone' }, T0 - 10 * M, T0 - M)]);
    await clock.advance(10 * M);
    expect(sent).toHaveLength(0);
  });
});

describe('routing', () => {
  const TREE = `
route:
  receiver: default
  group_by: ['...']
  group_wait: 10s
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
      group_by: [alertname]
    - match_re: { team: "db|storage" }
      receiver: db
      routes:
        - match: { env: dev }
          receiver: devnull
receivers:
  - name: default
    webhook_configs: [{ url: 'http://hook.example/default' }]
  - name: pager
    webhook_configs: [{ url: 'http://hook.example/pager' }]
  - name: db
    webhook_configs: [{ url: 'http://hook.example/db' }, { url: 'http://hook.example/db2', max_alerts: 1 }]
  - name: devnull
`;
  it.each([
    [{ alertname: 'A' }, ['http://hook.example/default']],
    // a matching child replaces its parent; continue goes on to the siblings
    [{ alertname: 'A', severity: 'critical' }, ['http://hook.example/pager']],
    [{ alertname: 'A', severity: 'critical', team: 'db' }, ['http://hook.example/db', 'http://hook.example/db2', 'http://hook.example/pager']],
    [{ alertname: 'A', team: 'storage' }, ['http://hook.example/db', 'http://hook.example/db2']],
    [{ alertname: 'A', team: 'dbx' }, ['http://hook.example/default']],
    [{ alertname: 'A', team: 'db', env: 'dev' }, []],
  ])('%j goes to %j', async (labels, urls) => {
    const { am, clock, sent } = harness(TREE);
    am.receive([firing(labels, clock.now())]);
    await clock.advance(10 * S);
    expect(sent.map((s) => s.url).sort()).toEqual(urls);
  });

  it('groups by every label with "..." and names the route in the group key', async () => {
    const { am, clock, sent } = harness(TREE);
    am.receive([firing({ alertname: 'A', x: '1' }, clock.now()), firing({ alertname: 'A', x: '2' }, clock.now())]);
    am.receive([firing({ alertname: 'A', severity: 'critical', x: '1' }, clock.now()), firing({ alertname: 'A', severity: 'critical', x: '2' }, clock.now())]);
    await clock.advance(10 * S);
    const keys = sent.map((s) => s.body.groupKey).sort();
    expect(keys).toEqual(['{}/{severity="critical"}:{alertname="A"}', '{}:{alertname="A", x="1"}', '{}:{alertname="A", x="2"}']);
    const pager = sent.find((s) => s.url.endsWith('/pager'))!;
    expect(pager.body.alerts).toHaveLength(2);
    expect(pager.body.commonLabels).toEqual({ alertname: 'A', severity: 'critical' });
  });

  it('truncates to max_alerts and counts the rest', async () => {
    const { am, clock, sent } = harness(TREE.replace("group_by: ['...']", 'group_by: [team]'));
    am.receive([firing({ alertname: 'A', team: 'db', instance: '2' }, clock.now()), firing({ alertname: 'A', team: 'db', instance: '1' }, clock.now())]);
    await clock.advance(10 * S);
    const db2 = sent.find((s) => s.url.endsWith('/db2'))!;
    expect(db2.body.alerts.map((a) => a.labels['instance'])).toEqual(['1']);
    expect(db2.body.truncatedAlerts).toBe(1);
    expect(sent.find((s) => s.url.endsWith('/db'))!.body.truncatedAlerts).toBe(0);
  });
});

describe('inhibition', () => {
  const INHIBIT = `
route:
  receiver: r
  group_by: [alertname, cluster]
  group_wait: 10s
  group_interval: 1m
receivers:
  - name: r
    webhook_configs: [{ url: 'http://hook.example/r' }]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
`;
  it('mutes targets while a source with equal labels fires, and lets them through once it resolves', async () => {
    const { am, clock, sent } = harness(INHIBIT);
    am.receive([
      firing({ alertname: 'Down', severity: 'critical', cluster: 'eu' }, clock.now()),
      firing({ alertname: 'Slow', severity: 'warning', cluster: 'eu' }, clock.now()),
      firing({ alertname: 'Slow', severity: 'warning', cluster: 'us' }, clock.now()),
    ]);
    await clock.advance(10 * S);
    expect(sent.map((s) => s.body.groupKey).sort()).toEqual(['{}:{alertname="Down", cluster="eu"}', '{}:{alertname="Slow", cluster="us"}']);
    const listed = am.listAlerts().find((a) => a.labels['alertname'] === 'Slow' && a.labels['cluster'] === 'eu')!;
    expect(listed.status.state).toBe('suppressed');
    expect(listed.status.inhibitedBy).toHaveLength(1);

    am.receive([resolved({ alertname: 'Down', severity: 'critical', cluster: 'eu' }, T0, clock.now())]);
    am.receive([firing({ alertname: 'Slow', severity: 'warning', cluster: 'eu' }, clock.now())]);
    await clock.advance(1 * M);
    expect(sent.filter((s) => s.body.groupKey === '{}:{alertname="Slow", cluster="eu"}')).toHaveLength(1);
  });

  it('does not let an alert matching both sides inhibit itself', async () => {
    const { am, clock, sent } = harness(INHIBIT.replace('target_matchers: [severity="warning"]', 'target_matchers: [cluster="eu"]'));
    am.receive([firing({ alertname: 'Down', severity: 'critical', cluster: 'eu' }, clock.now())]);
    await clock.advance(10 * S);
    expect(sent).toHaveLength(1);
  });
});

describe('delivery failures', () => {
  it('retries a retryable failure with backoff within the group interval, and counts it', async () => {
    const { am, clock, sent, failures, registry } = harness(BASE);
    failures.set('http://hook.example/team', { count: 2, retry: true });
    am.receive([firing({ alertname: 'High' }, clock.now())]);
    await clock.advance(30 * S);
    await clock.advance(5 * S);
    // attempts at 30s, +0.5s, +0.75s (backoff 500ms×1.5^n with jitter factor 1 here)
    expect(sent.map((s) => s.at - T0)).toEqual([30_000, 30_500, 31_250]);
    const text = await registry.metrics();
    expect(text).toMatch(/tessera_alertmanager_notification_requests_failed_total\{tenant="team-a",integration="webhook"\} 2/);
    expect(text).toMatch(/tessera_alertmanager_notifications_total\{tenant="team-a",integration="webhook"\} 1/);
    expect(text).toMatch(/tessera_alertmanager_notifications_failed_total\{tenant="team-a",integration="webhook",reason="serverError"\} 0/);
  });

  it('gives up on a non-retryable failure and tries again at the next tick', async () => {
    const { am, clock, sent, failures, registry } = harness(BASE);
    failures.set('http://hook.example/team', { count: 1, retry: false });
    am.receive([firing({ alertname: 'High' }, clock.now())]);
    await clock.advance(30 * S);
    expect(sent).toHaveLength(1);
    expect(await registry.metrics()).toMatch(/tessera_alertmanager_notifications_failed_total\{tenant="team-a",integration="webhook",reason="clientError"\} 1/);
    await clock.advance(2 * M);
    am.receive([firing({ alertname: 'High' }, clock.now())]); // the ruler re-sends
    await clock.advance(3 * M);
    expect(sent).toHaveLength(2);
  });
});

describe('configuration reload', () => {
  it('routes known alerts through the new tree without repeating what was already sent', async () => {
    const { am, clock, sent } = harness(BASE);
    am.receive([firing({ alertname: 'High' }, clock.now())]);
    await clock.advance(30 * S);
    expect(sent).toHaveLength(1);
    // Same tree again: the notification log remembers the group, nothing is repeated.
    am.applyConfig(parseAlertmanagerConfig(BASE));
    am.receive([firing({ alertname: 'High' }, clock.now())]);
    await clock.advance(1 * M);
    expect(sent).toHaveLength(1);
    // A new receiver has never been told: it is notified. (As in Alertmanager, the log is per
    // receiver name and integration position, so a changed URL alone would not re-notify.)
    am.applyConfig(parseAlertmanagerConfig(BASE.replace('http://hook.example/team', 'http://hook.example/other').replaceAll('team', 'other')));
    am.receive([firing({ alertname: 'High' }, clock.now())]);
    await clock.advance(1 * M);
    expect(sent.map((s) => s.url)).toEqual(['http://hook.example/team', 'http://hook.example/other']);
  });
});
