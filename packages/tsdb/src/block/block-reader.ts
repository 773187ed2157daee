/**
 * BlockReader: opens a block through {@link BlockFiles} (a local directory or, later, an object
 * store) and answers series selection by matchers over a time range, chunk reads, and label
 * names and values.
 *
 * Memory: meta.json, the index's symbol table and postings offset table stay loaded (see
 * index-reader.ts); a selection holds the postings of its matchers and reads only the series
 * entries and chunks it returns. Tombstones are not applied: Tessera writes none, and blocks
 * written by Prometheus's backfill or compaction carry none.
 */
import { ENCODING_XOR } from '@tessera/chunkenc';
import { compareUtf8, type Matcher } from '@tessera/model';
import { intersect, subtract } from '../postings.ts';
import { ChunkReader, type StoredChunk } from './chunks-reader.ts';
import { decodeUtf8 } from './dec-buf.ts';
import { BlockError } from './errors.ts';
import { LocalBlockFiles, type BlockFiles } from './files.ts';
import { IndexReader } from './index-reader.ts';
import { parseMeta, type BlockMeta } from './meta.ts';
import type { IndexSeriesEntry } from './series-decoder.ts';

/** A readable block. */
export class BlockReader {
  readonly meta: BlockMeta;
  readonly index: IndexReader;
  readonly #chunks: ChunkReader;
  readonly #files: BlockFiles;

  private constructor(files: BlockFiles, meta: BlockMeta, index: IndexReader) {
    this.#files = files;
    this.meta = meta;
    this.index = index;
    this.#chunks = new ChunkReader(files);
  }

  /**
   * Opens a block: a directory path, or any {@link BlockFiles}. Reads meta.json and the index's
   * TOC, symbol table and postings offset table, checking their CRCs.
   *
   * @throws BlockError `block-corrupt` on a damaged meta.json or index.
   */
  static async open(source: string | BlockFiles): Promise<BlockReader> {
    const files = typeof source === 'string' ? new LocalBlockFiles(source) : source;
    try {
      const size = await files.size('meta.json');
      const meta = parseMeta(decodeUtf8(await files.readRange('meta.json', 0, size)));
      const index = await IndexReader.open(files);
      return new BlockReader(files, meta, index);
    } catch (e) {
      await files.close?.();
      throw e;
    }
  }

  /**
   * The series matching every matcher with chunks overlapping [mint, maxt] (both inclusive), in
   * label order, each with only those chunks. Matchers follow PromQL: a matcher that accepts ""
   * also selects series without the label; no matchers select every series.
   */
  async select(matchers: readonly Matcher[], mint: number, maxt: number): Promise<IndexSeriesEntry[]> {
    const out: IndexSeriesEntry[] = [];
    for await (const s of this.selectIter(matchers, mint, maxt)) out.push(s);
    return out;
  }

  /** {@link BlockReader.select} as a stream, holding one window of series entries at a time. */
  async *selectIter(matchers: readonly Matcher[], mint: number, maxt: number): AsyncGenerator<IndexSeriesEntry> {
    if (mint > maxt || maxt < this.meta.minTime || mint >= this.meta.maxTime) return;
    const refs = await this.postingsForMatchers(matchers);
    yield* this.index.series(refs, mint, maxt);
  }

  /** Series refs (ascending) of the series matching every matcher. */
  async postingsForMatchers(matchers: readonly Matcher[]): Promise<number[]> {
    const ix = this.index;
    let refs: number[] | null = null;
    // Matchers that reject "" narrow the set (intersection) …
    for (const m of matchers) {
      if (m.matchesEmpty()) continue;
      const list = await ix.postings(m.name, m.setMatches() ?? ((v: string) => m.matches(v)));
      refs = refs === null ? list : intersect(refs, list);
      if (refs.length === 0) return refs;
    }
    refs ??= await ix.allPostings();
    // … those that accept "" remove the series whose value they reject.
    for (const m of matchers) {
      if (!m.matchesEmpty()) continue;
      const drop = await ix.postings(m.name, m.type === '!=' ? [m.value] : (v: string) => !m.matches(v));
      if (drop.length > 0) refs = subtract(refs, drop);
      if (refs.length === 0) return refs;
    }
    return refs;
  }

  /**
   * The data of the XOR chunk at `ref`, exactly as stored (a trailing padding byte included).
   *
   * @throws BlockError `block-corrupt` on a CRC mismatch or bad ref; `block-unsupported` for a
   *   chunk of another encoding (histograms).
   */
  async chunk(ref: number): Promise<Uint8Array> {
    const c = await this.#chunks.read(ref);
    if (c.encoding !== ENCODING_XOR) {
      throw new BlockError('block-unsupported', `chunk encoding ${c.encoding} at ref ${ref} (only XOR is read)`);
    }
    return c.data;
  }

  /**
   * The data of many XOR chunks, in the order of `refs`, fetching neighbouring chunks with one
   * read (see ChunkReader.readMany). Same errors as {@link BlockReader.chunk}.
   */
  async chunks(refs: readonly number[]): Promise<Uint8Array[]> {
    const cs = await this.#chunks.readMany(refs);
    return cs.map((c, i) => {
      if (c.encoding !== ENCODING_XOR) {
        throw new BlockError('block-unsupported', `chunk encoding ${c.encoding} at ref ${refs[i]} (only XOR is read)`);
      }
      return c.data;
    });
  }

  /** The chunk at `ref` with its encoding byte, whatever the encoding. */
  readChunk(ref: number): Promise<StoredChunk> {
    return this.#chunks.read(ref);
  }

  /**
   * Sorted label names: of the whole block without matchers, else of the series matching them
   * (with chunks in [mint, maxt]).
   */
  async labelNames(matchers: readonly Matcher[] = [], mint = -Infinity, maxt = Infinity): Promise<string[]> {
    if (matchers.length === 0) return this.index.labelNames();
    const names = new Set<string>();
    for await (const s of this.selectIter(matchers, mint, maxt)) s.labels.forEach((n) => names.add(n));
    return [...names].sort(compareUtf8);
  }

  /** Sorted values of label `name`: of the whole block without matchers, else of the matching series. */
  async labelValues(name: string, matchers: readonly Matcher[] = [], mint = -Infinity, maxt = Infinity): Promise<string[]> {
    if (matchers.length === 0) return this.index.labelValues(name);
    const values = new Set<string>();
    for await (const s of this.selectIter(matchers, mint, maxt)) {
      const v = s.labels.get(name);
      if (v !== '') values.add(v);
    }
    return [...values].sort(compareUtf8);
  }

  /** Closes the underlying files. */
  async close(): Promise<void> {
    await this.#files.close?.();
  }
}
