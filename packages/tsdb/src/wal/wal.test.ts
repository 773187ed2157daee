import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECORD_HEADER_SIZE } from './record-buffer.ts';
import { listWalDir, segmentName } from './segment-files.ts';
import { SegmentReader } from './segment-reader.ts';
import { CaptureLogger, checkTestRecord, writeTestRecord } from './test-records.ts';
import { Wal, type WalOptions } from './wal.ts';

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-wal-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Opens and replays; returns the Wal and the numbers of the test records replayed, in order. */
function openAndReplay(opts: WalOptions = {}): { wal: Wal; ids: number[] } {
  const wal = Wal.open(dir, { fsyncIntervalMs: 60_000, ...opts });
  const ids: number[] = [];
  wal.replay((type, payload) => ids.push(checkTestRecord(type, payload)));
  return { wal, ids };
}

/** Writes test records from..to-1, flushing every `every` records. */
function writeRange(wal: Wal, from: number, to: number, every = 10): void {
  for (let i = from; i < to; i++) {
    writeTestRecord(wal, i);
    if ((i + 1) % every === 0) wal.flush();
  }
  wal.flush();
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);
const segPath = (n: number): string => path.join(dir, segmentName(n));

/** Byte offsets of the records in a segment file (it must be intact). */
function recordOffsets(file: string): number[] {
  const b = fs.readFileSync(file);
  const out: number[] = [];
  for (let p = 0; p < b.length; p += RECORD_HEADER_SIZE + b.readUInt32LE(p)) out.push(p);
  return out;
}

describe('Wal writing and replay', () => {
  it('round-trips many records over several segments, none spanning two', () => {
    const { wal } = openAndReplay({ segmentSizeBytes: 4096 });
    writeRange(wal, 0, 2000);
    expect(wal.stats.recordsWritten).toBe(2000);
    const segs = listWalDir(dir).segments;
    expect(segs.length).toBeGreaterThan(10);
    expect(wal.stats.segments).toBe(segs.length);
    expect(wal.segmentRange()).toEqual({ first: 0, last: segs.at(-1) });
    expect(segs).toEqual(range(0, segs.length));
    wal.close();

    // Each segment on its own is a whole number of intact records within the size limit.
    const reader = new SegmentReader(512);
    let total = 0;
    let bytes = 0;
    for (const s of segs) {
      const r = reader.scan(segPath(s), () => {});
      expect(r.corruption).toBeNull();
      expect(r.fileBytes).toBeLessThanOrEqual(4096);
      total += r.records;
      bytes += r.fileBytes;
    }
    expect(total).toBe(2000);
    expect(wal.stats.bytesWritten).toBe(bytes);

    const again = openAndReplay({ segmentSizeBytes: 4096 });
    expect(again.ids).toEqual(range(0, 2000));
    again.wal.close();
  });

  it('refuses to write before replay', () => {
    const wal = Wal.open(dir);
    expect(() => wal.beginRecord(1)).toThrow(/replay/);
    expect(() => wal.flush()).toThrow(/replay/);
    wal.close();
  });

  it('hands records to the OS only on flush; close flushes the rest', () => {
    const { wal } = openAndReplay();
    writeTestRecord(wal, 0);
    writeTestRecord(wal, 1);
    expect(fs.statSync(segPath(0)).size).toBe(0);
    expect(wal.pendingBytes).toBeGreaterThan(0);
    wal.flush();
    const size = fs.statSync(segPath(0)).size;
    expect(size).toBe(wal.stats.bytesWritten);
    writeTestRecord(wal, 2);
    wal.close();
    expect(fs.statSync(segPath(0)).size).toBeGreaterThan(size);
    const again = openAndReplay();
    expect(again.ids).toEqual([0, 1, 2]);
    // Writing continues in the last segment rather than starting a new one.
    expect(again.wal.segmentRange()).toEqual({ first: 0, last: 0 });
    again.wal.close();
  });

  it('leaves an open record pending across flush', () => {
    const { wal } = openAndReplay();
    writeTestRecord(wal, 0);
    const w = wal.beginRecord(2);
    w.writeU32(1);
    wal.flush();
    expect(wal.stats.recordsWritten).toBe(1);
    for (let k = 4; k < 4 + ((1 * 7919) % 300); k++) w.writeU8((31 + k) & 255);
    wal.endRecord();
    wal.close();
    const again = openAndReplay();
    expect(again.ids).toEqual([0, 1]);
    again.wal.close();
  });

  it('puts a record larger than the segment size alone in a fresh segment', () => {
    const { wal } = openAndReplay({ segmentSizeBytes: 100 });
    writeTestRecord(wal, 0); // 13 bytes
    const big = wal.beginRecord(5);
    big.writeBytes(new Uint8Array(500), 0, 500);
    wal.endRecord();
    writeTestRecord(wal, 3); // 70 bytes: does not fit after the big one either
    wal.flush();
    expect(listWalDir(dir).segments).toEqual([0, 1, 2]);
    expect([0, 1, 2].map((n) => fs.statSync(segPath(n)).size)).toEqual([13, 509, 70]);
    wal.close();
  });

  it('cut starts a new segment and returns its number', () => {
    const { wal } = openAndReplay();
    writeTestRecord(wal, 0);
    expect(wal.cut()).toBe(1);
    expect(fs.statSync(segPath(0)).size).toBeGreaterThan(0); // cut flushed the pending record
    writeRange(wal, 1, 3);
    expect(wal.cut()).toBe(2);
    expect(wal.segmentRange()).toEqual({ first: 0, last: 2 });
    wal.close();
    const again = openAndReplay();
    expect(again.ids).toEqual([0, 1, 2]);
    again.wal.close();
  });

  it('fsyncs on every flush with fsyncIntervalMs 0, on the timer otherwise, and on close', async () => {
    const eager = openAndReplay({ fsyncIntervalMs: 0 });
    writeRange(eager.wal, 0, 30, 10);
    expect(eager.wal.stats.fsyncs).toBe(3);
    expect(eager.wal.stats.fsyncSecondsTotal).toBeGreaterThan(0);
    eager.wal.close();

    fs.rmSync(dir, { recursive: true });
    const timed = openAndReplay({ fsyncIntervalMs: 20 });
    writeRange(timed.wal, 0, 30, 10);
    expect(timed.wal.stats.fsyncs).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    expect(timed.wal.stats.fsyncs).toBe(1); // dirty once, synced once
    writeTestRecord(timed.wal, 30);
    timed.wal.close();
    expect(timed.wal.stats.fsyncs).toBe(2);
  });
});

