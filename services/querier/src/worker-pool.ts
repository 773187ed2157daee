/**
 * A pool of query worker threads (query-worker.ts), each evaluating one query at a time, so that
 * no query stalls the main thread's event loop (which accepts writes).
 *
 * Lifecycle of a query: queued FIFO until a worker is idle → its prefetched data transferred
 * (never copied) to that worker → the reply settles it. Concurrency rules, all on the main
 * thread:
 * - cancellation (client gone) sets the query's shared flag, which the engine polls; a queued
 *   query leaves the queue at once; a running one is answered as canceled at once, and its
 *   worker counts as busy until it has stopped;
 * - a query still queued at its deadline fails with a timeout; a worker that has not answered
 *   `killGraceMs` after its query's deadline (stuck outside the engine's checks) is terminated;
 * - a worker that dies (uncaught error, out of memory, terminated) fails its query with a 500
 *   and is replaced.
 */
import { Worker } from 'node:worker_threads';
import type { Counter, Gauge } from 'prom-client';
import type { Logger, TesseraError } from '@tessera/server';
import { canceledError, closedError, failureToError, timeoutError, workerCrashedError } from './query-errors.ts';
import { wallClockMs, type ExecOutcome, type ExecRequest } from './query-exec.ts';
import type { WorkerReady, WorkerReply, WorkerRequest } from './query-worker.ts';

/** Runs evaluations; implemented by the worker pool and by the in-thread executor. */
export interface QueryExecutor {
  /**
   * Evaluates `req` over the packed `data` (ownership passes to the executor) by
   * `req.deadline`. Rejects with a TesseraError.
   */
  exec(req: ExecRequest, data: ArrayBuffer, signal: AbortSignal): Promise<ExecOutcome>;
  close(): Promise<void>;
}

/** The pool's metrics (created by the runner). */
export interface WorkerPoolMetrics {
  queueLength: Gauge;
  busyWorkers: Gauge;
  restarts: Counter;
}

/** Options of a {@link QueryWorkerPool}. */
export interface WorkerPoolOptions {
  size: number;
  logger: Logger;
  metrics: WorkerPoolMetrics;
  /** Heap limit of each worker (V8 old generation, MB); a query exceeding it kills its worker. */
  maxHeapMb?: number;
  /** How long after a query's deadline an unresponsive worker is terminated; default 5 s. */
  killGraceMs?: number;
  /** The worker script; default query-worker.ts beside this file. */
  workerUrl?: URL;
}

interface Job {
  readonly id: number;
  readonly req: ExecRequest;
  readonly data: ArrayBuffer;
  readonly cancel: SharedArrayBuffer;
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly resolve: (o: ExecOutcome) => void;
  readonly reject: (e: TesseraError) => void;
  settled: boolean;
  /** The worker running it, null while queued. */
  slot: Slot | null;
  queueTimer: NodeJS.Timeout | null;
  onAbort: () => void;
}

interface Slot {
  readonly index: number;
  worker: Worker;
  /** False between a worker's exit and its replacement's start. */
  alive: boolean;
  /** True once the worker has loaded its modules (its first message). */
  ready: boolean;
  job: Job | null;
  killTimer: NodeJS.Timeout | null;
}

/** A worker that dies before it has loaded is replaced only after this delay (no spinning on a broken script). */
const RESPAWN_BACKOFF_MS = 1000;

/** The worker pool; see the file comment. */
export class QueryWorkerPool implements QueryExecutor {
  readonly #log: Logger;
  readonly #metrics: WorkerPoolMetrics;
  readonly #url: URL;
  readonly #maxHeapMb: number | undefined;
  readonly #grace: number;
  readonly #size: number;
  /** Empty until the first query: a worker is a V8 isolate with the engine loaded (~40 MiB). */
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(opts: WorkerPoolOptions) {
    if (!(opts.size >= 1)) throw new RangeError(`worker pool size must be at least 1, got ${opts.size}`);
    this.#log = opts.logger;
    this.#metrics = opts.metrics;
    this.#url = opts.workerUrl ?? new URL('./query-worker.ts', import.meta.url);
    this.#maxHeapMb = opts.maxHeapMb;
    this.#grace = opts.killGraceMs ?? 5000;
    this.#size = opts.size;
    this.#updateGauges();
  }

