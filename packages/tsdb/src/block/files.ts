/**
 * BlockFiles: the read side's only view of a block, ranged reads of its files by name.
 *
 * File names are relative to the block directory: `meta.json`, `index`, `tombstones`,
 * `chunks/000001`, … The reader never needs a whole file (except meta.json) or a directory
 * listing, so the same code reads a block from local disk ({@link LocalBlockFiles}) or from an
 * object-store bucket with ranged GETs (an adapter in the store gateway).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { corrupt } from './errors.ts';

/** Ranged read access to the files of one block. */
export interface BlockFiles {
  /**
   * Returns exactly `length` bytes of `file` from `offset`. Implementations throw when the file
   * is shorter (a `block-corrupt` BlockError for a local file) or cannot be read.
   */
  readRange(file: string, offset: number, length: number): Promise<Uint8Array>;
  /** The size of `file` in bytes. */
  size(file: string): Promise<number>;
  /** Releases open handles, if any. */
  close?(): Promise<void>;
}

/** Name of chunk segment `seq` (0-based, as in chunk refs): `chunks/000001` for seq 0. */
export function chunkSegmentName(seq: number): string {
  return `chunks/${String(seq + 1).padStart(6, '0')}`;
}

/** {@link BlockFiles} over a block directory on local disk; keeps one handle per file open. */
export class LocalBlockFiles implements BlockFiles {
  readonly dir: string;
  readonly #handles = new Map<string, Promise<FileHandle>>();
  readonly #sizes = new Map<string, number>();

  constructor(dir: string) {
    this.dir = dir;
  }

  #handle(file: string): Promise<FileHandle> {
    let h = this.#handles.get(file);
    if (h === undefined) {
      h = open(join(this.dir, file), 'r');
      // Do not cache a failed open: the next call retries and reports its own error.
      h.catch(() => this.#handles.delete(file));
      this.#handles.set(file, h);
    }
    return h;
  }

  async readRange(file: string, offset: number, length: number): Promise<Uint8Array> {
    const fh = await this.#handle(file);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(out, done, length - done, offset + done);
      if (bytesRead === 0) throw corrupt(`file ends before ${offset + length}`, file, offset + done);
      done += bytesRead;
    }
    return out;
  }

  async size(file: string): Promise<number> {
    let s = this.#sizes.get(file);
    if (s === undefined) {
      s = (await (await this.#handle(file)).stat()).size;
      this.#sizes.set(file, s);
    }
    return s;
  }

  async close(): Promise<void> {
    const handles = [...this.#handles.values()];
    this.#handles.clear();
    for (const h of handles) {
      try {
        await (await h).close();
      } catch {
        // A handle that failed to open has nothing to close.
      }
    }
  }
}
