/**
 * The tenants file in force: loaded at start, checked for changes every period, swapped in whole.
 *
 * Reloading follows ReloadingFile's rules (reloading-file.ts): an unreadable or invalid file is
 * fatal at `start()` (Tessera does not start open, nor locked, by mistake); later, a bad file keeps
 * the previous table in force and logs one warning per distinct failure (file name and problem,
 * never a secret).
 *
 * `authenticate` reads the current table with no await in between, so a request sees one table.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { ConfigError } from '../config/config-error.ts';
import { ReloadingFile, type ReloadOutcome } from '../reloading-file.ts';
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
export type TenantsFileReloadOutcome = ReloadOutcome;

const NO_LOGGER: TenantsFileLogger = { info() {}, warn() {} };

/** Credentials from a hot-reloaded tenants file; the authenticator of `resolveTenant`. */
export class TenantsFile implements TenantAuthenticator, Service {
  /** Service name in `/services`. */
  readonly name = 'auth';
  readonly #file: ReloadingFile<CredentialTable>;
  #table: CredentialTable;

  /** @throws ConfigError when the file name or the period is unusable. */
  constructor(options: TenantsFileOptions) {
    if (options.file === '') throw new ConfigError('-auth.tenants-file must name a file');
    const periodMs = options.reloadPeriodMs ?? 5_000;
    if (!(periodMs > 0)) throw new ConfigError(`invalid value ${periodMs} for -auth.tenants-file-reload-period: must be more than 0`);
    const logger = options.logger ?? NO_LOGGER;
    const keys = options.keys ?? new CredentialKeys();
    // Until start() loads the file, nobody is let in.
    this.#table = new CredentialTable(keys, new Map(), new Map(), []);
    let reloads: Counter<'result'> | undefined;
    let lastOk: Gauge | undefined;
    if (options.registry !== undefined) {
      reloads = new Counter({
        name: 'tessera_auth_tenants_file_reloads_total',
        help: 'Loads of the tenants file that changed it (success) or failed (failure; the previous file stays in force).',
        labelNames: ['result'] as const,
        registers: [options.registry],
      });
      reloads.inc({ result: 'success' }, 0);
      reloads.inc({ result: 'failure' }, 0);
      lastOk = new Gauge({
        name: 'tessera_auth_tenants_file_last_reload_successful',
        help: 'Whether the last check of the tenants file succeeded (1) or failed (0).',
        registers: [options.registry],
      });
    }
    this.#file = new ReloadingFile<CredentialTable>({
      file: options.file,
      what: 'tenants file',
      periodMs,
      parse: (text, source) => parseTenantsFile(text, source, keys),
      apply: (table, _hash, initial) => {
        this.#table = table;
        reloads?.inc({ result: 'success' });
        logger.info({ file: options.file, tenants: table.tenants.length, credentials: table.size }, initial ? 'tenants file loaded' : 'tenants file reloaded');
      },
      onFailure: (err) => {
        reloads?.inc({ result: 'failure' });
        // The message names the file and the problem, never a secret.
        logger.warn({ file: options.file, err: err.message }, 'tenants file reload failed; keeping the previous credentials');
      },
      onStatus: (ok) => lastOk?.set(ok ? 1 : 0),
    });
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
    return this.#file.lastFailure === undefined;
  }

  /** SHA-256 (hex) of the file content in force; empty before the first load. */
  get hash(): string {
    return this.#file.hash;
  }

  /**
   * Loads the file and starts checking it every period (the timer does not keep the process alive).
   *
   * @throws ConfigError when the file cannot be read or is invalid.
   */
  start(): Promise<void> {
    return this.#file.start();
  }

  /** Stops the periodic check and waits for one in progress. Idempotent. */
  stop(): Promise<void> {
    return this.#file.stop();
  }

  /** Checks the file now, as the timer does (e.g. on SIGHUP). Never throws. */
  reload(): Promise<TenantsFileReloadOutcome> {
    return this.#file.reload();
  }
}
