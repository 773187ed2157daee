import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_HEADER_SIZE, RecordBuffer, type RecordWriter, type RecordWriterLike } from './record-buffer.ts';
import {
  RECORD_SAMPLES,
  RECORD_SERIES,
  SamplesRecordEncoder,
  SeriesRecordEncoder,
  decodeSamplesRecord,
  decodeSeriesRecord,
} from './records.ts';
import { Wal } from './wal.ts';

/** A RecordWriterLike over one RecordBuffer, keeping the last record's type and payload. */
class MemorySink implements RecordWriterLike {
  readonly rb = new RecordBuffer(256);
  beginRecord(type: number): RecordWriter {
    this.rb.reset();
    this.rb.begin(type);
    return this.rb;
  }
  endRecord(): void {
    this.rb.end();
  }
  abortRecord(): void {
    this.rb.abort();
  }
  get type(): number {
    return this.rb.buf[8]!;
  }
  get payload(): Uint8Array {
    return this.rb.buf.subarray(RECORD_HEADER_SIZE, this.rb.len);
  }
}

const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;

describe('series records', () => {
  it('round-trip refs and opaque label bytes, including empty label sets', () => {
    const labels = new TextEncoder().encode('xx__name__=up,job=node|__name__=x|');
    const entries: [number, number, number][] = [
      [1, 2, 21],
      [300_000, 21, 32],
      [2 ** 40, 32, 32], // empty
    ];
    const sink = new MemorySink();
    const enc = new SeriesRecordEncoder();
    enc.begin(sink);
    for (const [ref, s, e] of entries) enc.add(ref, labels, s, e);
    enc.end();
    expect(sink.type).toBe(RECORD_SERIES);
    const got: [number, string][] = [];
    const n = decodeSeriesRecord(sink.payload, (ref, buf, s, e) => got.push([ref, Buffer.from(buf.subarray(s, e)).toString()]));
    expect(n).toBe(3);
    expect(got).toEqual(entries.map(([ref, s, e]) => [ref, Buffer.from(labels.subarray(s, e)).toString()]));
  });
});

describe('samples records', () => {
  it('round-trip refs and timestamps on both sides of the base, and raw value bits', () => {
    const values = new Float64Array(6);
    const bits = new Uint32Array(values.buffer);
    values.set([1.5, -0, Infinity, 0, 42, -1e-300]);
    bits[6] = STALE_LO; // values[3] := stale marker
    bits[7] = STALE_HI;
    const samples: [number, number][] = [
      [1000, 1_700_000_000_000],
      [1001, 1_700_000_000_000],
      [3, 1_699_999_999_000], // ref and t below the base
      [2 ** 45, 2 ** 53 - 1],
      [0, -(2 ** 52)], // |t - baseT| stays below 2^53, the documented bound
      [999_999, 1_700_000_015_000],
    ];
    const sink = new MemorySink();
    const enc = new SamplesRecordEncoder();
    enc.begin(sink, samples[0]![0], samples[0]![1]);
    samples.forEach(([ref, t], i) => enc.add(ref, t, values, i));
    enc.end();
    expect(sink.type).toBe(RECORD_SAMPLES);
    const got: [number, number][] = [];
    const gotBits: number[] = [];
    const n = decodeSamplesRecord(sink.payload, (ref, t, vals, i) => {
      got.push([ref, t]);
      const w = new Uint32Array(vals.buffer, vals.byteOffset + i * 8, 2);
      gotBits.push(w[0]!, w[1]!);
    });
    expect(n).toBe(samples.length);
    expect(got).toEqual(samples);
    expect(gotBits).toEqual([...bits]);
  });

  it('addRawValue copies 8 little-endian bytes and addValue writes a number', () => {
    const raw = Buffer.alloc(12);
    raw.writeDoubleLE(3.25, 4);
    const sink = new MemorySink();
    const enc = new SamplesRecordEncoder();
    enc.begin(sink, 5, 100);
    enc.addRawValue(5, 100, raw, 4);
    enc.addValue(6, 99, -7.5);
    enc.end();
    const got: number[][] = [];
    decodeSamplesRecord(sink.payload, (ref, t, vals, i) => got.push([ref, t, vals[i]!]));
    expect(got).toEqual([[5, 100, 3.25], [6, 99, -7.5]]);
  });

  it('takes about 11–12 bytes a sample for a 2000-sample request over 10k series', () => {
    // One scrape of many targets: refs scattered within ±5000 of the first, times within 60 ms.
    let seed = 42;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const values = Float64Array.from({ length: 2000 }, () => rnd() * 1e6);
    const sink = new MemorySink();
    const enc = new SamplesRecordEncoder();
    enc.begin(sink, 5000, 1_700_000_000_000);
    for (let i = 0; i < 2000; i++) enc.add(Math.floor(rnd() * 10_000), 1_700_000_000_000 + Math.floor(rnd() * 60), values, i);
    enc.end();
    const perSample = (sink.rb.len) / 2000;
    expect(perSample).toBeGreaterThan(10);
    expect(perSample).toBeLessThanOrEqual(12);
  });
});

describe('samples records through the WAL', () => {
  let dir = '';
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps stale-marker NaN bits across flush, reopen and replay', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-wal-'));
    const values = new Float64Array(2);
    const bits = new Uint32Array(values.buffer);
    bits[0] = STALE_LO;
    bits[1] = STALE_HI;
    values[1] = 12;
    const wal = Wal.open(dir);
    wal.replay(() => {});
    const enc = new SamplesRecordEncoder();
    enc.begin(wal, 7, 1000);
    enc.add(7, 1000, values, 0);
    enc.add(8, 1015, values, 1);
    enc.end();
    wal.flush();
    wal.close();

    const got: number[] = [];
    const reopened = Wal.open(dir);
    reopened.replay((type, payload) => {
      expect(type).toBe(RECORD_SAMPLES);
      decodeSamplesRecord(payload, (ref, t, vals, i) => {
        const w = new Uint32Array(vals.buffer, vals.byteOffset + i * 8, 2);
        got.push(ref, t, w[0]!, w[1]!);
      });
    });
    reopened.close();
    expect(got).toEqual([7, 1000, STALE_LO, STALE_HI, 8, 1015, bits[2], bits[3]]);
  });
});
