import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createLogger } from '@tessera/server';
import type { OutgoingAlert } from './alert-sender.ts';
import type { TemplateExpander } from './alerting-rule.ts';
import type { GroupSpec } from './eval-types.ts';
import { FakeClock } from './fake-clock.ts';
import { groupKey } from './group-evaluator.ts';
import { createRulerMetrics } from './metrics.ts';
import { RulerManager, groupOffset } from './ruler-manager.ts';
import { MemorySeriesStore } from './test-support.ts';

const S = 1000;
const M = 60 * S;
const T0 = Date.UTC(2026, 0, 1);
const logger = createLogger({ level: 'error' });
const expand: TemplateExpander = async (_n, text, data) => text.replace('{{ $value }}', String(data.value));

function group(over: Partial<GroupSpec> = {}): GroupSpec {
  return {
    tenant: 'team-a',
    namespace: 'ns',
    name: 'g',
    intervalMs: 10 * S,
    queryOffsetMs: 0,
    limit: 0,
    rules: [
      { record: 'job:load:sum', expr: 'sum by (job) (load)', forMs: 0, keepFiringForMs: 0, labels: { src: 'rule' }, annotations: {} },
      { alert: 'HighLoad', expr: 'job:load:sum > 10', forMs: 30 * S, keepFiringForMs: 0, labels: { severity: 'page' }, annotations: { v: '{{ $value }}' } },
    ],
    ...over,
  };
}

function setup(opts: { groups: GroupSpec[]; store?: MemorySeriesStore; clock?: FakeClock; forGracePeriodMs?: number }) {
  const clock = opts.clock ?? new FakeClock(T0);
  const store = opts.store ?? new MemorySeriesStore();
  const sent: { tenant: string; alerts: OutgoingAlert[]; at: number }[] = [];
  const source = { groups: opts.groups, loadAll: async () => source.groups };
  const manager = new RulerManager({
    source,
    clock,
    logger,
    pollIntervalMs: M,
    deps: {
      query: store,
      writer: store,
      sender: { send: (tenant, alerts) => sent.push({ tenant, alerts: [...alerts], at: clock.now() }) },
      expand: () => expand,
      template: { externalLabels: {}, externalUrl: 'http://t' },
      logger,
      metrics: createRulerMetrics(new Registry()),
      resendDelayMs: M,
      outageToleranceMs: 60 * M,
      forGracePeriodMs: opts.forGracePeriodMs ?? 10 * S,
    },
  });
  return { clock, store, sent, source, manager };
}

/** Load of job "api" over 20 from `from` on, every 5s until `to`. */
function pushLoad(store: MemorySeriesStore, from: number, to: number, value = 20): void {
  const pts: [number, number][] = [];
  for (let t = from; t <= to; t += 5 * S) pts.push([t, value]);
  store.add('team-a', { __name__: 'load', job: 'api', instance: 'a' }, pts);
}

