/**
 * Micro-benchmark of samples records of 2000 samples (one remote-write request): encoding with
 * framing and CRC, the same plus flush (writeSync) to a WAL segment, and decoding.
 * ns/sample = time per op / 2000. Bytes/sample of each data set is printed.
 * Run: npx vitest bench packages/tsdb/src/wal
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vitest from 'vitest';
import { RECORD_HEADER_SIZE, RecordBuffer, type RecordWriter, type RecordWriterLike } from './record-buffer.ts';
import { SamplesRecordEncoder, decodeSamplesRecord } from './records.ts';
import { Wal } from './wal.ts';

const N = 2000;

/** One benchmark; `iterations` bounds the run (then warm-up is 500 iterations). */
interface BenchCase {
  name: string;
  fn: () => void;
  iterations?: number;
  setup?: () => void;
  teardown?: () => void;
}

/** Latency statistics in ms, as tinybench reports them. */
interface Latency {
  mean: number;
  p50?: number;
}
type BenchFixture = (name: string, fn: () => void) => {
  run: (opts?: object) => Promise<{ latency: Latency }>;
};

/**
 * Registers the cases with whichever benchmark API the installed vitest has: a top-level
 * `bench()` (vitest <= 4, which prints the table; ns/sample = mean / 2000) or the `bench` fixture
 * of `test()` (vitest 5; ns/sample is printed here).
 */
function registerBenches(suite: string, cases: BenchCase[]): void {
  const bounded = (c: BenchCase): object =>
    c.iterations === undefined ? {} : { time: 0, iterations: c.iterations, warmupTime: 0, warmupIterations: 500 };
  const topLevel = (vitest as unknown as { bench?: (n: string, f: () => void, o?: object) => void }).bench;
  if (typeof topLevel === 'function') {
    vitest.describe(suite, () => {
      for (const c of cases) {
        const hooks = c.setup && c.teardown ? { setup: c.setup, teardown: c.teardown } : {};
        topLevel(c.name, c.fn, { ...bounded(c), ...hooks });
      }
    });
    return;
  }
  vitest.describe(suite, () => {
    for (const c of cases) {
      vitest.test(c.name, async (ctx) => {
        const fixture = (ctx as unknown as { bench: BenchFixture }).bench;
        c.setup?.();
        try {
          const { latency } = await fixture(c.name, c.fn).run(bounded(c));
          const ns = (ms: number | undefined): string => (ms === undefined ? '?' : ((ms * 1e6) / N).toFixed(1));
          console.log(`${c.name}: median ${ns(latency.p50)} ns/sample, mean ${ns(latency.mean)} ns/sample`);
        } finally {
          c.teardown?.();
        }
      });
    }
  });
}
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
for (const [name, b] of batches) {
  encode(sink, b);
  console.log(`WAL samples record, ${name}: ${(sink.rb.len / N).toFixed(2)} bytes/sample (record header included)`);
}

const b10k = batches[1]![1];
let dir = '';
let wal: Wal | null = null;
encode(sink, b10k);
const payload = Uint8Array.from(sink.rb.buf.subarray(RECORD_HEADER_SIZE, sink.rb.len));
let acc = 0;

registerBenches('WAL samples record of 2000 samples', [
  ...batches.map(([name, b]): BenchCase => ({ name: `encode + frame + CRC, ${name}`, fn: () => encode(sink, b) })),
  {
    name: 'encode + flush (writeSync), random refs over 10k series',
    fn: () => {
      encode(wal!, b10k);
      wal!.flush();
    },
    // Bounded so the segment files stay near 100 MB (24 KB an iteration).
    iterations: 3500,
    setup: () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-wal-bench-'));
      wal = Wal.open(dir, { segmentSizeBytes: 16 * 1024 * 1024, fsyncIntervalMs: 1000 });
      wal.replay(() => {});
    },
    teardown: () => {
      wal?.close();
      wal = null;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  },
  {
    name: 'decode, random refs over 10k series',
    fn: () => {
      decodeSamplesRecord(payload, (ref, t, vals, i) => {
        acc += ref + t + vals[i]!;
      });
    },
  },
]);
