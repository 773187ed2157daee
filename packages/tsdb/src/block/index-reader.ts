/**
 * IndexReader: reads a block's `index` file (layout in `index-format.ts`) through
 * {@link BlockFiles} ranged reads, with memory bounded by the index's symbol table and postings
 * offset table — what Prometheus's store gateways keep as an "index header" — plus whatever a
 * query selects. Series entries and postings lists are read on demand.
 *
 * Every section read is CRC-checked; damage surfaces as a `block-corrupt` {@link BlockError}.
 */
import { crc32c } from '../wal/crc32c.ts';
import { union } from '../postings.ts';
import { DecBuf, decodeUtf8, readBE32 } from './dec-buf.ts';
import { BlockError, corrupt } from './errors.ts';
import type { BlockFiles } from './files.ts';
import { INDEX_FORMAT_V2, INDEX_HEADER_BYTES, INDEX_MAGIC, INDEX_TOC_BYTES, SERIES_ALIGN, type IndexToc } from './index-format.ts';
import { PostingsTable } from './postings-table.ts';
import { SeriesDecoder, type IndexSeriesEntry } from './series-decoder.ts';

const FILE = 'index';
/** Bytes read past a series entry's start when its length is not yet known. */
const SERIES_GUESS = 512;
/** Selected series closer together than this are fetched with one read. */
const SERIES_WINDOW = 64 * 1024;
/** Postings lists closer together than this gap are fetched with one read … */
const POSTINGS_GAP = 16 * 1024;
/** … of at most this many bytes. */
const POSTINGS_MAX_READ = 4 * 1024 * 1024;

/** Reads one index file. */
export class IndexReader {
  readonly toc: IndexToc;
  readonly size: number;
  readonly #files: BlockFiles;
  readonly #symbols: SymbolTable;
  readonly #postings: PostingsTable;
  /** End (exclusive) of the series section. */
  readonly #seriesEnd: number;

  private constructor(files: BlockFiles, size: number, toc: IndexToc, symbols: SymbolTable, postings: PostingsTable) {
    this.#files = files;
    this.size = size;
    this.toc = toc;
    this.#symbols = symbols;
    this.#postings = postings;
    this.#seriesEnd = nextSection(toc, size, toc.series);
  }

  /** Opens the index: checks header and TOC, loads the symbol table and postings offset table. */
  static async open(files: BlockFiles): Promise<IndexReader> {
    const size = await files.size(FILE);
    if (size < INDEX_HEADER_BYTES + INDEX_TOC_BYTES) throw corrupt(`index of ${size} bytes is too short`, FILE, 0);
    const head = await files.readRange(FILE, 0, INDEX_HEADER_BYTES);
    const magic = readBE32(head, 0);
    if (magic !== INDEX_MAGIC) throw corrupt(`bad index magic 0x${magic.toString(16)}`, FILE, 0);
    if (head[4] !== INDEX_FORMAT_V2) {
      throw new BlockError('block-unsupported', `index format version ${head[4]} (only 2 is read)`, { file: FILE, offset: 4 });
    }
    const tocAt = size - INDEX_TOC_BYTES;
    const tb = await files.readRange(FILE, tocAt, INDEX_TOC_BYTES);
    if (crc32c(tb, 0, 48) !== readBE32(tb, 48)) throw corrupt('index TOC checksum mismatch', FILE, tocAt);
    const d = new DecBuf(tb, FILE, tocAt);
    const toc: IndexToc = {
      symbols: d.be64(),
      series: d.be64(),
      labelIndices: d.be64(),
      labelIndicesTable: d.be64(),
      postings: d.be64(),
      postingsTable: d.be64(),
    };
    for (const [k, v] of Object.entries(toc)) {
      if (v > tocAt) throw corrupt(`TOC entry ${k} (${v}) points past the TOC`, FILE, tocAt);
    }
    if (toc.symbols === 0 || toc.postingsTable === 0) throw corrupt('TOC lacks the symbol or postings offset table', FILE, tocAt);
    const symbols = new SymbolTable(await readSection(files, toc.symbols, tocAt));
    const table = await readSection(files, toc.postingsTable, tocAt);
    const postings = new PostingsTable(table.buf, table.at, (off) => nextSection(toc, size, off));
    return new IndexReader(files, size, toc, symbols, postings);
  }

  /** Sorted label names (the all-postings pair excluded). */
  labelNames(): string[] {
    return this.#postings.names();
  }

  /** Sorted values of label `name` ([] when absent). */
  labelValues(name: string): string[] {
    return this.#postings.values(name);
  }

  /** Refs of every series, ascending. */
  allPostings(): Promise<number[]> {
    return this.postings('', ['']);
  }

