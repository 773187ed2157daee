/**
 * Per-tenant limits with overrides from a runtime config file that is reloaded while running.
 *
 * Hot path: `forTenant` is one `Map` lookup returning a frozen object resolved at load time;
 * tenants without overrides share one frozen defaults object. A reload builds a whole new map
 * and swaps it in, so a caller holding an old object keeps a consistent (if stale) view.
 *
 * Reload rules:
 * - at `start()` an unreadable or invalid file is fatal (`ConfigError`);
 * - later, a bad or unreadable file keeps the old overrides in force, logs a warning and calls
 *   `onReloadError`; each distinct failure is reported once, not on every period;
 * - the file is re-read only when its stat (mtime, ctime, size, inode) changed, or while its
 *   mtime is too close to the last read to trust (git's "racily clean" rule: a write in the same
 *   clock tick as our read would leave the stat unchanged); a re-read whose content hash is
 *   unchanged is not a reload.
 */

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { ConfigError, isConfigError } from '@tessera/server';
import { resolveLimits, type Limits } from './limits.ts';
import { parseRuntimeConfig } from './runtime-config.ts';

/** The logging this class needs; a pino logger fits. */
export interface RuntimeOverridesLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

/** Construction options of {@link RuntimeOverrides}. */
export interface RuntimeOverridesOptions {
  /** Limits for every tenant without overrides, raw (as from `limitsFromConfig`); validated here. */
  readonly defaults: Readonly<Limits>;
  /** Runtime config file (`-runtime-config.file`); empty or absent for none. */
  readonly file?: string;
  /** Check period in ms (`-runtime-config.reload-period`); default 10 000. */
  readonly reloadPeriodMs?: number;
  readonly logger?: RuntimeOverridesLogger;
  /** Called once per distinct reload failure after start (for a failure counter). */
  readonly onReloadError?: (err: ConfigError) => void;
}

/** What a reload changed, passed to `onReload` listeners. */
export interface ReloadEvent {
  /** Tenants with an entry in the new file. */
  readonly tenants: readonly string[];
  /** Tenants whose resolved limits differ from before (added, removed or changed). */
  readonly changedTenants: readonly string[];
  /** SHA-256 of the file content, hex. */
  readonly hash: string;
}

/** Result of one check of the file. */
export type ReloadOutcome = 'reloaded' | 'unchanged' | 'failed';

/** Seconds-scale margin for the racily-clean rule; covers coarse file-system timestamps. */
const RACY_MARGIN_MS = 1000;
const NO_LOGGER: RuntimeOverridesLogger = { info() {}, warn() {} };

interface FileStamp {
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly size: number;
  readonly ino: number;
}

/** Per-tenant limits: defaults merged with the tenant's overrides from the runtime config file. */
export class RuntimeOverrides {
  readonly #rawDefaults: Readonly<Limits>;
  readonly #defaults: Readonly<Limits>;
  readonly #file: string;
  readonly #periodMs: number;
  readonly #logger: RuntimeOverridesLogger;
  readonly #onReloadError: ((err: ConfigError) => void) | undefined;
  readonly #listeners = new Set<(event: ReloadEvent) => void>();

  #byTenant = new Map<string, Readonly<Limits>>();
  #hash = '';
  #stamp: FileStamp | undefined;
  #readAtMs = 0;
  #lastFailure: ConfigError | undefined;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<ReloadOutcome> | undefined;
  #started = false;

