import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { XorAppender, MAX_SAMPLES_PER_CHUNK } from '@tessera/chunkenc';
import { Labels, Matcher } from '@tessera/model';
import { Head } from './head-db.ts';
import { newAppendResult, type AppendBatch } from './append-batch.ts';

const quiet = { info() {}, warn() {} };
const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A batch of one sample for each of these series (labels given as bare name/value bytes). */
function roundBatch(series: [string, string][][]): AppendBatch {
  const enc = new TextEncoder();
  const bytes: number[] = [];
  const nameStart: number[] = [];
  const nameEnd: number[] = [];
  const valueStart: number[] = [];
  const valueEnd: number[] = [];
  const labelFirst: number[] = [];
  const labelCount: number[] = [];
  const put = (text: string, starts: number[], ends: number[]): void => {
    starts.push(bytes.length);
    bytes.push(...enc.encode(text));
    ends.push(bytes.length);
  };
  for (const pairs of series) {
    labelFirst.push(nameStart.length);
    labelCount.push(pairs.length);
    for (const [name, value] of pairs) {
      put(name, nameStart, nameEnd);
      put(value, valueStart, valueEnd);
    }
  }
  const n = series.length;
  return {
    buf: Uint8Array.from(bytes),
    seriesCount: n,
    labelsStart: new Int32Array(n),
    labelsEnd: new Int32Array(n),
    labelsContiguous: new Uint8Array(n),
    labelFirst: Int32Array.from(labelFirst),
    labelCount: Int32Array.from(labelCount),
    sampleFirst: Int32Array.from({ length: n }, (_, i) => i),
    sampleCount: new Int32Array(n).fill(1),
    nameStart: Int32Array.from(nameStart),
    nameEnd: Int32Array.from(nameEnd),
    valueStart: Int32Array.from(valueStart),
    valueEnd: Int32Array.from(valueEnd),
    timestamps: new Float64Array(n),
    values: new Float64Array(n),
  };
}

interface Chunk {
  minT: number;
  maxT: number;
  hex: string;
}

/** The chunks Prometheus's rules make of these samples: cut at 120 samples and at range ends. */
function referenceChunks(ts: readonly number[], vs: Float64Array, rangeMs: number): Chunk[] {
  const out: Chunk[] = [];
  let app: XorAppender | null = null;
  let minT = 0;
  let end = 0;
  const flush = (): void => {
    if (app !== null) out.push({ minT, maxT: app.lastTimestamp(), hex: Buffer.from(app.bytes()).toString('hex') });
  };
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (app === null || app.numSamples >= MAX_SAMPLES_PER_CHUNK || t >= end) {
      flush();
      app = new XorAppender(16);
      minT = t;
      end = (Math.floor(t / rangeMs) + 1) * rangeMs;
    }
    app.appendFrom(t, vs, i);
  }
  flush();
  return out;
}

function headChunks(head: Head, name: string): Chunk[] {
  const s = head.select([Matcher.create('=', '__name__', name)], -Infinity, Infinity);
  expect(s).toHaveLength(1);
  const out: Chunk[] = [];
  s[0]!.forEachChunk(-Infinity, Infinity, (bytes, minT, maxT) => out.push({ minT, maxT, hex: Buffer.from(bytes).toString('hex') }));
  return out;
}

/** Value bits: constants, counters, random doubles, NaNs with payloads (stale markers). */
const valueBits = fc.oneof(
  fc.constant([0, 0] as const),
  fc.constant([0x7ff00000, 2] as const),
  fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })),
);
/** One time axis per run (series share it, so none is "too old" for the head): start and deltas. */
const axis = fc.record({
  start: fc.integer({ min: -4e12, max: 4e12 }),
  deltas: fc.array(fc.oneof(fc.constant(15_000), fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 2 ** 40 })), { minLength: 1, maxLength: 400 }),
});
const series = fc.record({
  length: fc.integer({ min: 1, max: 400 }),
  kind: fc.constantFrom('counter', 'random', 'mixed'),
  values: fc.array(valueBits, { minLength: 400, maxLength: 400 }),
});

function materialise(
  a: { start: number; deltas: number[] },
  s: { length: number; kind: string; values: (readonly [number, number])[] },
): { ts: number[]; vs: Float64Array } {
  const n = Math.min(s.length, a.deltas.length);
  const ts: number[] = [];
  const vs = new Float64Array(n);
  const u32 = new Uint32Array(vs.buffer);
  let t = a.start;
  for (let i = 0; i < n; i++) {
    ts.push(t);
    t += a.deltas[i]!;
    if (s.kind === 'counter') vs[i] = i * 3 + (i % 7) * 0.25;
    else {
      const [hi, lo] = s.values[s.kind === 'mixed' ? i % 5 : i]!;
      u32[2 * i] = lo;
      u32[2 * i + 1] = hi;
    }
  }
  return { ts, vs };
}

