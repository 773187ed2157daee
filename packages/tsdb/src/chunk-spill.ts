/**
 * Spilling of the head's completed-chunk slabs to disk (Prometheus keeps its completed head
 * chunks in `chunks_head/` files, memory-mapped; Node has no mmap, so we write and pread).
 *
 * Life of a slab of the completed-chunk {@link ByteSlabs} with a spill:
 *
 *   filling ──seal──▶ writing ──ok──▶ on disk (memory copy dropped; reads from the file)
 *                        │
 *                        └─error──▶ failed (stays in memory; written again at the next seal)
 *
 * A slab is sealed when the store starts a new one; from then on its bytes never change, so the
 * asynchronous write reads them while the event loop goes on, and reads are served from memory
 * until the write finished. Then its memory becomes a spare (at most MAX_SPARES are kept) that
 * the store fills next instead of allocating: so the resident size stays put whatever the
 * garbage collector does (see chunk-arena.ts). A slab dropped (no live chunk left) has its file deleted at once, or
 * when its write completes. Each write goes to a new file, `<dir>/<seq>` (6 digits, like
 * Prometheus's segment names), so a slab index reused later never meets a stale file.
 *
 * The files are not a recovery source: the WAL replay rebuilds every chunk, so {@link SlabSpill.open}
 * empties the directory, and nothing is fsynced.
 *
 * Read path: a bounded LRU cache of 16 KiB file pages (aligned, read with one pread on a file
 * descriptor kept open, at most MAX_FDS of them). A chunk is
 * handed out as a view of its cached page: pages are never modified or reused (an evicted page
 * stays valid for whoever still holds a view of it), which keeps the contract of the chunk store
 * (completed chunk bytes are immutable and may be kept). A chunk crossing a page boundary is
 * copied. The cache is emptied after `idleMs` without reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TesseraError } from '@tessera/server';
import type { HeadLogger } from './head.ts';

/**
 * Page size of the read cache (a power of two). 16 KiB: chunks of one series lie in different
 * pages (they are cut at different times), so a query of a few hundred series misses about
 * once a chunk, and a pread costs ~3 µs for 4 KiB, ~4 µs for 16 KiB, ~10 µs for 64 KiB
 * (measured here); a scan of everything wants large pages. 16 KiB serves both.
 */
const PAGE_SHIFT = 14;
const PAGE_BYTES = 1 << PAGE_SHIFT;
const DEFAULT_CACHE_BYTES = 4 << 20;
const DEFAULT_IDLE_MS = 30_000;

/** A spill file is missing, short or unreadable: a bug or outside interference, never a client error. */
export class HeadChunkError extends TesseraError {
  override readonly code = 'head-chunk-unreadable' as const;
  /** The spill file concerned. */
  readonly file: string;

  constructor(message: string, file: string, cause?: unknown) {
    super('internal', 'head-chunk-unreadable', `${message} (${file})`, cause === undefined ? {} : { cause });
    this.name = 'HeadChunkError';
    this.file = file;
  }

  /** Reports whether `e` is a HeadChunkError (brand check). */
  static isHeadChunkError(e: unknown): e is HeadChunkError {
    return TesseraError.is(e) && e.code === 'head-chunk-unreadable';
  }
}

/** Options of a {@link SlabSpill}. */
export interface SlabSpillOptions {
  logger: HeadLogger;
  /** Bound of the page cache in bytes (default 4 MiB). */
  cacheBytes?: number;
  /** The cache is emptied after this long without reads (ms, default 30 s; 0: never). */
  idleMs?: number;
}

/** Spill state of a slab index. */
const NONE = 0;
const WRITING = 1;
const ON_DISK = 2;
const FAILED = 3;

/** Byte figures of the completed-chunk store, for metrics. */
export interface ChunkBytes {
  /** Live chunk bytes in slabs held in memory (filling, being written, or whose write failed). */
  inMemory: number;
  /** Live chunk bytes in slabs that are only on disk. */
  onDisk: number;
  /** Bytes of file pages in the read cache. */
  cache: number;
}

