/**
 * IndexWriter: writes a block's `index` file (layout in `index-format.ts`) front to back.
 *
 * Use: {@link IndexWriter.create} with every symbol, then {@link IndexWriter.addSeries} for each
 * series in label order, then {@link IndexWriter.close}, which appends the postings, the offset
 * tables and the TOC. Memory: the symbol → position map and the postings (one number per series
 * label), i.e. the size of the index's postings section, as Prometheus's own head compaction
 * holds; series entries are streamed to the file.
 */
import { Labels, compareUtf8 } from '@tessera/model';
import { crc32c } from '../wal/crc32c.ts';
import { EncBuf } from './enc-buf.ts';
import { BlockError } from './errors.ts';
import { FileSink } from './file-sink.ts';
import {
  INDEX_FORMAT_V2,
  INDEX_MAGIC,
  POSTINGS_ALIGN,
  SERIES_ALIGN,
  type IndexToc,
} from './index-format.ts';

const UTF8 = new TextEncoder();

/** Writes one index file. */
export class IndexWriter {
  readonly #sink: FileSink;
  readonly #symbols: Map<string, number>;
  readonly #toc: IndexToc = { symbols: 0, series: 0, labelIndices: 0, labelIndicesTable: 0, postings: 0, postingsTable: 0 };
  readonly #buf = new EncBuf(4096);
  readonly #entry = new EncBuf(4096);
  /** name symbol → value symbol → series refs (ascending). */
  readonly #postings = new Map<number, Map<number, number[]>>();
  readonly #all: number[] = [];
  #lastLabels: Labels | null = null;
  #lastChunkRef = 0;

  private constructor(sink: FileSink, symbols: Map<string, number>) {
    this.#sink = sink;
    this.#symbols = symbols;
  }

