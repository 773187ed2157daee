/**
 * The Redis KV store (`-ring.store=redis`), on ioredis.
 *
 * Storage layout: a value lives in the Redis hash `<prefix><key>` with three fields:
 *   - `d`: the encoded value (the codec's text);
 *   - `v`: a version counter, "1" on creation, incremented by every write;
 *   - `e`: an epoch, a random string set when the hash is created. A Redis without persistence
 *     that restarts loses every key and counts versions from 1 again; the epoch tells watchers
 *     that "version 3" after the restart is not the "version 3" they delivered before it.
 *
 * Compare-and-swap is one Lua script (atomic on the server): it writes only if `v` still holds the
 * version the writer read, and in the same step publishes `<epoch>:<version>` on the channel
 * `<prefix>changes:<key>`. A writer that lost the race gets the current value back and retries
 * its update on it. Within one process, CAS calls on the same key are queued, so only writers in
 * different processes ever race.
 *
 * Watchers learn of changes from that channel (a second, subscriber connection) and, in case a
 * message is lost (a reconnect, a subscriber that fell behind), from a poll of the version every
 * `pollIntervalMs`. ioredis reconnects and re-subscribes by itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';

/**
 * ioredis, loaded on first use: a single-process Tessera never talks to Redis, and loading the
 * client costs about 20 MiB of resident memory.
 */
let redisClass: (new (opts: RedisOptions) => Redis) | undefined;
function loadRedis(): new (opts: RedisOptions) => Redis {
  redisClass ??= (createRequire(import.meta.url)('ioredis') as { Redis: new (opts: RedisOptions) => Redis }).Redis;
  return redisClass;
}
import type { Registry } from 'prom-client';
import { TesseraError, type Logger } from '@tessera/server';
import { ringMetrics, type RingMetrics } from '../metrics.ts';
import type { Codec } from './codec.ts';
import type { CasOptions, KVStore } from './kv-store.ts';
import { KeyWatch, type StoredVersion } from './redis-watch.ts';

/*
 * KEYS[1] the hash; ARGV[1] the version the writer read ("0": absent); ARGV[2] the new text;
 * ARGV[3] the epoch to use if the hash is created; ARGV[4] the change channel.
 * Returns {1, newVersion, epoch} on success, {0, version, epoch, text} on conflict.
 */
const CAS_SCRIPT = `
local cur = redis.call('HMGET', KEYS[1], 'v', 'd', 'e')
local v = cur[1] or '0'
if v ~= ARGV[1] then
  return {0, v, cur[3] or '', cur[2] or ''}
end
local e = cur[3] or ARGV[3]
local nv = tostring(tonumber(v) + 1)
redis.call('HSET', KEYS[1], 'v', nv, 'd', ARGV[2], 'e', e)
redis.call('PUBLISH', ARGV[4], e .. ':' .. nv)
return {1, nv, e}
`;
const CAS_SHA = createHash('sha1').update(CAS_SCRIPT).digest('hex');

/** Options of {@link RedisKV}. */
export interface RedisKVOptions<T> {
  codec: Codec<T>;
  /** `host:port` (or a `redis://` URL) to connect to, when no `client` is given. */
  address?: string;
  /** An existing connection to use; the store does not close it. */
  client?: Redis;
  /** Prepended to every key and channel name; default `tessera:`. */
  prefix?: string;
  /** Interval of the fallback poll of watched keys, in ms; default 1000. */
  pollIntervalMs?: number;
  /** Default of {@link CasOptions.maxRetries}; default 100. */
  maxCasRetries?: number;
  registry?: Registry;
  logger?: Logger;
}

/** A {@link KVStore} in Redis, safe for concurrent writers in many processes. */
export class RedisKV<T> implements KVStore<T> {
  readonly #codec: Codec<T>;
  readonly #client: Redis;
  readonly #ownsClient: boolean;
  readonly #prefix: string;
  readonly #pollIntervalMs: number;
  readonly #maxCasRetries: number;
  readonly #metrics: RingMetrics | undefined;
  readonly #logger: Logger | undefined;
  /** Tail of the queue of CAS calls per key in this process. */
  readonly #casQueues = new Map<string, Promise<unknown>>();
  readonly #watches = new Map<string, KeyWatch<T>>();
  #sub: Redis | undefined;
  #closed = false;

