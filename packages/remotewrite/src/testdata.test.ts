import { describe, expect, it } from 'vitest';
import { makeNodeExporterSeries } from './testdata.ts';

describe('makeNodeExporterSeries', () => {
  it('returns exactly `count` distinct series with sorted, unique label names', () => {
    for (const count of [0, 1, 7, 5000]) {
      const series = makeNodeExporterSeries(count, 42);
      expect(series).toHaveLength(count);
      const keys = new Set(series.map((ls) => JSON.stringify(ls)));
      expect(keys.size).toBe(count);
      for (const ls of series) {
        const names = ls.map(([n]) => n);
        expect(names).toEqual([...new Set(names)].sort());
        expect(ls.find(([n]) => n === '__name__')?.[1]).toMatch(/^node_[a-zA-Z0-9_]+$/);
        expect(ls.find(([n]) => n === 'job')?.[1]).toBe('node');
        expect(ls.find(([n]) => n === 'instance')?.[1]).toMatch(/^10\.\d+\.\d+\.\d+:9100$/);
      }
    }
  });

  it('is deterministic, seed-dependent, and extends a shorter run', () => {
    expect(makeNodeExporterSeries(800, 1)).toEqual(makeNodeExporterSeries(800, 1));
    expect(makeNodeExporterSeries(800, 1)).not.toEqual(makeNodeExporterSeries(800, 2));
    expect(makeNodeExporterSeries(3000, 9).slice(0, 1234)).toEqual(makeNodeExporterSeries(1234, 9));
  });

  it('looks like node_exporter: about ten labels a series, CPU-mode series dominating', () => {
    const series = makeNodeExporterSeries(10_000, 3);
    const avgLabels = series.reduce((n, ls) => n + ls.length, 0) / series.length;
    expect(avgLabels).toBeGreaterThan(8.5);
    expect(avgLabels).toBeLessThan(11);
    const cpu = series.filter((ls) => ls.some(([n, v]) => n === '__name__' && v === 'node_cpu_seconds_total'));
    expect(cpu.length / series.length).toBeGreaterThan(0.2);
    expect(cpu.every((ls) => ls.some(([n]) => n === 'cpu') && ls.some(([n]) => n === 'mode'))).toBe(true);
    const instances = new Set(series.map((ls) => ls.find(([n]) => n === 'instance')![1]));
    expect(instances.size).toBeGreaterThan(10_000 / 400);
    expect(instances.size).toBeLessThan(10_000 / 100);
  });
});