/** The spill files of one head's completed-chunk slabs and their read cache (see the file comment). */
export class SlabSpill {
  readonly dir: string;
  readonly #log: HeadLogger;
  readonly #cacheMax: number;
  readonly #idleMs: number;
  /** Per slab index: state, file sequence number, bytes in the file, the memory copy being written. */
  readonly #state: number[] = [];
  readonly #seq: number[] = [];
  readonly #len: number[] = [];
  readonly #failed = new Set<number>();
  /** Slab buffers no longer used (written or dropped), for {@link takeSpare}. */
  readonly #spares: Uint8Array[] = [];
  #nextSeq = 1;
  #pending = 0;
  #waiters: (() => void)[] = [];
  #warned = false;
  #closed = false;
  /** Page cache: key seq × pagesPerFile + page → page bytes; Map order is LRU order (oldest first). */
  readonly #cache = new Map<number, Uint8Array>();
  #cacheBytes = 0;
  /**
   * The last pages used, direct-mapped by key (MEMO_SLOTS entries): a query reads a series'
   * chunks from a few pages at a time, and this saves the Map's LRU bookkeeping on those hits.
   * A memo entry may outlive the page's place in the cache: pages never change and keys are
   * never reused (sequence numbers only grow), so it is still right.
   */
  readonly #memoKey = new Float64Array(MEMO_SLOTS).fill(-1);
  readonly #memoPage: (Uint8Array | null)[] = new Array<Uint8Array | null>(MEMO_SLOTS).fill(null);
  #reads = 0;
  #readsAtTick = 0;
  #timer: NodeJS.Timeout | null = null;
  /** Open read descriptors by file sequence number, oldest first. */
  readonly #fds = new Map<number, number>();
  /** Slab bytes written since open (for tests and logs). */
  bytesWritten = 0;

  private constructor(dir: string, opts: SlabSpillOptions) {
    this.dir = dir;
    this.#log = opts.logger;
    this.#cacheMax = opts.cacheBytes ?? DEFAULT_CACHE_BYTES;
    this.#idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
  }