  /** Connects to `opts.address` (or uses `opts.client`); commands queue until connected. */
  constructor(opts: RedisKVOptions<T>) {
    this.#codec = opts.codec;
    this.#prefix = opts.prefix ?? 'tessera:';
    this.#pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.#maxCasRetries = opts.maxCasRetries ?? 100;
    this.#metrics = opts.registry === undefined ? undefined : ringMetrics(opts.registry);
    this.#logger = opts.logger;
    if (opts.client !== undefined) {
      this.#client = opts.client;
      this.#ownsClient = false;
    } else {
      if (opts.address === undefined) {
        throw new TesseraError('bad_data', 'kv-config-invalid', 'RedisKV needs an address or a client');
      }
      this.#client = new (loadRedis())(redisOptions(opts.address));
      this.#ownsClient = true;
      this.#logErrors(this.#client, 'main');
    }
  }

  /** {@inheritDoc KVStore.get} */
  async get(key: string): Promise<T | null> {
    const s = await this.readVersion(key);
    return s.text === null ? null : this.#codec.decode(s.text);
  }

  /** {@inheritDoc KVStore.cas} */
  cas(key: string, update: (current: T | null) => T | null, opts?: CasOptions): Promise<T | null> {
    this.#checkOpen();
    const prev = this.#casQueues.get(key) ?? Promise.resolve();
    const run = prev.then(
      () => this.#casNow(key, update, opts?.maxRetries ?? this.#maxCasRetries),
      () => this.#casNow(key, update, opts?.maxRetries ?? this.#maxCasRetries),
    );
    const tail = run.catch(() => undefined);
    this.#casQueues.set(key, tail);
    void tail.then(() => {
      if (this.#casQueues.get(key) === tail) this.#casQueues.delete(key);
    });
    return run;
  }

  /** {@inheritDoc KVStore.watch} */
  watch(key: string, onChange: (value: T) => void): () => void {
    this.#checkOpen();
    let w = this.#watches.get(key);
    if (w === undefined) {
      const channel = this.#channel(key);
      w = new KeyWatch<T>({
        key,
        codec: this.#codec,
        read: () => this.readVersion(key),
        pollIntervalMs: this.#pollIntervalMs,
        logger: this.#logger,
        onEmpty: () => {
          this.#watches.delete(key);
          this.#sub?.unsubscribe(channel).catch(() => undefined);
        },
      });
      this.#watches.set(key, w);
      const sub = this.#subscriber();
      const watch = w;
      sub.subscribe(channel).then(
        () => watch.refresh(),
        (err: unknown) => this.#logger?.warn({ err, key }, 'KV watch: subscribe failed, polling only'),
      );
    }
    return w.add(onChange);
  }

  /** {@inheritDoc KVStore.close} */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#watches.values()) w.stop();
    this.#watches.clear();
    await Promise.allSettled(this.#casQueues.values());
    const conns = [this.#sub, this.#ownsClient ? this.#client : undefined];
    for (const c of conns) {
      if (c === undefined) continue;
      // QUIT waits for a reply that a dead server never sends: give it a moment, then cut.
      await Promise.race([c.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 500).unref())]);
      c.disconnect();
    }
  }

  /** Reads the stored text of `key` with its version and epoch (text null: absent). */
  async readVersion(key: string): Promise<StoredVersion> {
    this.#checkOpen();
    let r: (string | null)[];
    try {
      r = await this.#client.hmget(this.#prefix + key, 'v', 'd', 'e');
    } catch (e) {
      throw unavailable(`reading ${key}`, e);
    }
    const [v, d, e] = r;
    if (v == null || d == null) return { version: '0', epoch: '', text: null };
    return { version: v, epoch: e ?? '', text: d };
  }

