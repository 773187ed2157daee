/**
 * Deterministic test records shared by the WAL tests and the crash-test child process; not part of
 * the package's API.
 *
 * Record i: type 1 + i % 3; payload = u32 LE i, then (i * 7919) % 300 bytes of (i * 31 + k) & 255.
 */
import type { RecordWriterLike } from './record-buffer.ts';

/** Appends test record `i` to `sink`; returns its framed size in bytes. */
export function writeTestRecord(sink: RecordWriterLike, i: number): number {
  const len = 4 + ((i * 7919) % 300);
  const w = sink.beginRecord(1 + (i % 3));
  w.writeU32(i);
  for (let k = 4; k < len; k++) w.writeU8((i * 31 + k) & 255);
  sink.endRecord();
  return 9 + len;
}

/** Checks that (type, payload) is a well-formed test record and returns its number i. */
export function checkTestRecord(type: number, payload: Uint8Array): number {
  if (payload.length < 4) throw new Error(`test record too short: ${payload.length}`);
  const i = (payload[0]! | (payload[1]! << 8) | (payload[2]! << 16) | (payload[3]! << 24)) >>> 0;
  if (type !== 1 + (i % 3)) throw new Error(`test record ${i}: type ${type}`);
  if (payload.length !== 4 + ((i * 7919) % 300)) throw new Error(`test record ${i}: length ${payload.length}`);
  for (let k = 4; k < payload.length; k++) {
    if (payload[k] !== ((i * 31 + k) & 255)) throw new Error(`test record ${i}: byte ${k}`);
  }
  return i;
}

/** A WalLogger that keeps what it is told, for assertions. */
export class CaptureLogger {
  /** Warnings received, in order. */
  readonly warns: { obj: Record<string, unknown>; msg: string }[] = [];
  /** Info messages received, in order. */
  readonly infos: { obj: Record<string, unknown>; msg: string }[] = [];
  /** Records a warning. */
  warn(obj: object, msg: string): void {
    this.warns.push({ obj: obj as Record<string, unknown>, msg });
  }
  /** Records an info message. */
  info(obj: object, msg: string): void {
    this.infos.push({ obj: obj as Record<string, unknown>, msg });
  }
}
