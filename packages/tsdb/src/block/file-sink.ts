/**
 * FileSink: buffered sequential writes to a new file, tracking the write position, with padding
 * to an alignment and an fsync on close.
 */
import { open, type FileHandle } from 'node:fs/promises';

const FLUSH_BYTES = 1 << 20;

/** A new file written front to back. */
export class FileSink {
  readonly #fh: FileHandle;
  readonly #buf = new Uint8Array(FLUSH_BYTES);
  #used = 0;
  /** Bytes written so far (buffered included): the file offset of the next byte. */
  pos = 0;

  private constructor(fh: FileHandle) {
    this.#fh = fh;
  }

  /** Creates `path`, which must not exist. */
  static async create(path: string): Promise<FileSink> {
    return new FileSink(await open(path, 'wx'));
  }

  /** Appends bytes (copied: the caller may reuse `b`). */
  async write(b: Uint8Array): Promise<void> {
    if (this.#used + b.length > this.#buf.length) {
      await this.#flush();
      if (b.length > this.#buf.length) {
        await this.#fh.write(b);
        this.pos += b.length;
        return;
      }
    }
    this.#buf.set(b, this.#used);
    this.#used += b.length;
    this.pos += b.length;
  }

  /** Appends zero bytes until `pos` is a multiple of `align`. */
  async pad(align: number): Promise<void> {
    const r = this.pos % align;
    if (r !== 0) await this.write(new Uint8Array(align - r));
  }

  async #flush(): Promise<void> {
    if (this.#used === 0) return;
    await this.#fh.write(this.#buf.subarray(0, this.#used));
    this.#used = 0;
  }

  /** Flushes, fsyncs and closes the file. */
  async close(): Promise<void> {
    await this.#flush();
    await this.#fh.sync();
    await this.#fh.close();
  }

  /** Closes without flushing, after a failure. */
  async abort(): Promise<void> {
    await this.#fh.close().catch(() => {});
  }
}
