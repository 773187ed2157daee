/**
 * The in-memory KV store, for a single process (`-target=all`, `-ring.store=memory`) and tests.
 *
 * Values are kept encoded, exactly as the Redis backend keeps them, so every reader gets its own
 * copy. A compare-and-swap runs `update` and stores its result within one synchronous step of
 * the event loop, so it never loses a race and never retries. Watchers are notified on the
 * microtask queue after the write, never from inside `cas` itself.
 */
import { TesseraError, type Logger } from '@tessera/server';
import type { Codec } from './codec.ts';
import type { CasOptions, KVStore } from './kv-store.ts';

interface Entry {
  text: string;
  /** Incremented on every write of this key; watchers skip versions they have delivered. */
  version: number;
}

interface Watcher {
  key: string;
  onChange: (value: unknown) => void;
  delivered: number;
}

/** An in-process {@link KVStore}. Share one instance between the writers and readers of a ring. */
export class MemoryKV<T> implements KVStore<T> {
  readonly #codec: Codec<T>;
  readonly #entries = new Map<string, Entry>();
  readonly #watchers = new Set<Watcher>();
  readonly #logger: Logger | undefined;
  #closed = false;

  /**
   * Creates an empty store whose values are encoded with `codec`; a watcher that throws is
   * reported to `logger` (and otherwise ignored).
   */
  constructor(codec: Codec<T>, opts: { logger?: Logger } = {}) {
    this.#codec = codec;
    this.#logger = opts.logger;
  }

  /** {@inheritDoc KVStore.get} */
  async get(key: string): Promise<T | null> {
    this.#checkOpen();
    const e = this.#entries.get(key);
    return e === undefined ? null : this.#codec.decode(e.text);
  }

  /** {@inheritDoc KVStore.cas} */
  async cas(key: string, update: (current: T | null) => T | null, _opts?: CasOptions): Promise<T | null> {
    this.#checkOpen();
    const e = this.#entries.get(key);
    const current = e === undefined ? null : this.#codec.decode(e.text);
    const next = update(current);
    if (next === null) return current;
    const text = this.#codec.encode(next);
    const version = (e?.version ?? 0) + 1;
    this.#entries.set(key, { text, version });
    queueMicrotask(() => this.#notify(key));
    return this.#codec.decode(text);
  }

  /** {@inheritDoc KVStore.watch} */
  watch(key: string, onChange: (value: T) => void): () => void {
    this.#checkOpen();
    const w: Watcher = { key, onChange: onChange as (value: unknown) => void, delivered: 0 };
    this.#watchers.add(w);
    queueMicrotask(() => this.#deliver(w));
    return () => {
      this.#watchers.delete(w);
    };
  }

  /** {@inheritDoc KVStore.close} */
  async close(): Promise<void> {
    this.#closed = true;
    this.#watchers.clear();
  }

  #notify(key: string): void {
    for (const w of this.#watchers) if (w.key === key) this.#deliver(w);
  }

  #deliver(w: Watcher): void {
    if (!this.#watchers.has(w)) return;
    const e = this.#entries.get(w.key);
    if (e === undefined || e.version === w.delivered) return;
    w.delivered = e.version;
    try {
      w.onChange(this.#codec.decode(e.text));
    } catch (err) {
      this.#logger?.warn({ err, key: w.key }, 'KV watcher failed');
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new TesseraError('unavailable', 'kv-unavailable', 'KV store: closed');
  }
}
