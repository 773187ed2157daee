/**
 * The tenants file in force: loaded at start, checked for changes every period, swapped in whole.
 *
 * Reload rules (the same as the runtime config's):
 * - at `start()` an unreadable or invalid file is fatal (`ConfigError`): Tessera does not start
 *   open, nor locked, by mistake;
 * - later, a bad or unreadable file keeps the previous table in force and logs one warning per
 *   distinct failure (file name and problem, never a secret);
 * - the file is re-read only when its stat (mtime, ctime, size, inode) changed, or while its
 *   mtime is too close to the last read to trust (a write in the same clock tick as the read
 *   would leave the stat unchanged); a re-read with an unchanged SHA-256 is not a reload.
 *
 * `authenticate` reads the current table with no await in between, so a request sees one table.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { Counter, Gauge, type Registry } from 'prom-client';
import { ConfigError, isConfigError } from '../config/config-error.ts';
import type { Service } from '../service.ts';
import { authenticateHeader, type AuthResult, type TenantAuthenticator } from './authenticator.ts';
import { CredentialKeys } from './credential-keys.ts';
import { CredentialTable, parseTenantsFile } from './credential-table.ts';

/** The logging this class needs; a pino logger fits. */
export interface TenantsFileLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

/** Construction options of {@link TenantsFile}. */
export interface TenantsFileOptions {
  /** Path of the tenants file (`-auth.tenants-file`). */
  readonly file: string;
  /** Check period in ms (`-auth.tenants-file-reload-period`); default 5 000. */
  readonly reloadPeriodMs?: number;
  readonly logger?: TenantsFileLogger;
  /** Registers `tessera_auth_tenants_file_*` metrics when given. */
  readonly registry?: Registry;
  /** The keyed hash for credentials; a fresh random one when absent. */
  readonly keys?: CredentialKeys;
}

/** Result of one check of the file. */
export type TenantsFileReloadOutcome = 'reloaded' | 'unchanged' | 'failed';

/** Seconds-scale margin for the racily-clean rule; covers coarse file-system timestamps. */
const RACY_MARGIN_MS = 1000;
const NO_LOGGER: TenantsFileLogger = { info() {}, warn() {} };

interface FileStamp {
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly size: number;
  readonly ino: number;
}

/** Credentials from a hot-reloaded tenants file; the authenticator of `resolveTenant`. */
export class TenantsFile implements TenantAuthenticator, Service {
  /** Service name in `/services`. */
  readonly name = 'auth';
  readonly #file: string;
  readonly #periodMs: number;
  readonly #logger: TenantsFileLogger;
  readonly #keys: CredentialKeys;
  readonly #reloads: Counter<'result'> | undefined;
  readonly #lastOk: Gauge | undefined;

  #table: CredentialTable;
  #hash = '';
  #stamp: FileStamp | undefined;
  #readAtMs = 0;
  #lastFailure: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<TenantsFileReloadOutcome> | undefined;
  #started = false;

