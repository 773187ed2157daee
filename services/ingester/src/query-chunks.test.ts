import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createLogger } from '@tessera/server';
import { Labels, Matcher } from '@tessera/model';
import { XorIterator } from '@tessera/chunkenc';
import { Head, newAppendResult } from '@tessera/tsdb';
import { Ingester } from './ingester.ts';
import { queryHeadChunks, type ChunkSeries } from './query-chunks.ts';

const quiet = { info() {}, warn() {} };
const dirs: string[] = [];
const heads: Head[] = [];

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-qc-'));
  dirs.push(d);
  return d;
}

function openHead(walDir = path.join(tmpDir(), 'wal')): Head {
  const h = Head.open({ walDir, logger: quiet, blockRangeMs: 2 ** 40 });
  heads.push(h);
  return h;
}

afterEach(() => {
  for (const h of heads.splice(0)) h.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function append(head: Head, labels: Record<string, string>, ts: number[]): void {
  const r = newAppendResult();
  head.appendSamples(Labels.fromObject(labels), ts, Float64Array.from(ts, (t) => t / 10), r);
  expect(r.samplesAppended).toBe(ts.length);
}

/** Decodes every chunk of a series into its timestamps. */
function timestamps(s: ChunkSeries): number[] {
  const out: number[] = [];
  const it = new XorIterator();
  for (const c of s.chunks) {
    it.reset(c.data);
    while (it.next()) out.push(it.t);
    expect(it.err).toBeNull();
  }
  return out;
}

const range = (from: number, n: number, step: number): number[] => Array.from({ length: n }, (_, i) => from + i * step);
const name = (v: string): Matcher => Matcher.create('=', '__name__', v);

describe('queryHeadChunks', () => {
  it('returns the matching series sorted by labels, with the chunks overlapping the range, whole', () => {
    const head = openHead();
    append(head, { __name__: 'm', job: 'b' }, range(0, 300, 10)); // chunks [0..1190], [1200..2390], [2400..2990]
    append(head, { __name__: 'm', job: 'a' }, range(5000, 10, 10));
    append(head, { __name__: 'other' }, range(0, 10, 10));
    const got = queryHeadChunks(head, [name('m')], 1500, 2500);
    expect(got.map((s) => s.labels.toString())).toEqual(['m{job="b"}']);
    const [s] = got;
    expect(s!.chunks.map((c) => [c.minT, c.maxT])).toEqual([[1200, 2390], [2400, 2990]]);
    // Whole chunks: samples outside the range are kept (the reader trims).
    expect(timestamps(s!)).toEqual(range(1200, 180, 10));
    const all = queryHeadChunks(head, [Matcher.create('=~', '__name__', 'm|other')], 0, 10_000);
    expect(all.map((x) => x.labels.toString())).toEqual(['m{job="a"}', 'm{job="b"}', 'other']);
  });

  it('snapshots the open chunk: later appends do not change what was returned', () => {
    const head = openHead();
    append(head, { __name__: 'm' }, range(0, 50, 10));
    const [before] = queryHeadChunks(head, [name('m')], 0, 100_000);
    const bytes = before!.chunks[0]!.data.slice();
    append(head, { __name__: 'm' }, range(500, 30, 10));
    expect(before!.chunks[0]!.maxT).toBe(490);
    expect(before!.chunks[0]!.data).toEqual(bytes);
    expect(timestamps(before!)).toEqual(range(0, 50, 10));
    const [after] = queryHeadChunks(head, [name('m')], 0, 100_000);
    expect(timestamps(after!)).toEqual(range(0, 80, 10));
  });

  it('leaves out series without a chunk in the range', () => {
    const head = openHead();
    append(head, { __name__: 'm' }, range(0, 10, 10));
    expect(queryHeadChunks(head, [name('m')], 100, 200)).toEqual([]);
    expect(queryHeadChunks(head, [name('m')], 90, 200)).toHaveLength(1);
  });
});

describe('Ingester.queryChunks', () => {
  it('answers from the tenant head only, after a restart (WAL replay), and [] for unknown tenants', async () => {
    const dataDir = tmpDir();
    // Write two tenants' WALs where the ingester will find them on start.
    const a = Head.open({ walDir: path.join(dataDir, 'tsdb', 'team-a', 'wal'), logger: quiet, blockRangeMs: 2 * 3600_000 });
    append(a, { __name__: 'up', job: 'x' }, range(1000, 20, 1000));
    a.close();
    const b = Head.open({ walDir: path.join(dataDir, 'tsdb', 'team-b', 'wal'), logger: quiet, blockRangeMs: 2 * 3600_000 });
    append(b, { __name__: 'up', job: 'y' }, range(1000, 5, 1000));
    b.close();

    const ing = new Ingester(
      { dataDir, blockRangeMs: 2 * 3600_000, retentionMs: 2 ** 40, truncateIntervalMs: 3600_000, walSegmentBytes: 1 << 20, walFsyncIntervalMs: 0 },
      { logger: createLogger({ level: 'silent' }), registry: new Registry(), seriesLimits: () => ({ maxSeriesPerUser: 0, maxSeriesPerMetric: 0 }) },
    );
    await ing.start();
    try {
      const got = ing.queryChunks('team-a', [name('up')], 0, 100_000);
      expect(got.map((s) => s.labels.toString())).toEqual(['up{job="x"}']);
      expect(timestamps(got[0]!)).toEqual(range(1000, 20, 1000));
      expect(ing.queryChunks('team-b', [name('up')], 0, 100_000).map((s) => s.labels.toString())).toEqual(['up{job="y"}']);
      expect(ing.queryChunks('team-c', [name('up')], 0, 100_000)).toEqual([]);
    } finally {
      await ing.stop();
    }
  });
});