  /**
   * Starts the workers, on the first query rather than at start-up, so that a process that only
   * ingests (or has not been queried yet) does not carry their memory.
   */
  #startWorkers(): void {
    for (let i = this.#slots.length; i < this.#size; i++) {
      const slot: Slot = { index: i, worker: null as unknown as Worker, alive: true, ready: false, job: null, killTimer: null };
      slot.worker = this.#spawn(slot);
      this.#slots.push(slot);
    }
  }

  exec(req: ExecRequest, data: ArrayBuffer, signal: AbortSignal): Promise<ExecOutcome> {
    const deadline = req.deadline;
    if (this.#closed) return Promise.reject(closedError());
    if (signal.aborted) return Promise.reject(canceledError('query queue'));
    return new Promise<ExecOutcome>((resolve, reject) => {
      const job: Job = {
        id: this.#nextId++,
        req,
        data,
        cancel: new SharedArrayBuffer(4),
        signal,
        deadline,
        resolve,
        reject,
        settled: false,
        slot: null,
        queueTimer: null,
        onAbort: () => this.#abort(job),
      };
      signal.addEventListener('abort', job.onAbort, { once: true });
      job.queueTimer = setTimeout(() => this.#queueDeadline(job), Math.max(0, deadline - wallClockMs()));
      this.#queue.push(job);
      if (this.#slots.length === 0) this.#startWorkers();
      this.#dispatch();
    });
  }

  /** Fails queued and running queries and terminates every worker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const job of this.#queue.splice(0)) this.#fail(job, closedError());
    const exits: Promise<number>[] = [];
    for (const slot of this.#slots) {
      if (slot.job !== null) this.#fail(slot.job, closedError());
      if (slot.killTimer !== null) clearTimeout(slot.killTimer);
      exits.push(slot.worker.terminate());
    }
    await Promise.all(exits);
    this.#metrics.queueLength.set(0);
    this.#metrics.busyWorkers.set(0);
  }

  #spawn(slot: Slot): Worker {
    const w = new Worker(this.#url, this.#maxHeapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: this.#maxHeapMb } });
    w.on('message', (m: WorkerReply | WorkerReady) => this.#onReply(slot, w, m));
    w.on('error', (err) => this.#onError(slot, w, err));
    w.on('exit', (code) => this.#onExit(slot, w, code));
    // An idle worker must not keep the process alive; a busy one does (see #dispatch).
    w.unref();
    slot.alive = true;
    slot.ready = false;
    return w;
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      const slot = this.#slots.find((s) => s.alive && s.job === null);
      if (slot === undefined) break;
      const job = this.#queue.shift()!;
      if (job.queueTimer !== null) clearTimeout(job.queueTimer);
      job.queueTimer = null;
      const remaining = job.deadline - wallClockMs();
      if (remaining <= 0) {
        this.#fail(job, timeoutError('query queue'));
        continue;
      }
      slot.job = job;
      job.slot = slot;
      slot.killTimer = setTimeout(() => this.#kill(slot, job), remaining + this.#grace);
      slot.worker.ref();
      const msg: WorkerRequest = { id: job.id, req: job.req, data: job.data, cancel: job.cancel };
      slot.worker.postMessage(msg, [job.data]);
    }
    this.#updateGauges();
  }

  #onReply(slot: Slot, w: Worker, m: WorkerReply | WorkerReady): void {
    if ('ready' in m) {
      if (w === slot.worker) slot.ready = true;
      return;
    }
    const job = slot.job;
    if (w !== slot.worker || job === null || m.id !== job.id) return;
    this.#release(slot);
    if (m.ok) this.#succeed(job, { body: m.body, samplesProcessed: m.samplesProcessed, peakSamples: m.peakSamples });
    else this.#fail(job, failureToError(m.failure));
    this.#dispatch();
  }

  #onError(slot: Slot, w: Worker, err: Error): void {
    if (w !== slot.worker) return;
    const job = slot.job;
    this.#log.error({ err, worker: slot.index, query: job?.req.expr }, 'query worker failed');
    if (job !== null) this.#fail(job, workerCrashedError(err.message));
    // 'exit' follows and replaces the worker.
  }

  #onExit(slot: Slot, w: Worker, code: number): void {
    if (w !== slot.worker || this.#closed) return;
    const job = slot.job;
    this.#release(slot);
    if (job !== null) this.#fail(job, workerCrashedError(`the worker exited with code ${code}`));
    slot.alive = false;
    this.#metrics.restarts.inc();
    this.#log.warn({ worker: slot.index, code }, 'query worker exited; starting a new one');
    const respawn = (): void => {
      if (this.#closed) return;
      slot.worker = this.#spawn(slot);
      this.#dispatch();
    };
    if (!slot.ready) setTimeout(respawn, RESPAWN_BACKOFF_MS).unref();
    else respawn();
  }

  /** Marks a slot idle. */
  #release(slot: Slot): void {
    if (slot.killTimer !== null) clearTimeout(slot.killTimer);
    slot.killTimer = null;
    if (slot.job !== null) slot.job.slot = null;
    slot.job = null;
    slot.worker.unref();
    this.#updateGauges();
  }

  #abort(job: Job): void {
    Atomics.store(new Int32Array(job.cancel), 0, 1);
    if (job.slot === null) {
      const i = this.#queue.indexOf(job);
      if (i >= 0) this.#queue.splice(i, 1);
      this.#updateGauges();
      this.#fail(job, canceledError('query queue'));
    } else {
      // The worker stops at its next check; it stays busy (and counted) until it answers.
      this.#fail(job, canceledError('query execution'));
    }
  }

  #queueDeadline(job: Job): void {
    job.queueTimer = null;
    if (job.slot !== null || job.settled) return;
    const i = this.#queue.indexOf(job);
    if (i >= 0) this.#queue.splice(i, 1);
    this.#updateGauges();
    this.#fail(job, timeoutError('query queue'));
  }

  /** Terminates a worker whose query is long past its deadline; 'exit' replaces it. */
  #kill(slot: Slot, job: Job): void {
    slot.killTimer = null;
    if (slot.job !== job) return;
    this.#log.error({ worker: slot.index, query: job.req.expr }, 'query worker unresponsive past the query deadline; terminating it');
    this.#fail(job, timeoutError('query execution'));
    void slot.worker.terminate();
  }

  #succeed(job: Job, o: ExecOutcome): void {
    if (this.#settle(job)) job.resolve(o);
  }

  #fail(job: Job, e: TesseraError): void {
    if (this.#settle(job)) job.reject(e);
  }

  /** Marks a job settled; false when it already was. */
  #settle(job: Job): boolean {
    if (job.settled) return false;
    job.settled = true;
    if (job.queueTimer !== null) clearTimeout(job.queueTimer);
    job.queueTimer = null;
    job.signal.removeEventListener('abort', job.onAbort);
    return true;
  }

  #updateGauges(): void {
    this.#metrics.queueLength.set(this.#queue.length);
    let busy = 0;
    for (const s of this.#slots) if (s.job !== null) busy++;
    this.#metrics.busyWorkers.set(busy);
  }
}
