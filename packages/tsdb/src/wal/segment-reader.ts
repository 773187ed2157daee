/**
 * Sequential reader of a file of framed records (a WAL segment or a checkpoint file).
 *
 * Reads through one reusable window buffer (grown only for a record larger than it), verifies each
 * record's framing and CRC-32C, and stops at the first record that is not intact. It never
 * modifies the file: deciding what to do with a bad tail is the caller's job.
 */
import * as fs from 'node:fs';
import { crc32c } from './crc32c.ts';
import { RECORD_HEADER_SIZE } from './record-buffer.ts';

/** Callback receiving each intact record; `payload` is a view valid only during the call. */
export type RecordFn = (type: number, payload: Uint8Array) => void;

/** Outcome of scanning one file. */
export interface ScanResult {
  /** Size of the file when it was opened. */
  fileBytes: number;
  /** Offset just past the last intact record: everything from here on is to be dropped. */
  validBytes: number;
  /** Number of intact records delivered. */
  records: number;
  /** Why the scan stopped before the end of the file, or null if every byte was intact. */
  corruption: string | null;
}

/** Reads files of framed records; one instance is reused for many files. Not reentrant. */
export class SegmentReader {
  private buf: Buffer;
  /** File offset of buf[0], and number of valid bytes in buf. */
  private winStart = 0;
  private winLen = 0;

  /** Creates a reader whose window is `windowBytes` long (grown on demand). */
  constructor(windowBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(windowBytes);
  }

  /** Scans `file` from the start, calling `fn` for each intact record until the first bad one. */
  scan(file: string, fn: RecordFn): ScanResult {
    const fd = fs.openSync(file, 'r');
    try {
      return this.scanFd(fd, fn);
    } finally {
      fs.closeSync(fd);
    }
  }

  private scanFd(fd: number, fn: RecordFn): ScanResult {
    const size = fs.fstatSync(fd).size;
    this.winStart = 0;
    this.winLen = 0;
    let pos = 0;
    let records = 0;
    let corruption: string | null = null;
    while (pos < size) {
      const rem = size - pos;
      if (rem < RECORD_HEADER_SIZE) {
        corruption = `torn record header (${rem} of ${RECORD_HEADER_SIZE} bytes)`;
        break;
      }
      if (!this.fill(fd, pos, RECORD_HEADER_SIZE)) {
        corruption = 'short read (file shrank while being read)';
        break;
      }
      let o = pos - this.winStart;
      const b = this.buf;
      const len = b.readUInt32LE(o);
      const crc = b.readUInt32LE(o + 4);
      const type = b[o + 8]!;
      if (type === 0) {
        corruption = len === 0 && crc === 0 ? 'zero-filled bytes' : 'invalid record type 0';
        break;
      }
      if (len > rem - RECORD_HEADER_SIZE) {
        corruption = `record length ${len} beyond end of file (${rem - RECORD_HEADER_SIZE} bytes left)`;
        break;
      }
      const total = RECORD_HEADER_SIZE + len;
      if (!this.fill(fd, pos, total)) {
        corruption = 'short read (file shrank while being read)';
        break;
      }
      o = pos - this.winStart;
      const w = this.buf;
      if (crc32c(w, o + 8, o + total) !== crc) {
        corruption = 'CRC mismatch';
        break;
      }
      fn(type, w.subarray(o + RECORD_HEADER_SIZE, o + total));
      pos += total;
      records++;
    }
    return { fileBytes: size, validBytes: pos, records, corruption };
  }

  /**
   * Makes the window cover file bytes [pos, pos + need); returns false on a short read.
   * Invariant: pos >= winStart (the scan only moves forward).
   */
  private fill(fd: number, pos: number, need: number): boolean {
    if (pos + need <= this.winStart + this.winLen) return true;
    const keepFrom = pos - this.winStart;
    const keep = Math.max(0, this.winLen - keepFrom);
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      if (keep > 0) this.buf.copy(next, 0, keepFrom, keepFrom + keep);
      this.buf = next;
    } else if (keep > 0) {
      this.buf.copyWithin(0, keepFrom, keepFrom + keep);
    }
    this.winStart = pos;
    this.winLen = keep;
    while (this.winLen < need) {
      const n = fs.readSync(fd, this.buf, this.winLen, this.buf.length - this.winLen, this.winStart + this.winLen);
      if (n === 0) return false;
      this.winLen += n;
    }
    return true;
  }
}
