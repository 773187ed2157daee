import { Labels } from '@tessera/model';
import { describe, expect, it } from 'vitest';
import type { Value } from '../value.ts';
import { Engine } from './engine.ts';
import { expandTemplate } from './eval-label-functions.ts';
import { MemoryQueryable, type MemorySeries } from './memory-queryable.ts';

const MIN = 60_000;

/** A series with value f(minute) at the given minutes (default 0…10). */
function series(labels: Record<string, string>, f: (m: number) => number, minutes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]): MemorySeries {
  return { labels: Labels.fromObject(labels), ts: minutes.map((m) => m * MIN), vs: Float64Array.from(minutes, f) };
}

function samples(v: Value): Record<string, number> {
  if (v.type !== 'vector') throw new Error(`vector expected, got ${v.type}`);
  return Object.fromEntries(v.v.map((s) => [s.metric.toString(), s.v]));
}

const engine = new Engine({ enableExperimentalFunctions: true });

describe('info()', () => {
  const q = new MemoryQueryable([
    series({ __name__: 'req_total', job: 'api', instance: 'a' }, (m) => m),
    series({ __name__: 'req_total', job: 'api', instance: 'b' }, (m) => 2 * m),
    series({ __name__: 'target_info', job: 'api', instance: 'a', cluster: 'old', region: 'eu' }, () => 1, [0, 1, 2, 3, 4, 5]),
    series({ __name__: 'target_info', job: 'api', instance: 'a', cluster: 'new', region: 'eu' }, () => 1, [4, 5, 6, 7, 8, 9, 10]),
    series({ __name__: 'build_info', job: 'api', instance: 'b', version: '1.2' }, () => 1),
  ]);

  it('adds the data labels of the newest matching target_info series', () => {
    expect(samples(engine.instantQuery(q, 'info(req_total)', 5 * MIN).value)).toEqual({
      'req_total{cluster="new", instance="a", job="api", region="eu"}': 5,
      'req_total{instance="b", job="api"}': 10,
    });
  });

  it('restricts info metrics and data labels by the selector, dropping unmatched samples when a label is required', () => {
    expect(samples(engine.instantQuery(q, 'info(req_total, {__name__="build_info", version=~".+"})', 5 * MIN).value)).toEqual({
      'req_total{instance="b", job="api", version="1.2"}': 10,
    });
    expect(samples(engine.instantQuery(q, 'info(req_total, {region=~".*"})', 5 * MIN).value)).toEqual({
      'req_total{instance="a", job="api", region="eu"}': 5,
      'req_total{instance="b", job="api"}': 10,
    });
  });
});

describe('label functions', () => {
  it('expands replacements with Go regexp.Expand rules', () => {
    const groups: Record<string | number, string> = { 1: 'one', 2: 'two', name: 'N' };
    const g = (k: number | string): string | null => groups[k] ?? null;
    expect(expandTemplate('$1-$2', g)).toBe('one-two');
    expect(expandTemplate('${1}x $1x', g)).toBe('onex ');
    expect(expandTemplate('$name/${name}', g)).toBe('N/N');
    expect(expandTemplate('$$1 $ $9 $01', g)).toBe('$1 $  ');
  });

  it('label_replace fails on a bad regex or destination label', () => {
    const q = new MemoryQueryable([series({ __name__: 'm', a: 'x' }, () => 1)]);
    expect(() => engine.instantQuery(q, 'label_replace(m, "b", "$1", "a", "(")', 0)).toThrow(
      'invalid regular expression in label_replace(): (',
    );
    expect(samples(engine.instantQuery(q, 'label_replace(m, "b", "<$1>", "a", "(?P<v>.)")', 0).value)).toEqual({
      'm{a="x", b="<x>"}': 1,
    });
  });

  it('label_replace expands a group the regex does not have to nothing, as Go does', () => {
    const q = new MemoryQueryable([series({ __name__: 'm', a: 'x' }, () => 1)]);
    expect(samples(engine.instantQuery(q, 'label_replace(m, "b", "<$1|$2>", "a", "x")', 0).value)).toEqual({ 'm{a="x", b="<|>"}': 1 });
    expect(samples(engine.instantQuery(q, 'label_replace(m, "b", "$3", "a", "(x)")', 0).value)).toEqual({ 'm{a="x"}': 1 });
  });
});

describe('histogram_quantile() over classic buckets', () => {
  const q = new MemoryQueryable([
    series({ __name__: 'lat_bucket', job: 'a', le: '1' }, () => 50),
    series({ __name__: 'lat_bucket', job: 'a', le: '2' }, () => 100),
    series({ __name__: 'lat_bucket', job: 'a', le: '+Inf' }, () => 100),
    series({ __name__: 'lat_bucket', job: 'b', le: 'x' }, () => 1),
  ]);

  it('interpolates within the bucket and warns about a malformed le', () => {
    const r = engine.instantQuery(q, 'histogram_quantile(0.75, lat_bucket)', 0);
    expect(samples(r.value)).toEqual({ '{job="a"}': 1.5 });
    expect([...r.annotations.warnings]).toEqual([
      'PromQL warning: bucket label "le" is missing or has a malformed value of "x" for metric name "lat_bucket"',
    ]);
  });
});

describe('absent()', () => {
  const q = new MemoryQueryable([series({ __name__: 'up', job: 'a' }, () => 1, [0, 1, 2])]);

  it('is 1 at the steps without samples, labelled from equality matchers', () => {
    const r = engine.rangeQuery(q, 'absent(up{job="a"})', 0, 10 * MIN, 2 * MIN);
    if (r.value.type !== 'matrix') throw new Error('matrix expected');
    // The last sample at 2m is visible until just before 7m (5m lookback).
    expect(r.value.v.map((s) => [s.metric.toString(), s.ts.map((t) => t / MIN)])).toEqual([['{job="a"}', [8, 10]]]);
    expect(samples(engine.instantQuery(q, 'absent(nothing{job="a", env="prod", x=~"y", job="b"})', 0).value)).toEqual({
      '{env="prod"}': 1,
    });
  });
});
