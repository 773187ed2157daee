import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaptureLogger, checkTestRecord } from './test-records.ts';
import { Wal } from './wal.ts';

const CHILD = path.join(import.meta.dirname, 'wal-crash-child.ts');

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-wal-crash-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the child until it reports at least `atLeast` records flushed past its start, SIGKILLs it,
 * and returns the highest count it reported (every report follows a flush that returned).
 */
function runAndKill(atLeast: number): Promise<{ start: number; acked: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CHILD, dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let start = -1;
    let acked = -1;
    let killed = false;
    let text = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const lines = text.split('\n');
      text = lines.pop()!; // an incomplete line is not a report yet
      for (const line of lines) {
        if (line.startsWith('start ')) start = Number(line.slice(6));
        else acked = Math.max(acked, Number(line));
      }
      if (!killed && start >= 0 && acked - start >= atLeast) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code}: ${stderr}`));
      else resolve({ start, acked });
    });
  });
}

describe('Wal under SIGKILL', () => {
  it('keeps every record whose flush returned, across repeated kills', async () => {
    let expected = 0;
    for (const atLeast of [3000, 20_000, 7000]) {
      const { start, acked } = await runAndKill(atLeast);
      // The child itself checked that the replay it started from was 0..start-1.
      expect(start).toBeGreaterThanOrEqual(expected);
      expect(acked).toBeGreaterThanOrEqual(start + atLeast);
      expected = acked;
    }
    const log = new CaptureLogger();
    const wal = Wal.open(dir, { segmentSizeBytes: 64 * 1024, logger: log });
    let n = 0;
    wal.replay((type, payload) => {
      expect(checkTestRecord(type, payload)).toBe(n);
      n++;
    });
    wal.close();
    expect(n).toBeGreaterThanOrEqual(expected);
    expect(wal.stats.segments).toBeGreaterThan(3);
  });
});
