/**
 * The query worker thread: receives one query at a time with its prefetched data (a transferred
 * ArrayBuffer), evaluates it, and posts back the complete response text or a failure.
 *
 * Messages (see worker-pool.ts for the other side):
 * - in:  {@link WorkerRequest}: the query, its data, and a SharedArrayBuffer whose first Int32
 *   the main thread sets to 1 to cancel (read through {@link sharedAbortSignal}, because this
 *   thread is busy evaluating and cannot receive messages meanwhile);
 * - out: {@link WorkerReady} once, then one {@link WorkerReply} per request. The response text
 *   is structured-cloned (one flat copy): for a 1.5 MB body that took 2.0 ms where UTF-8
 *   encoding, transferring the bytes and decoding them on the main thread took 2.8 ms.
 */
import { parentPort } from 'node:worker_threads';
import { describeFailure, execQuery, type ExecFailure, type ExecOutcome, type ExecRequest } from './query-exec.ts';

/** A query sent to a worker. */
export interface WorkerRequest {
  id: number;
  req: ExecRequest;
  data: ArrayBuffer;
  /** 4 bytes; Int32 0: 0 = running, 1 = canceled. */
  cancel: SharedArrayBuffer;
}

/** The first message of a worker: its modules are loaded. */
export interface WorkerReady {
  ready: true;
}

/** A worker's answer to a {@link WorkerRequest}. */
export type WorkerReply = ({ id: number; ok: true } & ExecOutcome) | { id: number; ok: false; failure: ExecFailure };

/**
 * An AbortSignal-like view of a shared cancellation flag: the engine polls `aborted` (and
 * storage calls `throwIfAborted`). Only the members the engine uses are provided.
 */
export function sharedAbortSignal(flag: Int32Array): AbortSignal {
  const reason = (): Error => Object.assign(new Error('query canceled'), { name: 'AbortError' });
  const signal = {
    get aborted(): boolean {
      return Atomics.load(flag, 0) !== 0;
    },
    get reason(): unknown {
      return Atomics.load(flag, 0) !== 0 ? reason() : undefined;
    },
    throwIfAborted(): void {
      if (Atomics.load(flag, 0) !== 0) throw reason();
    },
  };
  return signal as unknown as AbortSignal;
}

const port = parentPort;
if (port !== null) {
  port.on('message', (m: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      const out = execQuery(m.req, m.data, sharedAbortSignal(new Int32Array(m.cancel)));
      reply = { id: m.id, ok: true, ...out };
    } catch (e) {
      reply = { id: m.id, ok: false, failure: describeFailure(e) };
    }
    port.postMessage(reply);
  });
  const ready: WorkerReady = { ready: true };
  port.postMessage(ready);
}
