/**
 * The watchers of one Redis key: fetches the value when told it changed (pub/sub) and on a
 * fallback poll, and hands each new version to every callback exactly once.
 *
 * Invariants: at most one read of the key is in flight; a refresh requested during a read runs
 * another read after it, so a change is never lost between a read and its notification. A
 * version is identified by `<epoch>:<version>` (see redis-kv.ts); a callback is given a value
 * only when its tag differs from the last one that callback received.
 */
import type { Logger } from '@tessera/server';
import type { Codec } from './codec.ts';

/** The stored form of a key: its text (null when absent), version and epoch. */
export interface StoredVersion {
  /** "0" when the key does not exist. */
  version: string;
  epoch: string;
  text: string | null;
}

interface Callback<T> {
  onChange: (value: T) => void;
  /** Tag of the last value delivered to this callback; '' before the first. */
  delivered: string;
}

/** Options of a {@link KeyWatch}. */
export interface KeyWatchOptions<T> {
  key: string;
  codec: Codec<T>;
  read: () => Promise<StoredVersion>;
  pollIntervalMs: number;
  logger: Logger | undefined;
  /** Called when the last callback is removed (the watch has stopped itself). */
  onEmpty: () => void;
}

/** The watch state of one key (internal to the Redis backend). */
export class KeyWatch<T> {
  readonly #opts: KeyWatchOptions<T>;
  readonly #callbacks = new Set<Callback<T>>();
  readonly #timer: NodeJS.Timeout;
  #reading = false;
  #again = false;
  #stopped = false;
  /** The last value read, kept to serve a callback added later without waiting for a read. */
  #last: { tag: string; text: string } | undefined;
  #readFailing = false;

  /** Starts polling; the first read happens on the first {@link refresh}. */
  constructor(opts: KeyWatchOptions<T>) {
    this.#opts = opts;
    this.#timer = setInterval(() => this.refresh(), opts.pollIntervalMs);
    this.#timer.unref();
  }

  /** Adds a callback; it receives the current value soon. Returns its removal function. */
  add(onChange: (value: T) => void): () => void {
    const cb: Callback<T> = { onChange, delivered: '' };
    this.#callbacks.add(cb);
    if (this.#last !== undefined) {
      // Read #last when the microtask runs, not now: a read may complete first, and a callback
      // must never get an older value after a newer one.
      queueMicrotask(() => {
        if (this.#last !== undefined) this.#deliver(this.#last.tag, this.#last.text);
      });
    }
    this.refresh();
    return () => {
      if (!this.#callbacks.delete(cb) || this.#callbacks.size > 0) return;
      this.stop();
      this.#opts.onEmpty();
    };
  }

  /** Reads the key now (or right after the read in flight) and notifies callbacks of a change. */
  refresh(): void {
    if (this.#stopped) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    void this.#readLoop();
  }

  /** Stops polling; no callback is called afterwards. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#callbacks.clear();
  }

  async #readLoop(): Promise<void> {
    try {
      do {
        this.#again = false;
        let s: StoredVersion;
        try {
          s = await this.#opts.read();
        } catch (err) {
          // Redis is unreachable: keep the last value; the poll tries again.
          if (!this.#readFailing) this.#opts.logger?.warn({ err, key: this.#opts.key }, 'KV watch: read failed');
          this.#readFailing = true;
          return;
        }
        this.#readFailing = false;
        // An absent key (never written, or lost with a Redis restart) keeps the last value.
        if (s.text === null || this.#stopped) continue;
        const tag = `${s.epoch}:${s.version}`;
        this.#last = { tag, text: s.text };
        this.#deliver(tag, s.text);
      } while (this.#again && !this.#stopped);
    } finally {
      this.#reading = false;
    }
  }

  #deliver(tag: string, text: string): void {
    for (const cb of this.#callbacks) {
      if (cb.delivered === tag) continue;
      cb.delivered = tag;
      try {
        cb.onChange(this.#opts.codec.decode(text));
      } catch (err) {
        this.#opts.logger?.warn({ err, key: this.#opts.key }, 'KV watcher failed');
      }
    }
  }
}
