// Loading a dataset into a target: every request of the dataset in time order (slice after
// slice; a slice's requests, which share no series, several at a time), then a check that the
// target holds exactly the dataset's series and samples.

import http from 'node:http';
import { scrapeMetrics, type RunningTarget } from '../ingest/targets.ts';
import type { Dataset } from './dataset.ts';

const HEADERS = {
  'Content-Type': 'application/x-protobuf',
  'Content-Encoding': 'snappy',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
  'User-Agent': 'tessera-bench-promql',
};

/** What loading a dataset took. */
export interface PushResult {
  seconds: number;
  samplesPerS: number;
  /** Series and samples the target reports holding afterwards (from its /metrics). */
  targetSeries: number;
  targetSamples: number;
}

/** Thrown when a target refuses a request or does not hold the data it acknowledged. */
export class PushFailure extends Error {
  override readonly name = 'PushFailure';
}

/** POSTs one remote-write body; resolves with the status and, when not 2xx, the answer's text. */
function post(agent: http.Agent, t: RunningTarget, body: Uint8Array): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: t.host, port: t.port, path: t.pushPath, method: 'POST', agent, headers: { ...HEADERS, 'Content-Length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, 2000) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The counters that say how many series and samples a target holds. */
function holdings(t: RunningTarget, m: Map<string, number>): { series: number; samples: number } {
  const series = t.kind === 'tessera' ? 'tessera_ingester_memory_series' : 'prometheus_tsdb_head_series';
  return { series: m.get(series) ?? NaN, samples: m.get(t.samplesMetric) ?? NaN };
}

/**
 * Sends every request of `d` to `t` with up to `connections` in flight, slice by slice, and
 * checks the target's series and sample counters against the dataset. Throws {@link PushFailure}
 * on any non-2xx answer or mismatch.
 */
export async function pushDataset(t: RunningTarget, d: Dataset, connections: number): Promise<PushResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const started = performance.now();
  let samples = 0;
  try {
    const slices = d.options.rounds / d.options.sliceRounds;
    for (let s = 0; s < slices; s++) {
      const queue = d.requests.filter((r) => r.slice === s);
      const worker = async (): Promise<void> => {
        for (let r = queue.shift(); r !== undefined; r = queue.shift()) {
          const res = await post(agent, t, r.body);
          if (res.status < 200 || res.status >= 300) {
            throw new PushFailure(`${t.kind} answered HTTP ${res.status} to request (slice ${r.slice}, group ${r.group}): ${res.text}\n--- ${t.kind} output ---\n${t.outputTail()}`);
          }
          samples += r.samples;
        }
      };
      await Promise.all(Array.from({ length: connections }, worker));
    }
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  const held = holdings(t, await scrapeMetrics(t.port));
  const wantSamples = d.options.series * d.options.rounds;
  if (held.series !== d.options.series || held.samples !== wantSamples) {
    throw new PushFailure(
      `${t.kind} holds ${held.series} series and ${held.samples} samples after the push; expected ${d.options.series} and ${wantSamples}`,
    );
  }
  return { seconds, samplesPerS: samples / seconds, targetSeries: held.series, targetSamples: held.samples };
}
