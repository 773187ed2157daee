import { describe, expect, it } from 'vitest';
import { AlertingRule, RESOLVED_RETENTION_MS, type TemplateExpander } from './alerting-rule.ts';
import type { RuleSpec, VectorSample } from './eval-types.ts';

const S = 1000;
const M = 60 * S;
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

/** A stand-in for @tessera/template: `$labels.x` and `$value` substitution only. */
const expand: TemplateExpander = async (_name, text, data) => {
  if (text.includes('FAIL')) throw new Error('template: boom');
  return text.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_m, k: string) => data.labels[k] ?? '').replace(/\{\{\s*\$value\s*\}\}/g, String(data.value));
};

function rule(over: Partial<RuleSpec> = {}): AlertingRule {
  const spec: RuleSpec = { alert: 'HighLoad', expr: 'load > 1', forMs: 2 * M, keepFiringForMs: 0, labels: { severity: 'page' }, annotations: { summary: '{{ $labels.instance }} at {{ $value }}' }, ...over };
  const r = new AlertingRule(spec, { externalLabels: { cluster: 'eu' }, externalUrl: 'http://tessera.example' }, expand);
  r.restored = true;
  return r;
}

const hot = (value = 3, instance = 'a'): VectorSample[] => [{ labels: { __name__: 'load', instance }, value }];

describe('AlertingRule state machine', () => {
  it('goes pending, then firing after `for`, then resolved, with ALERTS samples', async () => {
    const r = rule();
    let out = await r.eval(T0, hot(), 0);
    expect(r.state()).toBe('pending');
    expect(out).toEqual([
      { labels: { alertname: 'HighLoad', instance: 'a', severity: 'page', __name__: 'ALERTS', alertstate: 'pending' }, value: 1, timestampMs: T0 },
      { labels: { alertname: 'HighLoad', instance: 'a', severity: 'page', __name__: 'ALERTS_FOR_STATE' }, value: T0 / 1000, timestampMs: T0 },
    ]);
    expect(r.activeAlerts()[0]!.annotations).toEqual({ summary: 'a at 3' });
    await r.eval(T0 + M, hot(4), 0);
    expect(r.state()).toBe('pending');
    out = await r.eval(T0 + 2 * M, hot(5), 0);
    expect(r.state()).toBe('firing');
    expect(out[0]!.labels.alertstate).toBe('firing');
    expect(r.activeAlerts()[0]).toMatchObject({ value: 5, activeAtMs: T0, firedAtMs: T0 + 2 * M, annotations: { summary: 'a at 5' } });
    out = await r.eval(T0 + 3 * M, [], 0);
    expect(out).toEqual([]);
    expect(r.state()).toBe('inactive');
    expect(r.activeAlerts()).toEqual([]);
    expect(r.allAlerts()[0]).toMatchObject({ state: 'inactive', resolvedAtMs: T0 + 3 * M });
  });

  it('fires at once without `for`, and drops a pending alert that disappears', async () => {
    const r = rule({ forMs: 0 });
    await r.eval(T0, hot(), 0);
    expect(r.state()).toBe('firing');
    const p = rule();
    await p.eval(T0, hot(), 0);
    await p.eval(T0 + M, [], 0);
    expect(p.allAlerts()).toEqual([]);
  });

  it('keeps firing for keep_firing_for after the condition stops', async () => {
    const r = rule({ forMs: 0, keepFiringForMs: 5 * M });
    await r.eval(T0, hot(), 0);
    await r.eval(T0 + M, [], 0);
    expect(r.state()).toBe('firing');
    expect(r.activeAlerts()[0]!.keepFiringSinceMs).toBe(T0 + M);
    await r.eval(T0 + 5 * M, [], 0);
    expect(r.state()).toBe('firing');
    await r.eval(T0 + 6 * M, [], 0);
    expect(r.state()).toBe('inactive');
    // Back within the window: the hold is reset.
    const k = rule({ forMs: 0, keepFiringForMs: 5 * M });
    await k.eval(T0, hot(), 0);
    await k.eval(T0 + M, [], 0);
    await k.eval(T0 + 2 * M, hot(), 0);
    expect(k.activeAlerts()[0]!.keepFiringSinceMs).toBe(0);
  });

  it('drops resolved alerts after the retention, and restarts a returning label set as pending', async () => {
    const r = rule({ forMs: 0 });
    await r.eval(T0, hot(), 0);
    await r.eval(T0 + M, [], 0);
    await r.eval(T0 + M + RESOLVED_RETENTION_MS, [], 0);
    expect(r.allAlerts()).toHaveLength(1);
    await r.eval(T0 + 2 * M + RESOLVED_RETENTION_MS, [], 0);
    expect(r.allAlerts()).toHaveLength(0);
    const q = rule();
    await q.eval(T0, hot(), 0);
    await q.eval(T0 + 2 * M, hot(), 0);
    await q.eval(T0 + 3 * M, [], 0);
    await q.eval(T0 + 4 * M, hot(), 0);
    expect(q.activeAlerts()[0]).toMatchObject({ state: 'pending', activeAtMs: T0 + 4 * M });
  });

  it('renders labels (empty removes), sets alertname, and shows template errors as values', async () => {
    const r = rule({ labels: { severity: 'page', instance: '', who: '{{ $labels.instance }}' }, annotations: { bad: 'FAIL' } });
    await r.eval(T0, hot(), 0);
    const a = r.activeAlerts()[0]!;
    expect(a.labels).toEqual({ alertname: 'HighLoad', severity: 'page', who: 'a' });
    expect(a.annotations.bad).toBe('<error expanding template: template: boom>');
  });

  it('refuses duplicate label sets and alerts over the limit', async () => {
    const r = rule({ labels: { instance: 'same' } });
    await expect(r.eval(T0, [...hot(1, 'a'), ...hot(2, 'b')], 0)).rejects.toThrow(/same labelset after applying alert labels/);
    const l = rule();
    await expect(l.eval(T0, [...hot(1, 'a'), ...hot(2, 'b')], 1)).rejects.toThrow('exceeded limit of 1 with 2 alerts');
    expect(l.allAlerts()).toEqual([]);
  });

  it('writes no ALERTS samples until the for state is restored', async () => {
    const r = rule();
    r.restored = false;
    expect(await r.eval(T0, hot(), 0)).toEqual([]);
  });
});

