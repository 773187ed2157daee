/**
 * The write-ahead log of a TSDB head: numbered segment files of CRC-checked records.
 *
 * Lifecycle: `Wal.open(dir)` → `replay(fn)` (mandatory, also on an empty directory: it repairs the
 * tail and opens the segment to write) → `beginRecord`/`endRecord`… `flush()` → `close()`.
 *
 * Durability contract, which the head's acknowledgement relies on:
 * - `flush()` returns only after every complete record has been handed to the OS (`writeSync`), so
 *   a killed process (SIGKILL) loses nothing flushed; only a machine crash can lose the last
 *   `fsyncIntervalMs` of data. Records not yet flushed live in memory only.
 * - fsync runs on a timer every `fsyncIntervalMs` (0: inside every flush), when a segment is
 *   finished, and on `close()`.
 * - A write error is rolled back (the segment truncated to its size before the write) and the
 *   unwritten records stay pending for the next flush. If rollback or an fsync fails, the WAL is
 *   failed for good: every later call throws the cause, and the process should restart and replay.
 *
 * Concurrency: one thread owns a Wal; nothing here is safe to share between workers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeCheckpoint, type KeepFn } from './checkpoint.ts';
import { RecordBuffer, type RecordWriter, type RecordWriterLike } from './record-buffer.ts';
import { replayDir, warnCorruptFile, type ReplayStats, type WalLogger } from './replay.ts';
import { SegmentReader } from './segment-reader.ts';
import { checkpointName, fsyncDir, listWalDir, removeSegmentFile, segmentName } from './segment-files.ts';

/** Options of `Wal.open`. */
export interface WalOptions {
  /** Size at which a new segment is started; a record never spans segments. Default 128 MiB. */
  segmentSizeBytes?: number;
  /** Interval of the fsync timer in ms; 0 fsyncs inside every flush. Default 1000. */
  fsyncIntervalMs?: number;
  /** Where repairs are reported; default: nowhere. */
  logger?: WalLogger;
}

/** Running counters of a Wal, read by the owner's metrics collector. Plain fields, never reset. */
export interface WalStats {
  /** Record bytes written to segments (headers included). */
  bytesWritten: number;
  /** Records written to segments. */
  recordsWritten: number;
  /** fsync calls completed. */
  fsyncs: number;
  /** Time spent in fsync, seconds. */
  fsyncSecondsTotal: number;
  /** Segment files currently on disk. */
  segments: number;
  /** Number of the segment being written (-1 before replay). */
  currentSegment: number;
  /** Corrupt or torn segment tails cut off by replay. */
  corruptionsRepaired: number;
}

const DEFAULT_SEGMENT_SIZE = 128 * 1024 * 1024;
const NOOP_LOGGER: WalLogger = { warn() {}, info() {} };

/** A write-ahead log in one directory. Implements RecordWriterLike for the head's encoders. */
export class Wal implements RecordWriterLike {
  /** The WAL directory. */
  readonly dir: string;
  /** Counters for metrics. */
  readonly stats: WalStats = {
    bytesWritten: 0,
    recordsWritten: 0,
    fsyncs: 0,
    fsyncSecondsTotal: 0,
    segments: 0,
    currentSegment: -1,
    corruptionsRepaired: 0,
  };
  private readonly segmentSize: number;
  private readonly fsyncInterval: number;
  private readonly log: WalLogger;
  /**
   * Framed records not yet written; see writePending() for how `cuts` splits them over segments.
   * Starts small (a process may hold one Wal per tenant) and keeps what it grows to.
   */
  private readonly pending = new RecordBuffer(64 * 1024);
  /** Offsets in `pending` at which a new segment starts, ascending, with records before each. */
  private cuts: number[] = [];
  private cutRecords: number[] = [];
  /** Size the last planned segment will have once `pending` is written. */
  private plannedBytes = 0;
  private seg = -1;
  private fd = -1;
  /** Bytes in the current segment file; also the position of the next write. */
  private segBytes = 0;
  private firstSeg = -1;
  private checkpointSeg: number | null = null;
  private replayed = false;
  private closed = false;
  private dirty = false;
  private failure: unknown = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  private constructor(dir: string, opts: WalOptions) {
    this.dir = dir;
    this.segmentSize = opts.segmentSizeBytes ?? DEFAULT_SEGMENT_SIZE;
    this.fsyncInterval = opts.fsyncIntervalMs ?? 1000;
    this.log = opts.logger ?? NOOP_LOGGER;
    if (!(this.segmentSize > 0)) throw new RangeError(`segmentSizeBytes must be > 0, got ${this.segmentSize}`);
    if (!(this.fsyncInterval >= 0)) throw new RangeError(`fsyncIntervalMs must be >= 0, got ${this.fsyncInterval}`);
  }

