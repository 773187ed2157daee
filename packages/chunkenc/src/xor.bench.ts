/**
 * XOR chunk micro-benchmarks: append and iterate 120-sample chunks of scrape-like data (fixed
 * seed), 64 different series in rotation. Divide the reported time per op by 120 for ns/sample.
 * Each append op builds a new chunk from an empty XorAppender, as the head does.
 *   npx vitest bench --run packages/chunkenc
 */
import { expect, test } from 'vitest';
import { makeRng } from './testing/open-metrics-fixture.ts';
import { MAX_SAMPLES_PER_CHUNK, XorAppender, XorIterator } from './index.ts';

const N = MAX_SAMPLES_PER_CHUNK;
const SERIES = 64;
const rnd = makeRng(42);

interface Series {
  ts: number[];
  values: Float64Array;
}

/**
 * Scrape-like series: 15 s interval with occasional ms jitter; a counter (integer increments), a
 * memory gauge (4 KiB pages), a two-decimal random walk, and a mostly constant gauge.
 */
function makeSeries(kind: number): Series {
  const ts: number[] = [];
  const values = new Float64Array(N);
  let t = 1_700_000_000_000 + (rnd() % 15_000);
  let v = kind === 1 ? 200_000_000 : rnd() % 1000;
  for (let i = 0; i < N; i++) {
    ts.push(t);
    t += 15_000 + (rnd() % 10 === 0 ? (rnd() % 21) - 10 : 0);
    if (kind === 0) v += rnd() % 500;
    else if (kind === 1) v += ((rnd() % 257) - 128) * 4096;
    else if (kind === 2) v = Math.round(v * 100 + (rnd() % 41) - 20) / 100;
    else if (rnd() % 20 === 0) v += 1;
    values[i] = v;
  }
  return { ts, values };
}

const data = Array.from({ length: SERIES }, (_, i) => makeSeries(i % 4));
const chunks = data.map(({ ts, values }) => {
  const a = new XorAppender();
  for (let i = 0; i < N; i++) a.appendFrom(ts[i]!, values, i);
  return a.bytes().slice();
});
const sizeOf = (kind: number): string => {
  const own = chunks.filter((_, i) => i % 4 === kind);
  return (own.reduce((s, c) => s + c.length, 0) / own.length).toFixed(0);
};
console.log(
  `[chunkenc bench] mean bytes per ${N}-sample chunk: counter ${sizeOf(0)}, memory gauge ${sizeOf(1)}, ` +
    `2-decimal gauge ${sizeOf(2)}, near-constant ${sizeOf(3)}`,
);

let k = 0;
const it = new XorIterator();
const out = new Float64Array(N);
let sink = 0;

test(`XOR chunk append, ${N} samples per op`, async ({ bench }) => {
  await bench.compare(
    bench('appendFrom', () => {
      const { ts, values } = data[k++ % SERIES]!;
      const a = new XorAppender(256);
      for (let i = 0; i < N; i++) a.appendFrom(ts[i]!, values, i);
      sink += a.sizeBytes();
    }),
    bench('append (number)', () => {
      const { ts, values } = data[k++ % SERIES]!;
      const a = new XorAppender(256);
      for (let i = 0; i < N; i++) a.append(ts[i]!, values[i]!);
      sink += a.sizeBytes();
    }),
  );
});

test(`XOR chunk iterate, ${N} samples per op`, async ({ bench }) => {
  await bench.compare(
    bench('next + t, v', () => {
      it.reset(chunks[k++ % SERIES]!);
      while (it.next()) sink += it.t + it.v;
    }),
    bench('next + t, valueInto', () => {
      it.reset(chunks[k++ % SERIES]!);
      let i = 0;
      while (it.next()) {
        it.valueInto(out, i++);
        sink += it.t;
      }
    }),
  );
  expect(Number.isNaN(sink)).toBe(false);
});
