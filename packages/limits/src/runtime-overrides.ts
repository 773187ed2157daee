/**
 * Per-tenant limits with overrides from a runtime config file that is reloaded while running.
 *
 * Hot path: `forTenant` is one `Map` lookup returning a frozen object resolved at load time;
 * tenants without overrides share one frozen defaults object. A reload builds a whole new map
 * and swaps it in, so a caller holding an old object keeps a consistent (if stale) view.
 *
 * Reloading follows ReloadingFile's rules (packages/server): an unreadable or invalid file is
 * fatal at `start()`; later, a bad file keeps the old overrides in force, logs a warning and calls
 * `onReloadError`, once per distinct failure.
 */

import { ConfigError, ReloadingFile, type ReloadOutcome as FileReloadOutcome } from '@tessera/server';
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
export type ReloadOutcome = FileReloadOutcome;

const NO_LOGGER: RuntimeOverridesLogger = { info() {}, warn() {} };

/** Per-tenant limits: defaults merged with the tenant's overrides from the runtime config file. */
export class RuntimeOverrides {
  readonly #defaults: Readonly<Limits>;
  readonly #file: ReloadingFile<Map<string, Readonly<Limits>>> | undefined;
  readonly #listeners = new Set<(event: ReloadEvent) => void>();
  #byTenant = new Map<string, Readonly<Limits>>();
  #started = false;

  /** @throws ConfigError when `defaults` are invalid. */
  constructor(options: RuntimeOverridesOptions) {
    const rawDefaults = Object.freeze({ ...options.defaults });
    this.#defaults = resolveLimits(rawDefaults);
    const file = options.file ?? '';
    const periodMs = options.reloadPeriodMs ?? 10_000;
    if (!(periodMs > 0)) throw new ConfigError(`invalid value ${periodMs} for -runtime-config.reload-period: must be more than 0`);
    const logger = options.logger ?? NO_LOGGER;
    this.#file =
      file === ''
        ? undefined
        : new ReloadingFile({
            file,
            what: 'runtime config',
            periodMs,
            parse: (text, source) => parseRuntimeConfig(text, source, rawDefaults),
            apply: (next, hash, initial) => this.#apply(next, hash, initial, file, logger),
            onFailure: (err) => {
              logger.warn({ file, err: err.message }, 'runtime config reload failed; keeping the previous overrides');
              options.onReloadError?.(err);
            },
          });
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
    return this.#file?.lastFailure === undefined;
  }

  /** Distinct reload failures reported since start. */
  get reloadFailures(): number {
    return this.#file?.failures ?? 0;
  }

  /** SHA-256 (hex) of the runtime config in force; empty when there is none. */
  get configHash(): string {
    return this.#file?.hash ?? '';
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
    await this.#file?.start();
  }

  /** Stops the periodic check and waits for one in progress. */
  async stop(): Promise<void> {
    await this.#file?.stop();
  }

  /**
   * Checks the file now (as the timer does), e.g. on SIGHUP. Never throws: failures are logged
   * and reported, and the old overrides stay in force.
   */
  async reload(): Promise<ReloadOutcome> {
    return this.#file === undefined ? 'unchanged' : this.#file.reload();
  }

  #apply(next: Map<string, Readonly<Limits>>, hash: string, initial: boolean, file: string, logger: RuntimeOverridesLogger): void {
    const previous = this.#byTenant;
    this.#byTenant = next;
    const event: ReloadEvent = { tenants: this.tenantsWithOverrides(), changedTenants: this.#changed(previous, next), hash };
    logger.info({ file, tenants: event.tenants.length, changed: event.changedTenants.length, hash }, initial ? 'runtime config loaded' : 'runtime config reloaded');
    if (initial) return;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (e) {
        logger.warn({ err: e }, 'runtime config reload listener failed');
      }
    }
  }

  #changed(before: ReadonlyMap<string, Readonly<Limits>>, after: ReadonlyMap<string, Readonly<Limits>>): string[] {
    const out: string[] = [];
    for (const tenant of new Set([...before.keys(), ...after.keys()])) {
      if (!sameLimits(before.get(tenant) ?? this.#defaults, after.get(tenant) ?? this.#defaults)) out.push(tenant);
    }
    return out.sort();
  }
}

function sameLimits(a: Readonly<Limits>, b: Readonly<Limits>): boolean {
  if (a === b) return true;
  for (const key of Object.keys(a) as (keyof Limits)[]) {
    if (a[key] !== b[key]) return false;
  }
  return true;
}
