import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Labels, Matcher } from '@tessera/model';
import { Head, newAppendResult } from '@tessera/tsdb';
import { headQueryable } from './head-queryable.ts';
import { isStaleNaN, STALE_NAN_HI, STALE_NAN_LO } from './value.ts';
import type { SampleIterator, SelectHints } from './storage.ts';

const quiet = { info() {}, warn() {} };
const heads: Head[] = [];
const dirs: string[] = [];

function openHead(dir?: string): Head {
  const walDir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-hq-'));
  if (dir === undefined) dirs.push(walDir);
  const head = Head.open({ walDir, logger: quiet, blockRangeMs: 2 ** 40 });
  heads.push(head);
  return head;
}

afterEach(() => {
  for (const h of heads.splice(0)) h.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const staleBits = new Float64Array(1);
new Uint32Array(staleBits.buffer).set([STALE_NAN_LO, STALE_NAN_HI]);

/** Values as a Float64Array; 'stale' becomes the staleness marker's exact bits. */
function values(vs: (number | 'stale')[]): Float64Array {
  const out = new Float64Array(vs.length);
  vs.forEach((v, i) => {
    if (v === 'stale') out.set(staleBits, i);
    else out[i] = v;
  });
  return out;
}

function load(head: Head, labels: Record<string, string>, ts: number[], vs: (number | 'stale')[]): ReturnType<typeof newAppendResult> {
  const result = newAppendResult();
  head.appendSamples(Labels.fromObject(labels), ts, values(vs), result);
  return result;
}

const hints: SelectHints = { start: 0, end: 0, step: 0, range: 0, func: '' };
const eq = (n: string, v: string): Matcher => Matcher.create('=', n, v);

/** Drains an iterator into [t, v] pairs, with stale markers shown as 'stale'. */
function drain(it: SampleIterator): [number, number | 'stale'][] {
  const out: [number, number | 'stale'][] = [];
  while (it.next()) out.push([it.t, isStaleNaN(it.v) ? 'stale' : it.v]);
  expect(it.err).toBeNull();
  return out;
}

describe('headQueryable', () => {
  it('returns matching series sorted by labels, only those with samples in range', () => {
    const head = openHead();
    load(head, { __name__: 'm', job: 'b' }, [0, 10, 20], [1, 2, 3]);
    load(head, { __name__: 'm', job: 'a', x: '1' }, [0, 10], [4, 5]);
    load(head, { __name__: 'm', job: 'a' }, [100, 110], [6, 7]);
    load(head, { __name__: 'other', job: 'a' }, [0], [8]);
    const q = headQueryable(head).querier(0, 50);
    const series = q.select([eq('__name__', 'm')], hints);
    expect(series.map((s) => s.labels.toString())).toEqual(['m{job="a", x="1"}', 'm{job="b"}']);
    const all = headQueryable(head).querier(0, 1000).select([Matcher.create('=~', 'job', 'a|b')], hints);
    expect(all.map((s) => s.labels.toString())).toEqual(['m{job="a"}', 'm{job="a", x="1"}', 'm{job="b"}', 'other{job="a"}']);
  });

  it('trims iteration to the querier range, inclusive at both ends', () => {
    const head = openHead();
    load(head, { __name__: 'm' }, [0, 10, 20, 30, 40], [0, 1, 2, 3, 4]);
    const [s] = headQueryable(head).querier(10, 30).select([eq('__name__', 'm')], hints);
    expect(drain(s!.iterator())).toEqual([[10, 1], [20, 2], [30, 3]]);
  });

  it('walks several chunks in order and seeks forward only, across chunk boundaries', () => {
    const head = openHead();
    const n = 400; // 4 chunks of at most 120 samples
    const ts = Array.from({ length: n }, (_, i) => i * 1000);
    load(head, { __name__: 'm' }, ts, ts.map((t) => t / 1000 + 0.5));
    const [s] = headQueryable(head).querier(-Infinity, Infinity).select([eq('__name__', 'm')], hints);
    const got = drain(s!.iterator());
    expect(got).toHaveLength(n);
    expect(got[399]).toEqual([399_000, 399.5]);
    const it = s!.iterator();
    expect(it.seek(250_500)).toBe(true);
    expect([it.t, it.v]).toEqual([251_000, 251.5]);
    expect(it.seek(100_000)).toBe(true); // never backwards
    expect(it.t).toBe(251_000);
    expect(it.next()).toBe(true);
    expect(it.t).toBe(252_000);
    expect(it.seek(1_000_000)).toBe(false);
    expect(it.next()).toBe(false);
    const fresh = s!.iterator();
    expect(fresh.seek(0)).toBe(true);
    expect(fresh.t).toBe(0);
  });

  it('carries stale markers bit for bit and keeps other NaNs distinct from them', () => {
    const head = openHead();
    load(head, { __name__: 'm' }, [0, 10, 20, 30], [1, 'stale', NaN, 2]);
    const [s] = headQueryable(head).querier(0, 100).select([eq('__name__', 'm')], hints);
    const got = drain(s!.iterator());
    expect(got[1]).toEqual([10, 'stale']);
    expect(got[2]![1]).toBeNaN();
    expect(got.map(([t]) => t)).toEqual([0, 10, 20, 30]);
  });

  it('is not disturbed by appends after select (open chunk is snapshotted)', () => {
    const head = openHead();
    load(head, { __name__: 'm' }, [0, 1, 2], [10, 11, 12]);
    const [s] = headQueryable(head).querier(-Infinity, Infinity).select([eq('__name__', 'm')], hints);
    const it = s!.iterator();
    expect(it.next()).toBe(true);
    // Grow the open chunk past its buffer and past 120 samples (a cut), mid-iteration.
    const more = Array.from({ length: 300 }, (_, i) => i + 3);
    load(head, { __name__: 'm' }, more, more.map((t) => t * 7.25));
    const rest: number[] = [];
    while (it.next()) rest.push(it.v);
    expect(rest).toEqual([11, 12]);
    expect(drain(s!.iterator())).toHaveLength(3);
    // A new select sees everything.
    const [s2] = headQueryable(head).querier(-Infinity, Infinity).select([eq('__name__', 'm')], hints);
    expect(drain(s2!.iterator())).toHaveLength(303);
  });

  it('throws when the signal is already aborted', () => {
    const head = openHead();
    load(head, { __name__: 'm' }, [0], [1]);
    const ac = new AbortController();
    ac.abort();
    expect(() => headQueryable(head).querier(0, 10).select([eq('__name__', 'm')], hints, ac.signal)).toThrow();
  });
});

describe('Head.appendSamples', () => {
  it('applies the head sample rules and reports rejections', () => {
    const head = openHead();
    expect(load(head, { __name__: 'm' }, [10, 20], [1, 2]).samplesAppended).toBe(2);
    const r = load(head, { __name__: 'm' }, [5, 20, 20, 30], [0, 2, 3, 4]);
    expect(r.samplesAppended).toBe(1);
    expect(r.rejected['sample-out-of-order']).toBe(1);
    expect(r.samplesDuplicateIgnored).toBe(1);
    expect(r.rejected['sample-duplicate-timestamp']).toBe(1);
    expect(r.seriesCreated).toBe(0);
    expect(() => head.appendSamples(Labels.fromObject({ a: 'b' }), [1, 2], new Float64Array(1), newAppendResult())).toThrow(RangeError);
  });

  it('writes samples and series to the WAL: a reopened head holds them, stale markers included', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-hq-'));
    dirs.push(dir);
    const head = openHead(dir);
    load(head, { __name__: 'm', 'label with space': 'ü' }, [0, 10, 20], [1.5, 'stale', 3]);
    head.close();
    heads.splice(heads.indexOf(head), 1);
    const again = openHead(dir);
    const [s] = headQueryable(again).querier(0, 100).select([eq('__name__', 'm')], hints);
    expect(s!.labels.toObject()).toEqual({ __name__: 'm', 'label with space': 'ü' });
    expect(drain(s!.iterator())).toEqual([[0, 1.5], [10, 'stale'], [20, 3]]);
  });
});
