/**
 * Replay of a WAL directory: the newest checkpoint, then the segments after it, with repair.
 *
 * Repair rules (a torn or corrupt record is never fatal):
 * - `checkpoint.N.tmp/` directories are unfinished checkpoints: removed unread.
 * - Older checkpoints and segments <= N of the newest checkpoint N are leftovers of a truncation a
 *   crash interrupted: removed unread (the checkpoint already holds what mattered in them).
 * - The first record of a segment that is not intact (short header, length past the end of the
 *   file, CRC mismatch, type 0 / zero-filled bytes) ends the replay: the segment is truncated at
 *   that record's start and every later segment is removed, since records after a corruption in
 *   the middle cannot be trusted to follow on from what was kept.
 * - A corrupt checkpoint file is reported and its intact prefix used; it is not modified (the next
 *   checkpoint replaces it). Losing series records there means later samples of those series
 *   are unknown to the head, which it must tolerate anyway.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SegmentReader, type RecordFn, type ScanResult } from './segment-reader.ts';
import { checkpointName, fsyncDir, listCheckpointFiles, listWalDir, removeSegmentFile, segmentName } from './segment-files.ts';

/** The logger a Wal reports repairs and checkpoints to (a pino logger fits). */
export interface WalLogger {
  /** Logs a problem that was handled (a repair, a removed file). */
  warn(obj: object, msg: string): void;
  /** Logs a routine event (checkpoint written, cleanup). */
  info(obj: object, msg: string): void;
}

/** Summary of a replay. */
export interface ReplayStats {
  /** Number of the checkpoint replayed, or null if there was none. */
  checkpoint: number | null;
  /** Records delivered from the checkpoint. */
  checkpointRecords: number;
  /** Segments read after the checkpoint. */
  segments: number;
  /** Records delivered from segments. */
  records: number;
  /** Bytes of intact records read from segments. */
  bytes: number;
  /** Corruptions found (segment tails cut, corrupt checkpoint files). */
  corruptions: number;
  /** Wall time of the replay, seconds. */
  durationSeconds: number;
}

/** What a replay leaves on disk, for the Wal to continue from. */
export interface ReplayOutcome {
  /** Summary for the caller. */
  stats: ReplayStats;
  /** Segments remaining after repair, ascending, all after the checkpoint. */
  segments: number[];
  /** Whether a segment tail was cut. */
  repaired: boolean;
}

/** Replays and repairs the WAL in `dir`; see the module comment for the rules. */
export function replayDir(dir: string, fn: RecordFn, log: WalLogger): ReplayOutcome {
  const t0 = performance.now();
  const stats: ReplayStats = {
    checkpoint: null, checkpointRecords: 0, segments: 0, records: 0, bytes: 0, corruptions: 0, durationSeconds: 0,
  };
  const reader = new SegmentReader(); // transient: a Wal does not keep its 1 MiB window
  const listing = listWalDir(dir);
  for (const name of listing.tmp) {
    fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    log.warn({ dir: name }, 'removed unfinished WAL checkpoint');
  }
  const cp = listing.checkpoints.at(-1) ?? null;
  for (const old of listing.checkpoints.slice(0, -1)) {
    fs.rmSync(path.join(dir, checkpointName(old)), { recursive: true, force: true });
  }
  let segs = listing.segments;
  if (cp !== null) {
    for (const s of segs) {
      if (s <= cp) log.info({ segment: s, bytes: removeSegmentFile(dir, s) }, 'removed WAL segment covered by a checkpoint');
    }
    segs = segs.filter((s) => s > cp);
    stats.checkpoint = cp;
    for (const file of listCheckpointFiles(path.join(dir, checkpointName(cp)))) {
      const r = reader.scan(file, fn);
      stats.checkpointRecords += r.records;
      if (r.corruption !== null) {
        stats.corruptions++;
        warnCorruptFile(log, file, r);
      }
    }
  }
  let repaired = false;
  let expected = cp === null ? -1 : cp + 1;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (expected >= 0 && s !== expected) log.warn({ expected, segment: s }, 'WAL segments missing; replaying the rest');
    expected = s + 1;
    const r = reader.scan(path.join(dir, segmentName(s)), fn);
    stats.segments++;
    stats.records += r.records;
    stats.bytes += r.validBytes;
    if (r.corruption !== null) {
      stats.corruptions++;
      repairTail(dir, s, r, segs.slice(i + 1), log);
      segs = segs.slice(0, i + 1);
      repaired = true;
      break;
    }
  }
  stats.durationSeconds = (performance.now() - t0) / 1000;
  return { stats, segments: segs, repaired };
}

/** Reports a record file whose tail is not intact, where repair leaves it as it is. */
export function warnCorruptFile(log: WalLogger, file: string, r: ScanResult): void {
  log.warn(
    { file, offset: r.validBytes, bytesDropped: r.fileBytes - r.validBytes, reason: r.corruption },
    'WAL file corrupt; its records after the corruption are skipped',
  );
}

/** Cuts segment `s` at the end of its intact records and removes the `later` segments. */
function repairTail(dir: string, s: number, r: ScanResult, later: readonly number[], log: WalLogger): void {
  log.warn(
    { segment: s, offset: r.validBytes, bytesDropped: r.fileBytes - r.validBytes, reason: r.corruption },
    'WAL segment corrupt or torn; truncating it at the last intact record',
  );
  const fd = fs.openSync(path.join(dir, segmentName(s)), 'r+');
  try {
    fs.ftruncateSync(fd, r.validBytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  for (const l of later) log.warn({ segment: l, bytes: removeSegmentFile(dir, l) }, 'removed WAL segment following a corruption');
  fsyncDir(dir);
}
