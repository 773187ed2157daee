// Snappy decompression throughput on a realistic ≈ 300 KB WriteRequest (1450 node_exporter
// series): SnappyDecoder (reused output buffer) vs snappyjs.uncompress (fresh buffer per call).
// Prints MB/s of decompressed output. Run: npx vitest bench --run packages/remotewrite

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
  const mbPerSecond = (name: typeof OURS | typeof SNAPPYJS): number => buf.length / 1e6 / (results.get(name).latency.mean / 1e3);
  console.log(`${OURS}: ${mbPerSecond(OURS).toFixed(0)} MB/s; ${SNAPPYJS}: ${mbPerSecond(SNAPPYJS).toFixed(0)} MB/s`);
  expect(sink).toBeGreaterThan(0);
  expect(mbPerSecond(OURS)).toBeGreaterThan(mbPerSecond(SNAPPYJS));
});
