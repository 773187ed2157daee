import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordWriterLike } from './record-buffer.ts';
import { checkpointName, listWalDir, segmentName } from './segment-files.ts';
import { CaptureLogger, checkTestRecord, writeTestRecord } from './test-records.ts';
import { Wal, type WalOptions } from './wal.ts';

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-wal-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const OPTS: WalOptions = { segmentSizeBytes: 2048, fsyncIntervalMs: 60_000 };
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

function openAndReplay(opts: WalOptions = OPTS): { wal: Wal; ids: number[] } {
  const wal = Wal.open(dir, opts);
  const ids: number[] = [];
  wal.replay((type, payload) => ids.push(checkTestRecord(type, payload)));
  return { wal, ids };
}

/** Replays into a fresh Wal and closes it; returns the record numbers replayed. */
function replayIds(): number[] {
  const { wal, ids } = openAndReplay();
  wal.close();
  return ids;
}

function writeRange(wal: Wal, from: number, to: number): void {
  for (let i = from; i < to; i++) writeTestRecord(wal, i);
  wal.flush();
}

/** Keeps records of type 1 (i % 3 === 0), re-encoding them from what was read. */
function keepType1(seen: number[]) {
  return (type: number, payload: Uint8Array, out: RecordWriterLike): void => {
    const i = checkTestRecord(type, payload);
    seen.push(i);
    if (type === 1) writeTestRecord(out, i);
  };
}

describe('Wal checkpoints', () => {
  it('replays the kept records, then the segments after the checkpoint', () => {
    const { wal } = openAndReplay();
    writeRange(wal, 0, 200);
    const next = wal.cut();
    writeRange(wal, 200, 260);
    const seen: number[] = [];
    wal.checkpoint(next - 1, keepType1(seen));
    expect(seen).toEqual(range(0, 200));
    expect(listWalDir(dir).checkpoints).toEqual([next - 1]);
    expect(listWalDir(dir).segments[0]).toBe(next);
    expect(wal.segmentRange().first).toBe(next);
    expect(wal.stats.segments).toBe(listWalDir(dir).segments.length);
    writeRange(wal, 260, 300);
    wal.close();

    const again = openAndReplay();
    expect(again.ids).toEqual([...range(0, 200).filter((i) => i % 3 === 0), ...range(200, 300)]);
    again.wal.close();
  });

  it('feeds the previous checkpoint to the next one and deletes it', () => {
    const { wal } = openAndReplay();
    writeRange(wal, 0, 100);
    const c1 = wal.cut() - 1;
    wal.checkpoint(c1, keepType1([]));
    writeRange(wal, 100, 200);
    const c2 = wal.cut() - 1;
    const seen: number[] = [];
    wal.checkpoint(c2, keepType1(seen));
    expect(seen).toEqual([...range(0, 100).filter((i) => i % 3 === 0), ...range(100, 200)]);
    expect(listWalDir(dir).checkpoints).toEqual([c2]);
    wal.close();
    const again = openAndReplay();
    expect(again.ids).toEqual(range(0, 200).filter((i) => i % 3 === 0));
    again.wal.close();
  });

  it('refuses to checkpoint the segment being written', () => {
    const { wal } = openAndReplay();
    writeRange(wal, 0, 10);
    expect(() => wal.checkpoint(wal.segmentRange().last, () => {})).toThrow(/cut\(\) first/);
    wal.close();
  });

  it('leaves no trace when the keep function throws', () => {
    const { wal } = openAndReplay();
    writeRange(wal, 0, 50);
    const upTo = wal.cut() - 1;
    const before = listWalDir(dir);
    expect(() =>
      wal.checkpoint(upTo, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(listWalDir(dir)).toEqual(before);
    wal.close();
    expect(replayIds()).toEqual(range(0, 50));
  });

  it('ignores and removes a leftover .tmp checkpoint', () => {
    const { wal } = openAndReplay();
    writeRange(wal, 0, 100);
    const upTo = wal.cut() - 1;
    wal.checkpoint(upTo, keepType1([]));
    writeRange(wal, 100, 120);
    wal.close();
    // A newer checkpoint that a crash left unfinished, holding garbage.
    const tmp = path.join(dir, `${checkpointName(upTo + 5)}.tmp`);
    fs.mkdirSync(tmp);
    fs.writeFileSync(path.join(tmp, segmentName(0)), Buffer.from('not a record at all'));

    const log = new CaptureLogger();
    const again = openAndReplay({ ...OPTS, logger: log });
    expect(again.ids).toEqual([...range(0, 100).filter((i) => i % 3 === 0), ...range(100, 120)]);
    expect(fs.existsSync(tmp)).toBe(false);
    expect(log.warns.map((w) => w.obj)).toEqual([{ dir: path.basename(tmp) }]);
    again.wal.close();
  });

  it('skips segments a checkpoint covers if a crash left them behind', () => {
    const { wal } = openAndReplay();
    writeRange(wal, 0, 100);
    const upTo = wal.cut() - 1;
    const saved = fs.readFileSync(path.join(dir, segmentName(upTo)));
    wal.checkpoint(upTo, keepType1([]));
    wal.close();
    // As if the crash came after the rename, before this segment was deleted.
    fs.writeFileSync(path.join(dir, segmentName(upTo)), saved);
    const again = openAndReplay();
    expect(again.ids).toEqual(range(0, 100).filter((i) => i % 3 === 0));
    expect(fs.existsSync(path.join(dir, segmentName(upTo)))).toBe(false);
    again.wal.close();
  });

  it('uses the intact prefix of a corrupt checkpoint and still replays the segments after it', () => {
    const { wal } = openAndReplay();
    writeRange(wal, 0, 60);
    const upTo = wal.cut() - 1;
    wal.checkpoint(upTo, keepType1([]));
    writeRange(wal, 60, 70);
    wal.close();
    const file = path.join(dir, checkpointName(upTo), segmentName(0));
    const b = fs.readFileSync(file);
    // Flip a payload byte of the 5th kept record (ids 0, 3, 6, 9, 12, …).
    let at = 0;
    for (let k = 0; k < 4; k++) at += 9 + b.readUInt32LE(at);
    b[at + 9 + 1]! ^= 1;
    fs.writeFileSync(file, b);
    const log = new CaptureLogger();
    const again = openAndReplay({ ...OPTS, logger: log });
    expect(again.ids).toEqual([0, 3, 6, 9, ...range(60, 70)]);
    expect(log.warns[0]!.obj).toMatchObject({ file, offset: at, reason: 'CRC mismatch' });
    again.wal.close();
  });

  it('starts a new segment after the checkpoint when no segment is left', () => {
    const { wal } = openAndReplay();
    writeRange(wal, 0, 30);
    const upTo = wal.cut() - 1;
    wal.checkpoint(upTo, keepType1([]));
    wal.close();
    fs.rmSync(path.join(dir, segmentName(upTo + 1)));
    const again = openAndReplay();
    expect(again.wal.segmentRange()).toEqual({ first: upTo + 1, last: upTo + 1 });
    writeRange(again.wal, 30, 33);
    again.wal.close();
    expect(replayIds()).toEqual([...range(0, 30).filter((i) => i % 3 === 0), 30, 31, 32]);
  });
});
