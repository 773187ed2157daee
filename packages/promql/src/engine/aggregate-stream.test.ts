import { Labels, seededRandom as rng } from '@tessera/model';
import { describe, expect, it } from 'vitest';
import { STALE_NAN_HI, STALE_NAN_LO, type Value } from '../value.ts';
import { Engine } from './engine.ts';
import { MemoryQueryable, type MemorySeries } from './memory-queryable.ts';

const SEC = 1000;
const MIN = 60 * SEC;

/**
 * Series of two metrics over 2 h at jittered 15 s scrapes: counters with resets, gaps and a
 * staleness marker, and gauges with NaN, ±Inf, −0 and huge values (so sums and means overflow).
 */
function dataset(seed: number): MemorySeries[] {
  const r = rng(seed);
  const out: MemorySeries[] = [];
  for (const name of ['req_total', 'temp']) {
    for (let i = 0; i < 24; i++) {
      const ts: number[] = [];
      const vals: (number | 'stale')[] = [];
      let c = Math.floor(r() * 100);
      for (let t = Math.floor(r() * 15 * SEC); t < 2 * 60 * MIN; t += 15 * SEC + Math.floor((r() - 0.5) * 4 * SEC)) {
        if (i % 5 === 1 && t > 40 * MIN && t < 55 * MIN) continue; // a gap
        const x = r();
        if (name === 'req_total') {
          c = x < 0.02 ? Math.floor(r() * 10) : c + Math.floor(x * 50); // resets now and then
          vals.push(i === 3 && x > 0.97 ? 'stale' : c);
        } else {
          const special = [NaN, Infinity, -Infinity, -0, 1.7e308, -1.7e308];
          vals.push(x < 0.05 && i % 4 === 0 ? special[Math.floor(r() * special.length)]! : 20 + 10 * Math.sin(t / 600_000) + x);
        }
        ts.push(t);
      }
      const vs = new Float64Array(vals.length);
      const words = new Uint32Array(vs.buffer);
      vals.forEach((v, k) => {
        if (v === 'stale') {
          words[2 * k] = STALE_NAN_LO;
          words[2 * k + 1] = STALE_NAN_HI;
        } else vs[k] = v;
      });
      out.push({ labels: Labels.fromObject({ __name__: name, g: `g${i % 4}`, h: `h${i % 3}`, i: `i${i}` }), ts, vs });
    }
  }
  return out;
}

/** A result as comparable data: labels, timestamps and values (Object.is keeps −0 and NaN apart). */
function flat(v: Value): unknown {
  if (v.type === 'matrix') return v.v.map((s) => [s.metric.toString(), s.ts, s.vs.map((x) => (Object.is(x, -0) ? '-0' : x))]);
  if (v.type === 'vector') return v.v.map((s) => [s.metric.toString(), s.t, Object.is(s.v, -0) ? '-0' : s.v]);
  return v;
}

describe('streamed aggregation of range functions', () => {
  const q = new MemoryQueryable(dataset(7));
  const engine = new Engine();
  const ops = ['sum', 'count', 'min', 'max', 'group', 'avg'];
  const groupings = ['by (g)', 'without (i)', 'by (g, h)', '', 'by (__name__, g)'];
  const inners = ['rate(req_total[5m])', 'increase(req_total[10m] offset 1m)', 'avg_over_time(temp[5m])', 'last_over_time({__name__=~".+"}[2m])', 'max_over_time(temp[1m:15s])'];

  // The reference: the same inner call behind a label_replace that changes nothing, which is not streamed.
  const unstreamed = (inner: string): string => `label_replace(${inner}, "unused", "", "no_such_label", "x")`;

  it.each(ops.flatMap((op) => groupings.flatMap((g) => inners.map((inner) => [op, g, inner] as const))))(
    '%s %s (%s) equals the unstreamed evaluation',
    (op, grouping, inner) => {
      const streamed = engine.rangeQuery(q, `${op} ${grouping} (${inner})`, 10 * MIN, 110 * MIN, 30 * SEC);
      const reference = engine.rangeQuery(q, `${op} ${grouping} (${unstreamed(inner)})`, 10 * MIN, 110 * MIN, 30 * SEC);
      expect(flat(streamed.value)).toEqual(flat(reference.value));
      expect(streamed.stats.totalSamples).toBe(reference.stats.totalSamples);
      expect([...streamed.annotations.infos]).toEqual([...reference.annotations.infos]);
      const instant = engine.instantQuery(q, `${op} ${grouping} (${inner})`, 77 * MIN);
      expect(flat(instant.value)).toEqual(flat(engine.instantQuery(q, `${op} ${grouping} (${unstreamed(inner)})`, 77 * MIN).value));
    },
  );

  it('counts the call result as held, as the unstreamed evaluation does', () => {
    // sum(rate(x)) holds the rate result (one point per series and step) before aggregating it.
    const r = engine.rangeQuery(q, 'sum(rate(req_total[5m]))', 10 * MIN, 110 * MIN, 30 * SEC);
    const inner = engine.rangeQuery(q, 'rate(req_total[5m])', 10 * MIN, 110 * MIN, 30 * SEC);
    const points = inner.value.type === 'matrix' ? inner.value.v.reduce((n, s) => n + s.ts.length, 0) : 0;
    expect(r.stats.peakSamples).toBe(inner.stats.peakSamples);
    expect(r.stats.peakSamples).toBeGreaterThanOrEqual(points);
    expect(() => new Engine({ maxSamples: points - 1 }).rangeQuery(q, 'sum(rate(req_total[5m]))', 10 * MIN, 110 * MIN, 30 * SEC)).toThrow(
      /too many samples/,
    );
  });
});

describe('aggregation of a range function too large to stream', () => {
  it('gives the streamed results (it aggregates the materialised output instead)', () => {
    // 301 series; 10,000 steps exceed the streaming limit of 3M series × steps, 9,900 do not.
    const series: MemorySeries[] = [];
    for (let i = 0; i < 301; i++) {
      const ts: number[] = [];
      const vs: number[] = [];
      for (let t = i * 100; t <= 3 * 60 * MIN; t += 15 * SEC) {
        ts.push(t);
        vs.push((t / SEC) * (1 + (i % 7)) + (t % (45 * MIN) === 0 ? -5 : 0));
      }
      series.push({ labels: Labels.fromObject({ __name__: 'c_total', g: `g${i % 5}`, i: `i${i}` }), ts, vs: Float64Array.from(vs) });
    }
    const q = new MemoryQueryable(series);
    const engine = new Engine();
    for (const op of ['sum', 'avg']) {
      const big = engine.rangeQuery(q, `${op} by (g) (rate(c_total[5m]))`, 10 * MIN, 10 * MIN + 9999 * SEC, SEC);
      const small = engine.rangeQuery(q, `${op} by (g) (rate(c_total[5m]))`, 10 * MIN, 10 * MIN + 9899 * SEC, SEC);
      if (big.value.type !== 'matrix' || small.value.type !== 'matrix') throw new Error('expected matrices');
      expect(big.value.v.map((s) => [s.metric.toString(), s.ts.slice(0, 9900), s.vs.slice(0, 9900)])).toEqual(
        small.value.v.map((s) => [s.metric.toString(), s.ts, s.vs]),
      );
    }
  }, 60_000);
});
