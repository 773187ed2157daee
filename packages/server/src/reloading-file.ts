/**
 * ReloadingFile: a configuration file loaded at start and checked for changes every period,
 * its parsed value swapped in whole — the mechanism behind the runtime config (per-tenant
 * overrides) and the tenants file.
 *
 * Rules:
 * - at `start()` an unreadable or invalid file is fatal (the `ConfigError` is thrown): a process
 *   does not start with a configuration it was not given;
 * - later, a bad or unreadable file keeps the previous value in force; each distinct failure is
 *   reported once (`onFailure`), not on every period;
 * - the file is re-read only when its stat (mtime, ctime, size, inode) changed, or while its
 *   mtime is too close to the last read to trust (git's "racily clean" rule: a write in the same
 *   clock tick as the read would leave the stat unchanged); a re-read whose SHA-256 is unchanged
 *   is not a reload.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { ConfigError, isConfigError } from './config/config-error.ts';

/** Result of one check of the file. */
export type ReloadOutcome = 'reloaded' | 'unchanged' | 'failed';

/** What a {@link ReloadingFile} does with the file; the callbacks run synchronously. */
export interface ReloadingFileOptions<T> {
  /** Path of the file. */
  readonly file: string;
  /** How the file is named in error messages, e.g. "runtime config". */
  readonly what: string;
  /** Check period in ms (> 0). */
  readonly periodMs: number;
  /** Parses the text; throws a ConfigError naming the problem. `source` is "<what> <file>". */
  parse(text: string, source: string): T;
  /** Takes a newly parsed value in force (`initial` for the load at start). */
  apply(value: T, hash: string, initial: boolean): void;
  /** A failure after start, once per distinct message; the previous value stays in force. */
  onFailure?(err: ConfigError): void;
  /** After every check: whether the file in force is the one on disk (false while it is bad). */
  onStatus?(ok: boolean): void;
}

/** Seconds-scale margin for the racily-clean rule; covers coarse file-system timestamps. */
const RACY_MARGIN_MS = 1000;

interface FileStamp {
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly size: number;
  readonly ino: number;
}

/** A file reloaded while running; see the file comment. */
export class ReloadingFile<T> {
  readonly #opts: ReloadingFileOptions<T>;
  #hash = '';
  #stamp: FileStamp | undefined;
  #readAtMs = 0;
  #lastFailure: ConfigError | undefined;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<ReloadOutcome> | undefined;
  #started = false;

  /** @throws ConfigError when the period is not positive. */
  constructor(opts: ReloadingFileOptions<T>) {
    if (!(opts.periodMs > 0)) throw new ConfigError(`invalid reload period ${opts.periodMs} for the ${opts.what}: must be more than 0`);
    this.#opts = opts;
  }

  /** SHA-256 (hex) of the content in force; empty before the first load. */
  get hash(): string {
    return this.#hash;
  }

  /** The failure of the last check, if it failed (the previous value stays in force). */
  get lastFailure(): ConfigError | undefined {
    return this.#lastFailure;
  }

  /** Distinct failures reported since start. */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Loads the file and starts checking it every period (the timer does not keep the process alive).
   *
   * @throws ConfigError when the file cannot be read or is invalid.
   */
  async start(): Promise<void> {
    if (this.#started) throw new Error(`${this.#opts.what} already started`);
    this.#started = true;
    const outcome = await this.#check(true);
    if (outcome === 'failed') throw this.#lastFailure ?? new ConfigError(`cannot load ${this.#opts.what} ${this.#opts.file}`);
    this.#timer = setInterval(() => {
      if (this.#inFlight === undefined) void this.reload();
    }, this.#opts.periodMs);
    this.#timer.unref();
  }

  /** Stops the periodic check and waits for one in progress. Idempotent. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  /** Checks the file now, as the timer does (e.g. on SIGHUP). Never throws. */
  async reload(): Promise<ReloadOutcome> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    this.#inFlight = this.#check(false).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #check(initial: boolean): Promise<ReloadOutcome> {
    const opts = this.#opts;
    const source = `${opts.what} ${opts.file}`;
    let text: string;
    let stamp: FileStamp;
    const readAtMs = Date.now();
    try {
      const st = await stat(opts.file);
      stamp = { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, size: st.size, ino: st.ino };
      const prev = this.#stamp;
      if (prev !== undefined && sameStamp(prev, stamp) && prev.mtimeMs < this.#readAtMs - RACY_MARGIN_MS) {
        return this.#lastFailure === undefined ? 'unchanged' : 'failed'; // the same (bad) file is still there
      }
      text = await readFile(opts.file, 'utf8');
    } catch (e) {
      // fs messages name the path and the errno, nothing from the file.
      return this.#failed(new ConfigError(`cannot read ${source}: ${(e as Error).message}`, { cause: e }), initial);
    }
    this.#stamp = stamp;
    this.#readAtMs = readAtMs;
    const hash = createHash('sha256').update(text).digest('hex');
    if (hash === this.#hash) {
      this.#succeeded();
      return 'unchanged';
    }
    let value: T;
    try {
      value = opts.parse(text, source);
    } catch (e) {
      if (!isConfigError(e)) throw e;
      return this.#failed(e, initial);
    }
    this.#hash = hash;
    this.#succeeded();
    opts.apply(value, hash, initial);
    return 'reloaded';
  }

  #succeeded(): void {
    this.#lastFailure = undefined;
    this.#opts.onStatus?.(true);
  }

  #failed(err: ConfigError, initial: boolean): ReloadOutcome {
    const repeated = this.#lastFailure?.message === err.message;
    this.#lastFailure = err;
    this.#opts.onStatus?.(false);
    if (initial || repeated) return 'failed';
    this.#failures++;
    this.#opts.onFailure?.(err);
    return 'failed';
  }
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.size === b.size && a.ino === b.ino;
}
