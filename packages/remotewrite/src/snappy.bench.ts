// Snappy decompression throughput on a realistic ≈ 300 KB WriteRequest (1450 node_exporter
// series): SnappyDecoder (reused output buffer) vs snappyjs.uncompress (fresh buffer per call).
// Prints MB/s of decompressed output from the median latency (steadier than the mean on a
// shared machine) and the mean. Run: npx vitest bench --run packages/remotewrite

import snappyjs from 'snappyjs';
import { expect, test } from 'vitest';
import { nodeExporterRequest } from './bench-fixture.ts';
import { SnappyDecoder, snappyCompress } from './snappy.ts';

const { buf } = nodeExporterRequest(1450);
const compressed = snappyCompress(buf);
const decoder = new SnappyDecoder();
let sink = 0;

const OURS = 'SnappyDecoder.decompress';
const SNAPPYJS = 'snappyjs.uncompress';

test(`snappy-decompress a ${buf.length}-byte WriteRequest (${compressed.length} compressed)`, async ({ bench }) => {
  const results = await bench.compare(
    bench(OURS, () => {
      sink += decoder.decompress(compressed, 1 << 24).length;
    }),
    bench(SNAPPYJS, () => {
      sink += snappyjs.uncompress(compressed).length;
    }),
    { time: 2000, warmupTime: 500 },
  );
  const mbPerSecond = (name: typeof OURS | typeof SNAPPYJS, stat: 'p50' | 'mean' = 'p50'): number =>
    buf.length / 1e6 / (results.get(name).latency[stat] / 1e3);
  for (const name of [OURS, SNAPPYJS] as const) {
    console.log(`${name}: ${mbPerSecond(name).toFixed(0)} MB/s median, ${mbPerSecond(name, 'mean').toFixed(0)} MB/s mean`);
  }
  expect(sink).toBeGreaterThan(0);
  expect(mbPerSecond(OURS)).toBeGreaterThan(mbPerSecond(SNAPPYJS));
});
