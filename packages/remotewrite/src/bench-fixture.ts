// Shared fixture of the micro-benchmarks: a node_exporter-like remote-write request as
// Prometheus sends it (one sample per series, sorted labels, ms timestamps). Fixed seed.

import { encodeWriteRequest } from './reference-codec.ts';
import { makeNodeExporterSeries } from './testdata.ts';
import type { WriteRequestObject } from './types.ts';

/** Builds a request of `series` series with one sample each, deterministically. */
export function nodeExporterRequest(series: number, seed = 1): { req: WriteRequestObject; buf: Uint8Array } {
  let x = seed;
  const req: WriteRequestObject = {
    timeseries: makeNodeExporterSeries(series, seed).map((labels, i) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return {
        labels: labels.map(([name, value]) => ({ name, value })),
        // Counter-like values with fractional parts: every value takes the full 8 bytes.
        samples: [{ value: (x / 977) * (1 + (i % 13)), timestamp: 1_764_000_000_000 + (i % 30) * 15 }],
        exemplars: [],
        histograms: [],
      };
    }),
    metadata: [],
  };
  return { req, buf: encodeWriteRequest(req) };
}
