/**
 * Where the chunk bytes of a sample grid go: each series is XOR-encoded on its own (120 samples
 * per chunk, as both systems cut them when nothing else interferes) and its bytes are added to
 * its class (calibrate.ts). Its floor is measured by encoding the same timestamps with a constant
 * value: the timestamps, the chunk headers, the first value and one bit per later value, what a
 * series pays even when it never changes; the rest is what its value changes cost. The index is
 * not counted.
 */
import { XorAppender } from '@tessera/chunkenc';
import { SERIES_CLASSES, profileSeries, type SampleGrid, type SeriesClass } from './calibrate.ts';

/** A grid with timestamps. */
export interface TimedGrid extends SampleGrid {
  t(i: number, r: number): number;
}

/** Bytes of one class. */
export interface ClassBytes {
  series: number;
  samples: number;
  bytes: number;
  timestampBytes: number;
}

function encodedBytes(ts: number[], vs: number[]): number {
  let bytes = 0;
  for (let k = 0; k < ts.length; k += 120) {
    const a = new XorAppender();
    for (let j = k; j < Math.min(k + 120, ts.length); j++) a.append(ts[j]!, vs[j]!);
    bytes += a.bytes().length;
  }
  return bytes;
}

/** Chunk bytes per class of series. */
export function chunkBytesByClass(grid: TimedGrid): Map<SeriesClass, ClassBytes> {
  const profiles = profileSeries(grid);
  const out = new Map<SeriesClass, ClassBytes>(SERIES_CLASSES.map((c) => [c, { series: 0, samples: 0, bytes: 0, timestampBytes: 0 }]));
  // profileSeries skips series with fewer than two samples; walk the same ones.
  let p = 0;
  for (let i = 0; i < grid.series; i++) {
    const ts: number[] = [];
    const vs: number[] = [];
    for (let r = 0; r < grid.rounds; r++) {
      if (grid.has !== undefined && !grid.has(i, r)) continue;
      ts.push(grid.t(i, r));
      vs.push(grid.value(i, r));
    }
    if (ts.length < 2) continue;
    const c = out.get(profiles[p++]!.cls)!;
    c.series++;
    c.samples += ts.length;
    c.bytes += encodedBytes(ts, vs);
    c.timestampBytes += encodedBytes(ts, ts.map(() => 0));
  }
  return out;
}

/** Report lines: per class, B/sample of its own samples (timestamps + values) and its share of all chunk bytes. */
export function breakdownLines(by: Map<SeriesClass, ClassBytes>): string[] {
  let bytes = 0;
  let samples = 0;
  let tsBytes = 0;
  for (const c of by.values()) {
    bytes += c.bytes;
    samples += c.samples;
    tsBytes += c.timestampBytes;
  }
  const f = (n: number): string => n.toFixed(2);
  const lines = [...by].filter(([, c]) => c.samples > 0).map(([name, c]) =>
    `  ${name.padEnd(9)} ${f(c.bytes / c.samples).padStart(6)} B/sample of its own (floor ${f(c.timestampBytes / c.samples)}, value changes ${f((c.bytes - c.timestampBytes) / c.samples)}); ${(100 * c.bytes / bytes).toFixed(1).padStart(5)}% of the chunk bytes, ${(100 * c.series / Math.max(1, [...by.values()].reduce((a, x) => a + x.series, 0))).toFixed(1)}% of the series`);
  lines.push(`  all       ${f(bytes / samples).padStart(6)} B/sample (floor ${f(tsBytes / samples)}, value changes ${f((bytes - tsBytes) / samples)})`);
  return lines;
}
