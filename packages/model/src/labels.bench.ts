/**
 * Micro-benchmarks for the model's hot paths: series hashing and equality, label encoding, and
 * matchers (fast paths versus the re2js engine on the same pattern).
 * Every op processes 1000 inputs: divide the mean time per op by 1000 for the cost per item.
 *   npx vitest bench --run packages/model
 */
import { RE2JS } from 're2js';
import { expect, test } from 'vitest';
import { hashBytes } from './hash.ts';
import { Labels } from './labels.ts';
import { Matcher } from './matcher.ts';

const N = 1000;

/** Deterministic node_exporter-like label sets (5–6 labels, ~100 encoded bytes). */
function makeFlats(): string[][] {
  const modes = ['idle', 'user', 'system', 'iowait', 'irq', 'softirq', 'steal', 'nice'];
  const out: string[][] = [];
  for (let i = 0; i < N; i++) {
    out.push([
      '__name__', i % 3 === 0 ? 'node_cpu_seconds_total' : `node_network_receive_bytes_${i % 17}`,
      'cpu', String(i % 16),
      'instance', `10.0.${(i >> 8) & 255}.${i & 255}:9100`,
      'job', 'node',
      'mode', modes[i % modes.length]!,
    ]);
  }
  return out;
}

const flats = makeFlats();
const sets = flats.map((f) => Labels.fromSortedFlat(f));
const twins = flats.map((f) => Labels.fromSortedFlat(f.slice()));
const others = flats.map((f) => Labels.fromSortedFlat([...f.slice(0, -1), 'zzz']));
const encoded = sets.map((s) => s.encode());
const values = flats.map((f) => f[1]! + (f[5]!.length % 2 === 0 ? '' : '_Foo'));

let sink = 0; // consumed results keep the JIT from removing the work

test(`labels: hashing, ${N} label sets per op`, async ({ bench }) => {
  await bench.compare(
    bench('hash() uncached (encode to scratch + murmur3)', () => {
      for (const f of flats) sink ^= Labels.fromSortedFlat(f).hash();
    }),
    bench('hashBytes over encoded bytes (raw request path)', () => {
      for (const e of encoded) sink ^= hashBytes(e, 0, e.length);
    }),
  );
});

test(`labels: equality, ${N} pairs per op`, async ({ bench }) => {
  await bench.compare(
    bench('equals, equal content (different arrays)', () => {
      for (let i = 0; i < N; i++) sink ^= sets[i]!.equals(twins[i]!) ? 1 : 0;
    }),
    bench('equals, differing last value', () => {
      for (let i = 0; i < N; i++) sink ^= sets[i]!.equals(others[i]!) ? 1 : 0;
    }),
  );
});

test(`labels: building and encoding, ${N} label sets per op`, async ({ bench }) => {
  await bench.compare(
    bench('encode()', () => {
      for (const s of sets) sink ^= s.encode().length;
    }),
    bench('decode()', () => {
      for (const e of encoded) sink ^= Labels.decode(e).size;
    }),
    bench('fromPairs (unsorted input)', () => {
      for (const f of flats) {
        sink ^= Labels.fromPairs([[f[8]!, f[9]!], [f[0]!, f[1]!], [f[4]!, f[5]!], [f[2]!, f[3]!], [f[6]!, f[7]!]]).size;
      }
    }),
  );
});

const MATCHER_CASES: [string, string][] = [
  ['literal', 'node_cpu_seconds_total'],
  ['alternation', 'node_cpu_seconds_total|node_network_receive_bytes_3|node_load1'],
  ['prefix', 'node_network.*'],
  ['contains', '.*receive.*'],
  ['case-insensitive', '(?i)NODE_CPU_SECONDS_TOTAL'],
  ['char class (no fast path)', 'node_[a-z]+_bytes_[0-9]+'],
];

for (const [title, pattern] of MATCHER_CASES) {
  test(`matcher ${title} =~${JSON.stringify(pattern)}, ${N} values per op`, async ({ bench }) => {
    const m = Matcher.create('=~', 'l', pattern);
    const re = RE2JS.compile(pattern, RE2JS.DOTALL);
    for (const v of values) expect(m.matches(v)).toBe(re.matches(v));
    await bench.compare(
      bench(m.usesRegexEngine() ? 'Matcher (re2js)' : 'Matcher (fast path)', () => {
        for (const v of values) sink ^= m.matches(v) ? 1 : 0;
      }),
      bench('re2js directly', () => {
        for (const v of values) sink ^= re.matches(v) ? 1 : 0;
      }),
    );
  });
}

test('matcher creation, 1 pattern per op', async ({ bench }) => {
  let i = 0;
  await bench.compare(
    bench('Matcher.create fast path (fresh pattern)', () => {
      sink ^= Matcher.create('=~', 'l', `node_${i++}.*`).prefix().length;
    }),
    bench('Matcher.create re2js (fresh pattern)', () => {
      sink ^= Matcher.create('=~', 'l', `node_${i++}[a-z]+`).prefix().length;
    }),
  );
  expect(Number.isNaN(sink)).toBe(false);
});
