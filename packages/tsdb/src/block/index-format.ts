/**
 * Constants of the index file, format version 2 (Prometheus `tsdb/docs/format/index.md`).
 *
 * ```
 * ┌──────────────────────────┬──────────────────┐
 * │ magic(0xBAAAD700) <4b BE> │ version(2) <1b> │
 * ├──────────────────────────┴──────────────────┤
 * │ symbol table   len <4b> │ #symbols <4b> │ (len(str) <uvarint> str)* │ CRC32C <4b>
 * │ series         one entry per series, each starting on a 16-byte boundary; ref = offset / 16:
 * │                len <uvarint> │ #labels <uvarint> │ (name sym <uvarint>, value sym <uvarint>)*
 * │                │ #chunks <uvarint> │ c0.mint <varint> │ c0.maxt−c0.mint <uvarint> │ c0.ref <uvarint>
 * │                │ (ci.mint−c(i−1).maxt <uvarint>, ci.maxt−ci.mint <uvarint>, ci.ref−c(i−1).ref <varint>)*
 * │                │ CRC32C <4b>
 * │ label indices  none written (TOC entry 0): obsolete since v2, where readers use the postings
 * │                offset table; Prometheus 2.42's promtool list/dump/analyze read such an index
 * │ postings       one list per label pair, each 4-byte aligned:
 * │                len <4b> │ #refs <4b> │ series ref <4b>* │ CRC32C <4b>
 * │ label offset table     len <4b> │ #entries(0) <4b> │ CRC32C <4b>
 * │ postings offset table  len <4b> │ #entries <4b> │ (2 <uvarint>, name, value <uvarint-prefixed>,
 * │                        postings offset <uvarint64>)* sorted by name then value │ CRC32C <4b>
 * │ TOC            symbols, series, label indices, label offset table, postings, postings offset
 * │                table: 6 × offset <8b BE> │ CRC32C <4b>
 * └─────────────────────────────────────────────┘
 * ```
 * Every `len` counts the bytes between itself and the CRC, and the CRC covers exactly those.
 * Symbols are sorted byte-wise and referenced by their position in the table (v2; v1 used file
 * offsets). The postings list of the empty pair `"" = ""` lists every series ("all postings").
 * Integers are big-endian; a TOC offset of 0 means the section is absent.
 */

/** Magic number at the start of the index file. */
export const INDEX_MAGIC = 0xbaaad700;
/** Index format version written, and the only one read. */
export const INDEX_FORMAT_V2 = 2;
/** Bytes of the header (magic + version). */
export const INDEX_HEADER_BYTES = 5;
/** Bytes of the TOC at the end of the file: six 8-byte offsets and a CRC. */
export const INDEX_TOC_BYTES = 6 * 8 + 4;
/** Alignment of series entries; a series ref is its offset divided by this. */
export const SERIES_ALIGN = 16;
/** Alignment of postings lists. */
export const POSTINGS_ALIGN = 4;

/** The table of contents: file offsets of the index sections (0 = absent). */
export interface IndexToc {
  symbols: number;
  series: number;
  labelIndices: number;
  labelIndicesTable: number;
  postings: number;
  postingsTable: number;
}