  /**
   * Union of the postings lists of `name` paired with each of `values` (absent values are
   * skipped), ascending. When `values` is a predicate, every value of `name` it accepts counts.
   */
  async postings(name: string, values: readonly string[] | ((v: string) => boolean)): Promise<number[]> {
    const ranges = this.#postings.lookup(name, values);
    if (ranges.length === 0) return [];
    ranges.sort((a, b) => a.start - b.start);
    const lists: number[][] = [];
    for (let i = 0; i < ranges.length; ) {
      // Coalesce neighbouring lists (they are laid out in table order) into one read.
      let j = i;
      let end = ranges[i]!.end;
      while (j + 1 < ranges.length && ranges[j + 1]!.start - end <= POSTINGS_GAP && ranges[j + 1]!.end - ranges[i]!.start <= POSTINGS_MAX_READ) {
        j++;
        end = Math.max(end, ranges[j]!.end);
      }
      const start = ranges[i]!.start;
      const buf = await this.#files.readRange(FILE, start, end - start);
      for (let k = i; k <= j; k++) lists.push(await this.#decodeList(buf, start, ranges[k]!.start));
      i = j + 1;
    }
    return lists.length === 1 ? lists[0]! : union(lists);
  }

  /** Decodes the postings list at file offset `off`, from `buf` (at `base`) when it holds it all. */
  async #decodeList(buf: Uint8Array, base: number, off: number): Promise<number[]> {
    let p = off - base;
    if (p + 4 > buf.length || p + 8 + readBE32(buf, p) > buf.length) {
      // The estimated end was short (a writer that lays lists out differently): read exactly.
      const len = readBE32(await this.#files.readRange(FILE, off, 4), 0);
      if (off + 8 + len > this.size) throw corrupt('postings list runs past the end of the index', FILE, off);
      buf = await this.#files.readRange(FILE, off, 8 + len);
      p = 0;
    }
    const len = readBE32(buf, p);
    if (crc32c(buf, p + 4, p + 4 + len) !== readBE32(buf, p + 4 + len)) throw corrupt('postings list checksum mismatch', FILE, off);
    const n = readBE32(buf, p + 4);
    if (len !== 4 + 4 * n) throw corrupt(`postings list of ${n} refs in ${len} bytes`, FILE, off);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = readBE32(buf, p + 8 + 4 * i);
    return out;
  }

  /**
   * Reads the series with the given refs (ascending), yielding each with its chunks that overlap
   * [mint, maxt] (inclusive); series without such chunks are skipped. Neighbouring entries are
   * fetched with one read of at most about 64 KiB.
   */
  async *series(refs: readonly number[], mint = -Infinity, maxt = Infinity): AsyncGenerator<IndexSeriesEntry> {
    const dec = new SeriesDecoder(this.#symbols.lookup);
    let win: Uint8Array = new Uint8Array(0);
    let winStart = 0;
    const seriesEnd = this.#seriesEnd;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      const off = ref * SERIES_ALIGN;
      if (off < this.toc.series || off >= seriesEnd) throw corrupt(`series ref ${ref} outside the series section`, FILE, off);
      const need = async (n: number): Promise<void> => {
        if (off >= winStart && off + n <= winStart + win.length) return;
        let j = i;
        while (j + 1 < refs.length && refs[j + 1]! * SERIES_ALIGN - off < SERIES_WINDOW) j++;
        const end = Math.min(seriesEnd, Math.max(off + n, refs[j]! * SERIES_ALIGN + SERIES_GUESS));
        if (off + n > end) throw corrupt(`series entry runs past the series section`, FILE, off);
        win = await this.#files.readRange(FILE, off, end - off);
        winStart = off;
      };
      await need(Math.min(5, seriesEnd - off));
      const d = new DecBuf(win, FILE, winStart, off - winStart);
      const len = d.uvarint();
      const lenBytes = d.pos - (off - winStart);
      await need(lenBytes + len + 4);
      const p = off - winStart + lenBytes;
      if (crc32c(win, p, p + len) !== readBE32(win, p + len)) throw corrupt('series entry checksum mismatch', FILE, off);
      const entry = dec.decode(new DecBuf(win, FILE, winStart, p, p + len), ref, mint, maxt);
      if (entry !== null) yield entry;
    }
  }
}

/**
 * The symbol table held in memory: its bytes and the offset of every symbol (4 bytes a symbol),
 * decoding strings on demand through a bounded cache.
 */
class SymbolTable {
  readonly #buf: Uint8Array;
  readonly #offsets: Uint32Array;
  #cache = new Map<number, string>();

  /** `buf` is the section body after `len`: #symbols <4b> then the strings. */
  constructor(section: { buf: Uint8Array; at: number }) {
    const d = new DecBuf(section.buf, FILE, section.at);
    const n = d.be32();
    this.#buf = section.buf;
    this.#offsets = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      this.#offsets[i] = d.pos;
      d.skip(d.uvarint());
    }
  }

  /** The symbol at position `i`. */
  readonly lookup = (i: number): string => {
    let s = this.#cache.get(i);
    if (s !== undefined) return s;
    if (!(i < this.#offsets.length)) throw corrupt(`symbol ref ${i} beyond the ${this.#offsets.length} symbols`, FILE);
    const d = new DecBuf(this.#buf, FILE, 0, this.#offsets[i]!);
    s = decodeUtf8(d.uvarintBytes());
    if (this.#cache.size >= 1 << 16) this.#cache = new Map();
    this.#cache.set(i, s);
    return s;
  };
}

/** Reads a `len <4b> │ body │ CRC32C <4b>` section at `off`, verifying the CRC; returns the body. */
async function readSection(files: BlockFiles, off: number, limit: number): Promise<{ buf: Uint8Array; at: number }> {
  if (off + 4 > limit) throw corrupt('section header past the TOC', FILE, off);
  const len = readBE32(await files.readRange(FILE, off, 4), 0);
  if (off + 8 + len > limit) throw corrupt(`section of ${len} bytes runs past the TOC`, FILE, off);
  const b = await files.readRange(FILE, off + 4, len + 4);
  if (crc32c(b, 0, len) !== readBE32(b, len)) throw corrupt('section checksum mismatch', FILE, off);
  return { buf: b.subarray(0, len), at: off + 4 };
}

/** The smallest section offset (or the TOC position) after `off`: where the section at `off` ends at the latest. */
function nextSection(toc: IndexToc, size: number, off: number): number {
  let end = size - INDEX_TOC_BYTES;
  for (const v of [toc.symbols, toc.series, toc.labelIndices, toc.labelIndicesTable, toc.postings, toc.postingsTable]) {
    if (v > off && v < end) end = v;
  }
  return end;
}
