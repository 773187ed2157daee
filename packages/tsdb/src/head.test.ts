import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Labels, Matcher } from '@tessera/model';
import { XorIterator } from '@tessera/chunkenc';
import { Head } from './head-db.ts';
import { newAppendResult, type AppendBatch } from './append-batch.ts';

const STALE_NAN_HI = 0x7ff00000;
const STALE_NAN_LO = 0x00000002;

/** Builds an AppendBatch the way the remote-write decoder lays one out (canonical label bytes). */
function batchOf(series: { labels: Record<string, string> | [string, string][]; samples: [number, number | 'stale'][] }[]): AppendBatch {
  const enc = new TextEncoder();
  /** Protobuf Label messages as Prometheus marshals them, in the order given (no canonicalisation). */
  const encodePairs = (pairs: [string, string][]): number[] => {
    const out: number[] = [];
    for (const [n, v] of pairs) {
      const nb = [...enc.encode(n)];
      const vb = [...enc.encode(v)];
      const inner = [0x0a, nb.length, ...nb, 0x12, vb.length, ...vb];
      out.push(0x0a, inner.length, ...inner);
    }
    return out;
  };
  const bytes: number[] = [];
  const labelsStart: number[] = [];
  const labelsEnd: number[] = [];
  const nameStart: number[] = [];
  const nameEnd: number[] = [];
  const valueStart: number[] = [];
  const valueEnd: number[] = [];
  const labelFirst: number[] = [];
  const labelCount: number[] = [];
  const sampleFirst: number[] = [];
  const sampleCount: number[] = [];
  const ts: number[] = [];
  const vals: (number | 'stale')[] = [];
  for (const s of series) {
    const key = Array.isArray(s.labels) ? encodePairs(s.labels) : [...Labels.fromObject(s.labels).encode()];
    labelsStart.push(bytes.length);
    labelFirst.push(nameStart.length);
    // Walk the canonical encoding to find name/value offsets: 0x0a len 0x0a nlen name 0x12 vlen value.
    let p = 0;
    const base = bytes.length;
    bytes.push(...key);
    while (p < key.length) {
      p++; // 0x0a
      const inner = key[p++]!; // short test labels: one-byte lengths
      const end = p + inner;
      p++; // 0x0a
      const nl = key[p++]!;
      nameStart.push(base + p);
      nameEnd.push(base + p + nl);
      p += nl;
      p++; // 0x12
      const vl = key[p++]!;
      valueStart.push(base + p);
      valueEnd.push(base + p + vl);
      p = end;
    }
    labelsEnd.push(bytes.length);
    labelCount.push(nameStart.length - labelFirst[labelFirst.length - 1]!);
    sampleFirst.push(ts.length);
    for (const [t, v] of s.samples) {
      ts.push(t);
      vals.push(v);
    }
    sampleCount.push(s.samples.length);
  }
  const values = new Float64Array(vals.length);
  const v32 = new Uint32Array(values.buffer);
  vals.forEach((v, i) => {
    if (v === 'stale') {
      v32[2 * i] = STALE_NAN_LO;
      v32[2 * i + 1] = STALE_NAN_HI;
    } else values[i] = v;
  });
  return {
    buf: Uint8Array.from(bytes),
    seriesCount: series.length,
    labelsStart: Int32Array.from(labelsStart),
    labelsEnd: Int32Array.from(labelsEnd),
    labelsContiguous: new Uint8Array(series.length).fill(1),
    labelFirst: Int32Array.from(labelFirst),
    labelCount: Int32Array.from(labelCount),
    sampleFirst: Int32Array.from(sampleFirst),
    sampleCount: Int32Array.from(sampleCount),
    nameStart: Int32Array.from(nameStart),
    nameEnd: Int32Array.from(nameEnd),
    valueStart: Int32Array.from(valueStart),
    valueEnd: Int32Array.from(valueEnd),
    timestamps: Float64Array.from(ts),
    values,
  };
}