  /** @throws ConfigError when `defaults` are invalid. */
  constructor(options: RuntimeOverridesOptions) {
    this.#rawDefaults = Object.freeze({ ...options.defaults });
    this.#defaults = resolveLimits(this.#rawDefaults);
    this.#file = options.file ?? '';
    this.#periodMs = options.reloadPeriodMs ?? 10_000;
    if (!(this.#periodMs > 0)) throw new ConfigError(`invalid value ${this.#periodMs} for -runtime-config.reload-period: must be more than 0`);
    this.#logger = options.logger ?? NO_LOGGER;
    this.#onReloadError = options.onReloadError;
  }

  /** The limits of `tenant`: its overrides over the defaults, or the defaults. Never allocates. */
  forTenant(tenant: string): Readonly<Limits> {
    return this.#byTenant.get(tenant) ?? this.#defaults;
  }

  /** The resolved defaults every tenant without overrides gets. */
  get defaults(): Readonly<Limits> {
    return this.#defaults;
  }

  /** Tenants with an entry in the runtime config file, sorted. */
  tenantsWithOverrides(): string[] {
    return [...this.#byTenant.keys()].sort();
  }

  /** False while the last check of the file failed (the previous overrides stay in force). */
  get lastReloadSuccessful(): boolean {
    return this.#lastFailure === undefined;
  }

  /** Distinct reload failures reported since start. */
  get reloadFailures(): number {
    return this.#failures;
  }

  /** SHA-256 (hex) of the runtime config in force; empty when there is none. */
  get configHash(): string {
    return this.#hash;
  }

  /** Registers a listener called after each successful reload (not the initial load); returns an unsubscribe function. */
  onReload(listener: (event: ReloadEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Loads the runtime config file and starts checking it every period (the timer does not keep
   * the process alive). Without a file it only marks the instance started.
   *
   * @throws ConfigError when the file cannot be read or is invalid.
   */
  async start(): Promise<void> {
    if (this.#started) throw new Error('RuntimeOverrides already started');
    this.#started = true;
    if (this.#file === '') return;
    const outcome = await this.#check(true);
    if (outcome === 'failed' && this.#lastFailure !== undefined) throw this.#lastFailure;
    this.#timer = setInterval(() => {
      if (this.#inFlight === undefined) void this.reload();
    }, this.#periodMs);
    this.#timer.unref();
  }

  /** Stops the periodic check and waits for one in progress. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  /**
   * Checks the file now (as the timer does), e.g. on SIGHUP. Never throws: failures are logged
   * and reported, and the old overrides stay in force.
   */
  async reload(): Promise<ReloadOutcome> {
    if (this.#file === '') return 'unchanged';
    if (this.#inFlight !== undefined) return this.#inFlight;
    this.#inFlight = this.#check(false).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #check(initial: boolean): Promise<ReloadOutcome> {
    const source = `runtime config ${this.#file}`;
    let text: string;
    let stamp: FileStamp;
    const readAtMs = Date.now();
    try {
      const st = await stat(this.#file);
      stamp = { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, size: st.size, ino: st.ino };
      const prev = this.#stamp;
      if (prev !== undefined && sameStamp(prev, stamp) && prev.mtimeMs < this.#readAtMs - RACY_MARGIN_MS) return 'unchanged';
      text = await readFile(this.#file, 'utf8');
    } catch (e) {
      return this.#failed(new ConfigError(`cannot read ${source}: ${(e as Error).message}`, { cause: e }), initial);
    }
    this.#stamp = stamp;
    this.#readAtMs = readAtMs;
    const hash = createHash('sha256').update(text).digest('hex');
    if (hash === this.#hash) {
      this.#lastFailure = undefined;
      return 'unchanged';
    }

    let next: Map<string, Readonly<Limits>>;
    try {
      next = parseRuntimeConfig(text, source, this.#rawDefaults);
    } catch (e) {
      if (!isConfigError(e)) throw e;
      return this.#failed(e, initial);
    }

    const previous = this.#byTenant;
    this.#byTenant = next;
    this.#hash = hash;
    this.#lastFailure = undefined;
    const event: ReloadEvent = { tenants: this.tenantsWithOverrides(), changedTenants: this.#changed(previous, next), hash };
    this.#logger.info({ file: this.#file, tenants: event.tenants.length, changed: event.changedTenants.length, hash }, initial ? 'runtime config loaded' : 'runtime config reloaded');
    if (!initial) {
      for (const listener of this.#listeners) {
        try {
          listener(event);
        } catch (e) {
          this.#logger.warn({ err: e }, 'runtime config reload listener failed');
        }
      }
    }
    return 'reloaded';
  }

  #failed(err: ConfigError, initial: boolean): ReloadOutcome {
    const repeated = this.#lastFailure?.message === err.message;
    this.#lastFailure = err;
    if (initial || repeated) return 'failed';
    this.#failures++;
    this.#logger.warn({ file: this.#file, err: err.message }, 'runtime config reload failed; keeping the previous overrides');
    this.#onReloadError?.(err);
    return 'failed';
  }

  #changed(before: ReadonlyMap<string, Readonly<Limits>>, after: ReadonlyMap<string, Readonly<Limits>>): string[] {
    const out: string[] = [];
    for (const tenant of new Set([...before.keys(), ...after.keys()])) {
      if (!sameLimits(before.get(tenant) ?? this.#defaults, after.get(tenant) ?? this.#defaults)) out.push(tenant);
    }
    return out.sort();
  }
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.size === b.size && a.ino === b.ino;
}

function sameLimits(a: Readonly<Limits>, b: Readonly<Limits>): boolean {
  if (a === b) return true;
  for (const key of Object.keys(a) as (keyof Limits)[]) {
    if (a[key] !== b[key]) return false;
  }
  return true;
}
