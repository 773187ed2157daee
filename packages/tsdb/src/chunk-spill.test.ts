import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Labels } from '@tessera/model';
import { ChunkStore, NO_CHUNK } from './chunk-arena.ts';
import { HeadChunkError, SlabSpill } from './chunk-spill.ts';
import { Head } from './head-db.ts';
import { newAppendResult } from './append-batch.ts';
import { rng } from './block/testing/fixtures.ts';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-spill-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A logger that keeps the warnings. */
function recordingLogger(): { info(): void; warn(obj: object, msg: string): void; warnings: string[] } {
  const warnings: string[] = [];
  return { info() {}, warn: (_o: object, msg: string) => void warnings.push(msg), warnings };
}

/** Random bytes of a random chunk-like length (1 byte to 3 KiB, mostly small). */
function randomChunk(r: () => number): Uint8Array {
  const n = r() < 0.05 ? 1 + Math.floor(r() * 3072) : 20 + Math.floor(r() * 400);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

function files(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

describe('completed chunks spilled to disk', () => {
  it('reads back the same bytes as an unspilled store, through random adds and releases', async () => {
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      const dir = path.join(tmp(), 'chunks_head');
      // A small cache, so reads also go through evictions and page-crossing copies.
      const spill = SlabSpill.open(dir, { logger: recordingLogger(), cacheBytes: 3 << 16, idleMs: 0 });
      const spilled = new ChunkStore(16, spill);
      const plain = new ChunkStore(16);
      const live: [number, number][] = []; // [spilled id, plain id]
      const held: [Uint8Array, Uint8Array][] = []; // views kept across later releases
      for (let round = 0; round < 6; round++) {
        for (let k = 0; k < 4000; k++) {
          const c = randomChunk(r);
          live.push([spilled.add(c, 0, c.length, k, k), plain.add(c, 0, c.length, k, k)]);
        }
        await spill.settled();
        for (let i = live.length - 1; i >= 0; i--) {
          if (r() < 0.4) {
            const [a, b] = live[i]!;
            spilled.release(a);
            plain.release(b);
            live.splice(i, 1);
          }
        }
        for (const [a, b] of live) expect(spilled.view(a)).toEqual(plain.view(b));
        for (let i = 0; i < 50 && live.length > 0; i++) {
          const [a, b] = live[Math.floor(r() * live.length)]!;
          held.push([spilled.view(a), plain.view(b)]);
        }
      }
      expect(spilled.bytes.bytesByLocation().onDisk).toBeGreaterThan(0);
      expect(spilled.bytes.liveBytes).toBe(plain.bytes.liveBytes);
      for (const [a, b] of held) expect(a).toEqual(b);
      // Releasing everything deletes every file (the slab being filled was never written).
      for (const [a, b] of live) {
        spilled.release(a);
        plain.release(b);
      }
      await spill.settled();
      expect(files(dir)).toEqual([]);
      for (const [a, b] of held) expect(a).toEqual(b);
      spill.close();
    }
  });

  it('bounds the page cache and empties it after a while without reads', async () => {
    const dir = path.join(tmp(), 'chunks_head');
    const spill = SlabSpill.open(dir, { logger: recordingLogger(), cacheBytes: 64 << 10, idleMs: 30_000 });
    const store = new ChunkStore(16, spill);
    const c = new Uint8Array(300).fill(9);
    const ids: number[] = [];
    while (store.bytes.slabCount < 2) ids.push(store.add(c, 0, c.length, 0, 0));
    await spill.settled();
    vi.useFakeTimers();
    try {
      for (const id of ids) expect(store.view(id)).toEqual(c);
      expect(spill.cacheBytes).toBeGreaterThan(0);
      expect(spill.cacheBytes).toBeLessThanOrEqual(64 << 10);
      vi.advanceTimersByTime(20_000);
      store.view(ids[0]!); // a read keeps the cache
      vi.advanceTimersByTime(20_000);
      expect(spill.cacheBytes).toBeGreaterThan(0);
      vi.advanceTimersByTime(40_000);
      expect(spill.cacheBytes).toBe(0);
    } finally {
      vi.useRealTimers();
      spill.close();
    }
  });

  it('fails a read clearly when a spill file is gone', async () => {
    const dir = path.join(tmp(), 'chunks_head');
    const spill = SlabSpill.open(dir, { logger: recordingLogger() });
    const store = new ChunkStore(16, spill);
    const c = new Uint8Array(500).fill(7);
    const first = store.add(c, 0, c.length, 0, 0);
    while (store.bytes.slabCount < 2) store.add(c, 0, c.length, 0, 0);
    await spill.settled();
    expect(files(dir)).toHaveLength(1);
    fs.rmSync(path.join(dir, files(dir)[0]!));
    expect(() => store.view(first)).toThrow(HeadChunkError);
    spill.close();
  });
});

/** Appends `n` samples of noisy values to each of `series` series (enough to fill several slabs). */
function fill(head: Head, series: number, from: number, n: number, seed: number): void {
  const r = rng(seed);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  for (let s = 0; s < series; s++) {
    for (let i = 0; i < n; i++) {
      ts[i] = (from + i) * 15_000;
      vs[i] = r() * 1e6;
    }
    head.appendSamples(Labels.fromObject({ __name__: 'm', i: String(s) }), ts, vs, newAppendResult());
  }
}

/** Every series' chunks (bytes, bounds), in ref order. */
function dump(head: Head): string[] {
  const out: string[] = [];
  for (const s of head.state.liveSeries()) {
    const parts: string[] = [head.labelsOf(s).toString()];
    s.forEachChunk(-Infinity, Infinity, (bytes, minT, maxT) => parts.push(`${minT}-${maxT}:${Buffer.from(bytes).toString('base64')}`));
    out.push(parts.join(' '));
  }
  return out;
}

describe('Head with chunksDir', () => {
  const open = (walDir: string, chunksDir?: string, logger = recordingLogger()): Head =>
    Head.open({ walDir, logger, blockRangeMs: 2 ** 40, ...(chunksDir === undefined ? {} : { chunksDir }) });

  it('serves the same chunks as a head without it, deletes files on truncation, and starts empty on reopen', async () => {
    const root = tmp();
    const chunksDir = path.join(root, 'chunks_head');
    const plain = open(path.join(root, 'wal-plain'));
    let head = open(path.join(root, 'wal'), chunksDir);
    for (const h of [plain, head]) fill(h, 1500, 0, 360, 1);
    await head.chunksSettled();
    const before = head.chunkBytes();
    expect(before.onDisk).toBeGreaterThan(1 << 20);
    expect(before.inMemory + before.onDisk).toBe(plain.chunkBytes().inMemory);
    expect(files(chunksDir).length).toBeGreaterThan(1);
    expect(dump(head)).toEqual(dump(plain));

    // Reopen: stale files are removed before the replay, and the replay restores the same chunks.
    fs.writeFileSync(path.join(chunksDir, 'stale'), 'x');
    head.close();
    head = open(path.join(root, 'wal'), chunksDir);
    expect(files(chunksDir)).not.toContain('stale');
    await head.chunksSettled();
    expect(dump(head)).toEqual(dump(plain));

    // Truncation releases every completed chunk: their files go.
    fill(head, 1500, 360, 130, 2);
    fill(plain, 1500, 360, 130, 2);
    await head.chunksSettled();
    head.truncate(480 * 15_000);
    plain.truncate(480 * 15_000);
    await head.chunksSettled();
    expect(dump(head)).toEqual(dump(plain));
    expect(head.chunkBytes().onDisk).toBe(0);
    expect(files(chunksDir)).toEqual([]);
    head.close();
    plain.close();
  });

  it('keeps chunks readable in memory when the spill write fails, and writes them once it can', async () => {
    const root = tmp();
    const chunksDir = path.join(root, 'chunks_head');
    const logger = recordingLogger();
    const plain = open(path.join(root, 'wal-plain'));
    const head = open(path.join(root, 'wal'), chunksDir, logger);
    // A file in place of the directory: every write fails, whoever runs the test (root included).
    fs.rmSync(chunksDir, { recursive: true });
    fs.writeFileSync(chunksDir, 'not a directory');
    for (const h of [plain, head]) fill(h, 1500, 0, 250, 3);
    await head.chunksSettled();
    expect(logger.warnings.length).toBe(1);
    expect(head.chunkBytes().onDisk).toBe(0);
    expect(dump(head)).toEqual(dump(plain));

    // The directory is back: the next sealed slab retries the failed ones.
    fs.rmSync(chunksDir);
    fs.mkdirSync(chunksDir);
    for (const h of [plain, head]) fill(h, 1500, 250, 130, 4);
    await head.chunksSettled();
    expect(head.state.spill!.failedSlabs).toBe(0);
    expect(head.chunkBytes().inMemory).toBeLessThan(1 << 20);
    expect(files(chunksDir).length).toBeGreaterThan(0);
    expect(dump(head)).toEqual(dump(plain));

    // Series garbage collection (every series ends before mint) releases their chunks and files.
    expect(head.truncate(Infinity).seriesRemoved).toBe(1500);
    await head.chunksSettled();
    expect(files(chunksDir)).toEqual([]);
    head.close();
    plain.close();
  });
});
