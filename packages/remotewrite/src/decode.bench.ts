// Decode cost per sample of a 2000-sample node_exporter request (2000 series × 1 sample,
// ≈ 9–10 labels each, as Prometheus batches them): the hot-path decoder vs protobufjs.
// Prints ns/sample from the median and the mean latency (/ 2000); on a shared machine the
// median is the steadier figure. Run: npx vitest bench --run packages/remotewrite

import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { expect, test } from 'vitest';
import { nodeExporterRequest } from './bench-fixture.ts';
import { decodeWriteRequest } from './decode.ts';
import { DecodedWriteRequest } from './decoded-write-request.ts';
import { labelName, labelValue } from './labels.ts';
import { decodeWriteRequestReference } from './reference-codec.ts';

const SAMPLES = 2000;
const { buf } = nodeExporterRequest(SAMPLES);
const out = new DecodedWriteRequest();
const writeRequest = protobuf
  .loadSync(fileURLToPath(new URL('../../../proto/remote.proto', import.meta.url)))
  .lookupType('prometheus.WriteRequest');
let sink = 0;

const HOT = 'decodeWriteRequest (hot path, offsets only)';
const STRINGS = 'decodeWriteRequest + labelName/labelValue of every label';
const PBJS = 'protobufjs Type.decode (message objects)';
const REFERENCE = 'decodeWriteRequestReference (protobufjs decode + toObject)';

test(`decode a ${SAMPLES}-sample WriteRequest (${buf.length} bytes)`, async ({ bench }) => {
  const results = await bench.compare(
    bench(HOT, () => {
      decodeWriteRequest(buf, out);
      sink += out.sampleTotal;
    }),
    bench(STRINGS, () => {
      decodeWriteRequest(buf, out);
      for (let k = 0; k < out.labelTotal; k++) sink += labelName(out, k).length + labelValue(out, k).length;
    }),
    bench(PBJS, () => {
      sink += (writeRequest.decode(buf) as unknown as { timeseries: unknown[] }).timeseries.length;
    }),
    bench(REFERENCE, () => {
      sink += decodeWriteRequestReference(buf).timeseries.length;
    }),
    { time: 2000, warmupTime: 500 },
  );
  const nsPerSample = (name: typeof HOT | typeof STRINGS | typeof PBJS | typeof REFERENCE, stat: 'p50' | 'mean' = 'p50'): number =>
    (results.get(name).latency[stat] * 1e6) / SAMPLES;
  for (const name of [HOT, STRINGS, PBJS, REFERENCE] as const) {
    console.log(`${name}: ${nsPerSample(name).toFixed(1)} ns/sample median, ${nsPerSample(name, 'mean').toFixed(1)} mean`);
  }
  expect(sink).toBeGreaterThan(0);
  // The reason the hand-written decoder exists: it must beat protobufjs by a wide margin.
  expect(nsPerSample(HOT) * 3).toBeLessThan(nsPerSample(PBJS));
});