describe('series store', () => {
  it('encodes chunks byte for byte as XorAppender does, interleaving series that share the slot pool', () => {
    fc.assert(
      fc.property(axis, fc.array(series, { minLength: 1, maxLength: 6 }), fc.constantFrom(3600_000, 7200_000, 2 ** 40), (a, all, rangeMs) => {
        const head = Head.open({ walDir: tmp(), logger: quiet, blockRangeMs: rangeMs });
        const data = all.map((s) => materialise(a, s));
        // One sample at a time, round robin, so slots move and are reused between series.
        const longest = Math.max(...data.map((d) => d.ts.length));
        for (let i = 0; i < longest; i++) {
          data.forEach((d, k) => {
            if (i >= d.ts.length) return;
            const r = newAppendResult();
            head.appendSamples(Labels.fromObject({ __name__: `s${k}` }), [d.ts[i]!], d.vs.subarray(i, i + 1), r);
            expect(r.samplesAppended).toBe(1);
          });
        }
        data.forEach((d, k) => expect(headChunks(head, `s${k}`)).toEqual(referenceChunks(d.ts, d.vs, rangeMs)));
        head.close();
      }),
      { numRuns: 60 },
    );
  });

  it('frees a deleted series for reuse; a handle kept from before reads as empty', () => {
    const head = Head.open({ walDir: tmp(), logger: quiet, blockRangeMs: 3600_000 });
    const vs = new Float64Array(300).map((_, i) => i);
    const ts = Array.from({ length: 300 }, (_, i) => i * 15_000);
    head.appendSamples(Labels.fromObject({ __name__: 'old' }), ts, vs, newAppendResult());
    const old = head.select([Matcher.create('=', '__name__', 'old')], -Infinity, Infinity)[0]!;
    const kept: Uint8Array[] = [];
    old.forEachChunk(-Infinity, Infinity, (b, _min, _max, open) => kept.push(open ? b.slice() : b));
    const before = kept.map((b) => Buffer.from(b).toString('hex'));
    expect(old.chunkCount()).toBe(3);

    // Everything is older than the cut: the series goes, its slot and chunks are freed.
    expect(head.truncate(10 * 3600_000)).toEqual({ seriesRemoved: 1, chunksRemoved: 2 });
    expect(old.lastT).toBe(-Infinity);
    let seen = 0;
    old.forEachChunk(-Infinity, Infinity, () => seen++);
    expect(seen).toBe(0);

    const ts2 = ts.map((t) => t + 10 * 3600_000);
    head.appendSamples(Labels.fromObject({ __name__: 'new' }), ts2, vs, newAppendResult());
    const fresh = head.select([Matcher.create('=', '__name__', 'new')], -Infinity, Infinity)[0]!;
    expect(fresh.slot).toBe(old.slot);
    expect(headChunks(head, 'new')).toEqual(referenceChunks(ts2, vs, 3600_000));
    // Chunks handed out before the truncation keep their bytes.
    expect(kept.map((b) => Buffer.from(b).toString('hex'))).toEqual(before);
    expect(head.select([Matcher.create('=', '__name__', 'old')], -Infinity, Infinity)).toEqual([]);
    head.close();
  });

  it('gives chunk memory back as truncation drops chunks, and keeps open chunks in few slabs', () => {
    // A wide block range, so that series appended one after another are not "too old".
    const head = Head.open({ walDir: tmp(), logger: quiet, blockRangeMs: 2 ** 40 });
    const store = head.state.store;
    const n = 1200; // more than a 64 KiB slab's 1024 smallest slots
    const ts = Array.from({ length: 480 }, (_, i) => i * 15_000);
    const vals = Array.from({ length: n }, (_, k) => new Float64Array(480).map((_, i) => Math.round(i * (1 + (k % 13)) * 1.37 * 100) / 100));
    const values = (k: number): Float64Array => vals[k]!;
    const round = roundBatch(Array.from({ length: n }, (_, k) => [['__name__', 'm'], ['k', String(k)]]));
    // Round robin: every series' chunk moves to larger slots at about the same time, so the
    // pool recycles whole slabs between size classes while the series keep appending.
    for (let i = 0; i < 480; i++) {
      round.timestamps.fill(ts[i]!);
      for (let k = 0; k < n; k++) round.values[k] = values(k)[i]!;
      const r = newAppendResult();
      head.appendBatch(round, null, null, { maxSeriesPerUser: 0, maxSeriesPerMetric: 0 }, r);
      expect(r.samplesAppended).toBe(n);
    }
    for (let k = 0; k < n; k += 37) {
      const [s] = head.select([Matcher.create('=', 'k', String(k))], -Infinity, Infinity);
      const got: Chunk[] = [];
      s!.forEachChunk(-Infinity, Infinity, (bytes, minT, maxT) => got.push({ minT, maxT, hex: Buffer.from(bytes).toString('hex') }));
      expect(got).toEqual(referenceChunks(ts, values(k), 2 ** 40));
    }
    // 480 samples a series: three completed chunks and a full open one.
    expect(store.chunks.count).toBe(3 * n);
    expect(head.state.series[1]!.chunkCount()).toBe(4);
    const held = store.chunks.bytes.liveBytes;
    expect(held).toBeGreaterThan(3 * n * 100);
    // Open chunks: one slot a series, from few slabs (no slot left behind per chunk cut).
    expect(store.pool.reservedBytes).toBeLessThan(n * 2 * 1024);

    // Drop the two oldest chunks of every series: their bytes are released.
    expect(head.truncate(240 * 15_000)).toEqual({ seriesRemoved: 0, chunksRemoved: 2 * n });
    expect(store.chunks.count).toBe(n);
    expect(store.chunks.bytes.liveBytes).toBeLessThan(held / 2);
    // Everything: series, keys and chunk slabs go.
    expect(head.truncate(10 * 3600_000).seriesRemoved).toBe(n);
    expect(store.chunks.count).toBe(0);
    expect(store.chunks.bytes.liveBytes).toBe(0);
    expect(store.keys.liveBytes).toBe(0);
    expect(store.chunks.bytes.slabCount).toBeLessThanOrEqual(1);
    head.close();
  });
});
