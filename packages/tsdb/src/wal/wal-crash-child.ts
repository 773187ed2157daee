/**
 * Child process of the WAL crash test: replays the WAL in argv[2], checks it holds test records
 * 0..n-1, then appends records n, n+1, … forever, flushing after every 1–4 records and printing
 * the count flushed ("<count>\n") on stdout after each flush returns. The parent SIGKILLs it.
 */
import * as fs from 'node:fs';
import { checkTestRecord, writeTestRecord } from './test-records.ts';
import { Wal } from './wal.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: wal-crash-child.ts <dir>');
const wal = Wal.open(dir, { segmentSizeBytes: 64 * 1024, fsyncIntervalMs: 50 });
let n = 0;
wal.replay((type, payload) => {
  const i = checkTestRecord(type, payload);
  if (i !== n) throw new Error(`replayed record ${i} where ${n} was expected`);
  n++;
});
fs.writeSync(1, `start ${n}\n`);
for (;;) {
  const batch = 1 + (n % 4);
  for (let k = 0; k < batch; k++) writeTestRecord(wal, n++);
  wal.flush();
  // Synchronous: a pipe on process.stdout would buffer, and the count must not run ahead of disk.
  fs.writeSync(1, `${n}\n`);
}
