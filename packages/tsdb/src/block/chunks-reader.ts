/**
 * ChunkReader: reads chunks by ref from a block's segment files (layout in `chunks-writer.ts`),
 * verifying each segment's header once and every chunk's CRC32C.
 */
import { crc32c } from '../wal/crc32c.ts';
import { readBE32 } from './dec-buf.ts';
import { corrupt } from './errors.ts';
import { CHUNKS_FORMAT_V1, CHUNKS_MAGIC, SEGMENT_HEADER_BYTES, SEGMENT_REF_SHIFT } from './chunks-writer.ts';
import { chunkSegmentName, type BlockFiles } from './files.ts';

/**
 * Bytes read speculatively for one chunk: a 120-sample XOR chunk is 20–800 bytes, and the
 * compactor's chunks (up to 240 samples by default, -compactor.samples-per-chunk) about twice
 * that, so one read usually covers length, encoding, data and CRC; a longer chunk costs a second
 * read.
 */
const CHUNK_READ_GUESS = 2048;
/**
 * Chunks whose starts are at most this far apart are fetched together by readMany … A request
 * costs far more than the bytes between two wanted chunks, locally (open, read, close through
 * libuv: ~0.3 ms) and in S3 (a round trip): in a 24 h block one series' chunks span ~10–20 KiB,
 * so with a 16 KiB gap a one-hour query over 775 series needed 138 reads (53 ms), with 256 KiB
 * two (7 ms; bench/storage --range 24h).
 */
const BATCH_GAP = 256 * 1024;
/** … in reads of at most this many bytes. */
const BATCH_MAX_READ = 4 * 1024 * 1024;

/** One chunk as stored: its encoding byte and data (exactly the stored bytes). */
export interface StoredChunk {
  encoding: number;
  data: Uint8Array;
}

/** Reads chunks of one block. */
export class ChunkReader {
  readonly #files: BlockFiles;
  /** Per segment seq: its size, once its header was checked. */
  readonly #segments = new Map<number, Promise<number>>();

  constructor(files: BlockFiles) {
    this.#files = files;
  }

  /** Checks segment `seq`'s header (once) and returns its size. */
  #segment(seq: number): Promise<number> {
    let p = this.#segments.get(seq);
    if (p === undefined) {
      p = this.#openSegment(seq);
      p.catch(() => this.#segments.delete(seq));
      this.#segments.set(seq, p);
    }
    return p;
  }

  async #openSegment(seq: number): Promise<number> {
    const name = chunkSegmentName(seq);
    const size = await this.#files.size(name);
    if (size < SEGMENT_HEADER_BYTES) throw corrupt('chunk segment shorter than its header', name, 0);
    const h = await this.#files.readRange(name, 0, SEGMENT_HEADER_BYTES);
    const magic = readBE32(h, 0);
    if (magic !== CHUNKS_MAGIC) throw corrupt(`bad chunk segment magic 0x${magic.toString(16)}`, name, 0);
    if (h[4] !== CHUNKS_FORMAT_V1) throw corrupt(`unknown chunk segment version ${h[4]}`, name, 4);
    return size;
  }

  /**
   * Reads the chunk at `ref`. @throws BlockError `block-corrupt` when the ref points outside its
   * segment, the length is malformed or the CRC does not match.
   */
  async read(ref: number): Promise<StoredChunk> {
    const { name, off, size } = await this.#locate(ref);
    const buf = await this.#files.readRange(name, off, Math.min(CHUNK_READ_GUESS, size - off));
    const c = parseChunk(buf, 0, name, off, size);
    if (typeof c !== 'number') return c;
    return parseChunk(await this.#files.readRange(name, off, c), 0, name, off, size) as StoredChunk;
  }

  /**
   * Reads many chunks, in the order of `refs`, fetching chunks that lie close together in a
   * segment (less than 16 KiB apart, up to 4 MiB a read) with one read: one request per series
   * run rather than one per chunk when the store is remote.
   */
  async readMany(refs: readonly number[]): Promise<StoredChunk[]> {
    const order = refs.map((_, i) => i).sort((a, b) => refs[a]! - refs[b]!);
    const out = new Array<StoredChunk>(refs.length);
    for (let i = 0; i < order.length; ) {
      const first = refs[order[i]!]!;
      const { name, off, size } = await this.#locate(first);
      let j = i;
      while (j + 1 < order.length) {
        const next = refs[order[j + 1]!]!;
        if (Math.floor(next / SEGMENT_REF_SHIFT) !== Math.floor(first / SEGMENT_REF_SHIFT)) break;
        if (next - refs[order[j]!]! > BATCH_GAP || next - first > BATCH_MAX_READ) break;
        j++;
      }
      const lastOff = refs[order[j]!]! % SEGMENT_REF_SHIFT;
      if (lastOff >= size) throw corrupt(`chunk ref ${refs[order[j]!]} outside segment of ${size} bytes`, name, lastOff);
      const buf = await this.#files.readRange(name, off, Math.min(size, lastOff + CHUNK_READ_GUESS) - off);
      for (let k = i; k <= j; k++) {
        const ref = refs[order[k]!]!;
        const at = (ref % SEGMENT_REF_SHIFT) - off;
        const c = parseChunk(buf, at, name, off + at, size);
        out[order[k]!] = typeof c === 'number' ? await this.read(ref) : c;
      }
      i = j + 1;
    }
    return out;
  }

  /** Splits a ref into its segment file and offset, checking the segment (once) and the bounds. */
  async #locate(ref: number): Promise<{ name: string; off: number; size: number }> {
    if (!Number.isSafeInteger(ref) || ref < 0) throw corrupt(`invalid chunk ref ${ref}`);
    const seq = Math.floor(ref / SEGMENT_REF_SHIFT);
    const off = ref % SEGMENT_REF_SHIFT;
    const name = chunkSegmentName(seq);
    const size = await this.#segment(seq);
    if (off < SEGMENT_HEADER_BYTES || off >= size) throw corrupt(`chunk ref ${ref} outside segment of ${size} bytes`, name, off);
    return { name, off, size };
  }
}

/**
 * Parses the chunk at `buf[p]` (file offset `off` in segment `name` of `size` bytes), checking
 * its CRC. Returns the chunk's total byte length instead when `buf` does not hold all of it.
 */
function parseChunk(buf: Uint8Array, p: number, name: string, off: number, size: number): StoredChunk | number {
  // len(data) <uvarint> (at most 5 bytes for a 32-bit length).
  let len = 0;
  let q = p;
  for (let shift = 1; ; shift *= 128) {
    if (q - p >= 5) throw corrupt('malformed chunk length', name, off);
    // Callers pass at least 5 bytes past p unless the segment ends first.
    if (q >= buf.length) throw corrupt('chunk length runs past the segment end', name, off);
    const x = buf[q++]!;
    len += (x & 0x7f) * shift;
    if (x < 0x80) break;
  }
  const total = q - p + 1 + len + 4;
  if (off + total > size) throw corrupt(`chunk of ${len} bytes runs past the segment end`, name, off);
  if (p + total > buf.length) return total;
  const want = readBE32(buf, q + 1 + len);
  const got = crc32c(buf, q, q + 1 + len);
  if (want !== got) throw corrupt(`chunk checksum mismatch (stored ${hex(want)}, computed ${hex(got)})`, name, off);
  return { encoding: buf[q]!, data: buf.subarray(q + 1, q + 1 + len) };
}

function hex(v: number): string {
  return v.toString(16).padStart(8, '0');
}
