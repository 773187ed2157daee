/**
 * Names and listing of the files in a WAL directory.
 *
 * Directory layout:
 *   00000000, 00000001, …        segments: 8-digit zero-padded decimal numbers, written in order
 *   checkpoint.00000041/         a complete checkpoint covering all segments <= 41; it holds
 *     00000000                   record files in the segment format
 *   checkpoint.00000041.tmp/     a checkpoint being written (or abandoned by a crash); ignored
 * Anything else in the directory is left alone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const SEGMENT_RE = /^\d{8}$/;
const CHECKPOINT_RE = /^checkpoint\.(\d{8})$/;
const CHECKPOINT_TMP_RE = /^checkpoint\.\d{8}\.tmp$/;

/** Largest segment number the 8-digit names can hold. */
export const MAX_SEGMENT = 99_999_999;

/** The file name of segment `n`. */
export function segmentName(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > MAX_SEGMENT) throw new RangeError(`bad WAL segment number ${n}`);
  return String(n).padStart(8, '0');
}

/** The directory name of the checkpoint covering segments <= `n`. */
export function checkpointName(n: number): string {
  return `checkpoint.${segmentName(n)}`;
}

/** What a WAL directory holds, numbers in ascending order. */
export interface WalDirListing {
  /** Segment numbers present. */
  segments: number[];
  /** Numbers of complete checkpoints present. */
  checkpoints: number[];
  /** Names of unfinished checkpoint directories (`checkpoint.N.tmp`). */
  tmp: string[];
}

/** Lists segments, checkpoints and leftover checkpoint temporaries in `dir`. */
export function listWalDir(dir: string): WalDirListing {
  const out: WalDirListing = { segments: [], checkpoints: [], tmp: [] };
  for (const name of fs.readdirSync(dir)) {
    if (SEGMENT_RE.test(name)) {
      out.segments.push(Number(name));
      continue;
    }
    const m = CHECKPOINT_RE.exec(name);
    if (m) out.checkpoints.push(Number(m[1]));
    else if (CHECKPOINT_TMP_RE.test(name)) out.tmp.push(name);
  }
  out.segments.sort((a, b) => a - b);
  out.checkpoints.sort((a, b) => a - b);
  return out;
}

/** Lists the record files of a checkpoint directory, in order, as full paths. */
export function listCheckpointFiles(checkpointDir: string): string[] {
  return fs
    .readdirSync(checkpointDir)
    .filter((name) => SEGMENT_RE.test(name))
    .sort()
    .map((name) => path.join(checkpointDir, name));
}

/** Deletes segment `n` of `dir`; returns the size it had. */
export function removeSegmentFile(dir: string, n: number): number {
  const file = path.join(dir, segmentName(n));
  const bytes = fs.statSync(file).size;
  fs.unlinkSync(file);
  return bytes;
}

/** Fsyncs a directory so that entries created, renamed or removed in it are durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