describe('RulerManager', () => {
  it('evaluates on aligned times, records series, fires after `for` and notifies once per resend delay', async () => {
    const { clock, store, sent, manager } = setup({ groups: [group()] });
    pushLoad(store, T0 - M, T0 + 10 * M);
    await manager.start();
    await clock.advance(2 * M);
    const offset = groupOffset(groupKey('team-a', 'ns', 'g'), 10 * S);
    const recorded = store.points('team-a', { __name__: 'job:load:sum', job: 'api', src: 'rule' });
    expect(recorded.length).toBe(12);
    for (const [t, v] of recorded) {
      expect(((t - T0) % (10 * S) + 10 * S) % (10 * S)).toBe(offset);
      expect(v).toBe(20);
    }
    // Pending for 30s from the first evaluation, then firing. ALERTS are written from the second
    // evaluation on (the first one's state is what a restore would replace); the pending series
    // ends with a staleness marker when the alert fires.
    const first = recorded[0]![0];
    const labels = { alertname: 'HighLoad', job: 'api', severity: 'page', src: 'rule' };
    expect(store.points('team-a', { __name__: 'ALERTS', ...labels, alertstate: 'pending' })).toEqual([
      [first + 10 * S, 1],
      [first + 20 * S, 1],
      [first + 30 * S, 'stale'],
    ]);
    expect(store.points('team-a', { __name__: 'ALERTS', ...labels, alertstate: 'firing' })[0]).toEqual([first + 30 * S, 1]);
    expect(store.points('team-a', { __name__: 'ALERTS_FOR_STATE', ...labels })[0]).toEqual([first + 10 * S, Math.floor(first / 1000)]);
    expect(sent.length).toBe(2); // at firing, then again once more than 1m had passed
    expect(sent[0]!.alerts[0]!.labels).toEqual({ alertname: 'HighLoad', job: 'api', severity: 'page', src: 'rule' });
    expect(sent[0]!.alerts[0]!.annotations).toEqual({ v: '20' });
    expect(sent[1]!.at - sent[0]!.at).toBe(70 * S);
    const [g] = manager.groups('team-a');
    expect(g!.rules.map((r) => r.health)).toEqual(['ok', 'ok']);
    expect(g!.rules[1]!.alerting!.state()).toBe('firing');
    await manager.stop();
  });

  it('keeps alert state across a changed group, ends series of a removed group with staleness markers', async () => {
    const { clock, store, source, manager } = setup({ groups: [group()] });
    pushLoad(store, T0 - M, T0 + 10 * M);
    await manager.start();
    await clock.advance(M);
    const before = manager.groups('team-a')[0]!.rules[1]!.alerting!.activeAlerts()[0]!;
    expect(before.state).toBe('firing');
    const changed = group();
    changed.rules[1] = { ...changed.rules[1]!, annotations: { v: 'now {{ $value }}' } };
    source.groups = [changed];
    await manager.requestSync();
    await clock.advance(20 * S);
    const after = manager.groups('team-a')[0]!.rules[1]!.alerting!.activeAlerts()[0]!;
    expect(after).toMatchObject({ state: 'firing', activeAtMs: before.activeAtMs, annotations: { v: 'now 20' } });

    source.groups = [];
    await manager.requestSync();
    expect(manager.groups('team-a')).toEqual([]);
    const rec = store.points('team-a', { __name__: 'job:load:sum', job: 'api', src: 'rule' });
    expect(rec[rec.length - 1]![1]).toBe('stale');
    const firing = store.points('team-a', { __name__: 'ALERTS', alertname: 'HighLoad', job: 'api', severity: 'page', src: 'rule', alertstate: 'firing' });
    expect(firing[firing.length - 1]![1]).toBe('stale');
    const n = store.writes.length;
    await clock.advance(M);
    expect(store.writes.length).toBe(n); // no longer evaluated
    await manager.stop();
  });

  it('writes a staleness marker when a recorded series disappears', async () => {
    const { clock, store, manager } = setup({ groups: [group({ rules: [group().rules[0]!] })] });
    pushLoad(store, T0 - M, T0 + 20 * S);
    await manager.start();
    await clock.advance(10 * M);
    const pts = store.points('team-a', { __name__: 'job:load:sum', job: 'api', src: 'rule' });
    // The input goes stale 5m after its last sample; the recorded series ends with one marker.
    expect(pts[pts.length - 1]![1]).toBe('stale');
    expect(pts.filter(([, v]) => v === 'stale')).toHaveLength(1);
    await manager.stop();
  });

  it('restores the `for` state after a restart from ALERTS_FOR_STATE', async () => {
    const forGroup = group({ rules: [{ alert: 'Slow', expr: 'load > 10', forMs: 5 * M, keepFiringForMs: 0, labels: {}, annotations: {} }] });
    const store = new MemorySeriesStore();
    pushLoad(store, T0 - M, T0 + 60 * M);
    const clock = new FakeClock(T0);
    const a = setup({ groups: [forGroup], store, clock, forGracePeriodMs: M });
    await a.manager.start();
    await clock.advance(2 * M); // pending for ~2 minutes
    const activeAt = a.manager.groups('team-a')[0]!.rules[0]!.alerting!.activeAlerts()[0]!.activeAtMs;
    await a.manager.stop();
    await clock.advance(3 * M); // down for 3 minutes

    const b = setup({ groups: [forGroup], store, clock, forGracePeriodMs: M });
    await b.manager.start();
    await clock.advance(10 * S);
    const restored = b.manager.groups('team-a')[0]!.rules[0]!.alerting!.activeAlerts()[0]!;
    // The ~2 minutes spent pending count; the outage does not: ~3 minutes to go.
    expect(restored.state).toBe('pending');
    expect(restored.activeAtMs).toBeGreaterThan(activeAt + 3 * M - 20 * S);
    expect(restored.activeAtMs).toBeLessThanOrEqual(activeAt + 3 * M + 10 * S);
    await clock.advance(2 * M);
    expect(b.manager.groups('team-a')[0]!.rules[0]!.alerting!.state()).toBe('pending');
    await clock.advance(M + 20 * S);
    expect(b.manager.groups('team-a')[0]!.rules[0]!.alerting!.state()).toBe('firing');
    await b.manager.stop();
  });

  it('does not restore an alert that had resolved before the restart', async () => {
    const forGroup = group({ rules: [{ alert: 'Slow', expr: 'load > 10', forMs: 5 * M, keepFiringForMs: 0, labels: {}, annotations: {} }] });
    const store = new MemorySeriesStore();
    pushLoad(store, T0 - M, T0 + 2 * M, 20);
    pushLoad(store, T0 + 2 * M + 5 * S, T0 + 3 * M, 1); // condition false: the pending alert is dropped
    pushLoad(store, T0 + 3 * M + 5 * S, T0 + 60 * M, 20);
    const clock = new FakeClock(T0);
    const a = setup({ groups: [forGroup], store, clock, forGracePeriodMs: M });
    await a.manager.start();
    await clock.advance(2 * M + 40 * S);
    expect(a.manager.groups('team-a')[0]!.rules[0]!.alerting!.activeAlerts()).toEqual([]);
    await a.manager.stop();
    await clock.advance(50 * S);
    const b = setup({ groups: [forGroup], store, clock, forGracePeriodMs: M });
    await b.manager.start();
    await clock.advance(10 * S);
    const alert = b.manager.groups('team-a')[0]!.rules[0]!.alerting!.activeAlerts()[0]!;
    expect(alert.activeAtMs).toBe(b.manager.groups('team-a')[0]!.lastEvaluationMs);
    await b.manager.stop();
  });

  it('shows evaluation errors on the rule and keeps evaluating the others', async () => {
    const bad = group({ rules: [{ record: 'x', expr: 'load{', forMs: 0, keepFiringForMs: 0, labels: {}, annotations: {} }, group().rules[0]!] });
    const { clock, store, manager } = setup({ groups: [bad] });
    pushLoad(store, T0 - M, T0 + M);
    await manager.start();
    await clock.advance(20 * S);
    const [r0, r1] = manager.groups('team-a')[0]!.rules;
    expect(r0!.health).toBe('err');
    expect(r0!.lastError).not.toBe('');
    expect(r0!.lastEvaluationMs).toBeGreaterThan(0);
    expect(r1!.health).toBe('ok');
    await manager.stop();
  });

  it('reloads one tenant after an API change, and counts iterations missed by a slow evaluation', async () => {
    const { clock, store, source, manager } = setup({ groups: [group()] });
    const loads: string[] = [];
    const all = source.loadAll;
    Object.assign(source, {
      loadAll: async () => (loads.push('*'), all()),
      loadTenant: async (t: string) => (loads.push(t), source.groups.filter((g) => g.tenant === t)),
    });
    pushLoad(store, T0 - M, T0 + 10 * M);
    await manager.start();
    source.groups = [group(), group({ tenant: 'team-b' })];
    await manager.requestSync('team-b');
    expect(loads).toEqual(['*', 'team-b']);
    expect(manager.groups('team-b')).toHaveLength(1);
    expect(manager.groups('team-a')).toHaveLength(1);

    // An evaluation that takes 25 s of a 10 s interval skips two ticks and keeps the alignment.
    const g = manager.groups('team-a')[0]!;
    const stamps: number[] = [];
    const evaluate = g.evaluate.bind(g);
    let slow = true;
    g.evaluate = async (ts: number) => {
      stamps.push(ts);
      if (slow) {
        slow = false;
        await new Promise<void>((r) => clock.setTimeout(r, 25 * S));
      }
      return evaluate(ts);
    };
    await clock.advance(60 * S);
    expect(stamps[1]! - stamps[0]!).toBe(30 * S);
    expect(stamps[2]! - stamps[1]!).toBe(10 * S);
    await manager.stop();
  });
});
