/**
 * XOR chunk micro-benchmarks: append and iterate 120-sample chunks of scrape-like data (fixed
 * seed). Divide the reported mean time per op by 120 for ns/sample.
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

/** Scrape-like series: 15 s interval with occasional ms jitter; counters, gauges, constants. */
function makeSeries(kind: number): Series {
  const ts: number[] = [];
  const values = new Float64Array(N);
  let t = 1_700_000_000_000 + (rnd() % 15_000);
  let v = rnd() % 1000;
  for (let i = 0; i < N; i++) {
    ts.push(t);
    t += 15_000 + (rnd() % 10 === 0 ? (rnd() % 21) - 10 : 0);
    if (kind === 0) v += rnd() % 500; // counter
    else if (kind === 1) v = Math.round(rnd() / 4294967.296) / 1000; // gauge, 3 decimals
    else if (kind === 2 && rnd() % 20 === 0) v += 1; // mostly constant
    values[i] = v;
  }
  return { ts, values };
}

const data = Array.from({ length: SERIES }, (_, i) => makeSeries(i % 3));
const chunks = data.map(({ ts, values }) => {
  const a = new XorAppender();
  for (let i = 0; i < N; i++) a.appendFrom(ts[i]!, values, i);
  return a.bytes().slice();
});
const meanBytes = chunks.reduce((s, c) => s + c.length, 0) / chunks.length;
console.log(`[chunkenc bench] mean chunk size ${meanBytes.toFixed(1)} bytes for ${N} samples`);

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
