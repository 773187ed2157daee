/**
 * The lifecycle every long-running component shares. A target (`-target=all`, `ingester`, …) is a
 * list of services started in dependency order and stopped in reverse.
 */

/** A component with a start and a stop. `stop` must be idempotent. */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts services in order; on a failure stops the ones already started and rethrows. */
export async function startAll(services: readonly Service[]): Promise<void> {
  const started: Service[] = [];
  try {
    for (const s of services) {
      await s.start();
      started.push(s);
    }
  } catch (e) {
    await stopAll(started);
    throw e;
  }
}

/** Stops services in reverse order, continuing past failures; returns the errors met. */
export async function stopAll(services: readonly Service[]): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const s of [...services].reverse()) {
    try {
      await s.stop();
    } catch (e) {
      errors.push(e);
    }
  }
  return errors;
}