  /**
   * Creates the file at `path` and writes the header and symbol table. `symbols` must hold every
   * label name and value of the series to come, sorted in UTF-8 byte order, without duplicates.
   */
  static async create(path: string, symbols: readonly string[]): Promise<IndexWriter> {
    const map = new Map<string, number>();
    for (let i = 0; i < symbols.length; i++) {
      if (i > 0 && compareUtf8(symbols[i - 1]!, symbols[i]!) >= 0) {
        throw new BlockError('block-invalid-input', `symbols not sorted: ${JSON.stringify(symbols[i])} after ${JSON.stringify(symbols[i - 1])}`);
      }
      map.set(symbols[i]!, i);
    }
    const sink = await FileSink.create(path);
    const w = new IndexWriter(sink, map);
    try {
      const b = w.#buf.reset();
      b.putBE32(INDEX_MAGIC);
      b.putByte(INDEX_FORMAT_V2);
      w.#toc.symbols = b.len;
      b.putBE32(0); // len, patched below
      b.putBE32(symbols.length);
      for (const s of symbols) b.putUvarintBytes(UTF8.encode(s));
      b.setBE32(w.#toc.symbols, b.len - w.#toc.symbols - 4);
      b.putBE32(crc32c(b.bytes(), w.#toc.symbols + 4, b.len));
      await sink.write(b.bytes());
      w.#toc.series = sink.pos;
    } catch (e) {
      await sink.abort();
      throw e;
    }
    return w;
  }

  /**
   * Appends a series. `metas` holds its chunks as `[minT, maxT, ref]` triples, ordered by time
   * and not overlapping, refs increasing across all series.
   *
   * @throws BlockError `block-invalid-input` when the series is not after the previous one, has a
   *   label not among the symbols, or its chunks break the ordering rules.
   */
  async addSeries(labels: Labels, metas: Float64Array): Promise<void> {
    if (this.#lastLabels !== null && Labels.compare(this.#lastLabels, labels) >= 0) {
      throw new BlockError('block-invalid-input', `series out of order: ${labels.toString()} after ${this.#lastLabels.toString()}`);
    }
    if (metas.length % 3 !== 0) throw new RangeError('chunk metas must be [minT, maxT, ref] triples');
    const e = this.#entry.reset();
    e.putUvarint(labels.size);
    const syms: number[] = [];
    labels.forEach((name, value) => {
      const n = this.#symbols.get(name);
      const v = this.#symbols.get(value);
      if (n === undefined || v === undefined) {
        throw new BlockError('block-invalid-input', `label ${name}=${JSON.stringify(value)} missing from the symbol table`);
      }
      e.putUvarint(n);
      e.putUvarint(v);
      syms.push(n, v);
    });
    const count = metas.length / 3;
    e.putUvarint(count);
    let prevMaxT = 0;
    let prevRef = 0;
    for (let i = 0; i < count; i++) {
      const minT = metas[3 * i]!;
      const maxT = metas[3 * i + 1]!;
      const ref = metas[3 * i + 2]!;
      if (maxT < minT || (i > 0 && minT <= prevMaxT) || ref < this.#lastChunkRef) {
        throw new BlockError('block-invalid-input', `chunk ${i} of ${labels.toString()} [${minT}, ${maxT}] ref ${ref} breaks the chunk order`);
      }
      if (i === 0) {
        e.putVarint(minT);
        e.putUvarint(maxT - minT);
        e.putUvarint(ref);
      } else {
        e.putUvarint(minT - prevMaxT);
        e.putUvarint(maxT - minT);
        e.putVarint(ref - prevRef);
      }
      prevMaxT = maxT;
      prevRef = ref;
      this.#lastChunkRef = ref;
    }

    const sink = this.#sink;
    await sink.pad(SERIES_ALIGN);
    const seriesRef = sink.pos / SERIES_ALIGN;
    if (seriesRef > 0xffffffff) throw new BlockError('block-invalid-input', 'index exceeds 64 GiB of series');
    const b = this.#buf.reset();
    b.putUvarint(e.len);
    b.putBytes(e.bytes());
    b.putBE32(crc32c(e.bytes()));
    await sink.write(b.bytes());

    this.#all.push(seriesRef);
    for (let i = 0; i < syms.length; i += 2) {
      let byValue = this.#postings.get(syms[i]!);
      if (byValue === undefined) this.#postings.set(syms[i]!, (byValue = new Map()));
      const list = byValue.get(syms[i + 1]!);
      if (list === undefined) byValue.set(syms[i + 1]!, [seriesRef]);
      else list.push(seriesRef);
    }
    this.#lastLabels = labels;
  }

  /** Writes postings, offset tables and TOC, then fsyncs and closes the file. Returns the TOC. */
  async close(): Promise<IndexToc> {
    const sink = this.#sink;
    const toc = this.#toc;
    const table = new EncBuf(64 * 1024);
    table.putBE32(0); // len, patched below
    table.putBE32(0); // #entries, patched below
    let entries = 0;
    const names = [...this.#symbols.keys()];

    toc.postings = sink.pos;
    const writeList = async (name: Uint8Array, value: Uint8Array, refs: readonly number[]): Promise<void> => {
      await sink.pad(POSTINGS_ALIGN);
      table.putUvarint(2);
      table.putUvarintBytes(name);
      table.putUvarintBytes(value);
      table.putUvarint(sink.pos);
      entries++;
      const b = this.#buf.reset();
      b.putBE32(4 + 4 * refs.length);
      b.putBE32(refs.length);
      for (const r of refs) b.putBE32(r);
      b.putBE32(crc32c(b.bytes(), 4, b.len));
      await sink.write(b.bytes());
    };
    const empty = new Uint8Array(0);
    await writeList(empty, empty, this.#all);
    // Symbol positions follow string order, so sorting by position sorts by name, then value.
    for (const n of [...this.#postings.keys()].sort((a, b) => a - b)) {
      const byValue = this.#postings.get(n)!;
      const name = UTF8.encode(names[n]!);
      for (const v of [...byValue.keys()].sort((a, b) => a - b)) {
        await writeList(name, UTF8.encode(names[v]!), byValue.get(v)!);
      }
    }

    // An empty label offset table: label indices are obsolete and none are written.
    toc.labelIndicesTable = sink.pos;
    const b = this.#buf.reset();
    b.putBE32(4);
    b.putBE32(0);
    b.putBE32(crc32c(b.bytes(), 4, 8));
    await sink.write(b.bytes());

    toc.postingsTable = sink.pos;
    table.setBE32(0, table.len - 4);
    table.setBE32(4, entries);
    table.putBE32(crc32c(table.bytes(), 4, table.len));
    await sink.write(table.bytes());

    const t = this.#buf.reset();
    for (const off of [toc.symbols, toc.series, toc.labelIndices, toc.labelIndicesTable, toc.postings, toc.postingsTable]) {
      t.putBE64(off);
    }
    t.putBE32(crc32c(t.bytes()));
    await sink.write(t.bytes());
    await sink.close();
    return { ...toc };
  }

  /** Closes the file after a failure. */
  async abort(): Promise<void> {
    await this.#sink.abort();
  }
}