  /** Opens (creating if needed) the WAL in `dir`. Call `replay` next, before anything else. */
  static open(dir: string, opts: WalOptions = {}): Wal {
    fs.mkdirSync(dir, { recursive: true });
    return new Wal(dir, opts);
  }

  /**
   * Replays the newest checkpoint, then every segment after it, calling `fn` for each intact
   * record (`payload` is valid only during the call). A torn or corrupt record ends the replay:
   * its segment is truncated there and later segments are removed, with warnings (see
   * replay.ts). Then opens the last segment (or a new one) for writing and starts the fsync timer.
   */
  replay(fn: (type: number, payload: Uint8Array) => void): ReplayStats {
    if (this.replayed) throw new Error('WAL already replayed');
    if (this.closed) throw new Error('WAL closed');
    const { stats, segments, repaired } = replayDir(this.dir, fn, this.log);
    if (repaired) this.stats.corruptionsRepaired++;
    this.checkpointSeg = stats.checkpoint;
    this.stats.segments = segments.length;
    const last = segments.at(-1);
    if (last === undefined) {
      this.openSegment(stats.checkpoint === null ? 0 : stats.checkpoint + 1);
    } else {
      this.fd = fs.openSync(this.segmentPath(last), 'r+');
      this.seg = last;
      this.segBytes = fs.fstatSync(this.fd).size;
      this.stats.currentSegment = last;
    }
    this.firstSeg = segments[0] ?? this.seg;
    this.plannedBytes = this.segBytes;
    this.replayed = true;
    if (this.fsyncInterval > 0) {
      this.timer = setInterval(() => this.onTimer(), this.fsyncInterval);
      this.timer.unref();
    }
    return stats;
  }

  /** Opens a record of `type` (1..255) in the pending buffer; returns the payload writer. */
  beginRecord(type: number): RecordWriter {
    this.checkWritable();
    this.pending.begin(type);
    return this.pending;
  }

  /**
   * Closes the open record. Plans its segment: if it would push a non-empty segment past
   * `segmentSizeBytes`, a new segment starts with it.
   */
  endRecord(): void {
    const at = this.pending.openOffset;
    const size = this.pending.end();
    if (this.plannedBytes > 0 && this.plannedBytes + size > this.segmentSize) {
      this.cuts.push(at);
      this.cutRecords.push(this.pending.records - 1);
      this.plannedBytes = size;
    } else {
      this.plannedBytes += size;
    }
  }

  /** Discards the open record. */
  abortRecord(): void {
    this.pending.abort();
  }

  /** Bytes of complete records waiting for `flush`. */
  get pendingBytes(): number {
    return this.pending.isOpen ? this.pending.openOffset : this.pending.len;
  }

  /**
   * Writes every complete pending record to the OS: one writeSync per segment touched (more only
   * on a short write). An open record stays pending. With fsyncIntervalMs 0, also fsyncs.
   */
  flush(): void {
    this.checkWritable();
    this.writePending();
    if (this.fsyncInterval === 0) this.sync();
  }

  /** Fsyncs the current segment if anything was written since the last fsync. */
  sync(): void {
    this.checkFailed();
    if (!this.dirty || this.fd < 0) return;
    const t0 = performance.now();
    try {
      fs.fdatasyncSync(this.fd);
    } catch (err) {
      // The kernel may have dropped the dirty pages: what was acknowledged is in doubt.
      this.failure = err;
      throw err;
    }
    this.stats.fsyncs++;
    this.stats.fsyncSecondsTotal += (performance.now() - t0) / 1000;
    this.dirty = false;
  }

  /**
   * Writes pending[0, end of last complete record): the bytes before cuts[k] go to the segment
   * current before it, then a new segment is opened. Whatever was written is consumed from
   * `pending` even if a later piece fails.
   */
  private writePending(): void {
    const limit = this.pendingBytes;
    const complete = this.pending.records;
    let done = 0; // bytes of `pending` written
    let doneRecords = 0;
    let doneCuts = 0;
    try {
      for (; doneCuts < this.cuts.length; doneCuts++) {
        const cut = this.cuts[doneCuts]!;
        this.writePiece(done, cut);
        this.stats.recordsWritten += this.cutRecords[doneCuts]! - doneRecords;
        done = cut;
        doneRecords = this.cutRecords[doneCuts]!;
        this.openSegment(this.seg + 1);
      }
      this.writePiece(done, limit);
      this.stats.recordsWritten += complete - doneRecords;
      done = limit;
      doneRecords = complete;
    } finally {
      this.pending.consume(done, doneRecords);
      this.cuts.splice(0, doneCuts);
      this.cutRecords.splice(0, doneCuts);
      for (let k = 0; k < this.cuts.length; k++) {
        this.cuts[k]! -= done;
        this.cutRecords[k]! -= doneRecords;
      }
    }
  }

