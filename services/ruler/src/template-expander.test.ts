import { describe, expect, it } from 'vitest';
import { AlertingRule } from './alerting-rule.ts';
import { tenantTemplateExpander } from './template-expander.ts';
import { MemorySeriesStore } from './test-support.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('alert templates with @tessera/template', () => {
  it('renders labels and annotations as Prometheus does, with query reading the tenant', async () => {
    const store = new MemorySeriesStore();
    store.add('t', { __name__: 'up', job: 'api' }, [[T0 - 1000, 1]]);
    store.add('other', { __name__: 'up', job: 'secret' }, [[T0 - 1000, 7]]);
    const rule = new AlertingRule(
      {
        alert: 'Load',
        expr: 'load > 1',
        forMs: 0,
        keepFiringForMs: 0,
        labels: { team: '{{ $labels.job | toUpper }}' },
        annotations: {
          summary: '{{ $labels.job }} at {{ $value | humanize }} ({{ $externalLabels.region }}, {{ $externalURL }})',
          up: '{{ with query "up" }}{{ . | first | value }}{{ end }}',
          bad: '{{ $value | nosuchfunc }}',
          broken: '{{ "abc" | humanize }}',
        },
      },
      { externalLabels: { region: 'eu' }, externalUrl: 'http://x' },
      tenantTemplateExpander(store, 't'),
    );
    rule.restored = true;
    await rule.eval(T0, [{ labels: { __name__: 'load', job: 'api' }, value: 1234567 }], 0);
    const a = rule.activeAlerts()[0]!;
    expect(a.labels).toEqual({ alertname: 'Load', job: 'api', team: 'API' });
    expect(a.annotations.summary).toBe('api at 1.235M (eu, http://x)');
    expect(a.annotations.up).toBe('1');
    expect(a.annotations.bad).toMatch(/^<error expanding template: error parsing template __alert_Load: template: __alert_Load:1: function "nosuchfunc" not defined>$/);
    expect(a.annotations.broken).toMatch(/^<error expanding template: error executing template __alert_Load: /);
  });
});
