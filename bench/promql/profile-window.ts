// Cutting a V8 `.cpuprofile` down to time windows (e.g. the seconds one query was being
// measured), so that ingest/profile-summary.ts's self-time table describes only that work.
//
// Clock: a profile's `startTime` and `timeDeltas` are µs of V8's monotonic TimeTicks, which on
// Linux read CLOCK_MONOTONIC, the clock `process.hrtime` reads too; so windows taken in this
// process with {@link monotonicUs} select samples of the target's profile directly.

import fs from 'node:fs';
import path from 'node:path';
import { hotSpots, type HotSpot } from '../ingest/profile-summary.ts';

/** CLOCK_MONOTONIC now, µs (the clock of V8 profiles). */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** A closed interval of {@link monotonicUs} time. */
export interface TimeWindow {
  fromUs: number;
  toUs: number;
}

interface RawProfile {
  nodes: unknown[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Writes a copy of `file` holding only the samples inside `windows` (with their original
 * durations) into `cuts/` beside it and returns its path, or null when no sample falls inside.
 */
export function cutProfile(file: string, windows: readonly TimeWindow[], suffix: string): string | null {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as RawProfile;
  const samples: number[] = [];
  // profile-summary.ts charges sample i with timeDeltas[i + 1]: keep that pairing.
  const deltas: number[] = [0];
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (!windows.some((w) => t >= w.fromUs && t <= w.toUs)) continue;
    samples.push(p.samples[i]!);
    deltas.push(p.timeDeltas[i + 1] ?? 0);
  }
  if (samples.length === 0) return null;
  const dir = path.join(path.dirname(file), 'cuts');
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${path.basename(file, '.cpuprofile')}.${suffix}.cpuprofile`);
  fs.writeFileSync(out, JSON.stringify({ ...p, samples, timeDeltas: deltas.slice(0, samples.length) }));
  return out;
}

/** Self time per function of every profile in `files` within `windows`, each file on its own. */
export function windowHotSpots(files: readonly string[], windows: readonly TimeWindow[], suffix: string, top: number): Array<{ file: string; totalMs: number; spots: HotSpot[] }> {
  const out: Array<{ file: string; totalMs: number; spots: HotSpot[] }> = [];
  for (const f of files) {
    const cut = cutProfile(f, windows, suffix);
    if (cut === null) continue;
    out.push({ file: f, ...hotSpots(cut, top) });
  }
  return out;
}

/** Every `.cpuprofile` directly in `dir`: one per thread (main and each worker) of each process. */
export function profilesIn(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
}