describe('AlertingRule resend rules', () => {
  const resend = M;
  const interval = 15 * S;
  it('never sends pending alerts; sends firing ones once per resend delay, valid for 4 × max(delay, interval)', async () => {
    const r = rule({ forMs: 30 * S });
    await r.eval(T0, hot(), 0);
    expect(r.alertsToSend(T0, resend, interval, 'http://x')).toEqual([]);
    await r.eval(T0 + 30 * S, hot(), 0);
    const sent = r.alertsToSend(T0 + 30 * S, resend, interval, 'http://tessera.example');
    expect(sent).toEqual([
      {
        labels: { cluster: 'eu', alertname: 'HighLoad', instance: 'a', severity: 'page' },
        annotations: { summary: 'a at 3' },
        startsAt: '2026-01-01T00:00:30Z',
        endsAt: '2026-01-01T00:04:30Z',
        generatorURL: 'http://tessera.example/graph?g0.expr=load+%3E+1&g0.tab=1',
      },
    ]);
    // Every evaluation within the resend delay: nothing; after it: again.
    for (let t = T0 + 45 * S; t <= T0 + 90 * S; t += interval) {
      await r.eval(t, hot(), 0);
      expect(r.alertsToSend(t, resend, interval, 'http://x')).toEqual([]);
    }
    await r.eval(T0 + 105 * S, hot(), 0);
    expect(r.alertsToSend(T0 + 105 * S, resend, interval, 'http://x')).toHaveLength(1);
  });

  it('sends a resolution at once, then every resend delay until dropped after 15 minutes', async () => {
    const r = rule({ forMs: 0 });
    await r.eval(T0, hot(), 0);
    expect(r.alertsToSend(T0, resend, interval, 'http://x')).toHaveLength(1);
    await r.eval(T0 + interval, [], 0);
    const resolved = r.alertsToSend(T0 + interval, resend, interval, 'http://x');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.endsAt).toBe('2026-01-01T00:00:15Z');
    let sends = 1;
    for (let t = T0 + 2 * interval; t <= T0 + interval + RESOLVED_RETENTION_MS + 2 * interval; t += interval) {
      await r.eval(t, [], 0);
      sends += r.alertsToSend(t, resend, interval, 'http://x').length;
    }
    // "More than the resend delay ago" at 15s evaluations is every 75s: at 15s, 90s, …, 915s
    // (15 minutes after the resolution), then the alert is dropped.
    expect(sends).toBe(13);
    expect(r.allAlerts()).toEqual([]);
  });
});