  /** @throws ConfigError when the file name or the period is unusable. */
  constructor(options: TenantsFileOptions) {
    if (options.file === '') throw new ConfigError('-auth.tenants-file must name a file');
    this.#file = options.file;
    this.#periodMs = options.reloadPeriodMs ?? 5_000;
    if (!(this.#periodMs > 0)) throw new ConfigError(`invalid value ${this.#periodMs} for -auth.tenants-file-reload-period: must be more than 0`);
    this.#logger = options.logger ?? NO_LOGGER;
    this.#keys = options.keys ?? new CredentialKeys();
    // Until start() loads the file, nobody is let in.
    this.#table = new CredentialTable(this.#keys, new Map(), new Map(), []);
    if (options.registry !== undefined) {
      this.#reloads = new Counter({
        name: 'tessera_auth_tenants_file_reloads_total',
        help: 'Loads of the tenants file that changed it (success) or failed (failure; the previous file stays in force).',
        labelNames: ['result'] as const,
        registers: [options.registry],
      });
      this.#reloads.inc({ result: 'success' }, 0);
      this.#reloads.inc({ result: 'failure' }, 0);
      this.#lastOk = new Gauge({
        name: 'tessera_auth_tenants_file_last_reload_successful',
        help: 'Whether the last check of the tenants file succeeded (1) or failed (0).',
        registers: [options.registry],
      });
    }
  }

  /** The tenant named by an `Authorization` header value, from the file in force. */
  authenticate(authorization: string | string[] | undefined): AuthResult {
    return authenticateHeader(this.#table, authorization);
  }

  /** Tenant IDs of the file in force, sorted. */
  get tenants(): readonly string[] {
    return this.#table.tenants;
  }

  /** False while the last check of the file failed (the previous file stays in force). */
  get lastReloadSuccessful(): boolean {
    return this.#lastFailure === undefined;
  }

  /** SHA-256 (hex) of the file content in force; empty before the first load. */
  get hash(): string {
    return this.#hash;
  }

  /**
   * Loads the file and starts checking it every period (the timer does not keep the process alive).
   *
   * @throws ConfigError when the file cannot be read or is invalid.
   */
  async start(): Promise<void> {
    if (this.#started) throw new Error('TenantsFile already started');
    this.#started = true;
    const outcome = await this.#check(true);
    if (outcome === 'failed') throw new ConfigError(this.#lastFailure ?? `cannot load tenants file ${this.#file}`);
    this.#timer = setInterval(() => {
      if (this.#inFlight === undefined) void this.reload();
    }, this.#periodMs);
    this.#timer.unref();
  }

  /** Stops the periodic check and waits for one in progress. Idempotent. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  /** Checks the file now, as the timer does (e.g. on SIGHUP). Never throws. */
  async reload(): Promise<TenantsFileReloadOutcome> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    this.#inFlight = this.#check(false).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #check(initial: boolean): Promise<TenantsFileReloadOutcome> {
    const source = `tenants file ${this.#file}`;
    let text: string;
    let stamp: FileStamp;
    const readAtMs = Date.now();
    try {
      const st = await stat(this.#file);
      stamp = { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, size: st.size, ino: st.ino };
      const prev = this.#stamp;
      if (prev !== undefined && sameStamp(prev, stamp) && prev.mtimeMs < this.#readAtMs - RACY_MARGIN_MS) {
        return this.#lastFailure === undefined ? 'unchanged' : 'failed'; // the same (bad) file is still there
      }
      text = await readFile(this.#file, 'utf8');
    } catch (e) {
      // fs messages name the path and the errno, nothing from the file.
      return this.#failed(`cannot read ${source}: ${(e as Error).message}`, initial);
    }
    this.#stamp = stamp;
    this.#readAtMs = readAtMs;
    const hash = createHash('sha256').update(text).digest('hex');
    if (hash === this.#hash) {
      this.#succeeded();
      return 'unchanged';
    }

    let table: CredentialTable;
    try {
      table = parseTenantsFile(text, source, this.#keys);
    } catch (e) {
      if (!isConfigError(e)) throw e;
      return this.#failed(e.message, initial);
    }
    this.#table = table;
    this.#hash = hash;
    this.#succeeded();
    this.#reloads?.inc({ result: 'success' });
    this.#logger.info(
      { file: this.#file, tenants: table.tenants.length, credentials: table.size },
      initial ? 'tenants file loaded' : 'tenants file reloaded',
    );
    return 'reloaded';
  }

  #succeeded(): void {
    this.#lastFailure = undefined;
    this.#lastOk?.set(1);
  }

  #failed(message: string, initial: boolean): TenantsFileReloadOutcome {
    const repeated = this.#lastFailure === message;
    this.#lastFailure = message;
    this.#lastOk?.set(0);
    if (initial || repeated) return 'failed';
    this.#reloads?.inc({ result: 'failure' });
    this.#logger.warn({ file: this.#file, err: message }, 'tenants file reload failed; keeping the previous credentials');
    return 'failed';
  }
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.size === b.size && a.ino === b.ino;
}
