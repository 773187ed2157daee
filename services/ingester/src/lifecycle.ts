/**
 * The ingester's membership of the ring in the cluster mode, as a {@link Service}.
 *
 * Order of events (the ingester itself is a separate service, started before this one and
 * stopped after it; its `start` has replayed the WAL by the time this one starts):
 *
 *   start: lifecycler.start()  → PENDING, taking back the tokens of an entry with the same id
 *          lifecycler.join()   → JOINING (tokens topped up) → ACTIVE: distributors now write here
 *   stop:  setState(LEAVING)   → distributors stop choosing this ingester for writes; readers
 *                                still ask it
 *          refuse pushes (503) → in-flight or late pushes fail over to the other replicas
 *          ingester.stop()     → every head's WAL flushed and fsynced, so every acknowledged
 *                                sample survives for the restart's replay
 *          lifecycler.stop()   → the entry is removed (or kept LEAVING with its tokens when the
 *                                lifecycler was built with `unregisterOnShutdown: false`)
 *
 * A failure to reach the KV store on the way down never skips making the WAL durable.
 */
import type { Lifecycler } from '@tessera/ring';
import type { Logger, Service } from '@tessera/server';

/** The parts of the ingester the lifecycle drives. */
export interface LifecycleIngester {
  stopAcceptingWrites(): void;
  stop(): Promise<void>;
}

/** Dependencies of an {@link IngesterLifecycle}. */
export interface IngesterLifecycleDeps {
  ingester: LifecycleIngester;
  /** The ring registration of this ingester (its `autoJoin` setting does not matter). */
  lifecycler: Lifecycler;
  logger: Logger;
}

/** Registers the ingester in the ring once it is ready, and leaves cleanly on shutdown. */
export class IngesterLifecycle implements Service {
  readonly name = 'ingester-lifecycle';
  readonly #ingester: LifecycleIngester;
  readonly #lifecycler: Lifecycler;
  readonly #log: Logger;
  #stopping: Promise<void> | null = null;

  /** Creates the lifecycle; nothing is written to the ring before {@link start}. */
  constructor(deps: IngesterLifecycleDeps) {
    this.#ingester = deps.ingester;
    this.#lifecycler = deps.lifecycler;
    this.#log = deps.logger.child({ component: 'ingester-lifecycle' });
  }

  /** The lifecycler (for its state and tokens). */
  get lifecycler(): Lifecycler {
    return this.#lifecycler;
  }

  /** Registers (PENDING, same id → same tokens), then joins: JOINING → ACTIVE. */
  async start(): Promise<void> {
    await this.#lifecycler.start();
    if (this.#lifecycler.state !== 'ACTIVE') await this.#lifecycler.join();
    this.#log.info(
      { id: this.#lifecycler.id, addr: this.#lifecycler.addr, tokens: this.#lifecycler.tokens.length },
      'ingester is ACTIVE in the ring',
    );
  }

  /**
   * Leaves the ring: LEAVING, refuse pushes, make the WAL durable (stops the ingester), then
   * unregister. Idempotent; rejects with the first failure after doing every step.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#leave();
    return this.#stopping;
  }

  async #leave(): Promise<void> {
    let failure: unknown;
    const step = async (what: string, fn: () => Promise<void> | void): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        this.#log.error({ err, id: this.#lifecycler.id }, `ingester shutdown: ${what} failed`);
        failure ??= err;
      }
    };
    if (this.#lifecycler.state !== undefined) {
      await step('marking the instance LEAVING', () => this.#lifecycler.setState('LEAVING'));
    }
    this.#ingester.stopAcceptingWrites();
    await step('flushing the WAL', () => this.#ingester.stop());
    await step('leaving the ring', () => this.#lifecycler.stop());
    this.#log.info({ id: this.#lifecycler.id }, 'ingester left the ring');
    if (failure !== undefined) throw failure;
  }
}