  /** First and last segment numbers on disk (last is the one being written). */
  segmentRange(): { first: number; last: number } {
    this.checkReplayed();
    return { first: this.firstSeg, last: this.seg };
  }

  /** Flushes, finishes the current segment and starts a new one; returns its number. */
  cut(): number {
    this.flush();
    this.openSegment(this.seg + 1);
    this.plannedBytes = 0;
    return this.seg;
  }

  /**
   * Condenses the previous checkpoint and all segments <= `upToSegment` into
   * `checkpoint.<upToSegment>` through `keep` (which writes what it keeps to `out`), then deletes
   * those segments and older checkpoints. `upToSegment` must be below the current segment (call
   * `cut()` first). A no-op if a checkpoint already covers it. Runs synchronously.
   */
  checkpoint(upToSegment: number, keep: KeepFn): void {
    this.checkWritable();
    if (upToSegment >= this.seg) {
      throw new RangeError(`checkpoint up to ${upToSegment} would include the segment being written (${this.seg}): cut() first`);
    }
    const previous = this.checkpointSeg;
    if (previous !== null && upToSegment <= previous) return;
    const t0 = performance.now();
    const segments = listWalDir(this.dir).segments.filter((s) => s <= upToSegment);
    const res = writeCheckpoint({
      dir: this.dir, upToSegment, previous, segments, reader: new SegmentReader(), keep,
      onCorruptFile: (file, r) => warnCorruptFile(this.log, file, r),
    });
    // The new checkpoint is durable: what it supersedes can go, oldest segment first, so that a
    // crash in between leaves a contiguous run of segments.
    for (const s of segments) removeSegmentFile(this.dir, s);
    this.stats.segments -= segments.length;
    if (previous !== null) fs.rmSync(path.join(this.dir, checkpointName(previous)), { recursive: true, force: true });
    fsyncDir(this.dir);
    this.checkpointSeg = upToSegment;
    this.firstSeg = Math.max(this.firstSeg, upToSegment + 1);
    this.log.info(
      { checkpoint: upToSegment, segmentsRemoved: segments.length, ...res, durationSeconds: (performance.now() - t0) / 1000 },
      'WAL checkpoint written',
    );
  }

  /** Flushes, fsyncs and closes. Idempotent; the Wal is unusable afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.fd < 0) return;
    try {
      if (this.failure === null) {
        this.writePending();
        this.sync();
      }
    } finally {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }

  private segmentPath(n: number): string {
    return path.join(this.dir, segmentName(n));
  }

  /** Writes pending[start, end) at the end of the current segment, rolling back on error. */
  private writePiece(start: number, end: number): void {
    if (end <= start) return;
    const before = this.segBytes;
    try {
      let off = start;
      while (off < end) {
        const n = fs.writeSync(this.fd, this.pending.buf, off, end - off, this.segBytes);
        off += n;
        this.segBytes += n;
      }
    } catch (err) {
      if (this.segBytes !== before) {
        try {
          fs.ftruncateSync(this.fd, before);
          this.segBytes = before;
        } catch {
          this.failure = err; // a partial record would stay between intact ones
        }
      }
      throw err;
    }
    this.dirty = true;
    this.stats.bytesWritten += end - start;
  }

  /** Creates segment `n` and makes it current, after fsyncing and closing the previous one. */
  private openSegment(n: number): void {
    const fd = fs.openSync(this.segmentPath(n), 'wx');
    if (this.fd >= 0) {
      try {
        this.sync();
        fs.closeSync(this.fd);
      } catch (err) {
        fs.closeSync(fd);
        fs.rmSync(this.segmentPath(n), { force: true });
        throw err;
      }
    }
    this.fd = fd;
    this.seg = n;
    this.segBytes = 0;
    this.dirty = false;
    this.stats.segments++;
    this.stats.currentSegment = n;
    fsyncDir(this.dir);
  }

  private onTimer(): void {
    if (this.failure !== null || this.closed) return;
    try {
      this.sync();
    } catch (err) {
      this.log.warn({ err }, 'WAL fsync failed; the WAL refuses further writes');
    }
  }

  private checkFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  private checkReplayed(): void {
    if (!this.replayed) throw new Error('WAL not replayed: call replay() before writing');
    if (this.closed) throw new Error('WAL closed');
  }

  private checkWritable(): void {
    this.checkFailed();
    this.checkReplayed();
  }
}