  async #casNow(key: string, update: (current: T | null) => T | null, maxRetries: number): Promise<T | null> {
    let state = await this.readVersion(key);
    for (let attempt = 0; ; attempt++) {
      const current = state.text === null ? null : this.#codec.decode(state.text);
      const next = update(current);
      if (next === null) return current;
      const text = this.#codec.encode(next);
      const reply = await this.#evalCas(key, state.version, text);
      if (reply[0] === 1) return this.#codec.decode(text);
      if (attempt >= maxRetries) {
        throw new TesseraError(
          'unavailable',
          'kv-cas-conflict',
          `KV store: update of ${key} lost ${attempt + 1} races against concurrent writers`,
        );
      }
      this.#metrics?.casRetries.labels('redis').inc();
      if (attempt === 0) {
        // The conflict reply carries the value that won: retry on it at once.
        const [, version, epoch, winner] = reply;
        state = { version, epoch, text: version === '0' ? null : winner };
      } else {
        // Several writers keep colliding: spread them out (jittered exponential back-off).
        await sleep(Math.random() * Math.min(100, 2 ** attempt));
        state = await this.readVersion(key);
      }
    }
  }

  async #evalCas(key: string, expected: string, text: string): Promise<[1, string, string] | [0, string, string, string]> {
    this.#checkOpen();
    const args = [1, this.#prefix + key, expected, text, randomBytes(8).toString('hex'), this.#channel(key)];
    let reply: unknown;
    try {
      try {
        reply = await this.#client.evalsha(CAS_SHA, ...(args as [number, string, string, string, string, string]));
      } catch (e) {
        if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
        reply = await this.#client.eval(CAS_SCRIPT, ...(args as [number, string, string, string, string, string]));
      }
    } catch (e) {
      throw unavailable(`writing ${key}`, e);
    }
    const r = reply as [number, string, string, string?];
    return r[0] === 1 ? [1, r[1], r[2]] : [0, r[1], r[2], r[3] ?? ''];
  }

  #channel(key: string): string {
    return `${this.#prefix}changes:${key}`;
  }

  #subscriber(): Redis {
    if (this.#sub === undefined) {
      // ioredis's own resubscription after a reconnect leaves its promise unhandled (a connection
      // closing meanwhile is an unhandled rejection): this store resubscribes itself instead.
      const sub = this.#client.duplicate({ autoResubscribe: false });
      this.#logErrors(sub, 'subscriber');
      let connected = false;
      sub.on('ready', () => {
        if (!connected) {
          connected = true; // the first connection sends the queued subscriptions itself
          return;
        }
        const channels = [...this.#watches.keys()].map((k) => this.#channel(k));
        if (channels.length === 0) return;
        sub.subscribe(...channels).then(
          // A change may have been published while disconnected: read every watched key again.
          () => {
            for (const w of this.#watches.values()) w.refresh();
          },
          (err: unknown) => this.#logger?.warn({ err }, 'KV watch: resubscribe failed, polling only'),
        );
      });
      const prefixLen = `${this.#prefix}changes:`.length;
      sub.on('message', (channel: string) => this.#watches.get(channel.slice(prefixLen))?.refresh());
      this.#sub = sub;
    }
    return this.#sub;
  }

  /** Logs connection errors once per outage (ioredis emits one per reconnect attempt). */
  #logErrors(conn: Redis, role: string): void {
    let failing = false;
    conn.on('error', (err: unknown) => {
      if (failing) return;
      failing = true;
      this.#logger?.warn({ err, role }, 'KV store: Redis connection error, reconnecting');
    });
    conn.on('ready', () => {
      if (failing) this.#logger?.info({ role }, 'KV store: Redis connection restored');
      failing = false;
    });
  }

  #checkOpen(): void {
    if (this.#closed) throw new TesseraError('unavailable', 'kv-unavailable', 'KV store: closed');
  }
}

/** ioredis options for `address` (`host:port` or a URL): fail commands fast while disconnected. */
function redisOptions(address: string): RedisOptions {
  const base: RedisOptions = {
    // A command issued while disconnected waits for at most 2 reconnect attempts, then fails:
    // a heartbeat should fail visibly (and be retried next period), not hang for a minute.
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    connectTimeout: 5000,
    commandTimeout: 5000,
  };
  if (address.includes('://')) {
    const u = new URL(address);
    return { ...base, host: u.hostname, port: Number(u.port || 6379), ...(u.password ? { password: decodeURIComponent(u.password) } : {}) };
  }
  const i = address.lastIndexOf(':');
  if (i <= 0) throw new TesseraError('bad_data', 'kv-config-invalid', `Redis address ${address} is not host:port`);
  const port = Number(address.slice(i + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new TesseraError('bad_data', 'kv-config-invalid', `Redis address ${address} has no valid port`);
  }
  return { ...base, host: address.slice(0, i), port };
}

function unavailable(what: string, cause: unknown): TesseraError {
  if (TesseraError.is(cause)) return cause;
  const msg = cause instanceof Error ? cause.message : String(cause);
  return new TesseraError('unavailable', 'kv-unavailable', `KV store: ${what} failed: ${msg}`, { cause });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
