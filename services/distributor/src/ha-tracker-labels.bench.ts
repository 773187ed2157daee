// Cost of removing the HA replica label from a 2000-series node_exporter request (1 sample per
// series, ≈ 11 labels each with `cluster` and `__replica__` added, as an HA Prometheus sends them):
// the hot-path decode alone vs decode + ReplicaLabelRemover.remove. Prints ns/series from the
// median. Run: npx vitest bench --run services/distributor/src/ha-tracker-labels.bench.ts

import { expect, test } from 'vitest';
import { DecodedWriteRequest, decodeWriteRequest, encodeWriteRequest, makeNodeExporterSeries } from '@tessera/remotewrite';
import { ReplicaLabelRemover } from './ha-tracker-labels.ts';

const SERIES = 2000;
const buf = encodeWriteRequest({
  timeseries: makeNodeExporterSeries(SERIES, 1).map((labels, i) => ({
    labels: [...labels, ['__replica__', 'prometheus-0'] as [string, string], ['cluster', 'eu-west'] as [string, string]]
      .filter(([n], k, all) => all.findIndex(([m]) => m === n) === k)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([name, value]) => ({ name, value })),
    samples: [{ value: i * 1.5, timestamp: 1_700_000_000_000 }],
    exemplars: [],
    histograms: [],
  })),
  metadata: [],
});
const req = new DecodedWriteRequest();
const remover = new ReplicaLabelRemover();
let sink = 0;

const DECODE = 'decode';
const REMOVE = 'decode + remove replica label';

test(`remove the replica label from a ${SERIES}-series request (${buf.length} bytes)`, async ({ bench }) => {
  const results = await bench.compare(
    bench(DECODE, () => {
      decodeWriteRequest(buf, req);
      sink += req.labelTotal;
    }),
    bench(REMOVE, () => {
      decodeWriteRequest(buf, req);
      sink += remover.remove(req, '__replica__').labelTotal;
    }),
    { time: 2000, warmupTime: 500 },
  );
  const ns = (name: typeof DECODE | typeof REMOVE): number => (results.get(name).latency.p50 * 1e6) / SERIES;
  console.log(`${DECODE}: ${ns(DECODE).toFixed(1)} ns/series median; ${REMOVE}: ${ns(REMOVE).toFixed(1)} ns/series median`);
  expect(sink).toBeGreaterThan(0);
});
