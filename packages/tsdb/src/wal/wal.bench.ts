/**
 * Micro-benchmark of samples records of 2000 samples (one remote-write request): encoding with
 * framing and CRC, the same plus flush (writeSync) to a WAL segment, and decoding.
 * ns/sample = time per op / 2000 (median and mean printed). Bytes/sample of each data set is printed.
 * Run: npx vitest bench packages/tsdb/src/wal
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test, type BenchResult } from 'vitest';
import { RECORD_HEADER_SIZE, RecordBuffer, type RecordWriter, type RecordWriterLike } from './record-buffer.ts';
import { SamplesRecordEncoder, decodeSamplesRecord } from './records.ts';
import { Wal } from './wal.ts';

const N = 2000;
const T0 = 1_700_000_000_000;

interface Batch {
  refs: Float64Array;
  ts: Float64Array;
  values: Float64Array;
}

/** A fixed-seed request: refs drawn by `ref(i, rnd)`, timestamps within 60 ms, random values. */
function makeBatch(ref: (i: number, rnd: () => number) => number): Batch {
  let seed = 1;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const b: Batch = { refs: new Float64Array(N), ts: new Float64Array(N), values: new Float64Array(N) };
  for (let i = 0; i < N; i++) {
    b.refs[i] = ref(i, rnd);
    b.ts[i] = T0 + Math.floor(rnd() * 60);
    b.values[i] = rnd() * 1e6;
  }
  return b;
}

const batches: [string, Batch][] = [
  ['sequential refs (one target, series in creation order)', makeBatch((i) => 50_000 + i)],
  ['random refs over 10k series', makeBatch((_i, rnd) => Math.floor(rnd() * 10_000))],
  ['random refs over 100k series', makeBatch((_i, rnd) => Math.floor(rnd() * 100_000))],
];

/** Sink keeping one record in memory, reset per record. */
class MemorySink implements RecordWriterLike {
  readonly rb = new RecordBuffer(64 * 1024);
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
}

const enc = new SamplesRecordEncoder();
function encode(sink: RecordWriterLike, b: Batch): void {
  enc.begin(sink, b.refs[0]!, b.ts[0]!);
  for (let i = 0; i < N; i++) enc.add(b.refs[i]!, b.ts[i]!, b.values, i);
  enc.end();
}

const sink = new MemorySink();
const payloadBytes = (b: Batch): Uint8Array => {
  encode(sink, b);
  return Uint8Array.from(sink.rb.buf.subarray(RECORD_HEADER_SIZE, sink.rb.len));
};

/** Prints median and mean ns per sample of a result (tinybench latencies are in ms). */
function report(name: string, r: BenchResult): void {
  const ns = (ms: number): string => ((ms * 1e6) / N).toFixed(1);
  console.log(`${name}: median ${ns(r.latency.p50)} ns/sample, mean ${ns(r.latency.mean)} ns/sample`);
}

describe('WAL samples record of 2000 samples', () => {
  for (const [name, b] of batches) {
    test(`encode + frame + CRC, ${name}`, async ({ bench }) => {
      encode(sink, b);
      console.log(`${name}: ${(sink.rb.len / N).toFixed(2)} bytes/sample (record header included)`);
      report(`encode, ${name}`, await bench('encode', () => encode(sink, b)).run());
    });
  }

  const b10k = batches[1]![1];

  test('encode + flush (writeSync), random refs over 10k series', async ({ bench }) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-wal-bench-'));
    const wal = Wal.open(dir, { segmentSizeBytes: 16 * 1024 * 1024, fsyncIntervalMs: 1000 });
    wal.replay(() => {});
    try {
      const flushOnce = (): void => {
        encode(wal, b10k);
        wal.flush();
      };
      // Bounded so the segment files stay near 100 MB (24 KB an iteration).
      const r = await bench('encode + flush', flushOnce).run({ time: 0, iterations: 3500, warmupTime: 0, warmupIterations: 500 });
      report('encode + flush, random refs over 10k series', r);
    } finally {
      wal.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('decode, random refs over 10k series', async ({ bench }) => {
    const payload = payloadBytes(b10k);
    let acc = 0;
    const r = await bench('decode', () => {
      decodeSamplesRecord(payload, (ref, t, vals, i) => {
        acc += ref + t + vals[i]!;
      });
    }).run();
    report('decode, random refs over 10k series', r);
    if (Number.isNaN(acc)) console.log('unreachable'); // keeps acc alive
  });
});
