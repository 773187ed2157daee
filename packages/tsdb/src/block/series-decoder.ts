/**
 * SeriesDecoder: decodes one series entry of the index (layout in `index-format.ts`) into its
 * labels and chunk metas.
 */
import { Labels } from '@tessera/model';
import type { DecBuf } from './dec-buf.ts';

/** A chunk's place in the block: its time range (inclusive) and its ref in the chunk segments. */
export interface ChunkMeta {
  minT: number;
  maxT: number;
  ref: number;
}

/** A series read from the index. */
export interface IndexSeriesEntry {
  /** Series ref: the entry's offset / 16. */
  ref: number;
  labels: Labels;
  /** Chunks overlapping the requested time range, oldest first. */
  chunks: ChunkMeta[];
}

/** Decodes series entries, resolving label symbols through `symbol`. */
export class SeriesDecoder {
  readonly #symbol: (i: number) => string;

  constructor(symbol: (i: number) => string) {
    this.#symbol = symbol;
  }

  /**
   * Decodes the entry body in `d` (after its length, before its CRC). Returns null when no chunk
   * overlaps [mint, maxt].
   */
  decode(d: DecBuf, ref: number, mint: number, maxt: number): IndexSeriesEntry | null {
    const nLabels = d.uvarint();
    const flat = new Array<string>(2 * nLabels);
    for (let i = 0; i < 2 * nLabels; i++) flat[i] = this.#symbol(d.uvarint());
    const nChunks = d.uvarint();
    const chunks: ChunkMeta[] = [];
    let prevMaxT = 0;
    let prevRef = 0;
    for (let i = 0; i < nChunks; i++) {
      // First chunk: mint <varint>, maxt−mint <uvarint>, ref <uvarint>; later ones: mint−prev
      // maxt <uvarint>, maxt−mint <uvarint>, ref−prev ref <varint>.
      const minT = i === 0 ? d.varint() : prevMaxT + d.uvarint();
      const maxT = minT + d.uvarint();
      const cref = i === 0 ? d.uvarint() : prevRef + d.varint();
      if (maxT >= mint && minT <= maxt) chunks.push({ minT, maxT, ref: cref });
      prevMaxT = maxT;
      prevRef = cref;
    }
    if (d.remaining !== 0) throw d.fail(`series entry has ${d.remaining} bytes after its chunks`);
    if (chunks.length === 0) return null;
    return { ref, labels: Labels.fromSortedFlat(flat), chunks };
  }
}
