/**
 * ChunkSegmentWriter: writes the `chunks/` segment files of a block.
 *
 * Segment layout (Prometheus `tsdb/docs/format/chunks.md`):
 * ```
 * ┌──────────────────────────┬─────────────────────┬────────────────────┐
 * │ magic(0x85BD40DD) <4b BE> │ version(1) <1 byte> │ padding(0) <3 byte> │
 * ├──────────────────────────┴─────────────────────┴────────────────────┤
 * │ chunk: len(data) <uvarint> │ encoding <1b> │ data │ CRC32C(encoding ‖ data) <4b BE> │
 * │ …                                                                    │
 * └──────────────────────────────────────────────────────────────────────┘
 * ```
 * A chunk ref is `seq << 32 | offset`: `seq` is the 0-based segment index (file `000001` is
 * seq 0) and `offset` the position of the chunk's length field. A new segment is started when
 * the next chunk would take the current one past the size limit (512 MiB), so refs never need
 * more than 32 offset bits. Chunks are written in the order given; refs therefore increase.
 */
import { open, mkdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '../wal/crc32c.ts';
import { EncBuf, uvarintSize } from './enc-buf.ts';
import { chunkSegmentName } from './files.ts';

/** Magic number at the start of every chunk segment. */
export const CHUNKS_MAGIC = 0x85bd40dd;
/** Chunk segment format version. */
export const CHUNKS_FORMAT_V1 = 1;
/** Bytes of the segment header (magic, version, padding). */
export const SEGMENT_HEADER_BYTES = 8;
/** Default and largest segment size (Prometheus's limit). */
export const MAX_SEGMENT_BYTES = 512 * 1024 * 1024;
/** 2^32: the multiplier of the segment index in a chunk ref. */
export const SEGMENT_REF_SHIFT = 4294967296;

const FLUSH_BYTES = 1 << 20;

/** Appends chunks to the segment files of one block's `chunks/` directory. */
export class ChunkSegmentWriter {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #buf = new EncBuf(FLUSH_BYTES + 4096);
  #fh: FileHandle | null = null;
  /** Index of the current segment (-1 before the first). */
  #seq = -1;
  /** Size of the current segment, buffered bytes included. */
  #pos = 0;
  /** Total bytes written over all segments, headers included. */
  bytesWritten = 0;

  /** `dir` is the block directory; segments go to `dir/chunks/`. */
  constructor(dir: string, maxSegmentBytes = MAX_SEGMENT_BYTES) {
    if (maxSegmentBytes > MAX_SEGMENT_BYTES || maxSegmentBytes < 64) throw new RangeError(`bad segment size ${maxSegmentBytes}`);
    this.#dir = dir;
    this.#maxBytes = maxSegmentBytes;
  }

  /** Writes one chunk and returns its ref. */
  async write(encoding: number, data: Uint8Array): Promise<number> {
    const size = uvarintSize(data.length) + 1 + data.length + 4;
    if (this.#fh === null || (this.#pos + size > this.#maxBytes && this.#pos > SEGMENT_HEADER_BYTES)) {
      await this.#cut();
    }
    const ref = this.#seq * SEGMENT_REF_SHIFT + this.#pos;
    const b = this.#buf;
    b.putUvarint(data.length);
    const encAt = b.len;
    b.putByte(encoding);
    b.putBytes(data);
    b.putBE32(crc32c(b.bytes(), encAt, b.len));
    this.#pos += size;
    this.bytesWritten += size;
    if (b.len >= FLUSH_BYTES) await this.#flush();
    return ref;
  }

  async #flush(): Promise<void> {
    const b = this.#buf;
    if (b.len === 0 || this.#fh === null) return;
    await this.#fh.write(b.bytes());
    b.reset();
  }

  /** Finishes the current segment and opens the next. */
  async #cut(): Promise<void> {
    await this.#finish();
    if (this.#seq === -1) await mkdir(join(this.#dir, 'chunks'), { recursive: true });
    this.#seq++;
    this.#fh = await open(join(this.#dir, chunkSegmentName(this.#seq)), 'wx');
    const b = this.#buf;
    b.putBE32(CHUNKS_MAGIC);
    b.putByte(CHUNKS_FORMAT_V1);
    b.putZeros(3);
    this.#pos = SEGMENT_HEADER_BYTES;
    this.bytesWritten += SEGMENT_HEADER_BYTES;
  }

  async #finish(): Promise<void> {
    if (this.#fh === null) return;
    await this.#flush();
    await this.#fh.sync();
    await this.#fh.close();
    this.#fh = null;
  }

  /**
   * Flushes, fsyncs and closes the last segment. A block without chunks still gets an empty
   * `chunks/` directory (Prometheus's reader opens it).
   */
  async close(): Promise<void> {
    if (this.#seq === -1) await mkdir(join(this.#dir, 'chunks'), { recursive: true });
    await this.#finish();
  }

  /** Closes the open segment without syncing, after a failure (the temp dir is removed anyway). */
  async abort(): Promise<void> {
    const fh = this.#fh;
    this.#fh = null;
    this.#buf.reset();
    if (fh !== null) await fh.close().catch(() => {});
  }
}
