/**
 * A stand-in query worker for the worker pool's tests (not used in production): it speaks the
 * pool's protocol (see query-worker.ts) and misbehaves on request, by the query text:
 * `hang` spins forever without looking at the cancel flag, `exit` ends the thread with code 3,
 * `throw` throws an uncaught error, `wait:<ms>` spins until the cancel flag is set or <ms>
 * pass; anything else is answered at once with the query text as the body.
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerReady, WorkerReply, WorkerRequest } from './query-worker.ts';

const port = parentPort!;
port.on('message', (m: WorkerRequest) => {
  const expr = m.req.expr;
  if (expr === 'hang') for (;;);
  if (expr === 'exit') process.exit(3);
  if (expr === 'throw') {
    setImmediate(() => {
      throw new Error('boom');
    });
    return;
  }
  if (expr.startsWith('wait:')) {
    const flag = new Int32Array(m.cancel);
    const until = Date.now() + Number(expr.slice(5));
    while (Date.now() < until && Atomics.load(flag, 0) === 0);
    const canceled = Atomics.load(flag, 0) !== 0;
    const reply: WorkerReply = canceled
      ? { id: m.id, ok: false, failure: { kind: 'canceled', code: 'query-canceled', message: 'canceled' } }
      : { id: m.id, ok: true, body: `${expr} bytes=${m.data.byteLength}`, samplesProcessed: 0, peakSamples: 0 };
    port.postMessage(reply);
    return;
  }
  const reply: WorkerReply = { id: m.id, ok: true, body: `${expr} bytes=${m.data.byteLength}`, samplesProcessed: 1, peakSamples: 1 };
  port.postMessage(reply);
});
const ready: WorkerReady = { ready: true };
port.postMessage(ready);
