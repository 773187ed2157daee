/**
 * Writing WAL checkpoints: the records worth keeping from a previous checkpoint and a run of
 * segments, condensed into one directory so the segments can be deleted.
 *
 * Crash safety: everything is written into `checkpoint.N.tmp/`, fsynced (file, then directory),
 * and only then renamed to `checkpoint.N/` and the WAL directory fsynced. A checkpoint directory
 * without the `.tmp` suffix is therefore always complete; a `.tmp` one is garbage.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RecordBuffer, type RecordWriter, type RecordWriterLike } from './record-buffer.ts';
import type { RecordFn, ScanResult, SegmentReader } from './segment-reader.ts';
import { checkpointName, fsyncDir, listCheckpointFiles, segmentName } from './segment-files.ts';

/** Pending checkpoint bytes that trigger a write to the file. */
const WRITE_THRESHOLD = 1 << 20;

/**
 * The sink a checkpoint's records are written to (the `out` of a keep function).
 * Buffers records and writes them out in ~1 MiB pieces; fsyncs on `finish`.
 */
export class CheckpointWriter implements RecordWriterLike {
  /** Records written so far (buffered ones included). */
  records = 0;
  /** Bytes written so far (buffered ones included). */
  bytes = 0;
  private readonly rb = new RecordBuffer(WRITE_THRESHOLD + 64 * 1024);
  private fd: number;
  private pos = 0;

  /** Creates (exclusively) the checkpoint record file `file`. */
  constructor(file: string) {
    this.fd = fs.openSync(file, 'wx');
  }

  /** Opens a record of `type`; see RecordWriterLike. */
  beginRecord(type: number): RecordWriter {
    this.rb.begin(type);
    return this.rb;
  }

  /** Closes the open record. */
  endRecord(): void {
    this.bytes += this.rb.end();
    this.records++;
    if (this.rb.len >= WRITE_THRESHOLD) this.writeOut();
  }

  /** Discards the open record. */
  abortRecord(): void {
    this.rb.abort();
  }

  /** True while a record is open (a keep function must not leave one open). */
  get isOpen(): boolean {
    return this.rb.isOpen;
  }

  /** Writes what is buffered, fsyncs and closes the file. */
  finish(): void {
    if (this.rb.isOpen) throw new Error('checkpoint record left open');
    this.writeOut();
    fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Closes the file without syncing (on failure). */
  destroy(): void {
    if (this.fd < 0) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // Already failing; the directory is removed by the caller.
    }
    this.fd = -1;
  }

  private writeOut(): void {
    const end = this.rb.len;
    let off = 0;
    while (off < end) {
      const n = fs.writeSync(this.fd, this.rb.buf, off, end - off, this.pos);
      off += n;
      this.pos += n;
    }
    this.rb.reset();
  }
}

/** Decides, for each record of the old checkpoint and segments, what the new checkpoint holds. */
export type KeepFn = (type: number, payload: Uint8Array, out: RecordWriterLike) => void;

/** What `writeCheckpoint` reads and where it writes. */
export interface CheckpointJob {
  /** The WAL directory. */
  dir: string;
  /** Number of the new checkpoint: it covers every segment <= this. */
  upToSegment: number;
  /** Number of the checkpoint being superseded, or null. */
  previous: number | null;
  /** Segments to read, ascending, all <= upToSegment. */
  segments: readonly number[];
  /** The reader to scan files with. */
  reader: SegmentReader;
  /** The caller's filter. */
  keep: KeepFn;
  /** Told about a file whose tail is not intact; the scan goes on with the next file. */
  onCorruptFile: (file: string, result: ScanResult) => void;
}

/** Summary of a checkpoint written. */
export interface CheckpointResult {
  /** Records read from the previous checkpoint and the segments. */
  recordsRead: number;
  /** Records written to the new checkpoint. */
  recordsKept: number;
  /** Size of the new checkpoint's records in bytes. */
  bytes: number;
}

/** Writes `checkpoint.<upToSegment>` atomically; deletes nothing. Throws, leaving no trace, on failure. */
export function writeCheckpoint(job: CheckpointJob): CheckpointResult {
  const finalDir = path.join(job.dir, checkpointName(job.upToSegment));
  const tmpDir = `${finalDir}.tmp`;
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.mkdirSync(tmpDir);
  let writer: CheckpointWriter | null = null;
  try {
    const out = new CheckpointWriter(path.join(tmpDir, segmentName(0)));
    writer = out;
    let recordsRead = 0;
    const onRecord: RecordFn = (type, payload) => {
      recordsRead++;
      job.keep(type, payload, out);
      if (out.isOpen) throw new Error('checkpoint keep function left a record open');
    };
    const files: string[] = [];
    if (job.previous !== null) {
      files.push(...listCheckpointFiles(path.join(job.dir, checkpointName(job.previous))));
    }
    for (const s of job.segments) files.push(path.join(job.dir, segmentName(s)));
    for (const file of files) {
      const r = job.reader.scan(file, onRecord);
      if (r.corruption !== null) job.onCorruptFile(file, r);
    }
    out.finish();
    fsyncDir(tmpDir);
    fs.renameSync(tmpDir, finalDir);
    fsyncDir(job.dir);
    return { recordsRead, recordsKept: out.records, bytes: out.bytes };
  } catch (err) {
    writer?.destroy();
    fs.rmSync(tmpDir, { recursive: true, force: true });
    throw err;
  }
}
