// One autocannon run of the dashboard mix against one target: a fixed number of keep-alive
// connections, each looping over the mix with one request in flight, for a fixed duration.
// Besides autocannon's totals it keeps every answer's latency per query of the mix.
//
// Per-query attribution relies on autocannon calling a request's `onResponse` and then, in the
// same synchronous turn, emitting the instance's `response` event with the latency
// (lib/httpClient.js: recordBody, then emit('response')); the id noted by the first is read by
// the second.

import autocannon from 'autocannon';
import { quantile } from '../ingest/load.ts';
import type { RunningTarget } from '../ingest/targets.ts';
import { CpuMeter, type CpuUse } from '../promql/cpu-meter.ts';
import type { BenchQuery } from '../promql/queries.ts';
import { queryRequest } from '../promql/query-client.ts';

/** Settings of a run. */
export interface CannonSettings {
  connections: number;
  durationS: number;
  /** Evaluation time: every range query ends here, ms. */
  evalMs: number;
  /** Pids whose CPU counts as the targets' (both targets, so that neither counts as noise). */
  targetPids: readonly number[];
}

/** Latency of one query of the mix within a run. */
export interface MixQueryFigures {
  id: string;
  count: number;
  p50Ms: number;
  p99Ms: number;
}

/** What one run measured. */
export interface CannonFigures {
  kind: RunningTarget['kind'];
  durationS: number;
  /** 2xx answers ÷ duration. */
  requestsPerS: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Status and body of the first non-2xx answer. */
  firstFailure: string | null;
  /** autocannon's latency percentiles over all answers, ms. */
  p50Ms: number;
  p97_5Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Mean body size of an answer, bytes. */
  bytesPerAnswer: number;
  perQuery: MixQueryFigures[];
  cpu: CpuUse;
}

/** Runs the mix against `t` for `s.durationS` seconds. */
export async function runCannon(t: RunningTarget, mix: readonly BenchQuery[], s: CannonSettings): Promise<CannonFigures> {
  let answered: string | null = null;
  let firstFailure: string | null = null;
  const latencies = new Map<string, number[]>(mix.map((q) => [q.id, []]));
  const requests = mix.map((q) => {
    const r = queryRequest(t.kind, q, s.evalMs, false);
    return {
      method: 'POST',
      path: r.path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: r.form,
      onResponse: (status: number, body: string): void => {
        answered = q.id;
        if ((status < 200 || status >= 300) && firstFailure === null) firstFailure = `HTTP ${status} to ${q.id} (${q.expr}): ${body.slice(0, 500)}`;
      },
    };
  });
  const meter = new CpuMeter(s.targetPids);
  const instance = autocannon({
    url: `http://${t.host}:${t.port}`,
    connections: s.connections,
    pipelining: 1,
    duration: s.durationS,
    timeout: 60,
    requests,
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    if (answered !== null) latencies.get(answered)?.push(responseTime);
    answered = null;
  });
  const r = await instance;
  const cpu = meter.stop();
  const ok = r['2xx'];
  return {
    kind: t.kind,
    durationS: r.duration,
    requestsPerS: ok / r.duration,
    ok,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    firstFailure,
    p50Ms: r.latency.p50,
    p97_5Ms: r.latency.p97_5,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    bytesPerAnswer: r.throughput.total / Math.max(1, r.latency.totalCount),
    perQuery: mix.map((q) => {
      const l = Float64Array.from(latencies.get(q.id)!);
      return { id: q.id, count: l.length, p50Ms: quantile(l, 0.5), p99Ms: quantile(l, 0.99) };
    }),
    cpu,
  };
}
