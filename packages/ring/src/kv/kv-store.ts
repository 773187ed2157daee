/**
 * The KV store interface through which ring members (and the HA tracker) share state.
 *
 * A store holds values of one type `T` under string keys. Writers never overwrite blindly: every
 * write is a compare-and-swap of a whole value, so two processes updating the same key at once
 * both get their change in (one of them retries against the other's result).
 */

/** Options of {@link KVStore.cas}. */
export interface CasOptions {
  /**
   * How many times to retry after losing a race against another writer before failing with
   * `kv-cas-conflict`. Defaults to the store's own setting.
   */
  maxRetries?: number;
}

/**
 * A key-value store with atomic read-modify-write and change notification.
 *
 * Values handed out (by `get`, `cas` and watchers) are fresh copies: mutating them changes
 * nothing in the store. Errors are {@link TesseraError}s: `kv-unavailable` (kind `unavailable`)
 * when the backend cannot be reached, `kv-cas-conflict` (kind `unavailable`) after too many lost
 * races, `kv-decode-failed` (kind `internal`) for a stored value the codec rejects.
 */
export interface KVStore<T> {
  /** Reads the value of `key`, or null when it does not exist. */
  get(key: string): Promise<T | null>;
  /**
   * Atomically replaces the value of `key` by `update(current)`.
   *
   * `update` receives a fresh copy of the current value (null when absent) and returns the new
   * value, or null for "no change". It may run several times (once per attempt, each time on the
   * latest value), so it must be free of side effects other than on its argument. Resolves to
   * the value now stored (the one `update` returned, or the current one when it returned null).
   */
  cas(key: string, update: (current: T | null) => T | null, opts?: CasOptions): Promise<T | null>;
  /**
   * Calls `onChange` with the current value of `key` (once known, if it exists) and then after
   * each change, in order and without repeating a value already delivered. Changes made in quick
   * succession may be coalesced into the latest value. Returns a function that stops watching.
   */
  watch(key: string, onChange: (value: T) => void): () => void;
  /** Stops all watchers and releases connections. The store is unusable afterwards. */
  close(): Promise<void>;
}