const quiet = { info() {}, warn() {} };
const noLimits = { maxSeriesPerUser: 0, maxSeriesPerMetric: 0 };
const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-head-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Every sample of the series with these labels, as [t, value bits hex]. */
function samplesOf(head: Head, labels: Record<string, string>): [number, string][] {
  const ms = Object.entries(labels).map(([n, v]) => Matcher.create('=', n, v));
  const found = head.select(ms, -Infinity, Infinity).filter((s) => head.labelsOf(s).equals(Labels.fromObject(labels)));
  if (found.length === 0) return [];
  expect(found).toHaveLength(1);
  const out: [number, string][] = [];
  const it = new XorIterator();
  const bits = new Float64Array(1);
  const b32 = new Uint32Array(bits.buffer);
  found[0]!.forEachChunk(-Infinity, Infinity, (bytes) => {
    it.reset(bytes);
    while (it.next()) {
      it.valueInto(bits, 0);
      out.push([it.t, b32[1]!.toString(16) + ':' + b32[0]!.toString(16)]);
    }
  });
  return out;
}

function hex(v: number): string {
  const f = new Float64Array([v]);
  const u = new Uint32Array(f.buffer);
  return u[1]!.toString(16) + ':' + u[0]!.toString(16);
}

describe('Head', () => {
  it('appends, applies Prometheus sample rules and keeps stale markers bit for bit', () => {
    const head = Head.open({ walDir: tmp(), logger: quiet });
    const up = { __name__: 'up', job: 'a' };
    const r1 = newAppendResult();
    head.appendBatch(batchOf([{ labels: up, samples: [[1000, 1], [2000, 2], [3000, 'stale']] }]), null, null, noLimits, r1);
    expect(r1.samplesAppended).toBe(3);
    expect(r1.seriesCreated).toBe(1);

    const r2 = newAppendResult();
    head.appendBatch(
      batchOf([{ labels: up, samples: [[3000, 'stale'], [2500, 9], [3000, 7], [4000, 4]] }]),
      null,
      null,
      noLimits,
      r2,
    );
    expect(r2.samplesDuplicateIgnored).toBe(1); // exact resend of the stale marker
    expect(r2.rejected['sample-out-of-order']).toBe(1);
    expect(r2.rejected['sample-duplicate-timestamp']).toBe(1);
    expect(r2.samplesAppended).toBe(1);
    expect(r2.firstErrors.join('\n')).toMatch(/out-of-order[\s\S]*up\{job="a"\}/);
    expect(samplesOf(head, up)).toEqual([
      [1000, hex(1)],
      [2000, hex(2)],
      [3000, '7ff00000:2'],
      [4000, hex(4)],
    ]);
    head.close();
  });

  it('refuses samples older than half a block range behind the newest', () => {
    const head = Head.open({ walDir: tmp(), logger: quiet, blockRangeMs: 2 * 3600_000 });
    const r = newAppendResult();
    const now = 10 * 3600_000;
    head.appendBatch(batchOf([{ labels: { __name__: 'a' }, samples: [[now, 1]] }]), null, null, noLimits, r);
    const r2 = newAppendResult();
    head.appendBatch(
      batchOf([{ labels: { __name__: 'b' }, samples: [[now - 3600_000 - 1, 1], [now - 3600_000, 2]] }]),
      null,
      null,
      noLimits,
      r2,
    );
    expect(r2.rejected['sample-too-old']).toBe(1);
    expect(r2.samplesAppended).toBe(1);
    head.close();
  });

  it('cuts chunks at 120 samples and at block range boundaries', () => {
    const head = Head.open({ walDir: tmp(), logger: quiet, blockRangeMs: 3600_000 });
    const samples: [number, number][] = [];
    for (let i = 0; i < 300; i++) samples.push([i * 15_000, i]);
    head.appendBatch(batchOf([{ labels: { __name__: 'c' }, samples }]), null, null, noLimits, newAppendResult());
    const s = head.select([Matcher.create('=', '__name__', 'c')], -Infinity, Infinity)[0]!;
    const ranges: [number, number][] = [];
    s.forEachChunk(-Infinity, Infinity, (_b, minT, maxT) => ranges.push([minT, maxT]));
    // 3600 s / 15 s = 240 samples a block range: chunks of 120, 120, then 60 in the next range.
    expect(ranges).toEqual([
      [0, 119 * 15_000],
      [120 * 15_000, 239 * 15_000],
      [240 * 15_000, 299 * 15_000],
    ]);
    head.close();
  });

  it('selects series with every matcher type, including ones matching the empty string', () => {
    const head = Head.open({ walDir: tmp(), logger: quiet });
    head.appendBatch(
      batchOf([
        { labels: { __name__: 'm', env: 'prod', i: '1' }, samples: [[1, 1]] },
        { labels: { __name__: 'm', env: 'dev', i: '2' }, samples: [[1, 1]] },
        { labels: { __name__: 'm', i: '3' }, samples: [[1, 1]] },
        { labels: { __name__: 'n', env: 'prod', i: '4' }, samples: [[1, 1]] },
      ]),
      null,
      null,
      noLimits,
      newAppendResult(),
    );
    const ids = (...ms: Matcher[]): string[] =>
      head
        .select(ms, -Infinity, Infinity)
        .map((s) => head.labelsOf(s).get('i'))
        .sort();
    const name = Matcher.create('=', '__name__', 'm');
    expect(ids(name)).toEqual(['1', '2', '3']);
    expect(ids(name, Matcher.create('!=', 'env', 'prod'))).toEqual(['2', '3']);
    expect(ids(name, Matcher.create('=', 'env', ''))).toEqual(['3']);
    expect(ids(name, Matcher.create('=~', 'env', 'pr.*|dev'))).toEqual(['1', '2']);
    expect(ids(name, Matcher.create('!~', 'env', 'd.*'))).toEqual(['1', '3']);
    expect(ids(Matcher.create('=~', '__name__', '.+'), Matcher.create('=~', 'env', '.*'))).toEqual(['1', '2', '3', '4']);
    expect(head.labelValues('env', [], -Infinity, Infinity)).toEqual(['dev', 'prod']);
    expect(head.labelValues('env', [[Matcher.create('=', '__name__', 'n')]], -Infinity, Infinity)).toEqual(['prod']);
    expect(head.labelNames([[Matcher.create('=', 'i', '3')]], -Infinity, Infinity)).toEqual(['__name__', 'i']);
    head.close();
  });

  it('enforces the series limits per tenant and per metric', () => {
    const head = Head.open({ walDir: tmp(), logger: quiet });
    const r = newAppendResult();
    head.appendBatch(
      batchOf([
        { labels: { __name__: 'x', i: '1' }, samples: [[1, 1]] },
        { labels: { __name__: 'x', i: '2' }, samples: [[1, 1]] },
        { labels: { __name__: 'y', i: '3' }, samples: [[1, 1], [2, 2]] },
      ]),
      null,
      null,
      { maxSeriesPerUser: 0, maxSeriesPerMetric: 1 },
      r,
    );
    expect(r.rejected['max-series-per-metric']).toBe(1);
    expect(head.numSeries).toBe(2);
    const r2 = newAppendResult();
    head.appendBatch(batchOf([{ labels: { __name__: 'z' }, samples: [[1, 1], [2, 1]] }]), null, null, { maxSeriesPerUser: 2, maxSeriesPerMetric: 0 }, r2);
    expect(r2.rejected['max-series-per-user']).toBe(2);
    expect(r2.firstErrors[0]).toMatch(/max-series-per-user/);
    // Existing series still take samples at the limit.
    const r3 = newAppendResult();
    head.appendBatch(batchOf([{ labels: { __name__: 'x', i: '1' }, samples: [[5, 1]] }]), null, null, { maxSeriesPerUser: 2, maxSeriesPerMetric: 0 }, r3);
    expect(r3.samplesAppended).toBe(1);
    head.close();
  });

  it('replays the WAL after a reopen with the same series refs and samples', () => {
    const dir = tmp();
    const a = { __name__: 'a', k: 'v' };
    const b = { __name__: 'b' };
    let head = Head.open({ walDir: dir, logger: quiet });
    head.appendBatch(batchOf([{ labels: a, samples: [[1, 1], [2, 'stale']] }, { labels: b, samples: [[1, 5]] }]), null, null, noLimits, newAppendResult());
    head.appendBatch(batchOf([{ labels: a, samples: [[3, 3]] }]), null, null, noLimits, newAppendResult());
    const before = samplesOf(head, a);
    head.close();
    head = Head.open({ walDir: dir, logger: quiet });
    expect(head.replayStats).toMatchObject({ series: 2, samples: 4 });
    expect(samplesOf(head, a)).toEqual(before);
    expect(samplesOf(head, b)).toEqual([[1, hex(5)]]);
    // New series get fresh refs after replay; old series keep taking samples.
    const r = newAppendResult();
    head.appendBatch(batchOf([{ labels: { __name__: 'c' }, samples: [[4, 4]] }, { labels: a, samples: [[4, 4]] }]), null, null, noLimits, r);
    expect(r).toMatchObject({ seriesCreated: 1, samplesAppended: 2 });
    head.close();
    head = Head.open({ walDir: dir, logger: quiet });
    expect(head.numSeries).toBe(3);
    expect(samplesOf(head, a).map(([t]) => t)).toEqual([1, 2, 3, 4]);
    head.close();
  });

  it('truncate drops old data from memory and the WAL, keeping live series across restarts', () => {
    const dir = tmp();
    let head = Head.open({ walDir: dir, logger: quiet, walSegmentBytes: 64 * 1024 });
    const old = { __name__: 'old' };
    const live = { __name__: 'live' };
    for (let round = 0; round < 200; round++) {
      const t = round * 60_000;
      const series = [{ labels: live, samples: [[t, round]] as [number, number][] }];
      if (round < 50) series.push({ labels: old, samples: [[t, round]] });
      head.appendBatch(batchOf(series), null, null, noLimits, newAppendResult());
    }
    const mint = 100 * 60_000;
    const r = head.truncate(mint);
    expect(r.seriesRemoved).toBe(1);
    expect(samplesOf(head, old)).toEqual([]);
    expect(head.labelValues('__name__', [], -Infinity, Infinity)).toEqual(['live']);
    head.close();
    head = Head.open({ walDir: dir, logger: quiet });
    expect(head.numSeries).toBe(1);
    const ts = samplesOf(head, live).map(([t]) => t);
    expect(ts[0]).toBeGreaterThanOrEqual(mint);
    expect(ts[ts.length - 1]).toBe(199 * 60_000);
    // Appending after a replay of a checkpoint works and is durable.
    head.appendBatch(batchOf([{ labels: live, samples: [[200 * 60_000, 1]] }]), null, null, noLimits, newAppendResult());
    head.close();
    head = Head.open({ walDir: dir, logger: quiet });
    expect(samplesOf(head, live).at(-1)![0]).toBe(200 * 60_000);
    head.close();
  });

  it('finds series sent with non-canonical labels (empty values) as the canonical series', () => {
    const head = Head.open({ walDir: tmp(), logger: quiet });
    head.appendBatch(batchOf([{ labels: { __name__: 'e', a: 'x' }, samples: [[1, 1]] }]), null, null, noLimits, newAppendResult());
    // The same series with an extra empty-valued label: its canonical labels are equal.
    const b = batchOf([{ labels: [['__name__', 'e'], ['a', 'x'], ['b', '']], samples: [[2, 2]] }]);
    const r = newAppendResult();
    head.appendBatch(b, null, null, noLimits, r);
    expect(r).toMatchObject({ seriesCreated: 0, samplesAppended: 1 });
    expect(head.numSeries).toBe(1);
    head.close();
  });
});
