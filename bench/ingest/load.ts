// The load generator: a fixed number of keep-alive HTTP connections, each sending one request
// at a time (a closed loop), drawing requests in round order from one shared sequence.
//
// Ordering invariant: request j of round r is sent only after request j of round r − 1 has been
// answered. Both carry the same series, so without this a fast connection could deliver a
// series' newer sample before its older one and the target would refuse the older one as out
// of order. Requests of the same round never share a series, so they may be in flight together.

import http from 'node:http';
import { SendBuffer, type Workload } from './workload.ts';

/** What one phase of sending produced. */
export interface PhaseResult {
  /** Requests answered with 2xx. */
  ok: number;
  /** Requests answered otherwise, or failed at the connection. */
  failed: number;
  /** Status and body of the first failure. */
  firstFailure: string | null;
  /** Seconds from the phase's start until its last answer. */
  elapsedS: number;
  /** Latency of each 2xx request, ms, in completion order. */
  latenciesMs: Float64Array;
  /** CPU seconds this (client) process used during the phase. */
  clientCpuS: number;
}

/** When a phase stops drawing new requests: after a count, at a deadline, or both. */
export interface PhaseLimit {
  maxRequests?: number;
  durationS?: number;
}

/** Options of {@link LoadClient}. */
export interface LoadClientOptions {
  host: string;
  port: number;
  path: string;
  connections: number;
  /** Highest round the client may send (timestamps beyond it would be in the future). */
  maxRound: number;
}

const HEADERS = {
  'Content-Type': 'application/x-protobuf',
  'Content-Encoding': 'snappy',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
  'User-Agent': 'tessera-bench-ingest',
};

/** Sends a workload's requests round after round to one target. Phases run one at a time. */
export class LoadClient {
  readonly #w: Workload;
  readonly #o: LoadClientOptions;
  readonly #agent: http.Agent;
  readonly #buffers: SendBuffer[];
  /** Next sequence number to draw: round = seq / requestsPerRound, request = seq % requestsPerRound. */
  #seq = 0;
  /** Per request index: the last round answered. */
  readonly #answered: Int32Array;
  /** Per request index: who waits for its next answer. */
  readonly #waiters: Array<Array<() => void>>;

  /** Prepares one send buffer per connection; opens connections lazily. */
  constructor(w: Workload, o: LoadClientOptions) {
    this.#w = w;
    this.#o = o;
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections });
    this.#buffers = Array.from({ length: o.connections }, () => new SendBuffer(w.maxBodyBytes));
    this.#answered = new Int32Array(w.requestsPerRound).fill(-1);
    this.#waiters = Array.from({ length: w.requestsPerRound }, () => []);
  }

  /** Rounds fully or partly drawn so far. */
  get roundsStarted(): number {
    return Math.ceil(this.#seq / this.#w.requestsPerRound);
  }

  /** Closes the keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  /**
   * Sends until the limit is reached, then waits for every request in flight; stops early at
   * the first failure. Requests drawn are always sent, so consecutive phases continue the
   * sequence without gaps.
   */
  async runPhase(limit: PhaseLimit): Promise<PhaseResult> {
    const startSeq = this.#seq;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const deadline = limit.durationS === undefined ? Infinity : t0 + limit.durationS * 1000;
    const maxSeq = limit.maxRequests === undefined ? Infinity : startSeq + limit.maxRequests;
    let latencies = new Float64Array(1024);
    const res: PhaseResult = { ok: 0, failed: 0, firstFailure: null, elapsedS: 0, latenciesMs: latencies, clientCpuS: 0 };
    let stop = false;
    const R = this.#w.requestsPerRound;

    const worker = async (buf: SendBuffer): Promise<void> => {
      while (!stop && this.#seq < maxSeq && performance.now() < deadline) {
        const seq = this.#seq++;
        const round = Math.floor(seq / R);
        const j = seq % R;
        if (round > this.#o.maxRound) {
          stop = true;
          res.failed++;
          res.firstFailure ??= `round ${round} would be past the newest allowed timestamp; raise --rate-cap`;
          return;
        }
        while (this.#answered[j]! < round - 1) await new Promise<void>((r) => this.#waiters[j]!.push(r));
        const len = this.#w.fill(j, round, buf);
        const sent = performance.now();
        let outcome: { status: number; body: string };
        try {
          outcome = await this.#post(buf.bytes.subarray(0, len));
        } catch (e) {
          outcome = { status: 0, body: e instanceof Error ? e.message : String(e) };
        }
        const latency = performance.now() - sent;
        this.#answered[j] = round;
        const waiting = this.#waiters[j]!.splice(0);
        for (const wake of waiting) wake();
        if (outcome.status >= 200 && outcome.status < 300) {
          if (res.ok === latencies.length) {
            const bigger = new Float64Array(latencies.length * 2);
            bigger.set(latencies);
            latencies = bigger;
          }
          latencies[res.ok++] = latency;
        } else {
          res.failed++;
          res.firstFailure ??= `HTTP ${outcome.status} (round ${round}, request ${j}): ${outcome.body.slice(0, 2000)}`;
          stop = true;
        }
      }
    };

    await Promise.all(this.#buffers.map((b) => worker(b)));
    res.elapsedS = (performance.now() - t0) / 1000;
    res.latenciesMs = latencies.subarray(0, res.ok);
    const cpu = process.cpuUsage(cpu0);
    res.clientCpuS = (cpu.user + cpu.system) / 1e6;
    return res;
  }

  /** POSTs one body; resolves with the status, and the body text only when not 2xx. */
  #post(body: Uint8Array): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.#o.host, port: this.#o.port, path: this.#o.path, method: 'POST', agent: this.#agent,
          headers: { ...HEADERS, 'Content-Length': body.length },
        },
        (resp) => {
          const status = resp.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resp.resume();
            resp.on('end', () => resolve({ status, body: '' }));
          } else {
            const chunks: Buffer[] = [];
            resp.on('data', (c: Buffer) => chunks.push(c));
            resp.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
          }
          resp.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The q-quantile (0..1) of a sample of numbers, nearest-rank; NaN when empty. */
export function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}