  /**
   * Opens a spill in `dir`: creates it and deletes whatever it holds (files of an earlier run are
   * not used: the WAL replay rebuilds every chunk). A directory that cannot be prepared is logged,
   * and the writes into it will fail, keeping the chunks in memory.
   */
  static open(dir: string, opts: SlabSpillOptions): SlabSpill {
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const name of fs.readdirSync(dir)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    } catch (e) {
      opts.logger.warn({ err: e, dir }, 'head chunks directory cannot be prepared; completed chunks stay in memory');
    }
    return new SlabSpill(dir, opts);
  }

  /**
   * Slab `index` of `slabs` (its first `used` bytes) will not change any more: writes it to a new
   * file, then drops `slabs[index]` if it still holds the same memory. Slabs whose earlier write
   * failed are written again now.
   */
  seal(slabs: (Uint8Array | null)[], index: number, used: number): void {
    this.#write(slabs, index, used);
    if (this.#failed.size > 0) {
      for (const i of [...this.#failed]) if (i !== index) this.#write(slabs, i, this.#len[i]!);
    }
  }

  #write(slabs: (Uint8Array | null)[], index: number, used: number): void {
    const mem = slabs[index];
    if (this.#closed || mem === null || mem === undefined) return;
    this.#failed.delete(index);
    const seq = this.#nextSeq++;
    this.#state[index] = WRITING;
    this.#seq[index] = seq;
    this.#len[index] = used;
    const file = this.#path(seq);
    this.#pending++;
    fs.writeFile(file, mem.subarray(0, used), (err) => {
      this.#pending--;
      const current = slabs[index] === mem && this.#seq[index] === seq && !this.#closed;
      if (err !== null) {
        if (current) {
          this.#state[index] = FAILED;
          this.#failed.add(index);
          if (!this.#warned) this.#log.warn({ err, file }, 'writing head chunks to disk failed; they stay in memory and the write is retried');
          this.#warned = true;
        }
        fs.rm(file, { force: true }, () => {});
      } else if (current) {
        this.#state[index] = ON_DISK;
        this.bytesWritten += used;
        this.#warned = false;
        slabs[index] = null;
        this.#spare(mem);
      } else if (!this.#closed) {
        // The slab was dropped while being written (or written again): this file is nobody's.
        fs.rm(file, { force: true }, () => {});
        if (slabs[index] !== mem && !slabs.includes(mem)) this.#spare(mem);
      }
      if (this.#pending === 0) for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Whether slab `index` is on disk only (its memory copy dropped). */
  onDisk(index: number): boolean {
    return this.#state[index] === ON_DISK;
  }

  /** A buffer to fill as the next slab, if one is spare (its contents are garbage). */
  takeSpare(): Uint8Array | undefined {
    return this.#spares.pop();
  }

  #spare(mem: Uint8Array): void {
    if (this.#spares.length < MAX_SPARES && !this.#closed) this.#spares.push(mem);
  }

  /**
   * Slab `index` was dropped (no live chunk left): deletes its file, forgets its pages. `mem`,
   * its memory if it is a full-size slab still in memory, becomes a spare unless a write still
   * reads it.
   */
  drop(index: number, mem: Uint8Array | null): void {
    const state = this.#state[index] ?? NONE;
    this.#state[index] = NONE;
    this.#failed.delete(index);
    if (mem !== null && state !== WRITING) this.#spare(mem);
    if (state === ON_DISK) {
      const seq = this.#seq[index]!;
      this.#closeFd(seq);
      try {
        fs.rmSync(this.#path(seq), { force: true });
      } catch (e) {
        this.#log.warn({ err: e, file: this.#path(seq) }, 'deleting a head chunks file failed');
      }
      this.#evictFile(seq, this.#len[index]!);
    }
    // WRITING: the write's completion sees that the slab changed and deletes the file.
    this.#seq[index] = -1;
  }

  /**
   * `n` bytes at `off` of on-disk slab `index`: a view of a cached page (immutable), or a copy
   * when they cross a page boundary. Throws {@link HeadChunkError} when the file cannot be read.
   */
  read(index: number, off: number, n: number): Uint8Array {
    if (this.#state[index] !== ON_DISK) throw new Error(`tsdb: slab ${index} is neither in memory nor on disk`);
    this.#reads++;
    const seq = this.#seq[index]!;
    const len = this.#len[index]!;
    const first = off >>> PAGE_SHIFT;
    const last = (off + n - 1) >>> PAGE_SHIFT;
    if (first === last || n === 0) {
      const base = first << PAGE_SHIFT;
      return this.#page(seq, first, len).subarray(off - base, off - base + n);
    }
    const out = new Uint8Array(n);
    let done = 0;
    for (let p = first; p <= last; p++) {
      const base = p << PAGE_SHIFT;
      const from = Math.max(off, base) - base;
      const to = Math.min(off + n, base + PAGE_BYTES) - base;
      out.set(this.#page(seq, p, len).subarray(from, to), done);
      done += to - from;
    }
    return out;
  }

  /** Page `p` of file `seq` (`len` bytes long), from the cache or read into it. */
  #page(seq: number, p: number, len: number): Uint8Array {
    const key = seq * PAGES_PER_FILE_KEY + p;
    const m = key & (MEMO_SLOTS - 1);
    if (this.#memoKey[m] === key) return this.#memoPage[m]!;
    const cache = this.#cache;
    const hit = cache.get(key);
    if (hit !== undefined) {
      cache.delete(key);
      cache.set(key, hit);
      this.#memoKey[m] = key;
      this.#memoPage[m] = hit;
      return hit;
    }
    const base = p << PAGE_SHIFT;
    const want = Math.min(PAGE_BYTES, len - base);
    if (want <= 0) throw new Error(`tsdb: read past the end of head chunks file ${seq}`);
    const page = new Uint8Array(want);
    let got: number;
    try {
      got = fs.readSync(this.#fd(seq), page, 0, want, base);
    } catch (e) {
      this.#closeFd(seq);
      throw new HeadChunkError('head chunks file cannot be read', this.#path(seq), e);
    }
    if (got !== want) throw new HeadChunkError(`head chunks file is short: ${got} of ${want} bytes at ${base}`, this.#path(seq));
    cache.set(key, page);
    this.#cacheBytes += want;
    while (this.#cacheBytes > this.#cacheMax) {
      const oldest = cache.keys().next().value!;
      this.#cacheBytes -= cache.get(oldest)!.length;
      cache.delete(oldest);
    }
    this.#armIdleTimer();
    this.#memoKey[m] = key;
    this.#memoPage[m] = page;
    return page;
  }

  /** A read descriptor of file `seq`, opened if needed (the oldest one closed past MAX_FDS). */
  #fd(seq: number): number {
    const fds = this.#fds;
    const open = fds.get(seq);
    if (open !== undefined) return open;
    const fd = fs.openSync(this.#path(seq), 'r');
    fds.set(seq, fd);
    if (fds.size > MAX_FDS) this.#closeFd(fds.keys().next().value!);
    return fd;
  }

  #closeFd(seq: number): void {
    const fd = this.#fds.get(seq);
    if (fd === undefined) return;
    this.#fds.delete(seq);
    try {
      fs.closeSync(fd);
    } catch {
      // Nothing to do: the descriptor is gone either way.
    }
  }

  #evictFile(seq: number, len: number): void {
    const pages = (len + PAGE_BYTES - 1) >>> PAGE_SHIFT;
    for (let p = 0; p < pages; p++) {
      const key = seq * PAGES_PER_FILE_KEY + p;
      const page = this.#cache.get(key);
      const m = key & (MEMO_SLOTS - 1);
      if (this.#memoKey[m] === key) {
        this.#memoKey[m] = -1;
        this.#memoPage[m] = null;
      }
      if (page === undefined) continue;
      this.#cacheBytes -= page.length;
      this.#cache.delete(key);
    }
  }

  /** Empties the page cache once no read happened for `idleMs` (an unref'd timer: it never holds the process). */
  #armIdleTimer(): void {
    if (this.#timer !== null || this.#idleMs <= 0) return;
    this.#readsAtTick = this.#reads;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#reads === this.#readsAtTick) this.clearCache();
      else this.#armIdleTimer();
    }, this.#idleMs);
    this.#timer.unref();
  }

  /** Drops every cached page. */
  clearCache(): void {
    this.#cache.clear();
    this.#cacheBytes = 0;
    this.#memoKey.fill(-1);
    this.#memoPage.fill(null);
  }

  /** Bytes of pages in the read cache. */
  get cacheBytes(): number {
    return this.#cacheBytes;
  }

  /** Number of slabs whose last write failed (they are in memory). */
  get failedSlabs(): number {
    return this.#failed.size;
  }

  /** Resolves when no write is in flight (for tests, benchmarks and shutdown). */
  settled(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Stops writing and caching; the files stay until the next {@link SlabSpill.open} empties the directory. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.clearCache();
    this.#spares.length = 0;
    for (const seq of [...this.#fds.keys()]) this.#closeFd(seq);
  }

  #path(seq: number): string {
    return path.join(this.dir, String(seq).padStart(6, '0'));
  }
}

/** Spare slab buffers kept (1 MiB each): one for the next slab, one for a write finishing late. */
const MAX_SPARES = 2;

/** Entries of the recent-page memo (a power of two). */
const MEMO_SLOTS = 16;

/** Pages a cache key leaves per file: at least a slab's (1 MiB / 16 KiB = 64), a power of two. */
const PAGES_PER_FILE_KEY = 64;
/** Read descriptors kept open (a head with 1M series has ~500 files). */
const MAX_FDS = 32;