describe('Wal repair on replay', () => {
  it.each([
    ['inside the last record\'s payload', 5],
    ['inside the last record\'s header', -4],
  ])('cuts a torn tail %s, then keeps writing after what is intact', (_name, cutInto) => {
    const { wal } = openAndReplay({ segmentSizeBytes: 4096 });
    writeRange(wal, 0, 300);
    wal.close();
    const last = listWalDir(dir).segments.at(-1)!;
    const file = segPath(last);
    const offsets = recordOffsets(file);
    const lastStart = offsets.at(-1)!;
    const size = fs.statSync(file).size;
    // Tear the file inside the last record: after its header (cutInto > 0) or within it.
    const tornAt = lastStart + RECORD_HEADER_SIZE + cutInto;
    const intactEnd = lastStart;
    fs.truncateSync(file, tornAt);

    const log = new CaptureLogger();
    const first = openAndReplay({ segmentSizeBytes: 4096, logger: log });
    expect(first.ids).toEqual(range(0, 299));
    expect(first.wal.stats.corruptionsRepaired).toBe(1);
    expect(log.warns).toHaveLength(1);
    expect(log.warns[0]!.obj).toMatchObject({ segment: last, offset: intactEnd, bytesDropped: tornAt - intactEnd });
    expect(fs.statSync(file).size).toBe(intactEnd);
    expect(size).toBeGreaterThan(tornAt);

    writeRange(first.wal, 299, 400);
    first.wal.close();
    const log2 = new CaptureLogger();
    const second = openAndReplay({ segmentSizeBytes: 4096, logger: log2 });
    expect(second.ids).toEqual(range(0, 400));
    expect(log2.warns).toEqual([]);
    second.wal.close();
  });

  it('cuts at a corrupt record in the middle and removes the later segments', () => {
    const { wal } = openAndReplay({ segmentSizeBytes: 4096 });
    writeRange(wal, 0, 500);
    wal.close();
    const segs = listWalDir(dir).segments;
    expect(segs.length).toBeGreaterThan(4);
    // Flip one payload byte of the 3rd record of segment 1.
    let before = 0;
    new SegmentReader().scan(segPath(0), () => before++);
    const offsets = recordOffsets(segPath(1));
    const bad = offsets[2]!;
    const seg1 = fs.readFileSync(segPath(1));
    seg1[bad + RECORD_HEADER_SIZE + 2]! ^= 0x40;
    fs.writeFileSync(segPath(1), seg1);

    const log = new CaptureLogger();
    const first = openAndReplay({ segmentSizeBytes: 4096, logger: log });
    expect(first.ids).toEqual(range(0, before + 2));
    expect(listWalDir(dir).segments).toEqual([0, 1]);
    expect(fs.statSync(segPath(1)).size).toBe(bad);
    expect(log.warns[0]!.obj).toMatchObject({ segment: 1, offset: bad, bytesDropped: seg1.length - bad, reason: 'CRC mismatch' });
    const removed = log.warns.slice(1).map((w) => w.obj['segment']);
    expect(removed).toEqual(segs.slice(2));
    expect(first.wal.stats.segments).toBe(2);

    writeRange(first.wal, before + 2, before + 50);
    first.wal.close();
    const second = openAndReplay({ segmentSizeBytes: 4096 });
    expect(second.ids).toEqual(range(0, before + 50));
    second.wal.close();
  });

  it('cuts a zero-filled tail (preallocated space) and overwrites it', () => {
    const { wal } = openAndReplay();
    writeRange(wal, 0, 50);
    wal.close();
    const size = fs.statSync(segPath(0)).size;
    fs.appendFileSync(segPath(0), Buffer.alloc(8192));

    const log = new CaptureLogger();
    const first = openAndReplay({ logger: log });
    expect(first.ids).toEqual(range(0, 50));
    expect(log.warns[0]!.obj).toMatchObject({ segment: 0, offset: size, bytesDropped: 8192, reason: 'zero-filled bytes' });
    writeRange(first.wal, 50, 60);
    first.wal.close();
    const second = openAndReplay();
    expect(second.ids).toEqual(range(0, 60));
    second.wal.close();
  });

  it('treats a length running past the end of the file as torn', () => {
    const { wal } = openAndReplay();
    writeRange(wal, 0, 5);
    wal.close();
    const size = fs.statSync(segPath(0)).size;
    const header = Buffer.alloc(RECORD_HEADER_SIZE + 3);
    header.writeUInt32LE(1000, 0);
    header[8] = 1;
    fs.appendFileSync(segPath(0), header);
    const log = new CaptureLogger();
    const first = openAndReplay({ logger: log });
    expect(first.ids).toEqual(range(0, 5));
    expect(log.warns[0]!.obj).toMatchObject({ offset: size, bytesDropped: header.length });
    expect(String(log.warns[0]!.obj['reason'])).toMatch(/beyond end of file/);
    first.wal.close();
  });
});
