// Types for the parts of autocannon 9's programmatic API (CommonJS, no bundled types) that
// bench/query uses. Field names and units as autocannon's README and lib/aggregateResult.js.

declare module 'autocannon' {
  /** One request of the sequence each connection loops over. */
  export interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Called with every answer to this request, before the instance's `response` event. */
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
  }

  /** Options of {@link autocannon}. */
  export interface AutocannonOptions {
    url: string;
    connections?: number;
    pipelining?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    requests?: AutocannonRequest[];
    title?: string;
  }

  /** A histogram summary; latencies in ms, requests per second-sample. */
  export interface Percentiles {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
    total: number;
  }

  /** What a finished run reports. */
  export interface AutocannonResult {
    /** Seconds the run lasted. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    resets: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
    latency: Percentiles & { totalCount: number };
    requests: Percentiles & { sent: number };
    throughput: Percentiles;
  }

  /** A running instance: an event emitter that is also a promise of its result. */
  export interface AutocannonInstance extends PromiseLike<AutocannonResult> {
    /** Emitted for every answer, after the request's `onResponse`; `responseTime` in ms. */
    on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    stop(): void;
  }

  /** Starts a load test. Without a callback the instance is also a promise of the result. */
  export default function autocannon(opts: AutocannonOptions): AutocannonInstance;
}
