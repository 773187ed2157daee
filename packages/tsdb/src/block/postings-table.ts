/**
 * PostingsTable: the index's postings offset table held in memory — its raw bytes plus, per label
 * name, where its entries lie and the position of every 32nd entry — answering which postings
 * lists (file ranges) belong to a label pair or to the values a predicate accepts.
 *
 * Entry layout: `2 <uvarint> │ len(name) <uvarint> │ name │ len(value) <uvarint> │ value │
 * postings offset <uvarint64>`; entries are sorted by name, then value (byte order). Memory is
 * the table's size plus 8 bytes per 32 entries, like Prometheus's own reader, which also keeps
 * every 32nd value.
 */
import { compareUtf8 } from '@tessera/model';
import { DecBuf, compareBytes, decodeUtf8 } from './dec-buf.ts';
import { corrupt } from './errors.ts';

const FILE = 'index';
const SAMPLE_EVERY = 32;
const UTF8 = new TextEncoder();

/** A postings list's file range: `start` exact, `end` an upper estimate (the next list's start). */
export interface PostingsRange {
  start: number;
  end: number;
}

/** The entries of one label name. */
interface NameEntries {
  count: number;
  /** Offsets (in the table buffer) of entries 0, 32, 64, … */
  samples: number[];
}

/** The decoded parts of one entry. */
interface Entry {
  value: Uint8Array;
  off: number;
  /** Buffer offset of the following entry. */
  next: number;
}

/** In-memory postings offset table. */
export class PostingsTable {
  readonly #buf: Uint8Array;
  readonly #at: number;
  readonly #end: number;
  readonly #bound: (off: number) => number;
  readonly #names = new Map<string, NameEntries>();

  /**
   * `buf` is the section body (#entries <4b>, then the entries) found at file offset `at`;
   * `bound(off)` is the end of the file region holding the postings list at `off`, for the last
   * list.
   */
  constructor(buf: Uint8Array, at: number, bound: (off: number) => number) {
    this.#buf = buf;
    this.#at = at;
    this.#bound = bound;
    const d = new DecBuf(buf, FILE, at);
    let n = d.be32();
    let prevName: Uint8Array | null = null;
    let cur: NameEntries | null = null;
    while (n-- > 0) {
      const p = d.pos;
      if (d.uvarint() !== 2) throw d.fail('postings offset table entry without 2 keys');
      const name = d.uvarintBytes();
      d.skip(d.uvarint());
      d.uvarint();
      if (prevName === null || compareBytes(prevName, name) !== 0) {
        const s = decodeUtf8(name);
        if (this.#names.has(s) || (prevName !== null && compareBytes(prevName, name) > 0)) {
          throw corrupt(`postings offset table not sorted at label ${JSON.stringify(s)}`, FILE, at + p);
        }
        cur = { count: 0, samples: [] };
        this.#names.set(s, cur);
        prevName = name;
      }
      if (cur!.count % SAMPLE_EVERY === 0) cur!.samples.push(p);
      cur!.count++;
    }
    this.#end = d.pos;
  }

  /** Sorted label names, without the all-postings name "". */
  names(): string[] {
    return [...this.#names.keys()].filter((n) => n !== '').sort(compareUtf8);
  }

  /** Sorted values of `name`. */
  values(name: string): string[] {
    const out: string[] = [];
    this.#scan(name, (e) => {
      out.push(decodeUtf8(e.value));
      return true;
    });
    return out;
  }

  /** The postings ranges of `name` with each of `values`, or with every value `values` accepts. */
  lookup(name: string, values: readonly string[] | ((v: string) => boolean)): PostingsRange[] {
    const out: PostingsRange[] = [];
    if (typeof values === 'function') {
      this.#scan(name, (e) => {
        if (values(decodeUtf8(e.value))) out.push(this.#range(e));
        return true;
      });
      return out;
    }
    const group = this.#names.get(name);
    if (group === undefined) return out;
    const targets = [...new Set(values)].map((v) => UTF8.encode(v)).sort(compareBytes);
    for (const t of targets) {
      // The last sampled entry whose value is ≤ t, then a walk of at most 32 entries.
      let lo = 0;
      let hi = group.samples.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (compareBytes(this.#entry(group.samples[mid]!).value, t) <= 0) lo = mid;
        else hi = mid - 1;
      }
      let p = group.samples[lo]!;
      const left = Math.min(SAMPLE_EVERY, group.count - lo * SAMPLE_EVERY);
      for (let k = 0; k < left; k++) {
        const e = this.#entry(p);
        const c = compareBytes(e.value, t);
        if (c === 0) out.push(this.#range(e));
        if (c >= 0) break;
        p = e.next;
      }
    }
    return out;
  }

  /** Calls `fn` for each entry of `name` in order until it returns false. */
  #scan(name: string, fn: (e: Entry) => boolean): void {
    const group = this.#names.get(name);
    if (group === undefined) return;
    let p = group.samples[0]!;
    for (let k = 0; k < group.count; k++) {
      const e = this.#entry(p);
      if (!fn(e)) return;
      p = e.next;
    }
  }

  #entry(p: number): Entry {
    const d = new DecBuf(this.#buf, FILE, this.#at, p);
    d.uvarint();
    d.skip(d.uvarint());
    const value = d.uvarintBytes();
    const off = d.uvarint();
    return { value, off, next: d.pos };
  }

  /** The range of an entry's list: up to the next entry's list, or the end of its file region. */
  #range(e: Entry): PostingsRange {
    const bound = this.#bound(e.off);
    let end = bound;
    if (e.next < this.#end) {
      const next = this.#entry(e.next).off;
      if (next > e.off && next < bound) end = next;
    }
    return { start: e.off, end };
  }
}
